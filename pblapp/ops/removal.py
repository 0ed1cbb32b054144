"""Taking a participant out of a meeting, and letting them back in.

Removing ends the participant's token at once: their phone is disconnected, cannot post or
react, and cannot join the meeting again, from the same browser, with its code. What they
posted stays, to be hidden like any post. Letting them back in is a separate step: they
then join again with the code, as the same participant (a new token; the old one stays
dead). Both are logged with the facilitator as actor.
"""

from __future__ import annotations

from typing import Any

from pblapp.db import Change, Database
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import DomainError, NotFound
from pblapp.domain.secrets import hash_token, new_token
from pblapp.domain.validation import is_text
from pblapp.ops import lookup

REMOVED_SQL = (
    "SELECT p.pseudonym, p.display_name, a.removed_at FROM attendances a "
    "JOIN participants p ON p.id = a.participant_id "
    "WHERE a.meeting_id = ? AND a.removed_at IS NOT NULL ORDER BY a.removed_at, p.number"
)


def removed(db: Database, meeting_id: int) -> list[dict]:
    """The meeting's removed participants: ``pseudonym``, ``display_name``, ``removed_at``
    (the console's list; the display name is the facilitator's only)."""
    return [dict(row) for row in db.query(REMOVED_SQL, [meeting_id])]


def _pseudonym(payload: Any) -> str:
    """A pseudonym from ``{"pseudonym": str}`` or a path's text."""
    value = payload.get("pseudonym") if isinstance(payload, dict) else payload
    if not is_text(value) or not 1 <= len(value) <= 40:
        raise DomainError("invalid_pseudonym", "pseudonym is a participant's pseudonym, P1 say.")
    return value


def _attendance(change: Change, meeting_id: int, pseudonym: str):
    row = change.db.execute(
        "SELECT a.id, a.removed_at FROM attendances a "
        "JOIN participants p ON p.id = a.participant_id "
        "WHERE a.meeting_id = ? AND p.pseudonym = ?",
        [meeting_id, pseudonym],
    ).fetchone()
    if row is None:
        raise NotFound("participant_not_found", "Nobody with this pseudonym joined the meeting.")
    return row


def remove(db: Database, user_id: int, meeting_id: int, payload: Any) -> list[dict]:
    """Remove the participant ``{"pseudonym"}`` from the meeting; returns the removed list.
    Removing one who is removed already changes nothing."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    pseudonym = _pseudonym(payload)

    def write(change: Change) -> None:
        row = _attendance(change, meeting_id, pseudonym)
        if row["removed_at"] is not None:
            return
        change.db.execute(
            "UPDATE attendances SET removed_at = ? WHERE id = ?", [utc_now(), row["id"]]
        )
        change.record_in(meeting, "participant.removed", actor=FACILITATOR, pseudonym=pseudonym)

    db.change(write)
    return removed(db, meeting_id)


def readmit(db: Database, user_id: int, meeting_id: int, payload: Any) -> list[dict]:
    """Let the removed participant ``{"pseudonym"}`` join again; returns the removed list.
    Their old token stays dead: they join anew with the code."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    pseudonym = _pseudonym(payload)

    def write(change: Change) -> None:
        row = _attendance(change, meeting_id, pseudonym)
        if row["removed_at"] is None:
            return
        change.db.execute(
            "UPDATE attendances SET removed_at = NULL, token_hash = ? WHERE id = ?",
            [hash_token(new_token()), row["id"]],
        )
        change.record_in(meeting, "participant.readmitted", actor=FACILITATOR, pseudonym=pseudonym)

    db.change(write)
    return removed(db, meeting_id)


def removed_token(db: Database, token: str | None) -> bool:
    """Whether ``token`` is a participant token whose holder was removed: their phone is
    told so rather than that the token is unknown."""
    if not token:
        return False
    row = db.query_one(
        "SELECT removed_at FROM attendances WHERE token_hash = ?", [hash_token(token)]
    )
    return row is not None and row["removed_at"] is not None


def removed_attendances(db: Database, meeting_id: int) -> set[int]:
    """The ids of the meeting's removed attendances (to end their sockets)."""
    rows = db.query(
        "SELECT id FROM attendances WHERE meeting_id = ? AND removed_at IS NOT NULL",
        [meeting_id],
    )
    return {row["id"] for row in rows}
