"""Socket.IO: one room per meeting, replay on connect, acks with clear error codes.

Handlers stay thin: they find out who is asking, call the service and answer. The
service publishes what changed through :func:`publish`, after its transaction commits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Flask, current_app, request, session
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from pblapp import get_service
from pblapp.domain.errors import DomainError, NotFound
from pblapp.domain.validation import ID_MAX, is_text
from pblapp.service import Attendance
from pblapp.views.auth import session_user


@dataclass
class Connection:
    """Who is at the other end of one socket."""

    meeting_id: int
    attendance: Attendance | None = None
    user_id: int | None = None
    role: str | None = None

    @property
    def is_staff(self) -> bool:
        """A logged-in user (facilitator or researcher): sees hidden posts, flagged."""
        return self.user_id is not None

    @property
    def may_moderate(self) -> bool:
        return self.role == "facilitator"


def room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def _socketio() -> SocketIO:
    return current_app.extensions["socketio"]


def _connections() -> dict[str, Connection]:
    return current_app.extensions["pblapp.connections"]


def staff_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:staff"


def participants_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:participants"


# Follow-ups can quote a hidden contribution (one marked "take to next meeting"); phones
# have no use for them, so they go to the facilitator's pages only.
STAFF_ONLY = {"followups:state"}


CONTRIBUTION_EVENTS = {"contribution:added", "contribution:updated"}


def for_phones(contribution: dict) -> dict:
    """A contribution as phones get it: without the author's display name (the key between
    names and pseudonyms is the facilitator's), and without the text if it is hidden."""
    redacted = {**contribution, "display_name": ""}
    if contribution.get("hidden"):
        redacted["text"] = ""
    return redacted


def publish(event: str, payload: dict, meeting_id: int) -> None:
    """Send ``event`` to everyone in the meeting's room.

    Phones get contributions through :func:`for_phones`: they learn that a post was hidden,
    not what it said, and never whose name goes with which pseudonym.
    """
    socketio = _socketio()
    if event in STAFF_ONLY:
        socketio.emit(event, payload, to=staff_room(meeting_id))
        return
    if event in CONTRIBUTION_EVENTS:
        socketio.emit(event, payload, to=staff_room(meeting_id))
        socketio.emit(event, for_phones(payload), to=participants_room(meeting_id))
        return
    socketio.emit(event, payload, to=room(meeting_id))


def _refused(code: str, message: str) -> ConnectionRefusedError:
    """A refusal the client sees as ``connect_error``: a message, and the code in ``data``."""
    return ConnectionRefusedError(message, {"code": code})


