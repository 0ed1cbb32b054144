"""The end-of-meeting self-evaluation: the facilitator opens it, phones answer, the group
sees aggregates once enough have answered (``pblapp.domain.selfeval``).

Answers are stored per participant and logged with their content (``self_evaluation.
answered``): they are research data. A participant who answers again replaces the earlier
answer. The self-evaluation is open from the moment it is opened until the meeting closes.
"""

from __future__ import annotations

import json
import random
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import selfeval
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict
from pblapp.ops import consent, lookup
from pblapp.ops.participation import Attendance

NOT_OPEN, OPEN, CLOSED = "not_open", "open", "closed"


def _status(db: Database, meeting_id: int) -> str:
    row = db.query_one(
        "SELECT status, self_evaluation_opened_at FROM meetings WHERE id = ?", [meeting_id]
    )
    if row is None or row["self_evaluation_opened_at"] is None:
        return NOT_OPEN
    return CLOSED if row["status"] == "closed" else OPEN


def open_(db: Database, user_id: int, meeting_id: int) -> dict:
    """Open the self-evaluation on the phones of a live meeting; opening it again changes
    nothing."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    if meeting["status"] != "live":
        raise Conflict("meeting_not_live", "The self-evaluation opens in a live meeting.")

    def write(change: Change) -> None:
        opened = change.db.execute(
            "SELECT self_evaluation_opened_at FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()[0]
        if opened is not None:
            return
        change.db.execute(
            "UPDATE meetings SET self_evaluation_opened_at = ? WHERE id = ?",
            [utc_now(), meeting_id],
        )
        change.record_in(
            meeting,
            "self_evaluation.opened",
            actor=FACILITATOR,
            items=list(selfeval.ITEM_KEYS),
        )

    db.change(write)
    return state(db, meeting_id)


def answer(db: Database, attendance: Attendance, payload: Any) -> None:
    """``{"answers": {item key: 1..5 or text}}`` from a participant's phone."""
    answers = selfeval.validated_answers(payload)

    def write(change: Change) -> None:
        row = change.db.execute(
            "SELECT status, self_evaluation_opened_at FROM meetings WHERE id = ?",
            [attendance.meeting_id],
        ).fetchone()
        if row["self_evaluation_opened_at"] is None or row["status"] != "live":
            raise Conflict("self_evaluation_not_open", "The self-evaluation is not open.")
        # A participant asked to consent again answers once they have.
        consent.check_may_post(change, attendance.id)
        change.db["self_evaluation_answers"].upsert(
            {
                "meeting_id": attendance.meeting_id,
                "participant_id": attendance.participant_id,
                "answers": json.dumps(answers, ensure_ascii=False),
                "answered_at": utc_now(),
            },
            pk=("meeting_id", "participant_id"),
        )
        change.record(
            "self_evaluation.answered",
            actor=attendance.pseudonym,
            group_id=attendance.group_id,
            meeting_id=attendance.meeting_id,
            answers=answers,
        )

    db.change(write)


def _answer_sets(db: Database, meeting_id: int) -> list[dict]:
    rows = db.query(
        "SELECT answers FROM self_evaluation_answers WHERE meeting_id = ? ORDER BY answered_at",
        [meeting_id],
    )
    return [json.loads(row["answers"]) for row in rows]


def state(db: Database, meeting_id: int, *, shuffle: random.Random | None = None) -> dict:
    """``{"meeting_id", "status", "n", "items"}``: the aggregates of
    ``pblapp.domain.selfeval.summary`` (``null`` while fewer than 3 have answered)."""
    return {
        "meeting_id": meeting_id,
        "status": _status(db, meeting_id),
        **selfeval.summary(_answer_sets(db, meeting_id), shuffle=shuffle),
    }


def has_answered(db: Database, attendance: Attendance) -> bool:
    return (
        db.query_one(
            "SELECT 1 FROM self_evaluation_answers WHERE meeting_id = ? AND participant_id = ?",
            [attendance.meeting_id, attendance.participant_id],
        )
        is not None
    )
