"""What comes in as a body or a socket packet: too large, too deep or unreadable input gets
an answer with a code, never a 500 and never silence.

- Every request body over ``MAX_CONTENT_LENGTH`` answers 413 in the API's JSON error format,
  on every route, chunked bodies too (the console's image form keeps its own message, see
  ``web.pages``).
- A JSON body nested deeper than ``MAX_DEPTH`` answers 400 ``invalid_json``, wherever a route
  reads it (``request.get_json`` goes through :class:`DepthCheckedJSON`), before the parser
  could run out of stack.
- A Socket.IO event whose packet cannot be read (not JSON, nested too deep, not an event)
  is answered on its ack with ``{"ok": false, "error": {"code", "message"}}``; without this,
  python-socketio logs the error and the client waits for an ack that never comes.
"""

from __future__ import annotations

import json
import re

import socketio
from engineio import json as engineio_json
from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_socketio import SocketIO
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

MAX_DEPTH = 32
# What the 413 answer's code is: the name the API has used for it since v1.
TOO_LARGE = "request_entity_too_large"
# The event that an unreadable packet is turned into, so that its ack is answered.
INVALID_PACKET_EVENT = "pblapp:invalid-packet"

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nested_deeper_than(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON ``text`` opens more than ``limit`` arrays or objects inside each
    other (brackets inside strings do not count). Linear, and quick for ordinary bodies."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class TooDeep(BadRequest):
    """A JSON body nested deeper than ``MAX_DEPTH``. Not a ``ValueError``, so that
    ``get_json(silent=True)`` does not turn it into "no body"."""

    description = f"The JSON body is nested deeper than {MAX_DEPTH} levels."


class DepthCheckedJSON(DefaultJSONProvider):
    """The app's JSON provider, which ``request.get_json`` reads every body with: Flask's
    own, after a depth check."""

    def loads(self, s, **kwargs):
        if isinstance(s, bytes | bytearray):
            s = bytes(s).decode(json.detect_encoding(s), "surrogatepass")
        if nested_deeper_than(s):
            raise TooDeep()
        try:
            return super().loads(s, **kwargs)
        except RecursionError:  # cannot happen after the check; kept as the last guard
            raise TooDeep() from None


def _error(code: str, message: str, status: int):
    return {"error": {"code": code, "message": message}}, status


def _too_large(_exc: RequestEntityTooLarge):
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = f" ({limit / 2**20:g} MiB)" if limit else ""
    return _error(TOO_LARGE, f"The body is larger than this server accepts{size}.", 413)


def _refuse_long_chunked_body() -> None:
    """A chunked body (no ``Content-Length``) over ``MAX_CONTENT_LENGTH`` answers 413, as a
    long body with a length does. Werkzeug reads such a body only up to the limit and would
    hand the route the first part of it, which then fails as a bad body."""
    limit = request.max_content_length
    if limit is None or request.content_length is not None:
        return
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    # Kept for the route (and the form parser); it stops at the limit.
    body = request.get_data(cache=True)
    if len(body) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def _too_deep(exc: TooDeep):
    # The code the API has always given a body it cannot read; the message says why.
    return _error("invalid_json", exc.description, 400)


# -- Socket.IO packets ----------------------------------------------------------------------


class _PacketTooDeep(ValueError):
    pass


class _PacketJSON:
    """The JSON module socket packets are read with: Engine.IO's own (which also refuses
    integers of more than 100 digits), after the same depth check as bodies."""

    @staticmethod
    def loads(text, **kwargs):
        if nested_deeper_than(text):
            raise _PacketTooDeep()
        return engineio_json.loads(text, **kwargs)

    dumps = staticmethod(engineio_json.dumps)


# Why a packet could not be read: the refusal's code and message.
_PACKET_REFUSALS = {
    "not_json": ("invalid_json", "The event's payload is not valid JSON."),
    "too_deep": ("invalid_json", f"The event's payload is nested deeper than {MAX_DEPTH} levels."),
    "not_an_event": (
        "invalid_packet",
        "The packet is not an event: it must be a list that starts with the event's name.",
    ),
}


class CheckedPacket(socketio.packet.Packet):
    """A Socket.IO packet that, when it cannot be read, becomes an event the server answers
    (``INVALID_PACKET_EVENT`` with the reason's code), so that the sender's ack is not left
    waiting. A connect packet that cannot be read is refused like any bad ``auth``."""

    json = _PacketJSON

    def decode(self, encoded_packet):
        try:
            attachments = super().decode(encoded_packet)
        except _PacketTooDeep:
            return self._unreadable("too_deep")
        except (ValueError, RecursionError):
            return self._unreadable("not_json")
        if self.packet_type == socketio.packet.EVENT and not (
            isinstance(self.data, list) and self.data and isinstance(self.data[0], str)
        ):
            return self._unreadable("not_an_event")
        return attachments

    def _unreadable(self, reason: str) -> int:
        if self.packet_type == socketio.packet.CONNECT:
            self.data = reason  # not an object: the connect handler refuses it (invalid_auth)
        elif self.packet_type == socketio.packet.EVENT:
            self.data = [INVALID_PACKET_EVENT, reason]
        else:
            raise ValueError(f"unreadable Socket.IO packet ({reason})")
        return 0


def _answer_unreadable_packet(reason=None, *_args):
    code, message = _PACKET_REFUSALS.get(reason, _PACKET_REFUSALS["not_an_event"])
    return {"ok": False, "error": {"code": code, "message": message}}


def init_app(app: Flask, sockets: SocketIO) -> None:
    """Bodies: the depth check and the 413 and ``invalid_json`` answers. Sockets: the checked
    packet class and the answer to an unreadable event."""
    app.json = DepthCheckedJSON(app)
    # First of all, before the CSRF check reads a form.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_long_chunked_body)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(TooDeep, _too_deep)
    sockets.server.packet_class = CheckedPacket
    sockets.on_event(INVALID_PACKET_EVENT, _answer_unreadable_packet)
