"""Consent, per attendance: which version of the group's consent text a participant
consented to, and when; the texts themselves, kept once each per group for the archive.

A version is the SHA-256 of the exact text (``pblapp.domain.privacy.consent_version``).
When the facilitator changes the text, a participant who consented to another version
is asked again before they can post (``consent_required``); a withdrawn participant can
never post again (``participant_withdrawn``).
"""

from __future__ import annotations

from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import validation
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, Forbidden
from pblapp.domain.privacy import consent_version


def note_text(change: Change, group_id: int, text: str, at: str) -> str | None:
    """Keep ``text`` among the group's consent texts (once per version); its version."""
    version = consent_version(text)
    if version is not None:
        change.db.execute(
            "INSERT OR IGNORE INTO consent_texts (group_id, hash, text, first_used_at) "
            "VALUES (?, ?, ?, ?)",
            [group_id, version, text, at],
        )
    return version


def at_join(change: Change, group: dict, participant: dict | None, data: dict, now: str):
    """At a join: refuse a participant who withdrew, and a consent to a text that is no
    longer the group's (``consent_version`` sent and outdated); keep the text consented to.
    Returns its version, or ``None`` (no consent text, or no consent given)."""
    if participant is not None:
        withdrawn = change.db.execute(
            "SELECT withdrawn_at FROM participants WHERE id = ?", [participant["id"]]
        ).fetchone()[0]
        if withdrawn is not None:
            raise Forbidden(
                "participant_withdrawn", "You have withdrawn from this group's research."
            )
    version = consent_version(group["consent_text"]) if data["consent"] else None
    if data.get("consent_version") not in (None, version):
        raise Conflict("consent_outdated", "The consent text has changed; read it again.")
    if version is not None:
        note_text(change, group["id"], group["consent_text"], now)
    return version


def keep_version(change: Change, meeting_id: int, participant_id: int, version: str | None):
    """Store, with the attendance, the version of the consent text consented to."""
    if version is not None:
        change.db.execute(
            "UPDATE attendances SET consent_hash = ? WHERE meeting_id = ? AND participant_id = ?",
            [version, meeting_id, participant_id],
        )


def texts(db: Database, group_id: int) -> list[dict]:
    """Every consent text a participant of the group consented to, oldest first:
    ``[{"hash", "text", "first_used_at"}]``."""
    rows = db.query(
        "SELECT hash, text, first_used_at FROM consent_texts WHERE group_id = ? "
        "ORDER BY first_used_at, hash",
        [group_id],
    )
    return [dict(row) for row in rows]


def consents(db: Database, group_id: int) -> list[dict]:
    """Each attendance's consent, by pseudonym and meeting number: ``[{"pseudonym",
    "meeting_number", "consented_at", "consent_version"}]`` (null where no consent was
    given: the group had no consent text then)."""
    rows = db.query(
        "SELECT p.pseudonym, m.number AS meeting_number, a.consented_at, "
        "a.consent_hash AS consent_version "
        "FROM attendances a JOIN participants p ON p.id = a.participant_id "
        "JOIN meetings m ON m.id = a.meeting_id WHERE m.group_id = ? "
        "ORDER BY m.number, p.number",
        [group_id],
    )
    return [dict(row) for row in rows]


def _state(conn, attendance_id: int):
    return conn.execute(
        "SELECT a.consent_hash, a.removed_at, p.withdrawn_at, g.id AS group_id, g.consent_text "
        "FROM attendances a JOIN participants p ON p.id = a.participant_id "
        "JOIN meetings m ON m.id = a.meeting_id JOIN groups g ON g.id = m.group_id "
        "WHERE a.id = ?",
        [attendance_id],
    ).fetchone()


def check_may_post(change: Change, attendance_id: int) -> None:
    """Refuse a post from a withdrawn participant, or from one who has not consented to
    the group's consent text as it is now."""
    row = _state(change.db.conn, attendance_id)
    if row["removed_at"] is not None:
        # Checked in the post's own transaction: a phone connected to another server
        # process is refused before that process has ended its socket.
        raise Forbidden("participant_removed", "The facilitator has removed you from this meeting.")
    if row["withdrawn_at"] is not None:
        raise Forbidden(
            "participant_withdrawn", "You have withdrawn from the research; you cannot post."
        )
    wanted = consent_version(row["consent_text"])
    if wanted is not None and row["consent_hash"] != wanted:
        raise Forbidden(
            "consent_required", "The consent text has changed: consent again before you post."
        )


def to_renew(db: Database, attendance_id: int) -> dict | None:
    """The consent text to consent to before posting, if the participant has not
    consented to it at this attendance: ``{"text", "version"}``; else ``None``."""
    with db.reader() as conn:
        row = _state(conn, attendance_id)
    wanted = consent_version(row["consent_text"]) if row else None
    if wanted is None or row["consent_hash"] == wanted or row["withdrawn_at"]:
        return None
    return {"text": row["consent_text"], "version": wanted}


def give(db: Database, attendance, payload: Any) -> dict:
    """``{"consent": true, "consent_version": hash}``: the participant consents to the
    group's consent text as it is now (logged as ``participant.consented``). A version
    that is no longer the group's is refused (``consent_outdated``): the text changed
    while they read it."""
    validation.require_object(
        payload, allowed={"consent", "consent_version"}, required={"consent", "consent_version"}
    )
    if payload["consent"] is not True:
        raise Forbidden("consent_required", "You must consent before you can take part.")

    def write(change: Change) -> dict:
        row = _state(change.db.conn, attendance.id)
        if row["withdrawn_at"] is not None:
            raise Forbidden("participant_withdrawn", "You have withdrawn from the research.")
        wanted = consent_version(row["consent_text"])
        if wanted is None or payload["consent_version"] != wanted:
            raise Conflict("consent_outdated", "The consent text has changed; read it again.")
        if row["consent_hash"] == wanted:
            return {"consent_version": wanted}
        now = utc_now()
        note_text(change, row["group_id"], row["consent_text"], now)
        change.db.execute(
            "UPDATE attendances SET consented_at = ?, consent_hash = ? WHERE id = ?",
            [now, wanted, attendance.id],
        )
        change.record(
            "participant.consented",
            actor=attendance.pseudonym,
            group_id=attendance.group_id,
            meeting_id=attendance.meeting_id,
            consent_version=wanted,
        )
        return {"consent_version": wanted}

    result, _ = db.change(write)
    return result
