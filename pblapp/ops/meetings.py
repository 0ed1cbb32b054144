"""Meetings: create one with its agenda, edit its details, start and close it, and its
live state (who joined, how many posts of each type)."""

from __future__ import annotations

import json
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import contributions, validation
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, NotFound
from pblapp.domain.secrets import new_join_code
from pblapp.domain.vocabulary import QUESTION_TYPES, UNTAGGED
from pblapp.ops import agenda, followups, lookup, phases


def in_group(db: Database, user_id: int, group_id: int) -> list[dict]:
    lookup.group(db, user_id, group_id)
    rows = db.query("SELECT * FROM meetings WHERE group_id = ? ORDER BY number", [group_id])
    return [lookup.meeting_object(row) for row in rows]


def create(db: Database, user_id: int, group_id: int, payload: Any) -> dict:
    lookup.group(db, user_id, group_id)
    data = validation.new_meeting(payload)

    def write(change: Change) -> int:
        number = change.db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM meetings WHERE group_id = ?", [group_id]
        ).fetchone()[0]
        while True:
            code = new_join_code()
            taken = change.db.execute(
                "SELECT 1 FROM meetings WHERE join_code = ?", [code]
            ).fetchone()
            if not taken:
                break
        meeting_id = change.insert(
            "meetings",
            {
                "group_id": group_id,
                "number": number,
                "title": data["title"],
                "scheduled_at": data["scheduled_at"],
                "agenda": data["agenda"],
                "status": "planned",
                "join_code": code,
                "created_at": utc_now(),
            },
        )
        agenda.insert_template_steps(change, group_id, meeting_id, data["agenda"])
        change.record(
            "meeting.created",
            actor=FACILITATOR,
            group_id=group_id,
            meeting_id=meeting_id,
            number=number,
            title=data["title"],
            scheduled_at=data["scheduled_at"],
            agenda=data["agenda"],
        )
        return meeting_id

    meeting_id, _ = db.change(write)
    return lookup.meeting(db, user_id, meeting_id)


def update(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """Change a meeting's title, place, time or next meeting's time; logged old and new."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    changed = validation.changed_fields(meeting, validation.meeting_update(payload))
    if changed:

        def write(change: Change) -> None:
            row = {f: v["new"] for f, v in changed.items()}
            if "adjusters" in row:
                row["adjusters"] = json.dumps(row["adjusters"], ensure_ascii=False)
            change.db["meetings"].update(meeting_id, row)
            change.record_in(
                meeting,
                "meeting.updated",
                actor=FACILITATOR,
                changes=changed,
            )

        db.change(write)
    return lookup.meeting(db, user_id, meeting_id)


def _set_status(db: Database, user_id: int, meeting_id: int, status: str) -> dict:
    meeting = lookup.meeting(db, user_id, meeting_id)
    allowed_from = {"live": "planned", "closed": "live"}[status]
    if meeting["status"] == status:
        return meeting
    if meeting["status"] != allowed_from and not (
        status == "closed" and meeting["status"] == "planned"
    ):
        raise Conflict(
            "invalid_transition", f"A {meeting['status']} meeting cannot become {status}."
        )
    column = "started_at" if status == "live" else "closed_at"

    def write(change: Change) -> None:
        if status == "closed":
            agenda.stop_clock(change, meeting)
            followups.keep_at_close(change, meeting_id)
        change.db.execute(
            f"UPDATE meetings SET status = ?, {column} = ? WHERE id = ?",
            [status, utc_now(), meeting_id],
        )
        change.record(
            "meeting.started" if status == "live" else "meeting.closed",
            actor=FACILITATOR,
            group_id=meeting["group_id"],
            meeting_id=meeting_id,
        )

    db.change(write)
    if status == "closed":
        # The suggestion reads the closed record: the agenda's last step has stopped.
        phases.suggest_at_close(db, meeting_id)
    return lookup.meeting(db, user_id, meeting_id)


def start(db: Database, user_id: int, meeting_id: int) -> dict:
    return _set_status(db, user_id, meeting_id, "live")


def close(db: Database, user_id: int, meeting_id: int) -> dict:
    return _set_status(db, user_id, meeting_id, "closed")


def state(db: Database, meeting_id: int) -> dict:
    """The live state of a meeting: ``GET /meetings/<mid>`` and ``meeting:state``."""
    with db.reader() as conn:
        row = conn.execute(
            "SELECT m.*, g.name AS group_name, g.planned_meetings FROM meetings m "
            "JOIN groups g ON g.id = m.group_id WHERE m.id = ?",
            [meeting_id],
        ).fetchone()
        if row is None:
            raise NotFound("meeting_not_found", "No such meeting.")
        by_org = {
            r["organization"]: r["n"]
            for r in conn.execute(
                "SELECT organization, COUNT(*) AS n FROM attendances WHERE meeting_id = ? "
                "GROUP BY organization ORDER BY organization",
                [meeting_id],
            )
        }
        posts = [
            dict(r)
            for r in conn.execute(
                "SELECT id, qtype, hidden, merged_into_id FROM contributions "
                "WHERE meeting_id = ? AND deleted_at IS NULL",
                [meeting_id],
            )
        ]
        last_seq = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM contributions WHERE meeting_id = ?",
            [meeting_id],
        ).fetchone()[0]
    folded = contributions.folded(posts)
    counts = dict.fromkeys((*QUESTION_TYPES, UNTAGGED), 0)
    for post in posts:
        if not post["hidden"] and post["id"] not in folded:
            counts[post["qtype"] or UNTAGGED] += 1
    return {
        "id": row["id"],
        "group_id": row["group_id"],
        "group_name": row["group_name"],
        "number": row["number"],
        "planned_meetings": row["planned_meetings"],
        "title": row["title"] or "",
        "status": row["status"],
        "join_code": row["join_code"],
        "participants": sum(by_org.values()),
        "participants_by_organization": by_org,
        "counts": counts,
        # Merged duplicates the screen folds into the post they joined.
        "folded": {str(duplicate): target for duplicate, target in folded.items()},
        "last_seq": last_seq,
        "premoderation": bool(row["premoderation"]),
        "started_at": row["started_at"],
        "closed_at": row["closed_at"],
    }
