"""The gevent WSGI server that ``run.py`` serves with.

Import only after gevent's monkey patching (``cli.serve`` does).

- A connection has ``header_timeout`` seconds to send its request line and headers; one that
  sends them slowly or never is dropped, so idle connections cannot pile up until the
  process runs out of file descriptors. The limit is lifted once the headers are in: a
  websocket then stays open for as long as it lives (Socket.IO pings every 25 s), and a
  long-polling request waits as long as it needs.
- With TLS, the handshake happens within that limit too.
- A chunked request body is read through gevent's own decoder, which ends it; Werkzeug is
  told so (``wsgi.input_terminated``), reads it, and applies ``MAX_CONTENT_LENGTH`` to it,
  instead of treating every chunked body as empty.
"""

from __future__ import annotations

import os
import socket
import ssl

import gevent
from gevent.pywsgi import WSGIHandler, WSGIServer

# Seconds for a request line and its headers; PBLAPP_HEADER_TIMEOUT changes it (tests
# use a short one).
HEADER_TIMEOUT = 10.0

_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
)


def header_timeout() -> float:
    """``PBLAPP_HEADER_TIMEOUT`` in seconds if it is a positive number, else 10."""
    try:
        seconds = float(os.environ.get("PBLAPP_HEADER_TIMEOUT", HEADER_TIMEOUT))
    except ValueError:
        return HEADER_TIMEOUT
    return seconds if seconds > 0 else HEADER_TIMEOUT


class HeaderTimeout(TimeoutError):
    """The request line and headers did not arrive in time."""


class Handler(WSGIHandler):
    """gevent's handler, with a deadline on reading each request's line and headers."""

    _deadline: gevent.Timeout | None = None

    def read_requestline(self):
        # Also the wait for the next request on a kept-alive connection.
        self._deadline = gevent.Timeout(self.server.header_timeout, HeaderTimeout)
        self._deadline.start()
        return super().read_requestline()

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)
        finally:
            self._lift_deadline()

    def handle_one_request(self):
        try:
            return super().handle_one_request()
        finally:
            self._lift_deadline()

    def _lift_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.close()
            self._deadline = None

    def _handle_client_error(self, ex):
        # The headers came too slowly: answer 408 and close, without a traceback in the log.
        if isinstance(ex, HeaderTimeout):
            return ("408", _TIMEOUT_RESPONSE)
        return super()._handle_client_error(ex)


def tls_context(certfile: str, keyfile: str) -> ssl.SSLContext:
    """A server-side TLS context with the certificate and its key, loaded once; raises
    ``OSError`` (``ssl.SSLError`` is one) when they cannot be read or do not match. A key
    with a passphrase is refused rather than asked for."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile, password=lambda: b"")
    return context


class Server(WSGIServer):
    """The WSGI server: :class:`Handler` for each connection, TCP_NODELAY, optional TLS."""

    handler_class = Handler

    def __init__(
        self,
        address: tuple[str, int],
        app,
        *,
        tls: ssl.SSLContext | None = None,
        header_timeout: float = HEADER_TIMEOUT,
    ):
        self.header_timeout = header_timeout
        # The TLS handshake then happens on the first read, inside the header deadline,
        # not unbounded before it.
        tls_args = {"ssl_context": tls, "do_handshake_on_connect": False} if tls else {}
        super().__init__(
            address, app, log=None, environ={"wsgi.input_terminated": True}, **tls_args
        )

    def handle(self, sock, address):
        # A post's ack is a small write after the broadcasts; without this, Nagle's
        # algorithm holds it back until the phone's delayed ACK (about 40 ms).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().handle(sock, address)
