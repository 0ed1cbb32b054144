"""A participant deletes their own post, while the meeting is live.

The post leaves everything that reads posts: its row stays, emptied and marked
``deleted_at``, so that its id, its ``seq`` and its ``client_id`` are never used again (a
phone that sends the same ``client_id`` later is refused, ``contribution_deleted``), and
every read leaves it out. Its words are replaced by ``""`` wherever they were stored, as a
redaction replaces them (``ops.privacy.replace_text``): the post, the question made from it
and the earlier events. What hung on it goes with it: the reactions to it, the question for
next time made from it, a case story marked on it, the screen's pin; duplicates merged into
it stand on their own again. The log records ``contribution.deleted``, never the words.
"""

from __future__ import annotations

from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import privacy as rules
from pblapp.domain import validation
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, NotFound
from pblapp.ops.participation import Attendance
from pblapp.ops.privacy import replace_text


def delete_own(db: Database, attendance: Attendance, payload: Any) -> int:
    """``{"id": int}``: the participant deletes one of their posts; returns its id.

    Refused with ``not_found`` when the post is not theirs, is in another meeting or is
    deleted already, and with ``meeting_not_live`` when the meeting is not live."""
    validation.require_object(payload, allowed={"id"}, required={"id"})
    contribution_id = validation.record_id(payload["id"])

    def write(change: Change) -> None:
        row = change.db.execute(
            "SELECT c.id, c.seq, c.text, c.participant_id, c.deleted_at, m.group_id, "
            "m.status, m.pinned_contribution_id FROM contributions c "
            "JOIN meetings m ON m.id = c.meeting_id WHERE c.id = ? AND c.meeting_id = ?",
            [contribution_id, attendance.meeting_id],
        ).fetchone()
        if (
            row is None
            or row["participant_id"] != attendance.participant_id
            or row["deleted_at"] is not None
        ):
            raise NotFound("not_found", "You have no such post in this meeting.")
        if row["status"] != "live":
            raise Conflict(
                "meeting_not_live",
                "The meeting has not started yet."
                if row["status"] == "planned"
                else "The meeting has ended.",
            )
        rewritten = replace_text(change, row, "", rules.REMOVED_BY_DELETION)
        change.db.execute(
            "UPDATE contributions SET deleted_at = ?, carry_forward = 0, merged_into_id = NULL, "
            "agenda_step_id = NULL WHERE id = ?",
            [utc_now(), contribution_id],
        )
        unmerged = [
            r["id"]
            for r in change.db.execute(
                "SELECT id FROM contributions WHERE merged_into_id = ? ORDER BY id",
                [contribution_id],
            ).fetchall()
        ]
        change.db.execute(
            "UPDATE contributions SET merged_into_id = NULL WHERE merged_into_id = ?",
            [contribution_id],
        )
        change.db.execute("DELETE FROM reactions WHERE contribution_id = ?", [contribution_id])
        question = change.db.execute(
            "SELECT id FROM questions WHERE contribution_id = ?", [contribution_id]
        ).fetchone()
        change.db.execute("DELETE FROM questions WHERE contribution_id = ?", [contribution_id])
        cases = [
            r["id"]
            for r in change.db.execute(
                "SELECT id FROM case_stories WHERE contribution_id = ?", [contribution_id]
            ).fetchall()
        ]
        change.db.execute("DELETE FROM case_stories WHERE contribution_id = ?", [contribution_id])
        unpinned = row["pinned_contribution_id"] == contribution_id
        if unpinned:
            change.db.execute(
                "UPDATE meetings SET pinned_contribution_id = NULL WHERE id = ?",
                [attendance.meeting_id],
            )
        change.record(
            "contribution.deleted",
            actor=attendance.pseudonym,
            group_id=attendance.group_id,
            meeting_id=attendance.meeting_id,
            contribution_id=contribution_id,
            seq=row["seq"],
            events_rewritten=rewritten,
            question_id=question["id"] if question else None,
            case_ids=cases,
            unmerged=unmerged,
            unpinned=unpinned,
        )

    db.change(write)
    # The words are in neither the database file nor its WAL any more.
    db.scrub()
    return contribution_id


def deleted_ids(db: Database, meeting_id: int) -> list[int]:
    """The meeting's posts their authors deleted (ids only: nothing else of them is kept)."""
    rows = db.query(
        "SELECT id FROM contributions WHERE meeting_id = ? AND deleted_at IS NOT NULL ORDER BY seq",
        [meeting_id],
    )
    return [row["id"] for row in rows]
