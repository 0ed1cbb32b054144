"""A meeting's screen link: an address that opens its projector screen without a login.

The database keeps a random nonce per meeting (``meetings.screen_link_nonce``; null: no
link), never the token. The token is made from the nonce and the app's secret key
(``pblapp.domain.secrets.screen_token``), so the console can always show the current link
and the database alone does not give it away. Renewing draws a new nonce, which ends the
old link; revoking clears it. Both are logged (``screen_link.created``,
``screen_link.revoked``), without the token.
"""

from __future__ import annotations

from pblapp.db import Change, Database
from pblapp.domain.access import FACILITATOR
from pblapp.domain.secrets import (
    new_token,
    screen_token,
    screen_token_matches,
    screen_token_meeting,
)
from pblapp.ops import lookup


def current_nonce(db: Database, meeting_id: int) -> str | None:
    """The nonce the meeting's link is made from now (``None``: no link)."""
    row = db.query_one("SELECT screen_link_nonce FROM meetings WHERE id = ?", [meeting_id])
    return row["screen_link_nonce"] if row else None


def token(db: Database, secret: str | bytes, meeting_id: int) -> str | None:
    """The meeting's current screen-link token, or ``None`` when it has no link."""
    nonce = current_nonce(db, meeting_id)
    return screen_token(secret, meeting_id, nonce) if nonce else None


def create(db: Database, user_id: int, meeting_id: int, secret: str | bytes) -> str:
    """Make the meeting's screen link, or a new one in place of the old (which then stops
    working); returns its token."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    nonce = new_token()

    def write(change: Change) -> None:
        old = change.db.execute(
            "SELECT screen_link_nonce FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()["screen_link_nonce"]
        change.db.execute(
            "UPDATE meetings SET screen_link_nonce = ? WHERE id = ?", [nonce, meeting_id]
        )
        change.record_in(
            meeting,
            "screen_link.created",
            actor=FACILITATOR,
            user_id=user_id,
            renewed=old is not None,
        )

    db.change(write)
    return screen_token(secret, meeting_id, nonce)


def revoke(db: Database, user_id: int, meeting_id: int) -> None:
    """End the meeting's screen link (nothing happens when it has none)."""
    meeting = lookup.meeting(db, user_id, meeting_id)

    def write(change: Change) -> None:
        changed = change.db.execute(
            "UPDATE meetings SET screen_link_nonce = NULL "
            "WHERE id = ? AND screen_link_nonce IS NOT NULL",
            [meeting_id],
        ).rowcount
        if changed:
            change.record_in(meeting, "screen_link.revoked", actor=FACILITATOR, user_id=user_id)

    db.change(write)


def opened(db: Database, secret: str | bytes, link_token: object) -> tuple[int, str] | None:
    """The meeting a screen-link token opens now, with the nonce it was made from (a
    socket keeps it, to end when the link does); ``None`` for an unknown, renewed or
    revoked token."""
    meeting_id = screen_token_meeting(link_token) if isinstance(link_token, str) else None
    if meeting_id is None:
        return None
    nonce = current_nonce(db, meeting_id)
    if not nonce or not screen_token_matches(secret, link_token, meeting_id, nonce):
        return None
    return meeting_id, nonce