def _since_seq(auth: dict) -> int:
    value = auth.get("since_seq", 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= ID_MAX:
        raise _refused("invalid_since_seq", "since_seq must be a whole number, 0 or more.")
    return value


def _authenticate(auth: dict) -> Connection:
    service = get_service()
    if "token" in auth:
        attendance = service.attendance(auth["token"] if is_text(auth["token"]) else None)
        if attendance is None:
            raise _refused("invalid_token", "Unknown participant token.")
        return Connection(meeting_id=attendance.meeting_id, attendance=attendance)
    meeting_id = auth.get("meeting_id")
    if isinstance(meeting_id, bool) or not isinstance(meeting_id, int):
        raise _refused("missing_meeting_id", "Give meeting_id.")
    if not 1 <= meeting_id <= ID_MAX:
        raise _refused("meeting_not_found", "No such meeting.")
    if "api_token" in auth:
        token = auth["api_token"]
        user = service.user_for_api_token(token) if is_text(token) else None
        if user is None:
            raise _refused("invalid_token", "Unknown API token.")
        user_id = user["id"]
    elif (user := session_user()) is not None:
        user_id = user["id"]
    else:
        # A phone whose page did not send its token: the participant cookie speaks for it.
        token = session.get("attend", {}).get(str(meeting_id))
        attendance = service.attendance(token)
        if attendance is None or attendance.meeting_id != meeting_id:
            raise _refused("unauthorized", "Log in or give a token.")
        return Connection(meeting_id=meeting_id, attendance=attendance)
    try:
        service.meeting(user_id, meeting_id)
    except NotFound:
        raise _refused("meeting_not_found", "No such meeting.") from None
    user = service.user(user_id)
    if user is None or user["role"] != "facilitator":
        # The live view pairs names with pseudonyms: that key is the facilitator's only.
        raise _refused("forbidden", "The live view is for facilitators; researchers use the logs.")
    return Connection(meeting_id=meeting_id, user_id=user_id, role=user["role"])


def _on_connect(auth):
    if auth is not None and not isinstance(auth, dict):
        raise _refused("invalid_auth", "auth must be an object.")
    auth = auth or {}
    connection = _authenticate(auth)
    since_seq = _since_seq(auth)
    service = get_service()
    _connections()[request.sid] = connection
    # Join first, then replay: a post landing in between arrives twice rather than never,
    # and clients drop a seq they already have.
    join_room(room(connection.meeting_id))
    join_room(
        staff_room(connection.meeting_id)
        if connection.is_staff
        else participants_room(connection.meeting_id)
    )
    socketio = _socketio()
    socketio.emit("meeting:state", service.meeting_state(connection.meeting_id), to=request.sid)
    socketio.emit("agenda:state", service.agenda(connection.meeting_id), to=request.sid)
    if connection.is_staff:
        socketio.emit("followups:state", service.followups(connection.meeting_id), to=request.sid)
    socketio.emit("screen:state", service.screen_state(connection.meeting_id), to=request.sid)
    # Facilitators' pages (console and screen) get hidden posts too, flagged, so that a
    # reconnect shows every post's current state; participants get the visible ones.
    for contribution in service.contributions(
        connection.meeting_id, since_seq=since_seq, include_hidden=connection.is_staff
    ):
        if not connection.is_staff:
            contribution = for_phones(contribution)
        socketio.emit("contribution:added", contribution, to=request.sid)


def _on_disconnect(*_args):
    _connections().pop(request.sid, None)


def _refusal(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


def _answered(handler):
    """Every event gets an ack: a refusal for bad input, and ``internal_error`` (logged) if
    something unforeseen breaks, so that no client waits for an answer that never comes."""

    @functools.wraps(handler)
    def answer(*args):
        try:
            return handler(*args)
        except DomainError as exc:
            return {"ok": False, "error": exc.as_dict()}
        except Exception:
            event = getattr(request, "event", {}).get("message")
            current_app.logger.exception("Socket.IO event %s failed", event)
            return _refusal("internal_error", "Something went wrong on the server; try again.")

    return answer


@_answered
def _on_add(payload=None):
    connection = _connections().get(request.sid)
    if connection is None or connection.attendance is None:
        return _refusal("not_participant", "Only a participant who joined can post.")
    contribution, _created = get_service().add_contribution(connection.attendance, payload)
    return {"ok": True, "contribution": contribution}


def _facilitator_action(operation):
    """A handler for a facilitator's command: refuse others, answer with an ack."""

    @_answered
    def handler(payload=None):
        connection = _connections().get(request.sid)
        if connection is None or not connection.may_moderate:
            return _refusal("forbidden", "Only the facilitator may do this.")
        return {"ok": True, **operation(get_service(), connection, payload)}

    return handler


def _on_unknown(event, *_args):
    """An event this server does not know, answered so that a caller waiting for an ack
    learns why."""
    return _refusal("unknown_event", f"Unknown event: {str(event)[:80]}.")


FACILITATOR_EVENTS = {
    "contribution:update": lambda service, c, payload: {
        "contribution": service.update_contribution(c.user_id, c.meeting_id, payload)
    },
    "agenda:command": lambda service, c, payload: {
        "agenda": service.agenda_command(c.user_id, c.meeting_id, payload)
    },
    "agenda:edit": lambda service, c, payload: {
        "agenda": service.edit_agenda(c.user_id, c.meeting_id, payload)
    },
    "agenda:save_for_group": lambda service, c, payload: {
        "group_agenda": service.save_group_agenda(c.user_id, c.meeting_id)
    },
}
FACILITATOR_EVENTS.update(
    {
        "screen:command": lambda service, c, payload: {
            "screen": service.screen_command(c.user_id, c.meeting_id, payload)
        },
        "contribution:merge": lambda service, c, payload: {
            "contribution": service.merge_contribution(c.user_id, c.meeting_id, payload)
        },
        "starting_point:set": lambda service, c, payload: {
            "screen": service.set_starting_point(c.user_id, c.meeting_id, payload)
        },
    }
)
# Follow-ups all answer with the meeting's whole follow-up state.
for _event, _method in {
    "question:add": "add_question",
    "question:update": "update_question",
    "decision:add": "add_decision",
    "action_item:add": "add_action_item",
    "action_item:update": "update_action_item",
}.items():
    FACILITATOR_EVENTS[_event] = lambda service, c, payload, method=_method: {
        "followups": getattr(service, method)(c.user_id, c.meeting_id, payload)
    }


def init_app(app: Flask) -> SocketIO:
    """Attach a Socket.IO server to ``app``; same-origin only (the default)."""
    socketio = SocketIO(app, async_mode=app.config["SOCKETIO_ASYNC_MODE"])
    app.extensions["pblapp.connections"] = {}
    socketio.on_event("connect", _on_connect)
    socketio.on_event("disconnect", _on_disconnect)
    socketio.on_event("contribution:add", _on_add)
    socketio.on_event("*", _on_unknown)
    for event, operation in FACILITATOR_EVENTS.items():
        socketio.on_event(event, _facilitator_action(operation))
    return socketio
