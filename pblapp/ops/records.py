"""The record of a meeting and a group, read for research and for the minutes: the event
log, one export row per contribution, and the facts of a meeting the minutes start from.

No display names leave this module for research: rows and events carry pseudonyms only.
"""

from __future__ import annotations

import json
from typing import Any

from pblapp.db import Database, Event
from pblapp.domain.errors import NotFound


def events(db: Database, *, group_id: int, meeting_id: int | None = None) -> list[dict]:
    """The event log of a group, or of one of its meetings, in log order (``log.jsonl``)."""
    if meeting_id is None:
        rows = db.query("SELECT * FROM events WHERE group_id = ? ORDER BY seq", [group_id])
    else:
        rows = db.query("SELECT * FROM events WHERE meeting_id = ? ORDER BY seq", [meeting_id])
    return [
        Event(
            type=row["type"],
            actor=row["actor"],
            group_id=row["group_id"],
            meeting_id=row["meeting_id"],
            data=json.loads(row["data"]),
            seq=row["seq"],
            at=row["at"],
        ).as_dict()
        for row in rows
    ]


def export_rows(db: Database, *, group_id: int, meeting_id: int | None = None) -> list[dict]:
    """Rows for ``log.csv``: every contribution, hidden ones included, no names."""
    sql = (
        "SELECT g.id AS group_id, g.name AS group_name, m.number AS meeting_number, "
        "COALESCE(m.scheduled_at, m.started_at, m.created_at) AS meeting_at, "
        "c.id AS contribution_id, c.seq, c.created_at, p.pseudonym, c.organization, "
        "c.qtype AS question_type, c.text, c.hidden, c.carry_forward "
        "FROM contributions c JOIN meetings m ON m.id = c.meeting_id "
        "JOIN groups g ON g.id = m.group_id JOIN participants p ON p.id = c.participant_id "
        "WHERE g.id = ?"
    )
    params: list[Any] = [group_id]
    if meeting_id is not None:
        sql += " AND m.id = ?"
        params.append(meeting_id)
    rows = db.query(sql + " ORDER BY m.number, c.seq", params)
    result = []
    for row in rows:
        item = dict(row)
        item["meeting_date"] = item.pop("meeting_at")[:10]
        item["hidden"] = bool(item["hidden"])
        item["carry_forward"] = bool(item["carry_forward"])
        result.append(item)
    return result


def meeting_facts(db: Database, meeting_id: int) -> dict:
    """What the minutes say of a meeting besides its posts and follow-ups: the meeting row
    with its group's name, kind, plan, organisations and language, the facilitator's name,
    and who attended (``attendance``: ``[(organization code, pseudonym)]`` in joining
    order)."""
    row = db.query_one(
        "SELECT m.*, g.name AS group_name, g.kind, g.planned_meetings, g.organizations, "
        "g.language, u.name AS facilitator FROM meetings m "
        "JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = g.owner_id "
        "WHERE m.id = ?",
        [meeting_id],
    )
    if row is None:
        raise NotFound("meeting_not_found", "No such meeting.")
    facts = dict(row)
    facts["organizations"] = json.loads(row["organizations"])
    facts["attendance"] = [
        (r["organization"], r["pseudonym"])
        for r in db.query(
            "SELECT a.organization, p.pseudonym FROM attendances a "
            "JOIN participants p ON p.id = a.participant_id WHERE a.meeting_id = ? "
            "ORDER BY p.number",
            [meeting_id],
        )
    ]
    return facts


def withdrawn_ids(db: Database, group_id: int) -> set[int]:
    """The participants of a group who withdrew: their contributions, reactions and
    self-evaluation answers are left out of every research export."""
    rows = db.query(
        "SELECT id FROM participants WHERE group_id = ? AND withdrawn_at IS NOT NULL", [group_id]
    )
    return {row["id"] for row in rows}
