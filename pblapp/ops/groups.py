"""Groups: create and edit them, share them with a researcher, and what a joining
participant may read of one."""

from __future__ import annotations

import json
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import access, validation
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import NotFound
from pblapp.domain.vocabulary import DEFAULT_ORGANIZATIONS
from pblapp.ops import lookup


def create(db: Database, user_id: int, payload: Any) -> dict:
    """A new group owned by ``user_id``; organisations default to the usual agencies."""
    data = validation.new_group(payload)
    organizations = data["organizations"] or [dict(org) for org in DEFAULT_ORGANIZATIONS]

    def write(change: Change) -> int:
        group_id = change.insert(
            "groups",
            {
                "owner_id": user_id,
                "name": data["name"],
                "kind": data["kind"],
                "organizations": json.dumps(organizations, ensure_ascii=False),
                "planned_meetings": data["planned_meetings"],
                "consent_text": data["consent_text"],
                "goals": data["goals"],
                "language": data["language"],
                "created_at": utc_now(),
            },
        )
        change.record(
            "group.created",
            actor=FACILITATOR,
            group_id=group_id,
            kind=data["kind"],
            language=data["language"],
            organizations=[org["code"] for org in organizations],
            planned_meetings=data["planned_meetings"],
        )
        return group_id

    group_id, _ = db.change(write)
    return lookup.group(db, user_id, group_id)


def update(db: Database, user_id: int, group_id: int, payload: Any) -> dict:
    """Change a group's name, goals, consent text, organisations, planned meetings or
    language; the log keeps old and new values."""
    group = lookup.group(db, user_id, group_id)
    changed = validation.changed_fields(group, validation.group_update(payload))
    if changed:

        def write(change: Change) -> None:
            row = {field: value["new"] for field, value in changed.items()}
            if "organizations" in row:
                row["organizations"] = json.dumps(row["organizations"], ensure_ascii=False)
            change.db["groups"].update(group_id, row)
            change.record("group.updated", actor=FACILITATOR, group_id=group_id, changes=changed)

        db.change(write)
    return lookup.group(db, user_id, group_id)


def grant(db: Database, group_id: int, user_id: int) -> None:
    """Let the user ``user_id`` (a researcher) see the group; logged as ``group.granted``."""

    def write(change: Change) -> None:
        user = change.db.execute("SELECT role FROM users WHERE id = ?", [user_id]).fetchone()
        if user is None:
            raise NotFound("user_not_found", "No such user.")
        if not change.db.execute("SELECT 1 FROM groups WHERE id = ?", [group_id]).fetchone():
            raise NotFound("group_not_found", "No such group.")
        if change.db.execute(
            "SELECT 1 FROM group_grants WHERE group_id = ? AND user_id = ?", [group_id, user_id]
        ).fetchone():
            return
        change.db["group_grants"].insert(
            {
                "group_id": group_id,
                "user_id": user_id,
                "role": user["role"],
                "created_at": utc_now(),
            }
        )
        change.record("group.granted", actor=FACILITATOR, group_id=group_id, user_id=user_id)

    db.change(write)


def open_meeting_ids(db: Database, group_id: int) -> list[int]:
    """The group's meetings that are not closed: their screens and phones are open."""
    rows = db.query("SELECT id FROM meetings WHERE group_id = ? AND status != 'closed'", [group_id])
    return [row["id"] for row in rows]


def has_own_agenda(db: Database, group_id: int) -> bool:
    """Whether the group saved its own agenda (usable as agenda ``"group"``)."""
    return db.query_one("SELECT 1 FROM group_agendas WHERE group_id = ?", [group_id]) is not None


def for_joining(db: Database, group_id: int) -> dict:
    """What a joining participant may see of a group: no owner, no grants."""
    return access.group_for_joining(lookup.group_row(db, group_id))


def goals(db: Database, group_id: int) -> str:
    """The group's goals (Markdown), which its participants may read."""
    row = db.query_one("SELECT goals FROM groups WHERE id = ?", [group_id])
    return row["goals"] or "" if row else ""
