"""Socket.IO: one room per meeting, replay on connect, acks with clear error codes.

Handlers stay thin: they find out who is asking, call the operations and answer. What a
change changed reaches the rooms through ``pblapp.effects.live``, after it commits. A
connection is the console's, a screen's (the facilitator's, asked for with ``view:
"screen"``, or a screen link's) or a phone's; each gets what its audience may see
(``pblapp.domain.access``). When the key a socket was let in with ends (a logout, a revoked
token, a removed participant, a renewed screen link), the socket ends too
(``pblapp.web.socket_ends``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request, session
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from pblapp import ops
from pblapp.domain import access, rate_limit
from pblapp.domain.errors import DomainError, NotFound
from pblapp.domain.validation import ID_MAX, is_text
from pblapp.effects.live import (
    author_room,
    batched_part,
    batched_room,
    participants_room,
    room,
    screen_room,
    singles_room,
    staff_room,
)
from pblapp.ops.participation import Attendance
from pblapp.web import db, development
from pblapp.web.socket_ends import StaleSockets, end_stale_sockets

__all__ = ["end_stale_sockets", "init_app"]
from pblapp.web.auth import session_user


@dataclass
class Connection:
    """Who is at the other end of one socket."""

    meeting_id: int
    attendance: Attendance | None = None
    user_id: int | None = None
    role: str = access.PARTICIPANT
    # "console" or "screen": the page a user's connection serves.
    view: str = "console"
    # A screen link's connection: the nonce its token was made from.
    screen_nonce: str | None = None
    # Asked for posts in batches (``auth.batch``): the replay in ``contributions:added``
    # pieces, and on a phone the others' new posts too.
    batched: bool = False
    # The staff's key, kept to end the socket when it ends: a browser login's id, or an
    # API token.
    login_id: str | None = None
    api_token: str | None = None

    @property
    def audience(self) -> str:
        """The console for the facilitator, the screen for a screen (the facilitator's or
        a screen link's), else a phone."""
        if self.view == "screen":
            return access.SCREEN
        return access.audience_of(self.role)

    @property
    def own_room(self) -> str:
        """The room of the connection's audience, inside the meeting's room."""
        return {access.CONSOLE: staff_room, access.SCREEN: screen_room}.get(
            self.audience, participants_room
        )(self.meeting_id)


def _socketio() -> SocketIO:
    return current_app.extensions["socketio"]


def _connections() -> dict[str, Connection]:
    return current_app.extensions["pblapp.connections"]


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


def _view(auth: dict) -> str:
    view = auth.get("view", "console")
    if view not in ("console", "screen"):
        raise _refused("invalid_view", 'view is "console" or "screen".')
    return view


# Posts per ``contributions:added`` of a replay.
REPLAY_BATCH = 500


def _batched(auth: dict) -> bool:
    value = auth.get("batch", False)
    if not isinstance(value, bool):
        raise _refused("invalid_batch", "batch is true or false.")
    return value


def _authenticate(auth: dict) -> Connection:
    if "token" in auth:
        attendance = ops.participation.attendance(
            db(), auth["token"] if is_text(auth["token"]) else None
        )
        if attendance is None:
            if is_text(auth["token"]) and ops.removal.removed_token(db(), auth["token"]):
                raise _refused(
                    "participant_removed", "The facilitator has removed you from this meeting."
                )
            raise _refused("invalid_token", "Unknown participant token.")
        return Connection(meeting_id=attendance.meeting_id, attendance=attendance)
    if "screen_token" in auth:
        opened = ops.screen_link.opened(
            db(), current_app.config["SECRET_KEY"], auth["screen_token"]
        )
        if opened is None or not access.may(access.SCREEN_LINK, access.WATCH_SCREEN):
            raise _refused("invalid_screen_token", "This screen link is not valid any more.")
        meeting_id, nonce = opened
        return Connection(
            meeting_id=meeting_id, role=access.SCREEN_LINK, view="screen", screen_nonce=nonce
        )
    meeting_id = auth.get("meeting_id")
    if isinstance(meeting_id, bool) or not isinstance(meeting_id, int):
        raise _refused("missing_meeting_id", "Give meeting_id.")
    if not 1 <= meeting_id <= ID_MAX:
        raise _refused("meeting_not_found", "No such meeting.")
    login_id = api_token = None
    if "api_token" in auth:
        token = auth["api_token"]
        user = ops.accounts.user_for_api_token(db(), token) if is_text(token) else None
        if user is None:
            raise _refused("invalid_token", "Unknown API token.")
        user_id, api_token = user["id"], token
    elif (user := session_user()) is not None:
        user_id, login_id = user["id"], session["login"]
    else:
        # A phone whose page did not send its token: the participant cookie speaks for it.
        token = session.get("attend", {}).get(str(meeting_id))
        attendance = ops.participation.attendance(db(), token)
        if attendance is None or attendance.meeting_id != meeting_id:
            raise _refused("unauthorized", "Log in or give a token.")
        return Connection(meeting_id=meeting_id, attendance=attendance)
    try:
        ops.lookup.meeting(db(), user_id, meeting_id)
    except NotFound:
        raise _refused("meeting_not_found", "No such meeting.") from None
    user = ops.accounts.user(db(), user_id)
    if user is None or not access.may(user["role"], access.WATCH_LIVE):
        # The live view pairs names with pseudonyms: that key is the facilitator's only.
        raise _refused("forbidden", "The live view is for facilitators; researchers use the logs.")
    return Connection(
        meeting_id=meeting_id,
        user_id=user_id,
        role=user["role"],
        view=_view(auth),
        login_id=login_id,
        api_token=api_token,
    )


def _on_connect(auth):
    if auth is not None and not isinstance(auth, dict):
        raise _refused("invalid_auth", "auth must be an object.")
    auth = auth or {}
    connection = _authenticate(auth)
    since_seq = _since_seq(auth)
    connection.batched = _batched(auth)
    _connections()[request.sid] = connection
    # Join first, then replay: a post landing in between arrives twice rather than never,
    # and clients drop a seq they already have.
    join_room(room(connection.meeting_id))
    join_room(connection.own_room)
    if connection.audience == access.PHONE:
        if connection.batched:
            part = batched_part(connection.attendance.id)
            join_room(batched_room(connection.meeting_id, part))
        else:
            join_room(singles_room(connection.meeting_id))
        join_room(author_room(connection.meeting_id, connection.attendance.pseudonym))
    _replay(connection, since_seq)


def _replay(connection: Connection, since_seq: int) -> None:
    """The state of the meeting and its posts, to a new connection, as its audience sees
    them."""
    socketio, meeting_id, audience = _socketio(), connection.meeting_id, connection.audience
    phone = audience == access.PHONE
    socketio.emit("meeting:state", ops.meetings.state(db(), meeting_id), to=request.sid)
    agenda = access.agenda_for(audience, ops.agenda.state(db(), meeting_id))
    socketio.emit("agenda:state", agenda, to=request.sid)
    if not phone:
        state = ops.followups.read(db(), meeting_id, masked=audience != access.CONSOLE)
        followups = access.followups_for(audience, state)
        socketio.emit("followups:state", followups, to=request.sid)
    if audience == access.CONSOLE:
        removed = {"meeting_id": meeting_id, "removed": ops.removal.removed(db(), meeting_id)}
        socketio.emit("participants:removed", removed, to=request.sid)
    screen = ops.screen.state(db(), meeting_id)
    socketio.emit("screen:state", screen, to=request.sid)
    self_evaluation = access.self_evaluation_for(audience, ops.selfeval.state(db(), meeting_id))
    if phone:
        self_evaluation["answered"] = ops.selfeval.has_answered(db(), connection.attendance)
    socketio.emit("self_evaluation:state", self_evaluation, to=request.sid)
    # The console and the screens get hidden posts too, flagged (a screen without their
    # text), so that a reconnect shows every post's current state; participants get the
    # visible ones, each with their own reaction (never anyone else's), and their own hidden
    # posts, flagged, with the words they wrote. A post waiting for approval (or rejected)
    # goes to the console and to its author's phone only.
    mine = ops.reactions.mine(db(), connection.attendance) if phone else {}
    author = connection.attendance.pseudonym if phone else None
    # A post the page had before it went offline and that was hidden meanwhile: it learns so.
    earlier = ops.participation.hidden_up_to(db(), meeting_id, since_seq) if since_seq else []
    replay = ops.participation.contributions(db(), meeting_id, since_seq=since_seq)
    for event, posts in (("contribution:updated", earlier), ("contribution:added", replay)):
        shown = []
        for stored in posts:
            own = stored["pseudonym"] == author
            if phone and stored["hidden"] and not own and event == "contribution:added":
                continue
            # Waiting for approval or rejected: the console's, and its author's own phone's.
            waiting = stored["status"] != ops.participation.VISIBLE
            if waiting and audience != access.CONSOLE and not own:
                continue
            contribution = access.contribution_for(audience, stored, screen["author_display"])
            if phone:
                contribution["my_reaction"] = mine.get(contribution["id"])
                if own:
                    contribution["text"] = stored["text"]
            shown.append(contribution)
        if connection.batched and event == "contribution:added":
            # A long meeting's replay in a few messages, not one per post.
            for start in range(0, len(shown), REPLAY_BATCH):
                piece = {
                    "meeting_id": meeting_id,
                    "contributions": shown[start : start + REPLAY_BATCH],
                }
                socketio.emit("contributions:added", piece, to=request.sid)
            continue
        for contribution in shown:
            socketio.emit(event, contribution, to=request.sid)
    # Posts deleted while the page was away leave it too.
    for contribution_id in ops.deletion.deleted_ids(db(), meeting_id):
        removed = {"id": contribution_id, "meeting_id": meeting_id}
        socketio.emit("contribution:removed", removed, to=request.sid)


def _on_disconnect(*_args):
    _connections().pop(request.sid, None)


def _refusal(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


def _answer(sid: str, event: str, call: Callable[[], dict]) -> dict:
    """Every event gets an ack: a refusal for bad input, and ``internal_error`` (logged) if
    something unforeseen breaks, so that no client waits for an answer that never comes."""
    try:
        return call()
    except DomainError as exc:
        connection = _connections().get(sid)
        if exc.code == "storage_full" and connection is not None:
            # The disk is full: the console shows a banner until a post is stored again.
            full = {"meeting_id": connection.meeting_id}
            _socketio().emit("storage:full", full, to=staff_room(connection.meeting_id))
        return {"ok": False, "error": exc.as_dict()}
    except Exception:
        current_app.logger.exception("Socket.IO event %s failed", event)
        return _refusal("internal_error", "Something went wrong on the server; try again.")


def _one_payload(args: tuple) -> dict | None:
    """The refusal for more than one payload: more would break the handler's call, not
    the client's."""
    if len(args) > 1:
        return _refusal("invalid_payload", "Send one payload (an object) with the event.")
    return None


def _rate_limited(attendance_id: int, limit: rate_limit.Limit) -> dict | None:
    """The refusal for an event over the participant's limit, else ``None`` (a token is
    taken). Counted per participant, over all their connections (and, through Redis, over
    every server process: ``pblapp.buckets``)."""
    if not current_app.config["PARTICIPANT_RATE_LIMITS"]:
        return None
    name = "posts" if limit == rate_limit.POSTS else "events"
    retry_after = current_app.extensions["pblapp.buckets"].take(name, attendance_id, limit)
    if retry_after is None:
        return None
    refusal = _refusal("rate_limited", f"Too many at once: try again in {retry_after} s.")
    refusal["error"]["retry_after"] = retry_after
    return refusal


def _participant_action(event: str, operation, limit: rate_limit.Limit):
    """A handler for a participant's event, ``(sid, payload)``: refuse others and a flood,
    answer with an ack."""

    def act(sid: str, payload=None) -> dict:
        connection = _connections().get(sid)
        if connection is not None and connection.screen_nonce is not None:
            return _refusal("forbidden", "A screen link only shows the screen.")
        if connection is None or connection.attendance is None:
            return _refusal("not_participant", "Only a participant who joined can do this.")
        refusal = _rate_limited(connection.attendance.id, limit)
        if refusal is not None:
            return refusal
        return {"ok": True, **operation(connection.attendance, payload)}

    def handler(sid: str, *args) -> dict:
        return _one_payload(args) or _answer(sid, event, lambda: act(sid, *args))

    return handler


def _serve_lean(app: Flask, socketio: SocketIO, event: str, handler) -> None:
    """Serve ``event`` with ``handler(sid, *args)`` straight from python-socketio, in an
    application context and without Flask-SocketIO's request context: building that (a
    request, its URL match, the session cookie read and verified) cost about half a
    millisecond an event, a sixth of a post's way to the screen. For events that need
    neither the request nor the session: a phone's, whose connection says who it is."""

    def dispatch(sid: str, *args):
        with app.app_context():
            return handler(sid, *args)

    socketio.server.on(event, dispatch, namespace="/")


def _own_ack(contribution: dict) -> dict:
    """A post as its author's ack carries it: their own words and name, without what is
    the console's alone (where the privacy guard found something, why a post was
    rejected)."""
    return {
        key: value
        for key, value in contribution.items()
        if key not in ("flag_spans", "moderation_reason")
    }


PARTICIPANT_EVENTS = {
    "contribution:add": lambda attendance, payload: {
        "contribution": _own_ack(ops.participation.post(db(), attendance, payload)[0])
    },
    "reaction:set": lambda attendance, payload: {
        "reactions": ops.reactions.set_reaction(db(), attendance, payload)
    },
    "self_evaluation:answer": lambda attendance, payload: (
        ops.selfeval.answer(db(), attendance, payload) or {}
    ),
    "participant:consent": lambda attendance, payload: ops.consent.give(db(), attendance, payload),
    "participant:withdraw": lambda attendance, payload: {
        "participant": ops.privacy.withdraw_self(db(), attendance, payload)
    },
    "contribution:check": lambda attendance, payload: ops.participation.check(
        db(), attendance, payload
    ),
    "contribution:delete": lambda attendance, payload: {
        "id": ops.deletion.delete_own(db(), attendance, payload)
    },
}


# An operation on the connection's meeting: (database, user id, meeting id, payload).
Operation = Callable[[object, int, int, object], dict]


def _facilitator_action(event: str, answer_key: str, operation: Operation):
    """A handler for a facilitator's command: refuse others, answer with an ack."""

    def act(payload=None) -> dict:
        connection = _connections().get(request.sid)
        if connection is None or not access.may(connection.role, access.CHANGE):
            return _refusal("forbidden", "Only the facilitator may do this.")
        result = operation(db(), connection.user_id, connection.meeting_id, payload)
        return {"ok": True, answer_key: result}

    def handler(*args) -> dict:
        return _one_payload(args) or _answer(request.sid, event, lambda: act(*args))

    return handler


def _on_unknown(event, *_args):
    """An event this server does not know, answered so that a caller waiting for an ack
    learns why."""
    return _refusal("unknown_event", f"Unknown event: {str(event)[:80]}.")


# event: (the ack's key for the result, the operation). Follow-ups all answer with the
# meeting's whole follow-up state.
FACILITATOR_EVENTS: dict[str, tuple[str, Operation]] = {
    "contribution:update": ("contribution", ops.moderation.moderate),
    # PATCH /meetings/<mid>'s twin, for the console's pre-moderation switch.
    "meeting:update": ("meeting", ops.meetings.update),
    "contribution:merge": ("contribution", ops.moderation.merge),
    "agenda:command": ("agenda", ops.agenda.command),
    "agenda:edit": ("agenda", ops.agenda.edit),
    "agenda:notes": ("agenda", ops.agenda.set_notes),
    "agenda:save_for_group": (
        "group_agenda",
        lambda database, user_id, meeting_id, _payload: ops.agenda.save_for_group(
            database, user_id, meeting_id
        ),
    ),
    "screen:command": ("screen", ops.screen.command),
    "starting_point:set": ("screen", ops.screen.set_starting_point),
    "question:add": ("followups", ops.followups.add_question),
    "question:update": ("followups", ops.followups.update_question),
    "decision:add": ("followups", ops.decisions.add_decision),
    "action_item:add": ("followups", ops.decisions.add_action_item),
    "action_item:update": ("followups", ops.decisions.update_action_item),
    "self_evaluation:open": (
        "self_evaluation",
        lambda database, user_id, meeting_id, _payload: ops.selfeval.open_(
            database, user_id, meeting_id
        ),
    ),
    "phase:decide": ("phase", lambda *args: _phase_in_words(ops.phases.decide(*args))),
    "participant:remove": ("removed", ops.removal.remove),
    "participant:readmit": ("removed", ops.removal.readmit),
}


def _phase_in_words(phase: dict) -> dict:
    meeting = ops.lookup.meeting_row(db(), phase["meeting_id"])
    return development.phase_answer(phase, development.group_language(meeting["group_id"]))


def init_app(app: Flask) -> SocketIO:
    """Attach a Socket.IO server to ``app``; same-origin only (the default)."""
    socketio = SocketIO(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["MESSAGE_QUEUE"],
        # Engine.IO already runs each message in a greenlet of its own (its default): the
        # handler runs there, without a second one spawned for it by Socket.IO.
        async_handlers=False,
    )
    app.extensions["pblapp.connections"] = {}
    stale = app.extensions["pblapp.stale_sockets"] = StaleSockets(app, socketio)
    app.extensions["pblapp.db"].subscribe(stale)
    if app.config["MESSAGE_QUEUE"]:
        socketio.start_background_task(stale.sweep_forever)
    socketio.on_event("connect", _on_connect)
    socketio.on_event("disconnect", _on_disconnect)
    for event, operation in PARTICIPANT_EVENTS.items():
        limit = rate_limit.POSTS if event == "contribution:add" else rate_limit.OTHER_EVENTS
        _serve_lean(app, socketio, event, _participant_action(event, operation, limit))
    socketio.on_event("*", _on_unknown)
    # A page that doubts its socket (a phone back from sleep) asks; an answer means alive.
    socketio.on_event("alive", lambda *_args: {"ok": True})
    for event, (answer_key, operation) in FACILITATOR_EVENTS.items():
        socketio.on_event(event, _facilitator_action(event, answer_key, operation))
    return socketio
