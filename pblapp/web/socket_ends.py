"""Ending the sockets whose key no longer opens anything.

A socket is let in once, at connect, with a login, an API token, a participant token or a
screen link. When that key ends, its sockets end too: a logout, a password change that
ends the other logins, a revoked API token, a participant removed from the meeting, a
renewed or revoked screen link. A removed participant's phone is told why before it is
disconnected; a screen whose link ended reconnects and is refused, and says so.

A process hears only of its own changes: the subscriber checks the meetings its events
name, and the web layer calls :func:`end_stale_sockets` after ending a login or a token.
With several processes (``MESSAGE_QUEUE``), each also checks all of its own connections
every :attr:`StaleSockets.SWEEP_SECONDS`, so a key ended through another process ends
here too, a moment later.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_socketio import SocketIO

from pblapp import ops
from pblapp.db import Event

# Events after which a meeting's participant or screen-link sockets may have lost their key.
ENDING_EVENTS = ("screen_link.", "participant.removed")


class StaleSockets:
    """Subscriber and sweeper that disconnects this process's stale sockets."""

    SWEEP_SECONDS = 2.0

    def __init__(self, app: Flask, socketio: SocketIO):
        self.app, self.socketio = app, socketio

    def __call__(self, events: list[Event]) -> None:
        meetings = {e.meeting_id for e in events if e.type.startswith(ENDING_EVENTS)}
        if meetings:
            self.end_stale(meetings, staff=False)

    def sweep_forever(self) -> None:
        while True:
            self.socketio.sleep(self.SWEEP_SECONDS)
            try:
                self.end_stale()
            except Exception:
                self.app.logger.exception("Could not check the sockets' keys")

    def end_stale(self, meetings: set[int] | None = None, *, staff: bool = True) -> int:
        """Disconnect this process's sockets whose key has ended: of ``meetings`` (every
        meeting when ``None``), and the staff's (logins and API tokens) when ``staff``.
        Returns how many were ended."""
        database = self.app.extensions["pblapp.db"]
        connections = self.app.extensions["pblapp.connections"]
        nonces: dict[int, str | None] = {}
        removed: dict[int, set[int]] = {}
        keys: dict[tuple[str, str], bool] = {}

        def key_open(kind: str, key: str) -> bool:
            if (kind, key) not in keys:
                user = (
                    ops.accounts.login_user(database, key)
                    if kind == "login"
                    else ops.accounts.user_for_api_token(database, key)
                )
                keys[kind, key] = user is not None
            return keys[kind, key]

        def stale(connection) -> bool:
            meeting_id = connection.meeting_id
            if connection.screen_nonce is not None:
                if meetings is not None and meeting_id not in meetings:
                    return False
                if meeting_id not in nonces:
                    nonces[meeting_id] = ops.screen_link.current_nonce(database, meeting_id)
                return connection.screen_nonce != nonces[meeting_id]
            if connection.attendance is not None:
                if meetings is not None and meeting_id not in meetings:
                    return False
                if meeting_id not in removed:
                    removed[meeting_id] = ops.removal.removed_attendances(database, meeting_id)
                return connection.attendance.id in removed[meeting_id]
            if not staff:
                return False
            if connection.login_id is not None:
                return not key_open("login", connection.login_id)
            if connection.api_token is not None:
                return not key_open("api_token", connection.api_token)
            return False

        ended = 0
        for sid, connection in list(connections.items()):
            if not stale(connection):
                continue
            connections.pop(sid, None)
            if connection.attendance is not None:
                # The phone stops reconnecting and says why (its token opens nothing now).
                self.socketio.emit(
                    "participant:removed", {"meeting_id": connection.meeting_id}, to=sid
                )
            self.socketio.server.disconnect(sid, namespace="/")
            ended += 1
        return ended


def end_stale_sockets() -> int:
    """After a login or an API token ended (logout, password change, revocation): end this
    process's staff sockets that it opened. Returns how many were ended."""
    return current_app.extensions["pblapp.stale_sockets"].end_stale(set())
