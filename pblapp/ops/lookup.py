"""What a user may see: their groups and the meetings in them; a meeting by its join code.

A user sees the groups they own or were granted; anything else is "not found", never
"forbidden", so that ids tell nothing. Every other operations module starts here.
"""

from __future__ import annotations

import json
import sqlite3

from pblapp.db import Database
from pblapp.domain import access
from pblapp.domain.errors import Forbidden, NotFound
from pblapp.domain.secrets import normalize_join_code

# Parenthesised, so that a condition appended with AND narrows the whole test.
_VISIBLE_GROUPS = (
    "SELECT g.* FROM groups g WHERE (g.owner_id = :user OR g.id IN "
    "(SELECT group_id FROM group_grants WHERE user_id = :user))"
)


def group_object(row: sqlite3.Row) -> dict:
    """The group object of INTERFACE.md."""
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "organizations": json.loads(row["organizations"]),
        "planned_meetings": row["planned_meetings"],
        "consent_text": row["consent_text"] or "",
        "goals": row["goals"] or "",
        "language": row["language"] or "sv",
        "timezone": row["timezone"],
        "record_kind": row["record_kind"] or "notes",
        "minutes_names": bool(row["minutes_names"]),
        "retention_days": row["retention_days"],
        "withdrawal_policy": row["withdrawal_policy"] or "delete",
        "created_at": row["created_at"],
    }


def meeting_object(row: sqlite3.Row) -> dict:
    """The meeting object of INTERFACE.md."""
    return {
        "id": row["id"],
        "group_id": row["group_id"],
        "number": row["number"],
        "title": row["title"] or "",
        "scheduled_at": row["scheduled_at"],
        "agenda": row["agenda"],
        "status": row["status"],
        "join_code": row["join_code"],
        "created_at": row["created_at"],
        "started_at": row["started_at"],
        "closed_at": row["closed_at"],
        "place": row["place"] or "",
        "next_meeting_at": row["next_meeting_at"],
        # For the minutes: a protocol's secretary and adjusters, and whether the verbatim
        # posts are appended.
        "secretary": row["secretary"] or "",
        "adjusters": json.loads(row["adjusters"] or "[]"),
        "minutes_appendix": bool(row["minutes_appendix"]),
        # New posts wait for the facilitator's approval before the screen shows them.
        "premoderation": bool(row["premoderation"]),
    }


def groups(db: Database, user_id: int) -> list[dict]:
    """The groups ``user_id`` owns or was granted."""
    rows = db.query(_VISIBLE_GROUPS + " ORDER BY g.id", {"user": user_id})
    return [group_object(row) for row in rows]


def group(db: Database, user_id: int, group_id: int) -> dict:
    """A group ``user_id`` may see, else :class:`NotFound`."""
    row = db.query_one(_VISIBLE_GROUPS + " AND g.id = :gid", {"user": user_id, "gid": group_id})
    if row is None:
        raise NotFound("group_not_found", "No such group.")
    return group_object(row)


def owned_group(db: Database, user_id: int, group_id: int) -> dict:
    """A group ``user_id`` owns, for the owner's own actions (``access.MANAGE``: grants, the
    audit log, identities, redactions, withdrawals): :class:`NotFound` if the user cannot
    see the group at all, :class:`Forbidden` (``not_owner``) if it was only granted to
    them."""
    found = group(db, user_id, group_id)
    row = db.query_one(
        "SELECT g.owner_id, u.role FROM groups g, users u WHERE g.id = ? AND u.id = ?",
        [group_id, user_id],
    )
    if not access.may_manage(row["role"], user_id, row["owner_id"]):
        raise Forbidden("not_owner", "Only the group's owner may do this.")
    return found


def owned_meeting(db: Database, user_id: int, meeting_id: int) -> dict:
    """A meeting in a group ``user_id`` owns: as :func:`meeting`, then :func:`owned_group`."""
    found = meeting(db, user_id, meeting_id)
    owned_group(db, user_id, found["group_id"])
    return found


def group_row(db: Database, group_id: int) -> dict:
    """A group, whoever asks: for joining and for work the server does itself."""
    row = db.query_one("SELECT * FROM groups WHERE id = ?", [group_id])
    if row is None:
        raise NotFound("group_not_found", "No such group.")
    return group_object(row)


def meeting(db: Database, user_id: int, meeting_id: int) -> dict:
    """A meeting in a group ``user_id`` may see, else :class:`NotFound`."""
    found = meeting_row(db, meeting_id)
    try:
        group(db, user_id, found["group_id"])
    except NotFound:
        raise NotFound("meeting_not_found", "No such meeting.") from None
    return found


def meeting_row(db: Database, meeting_id: int) -> dict:
    """A meeting, whoever asks: for work the server does itself (writing minutes)."""
    row = db.query_one("SELECT * FROM meetings WHERE id = ?", [meeting_id])
    if row is None:
        raise NotFound("meeting_not_found", "No such meeting.")
    return meeting_object(row)


def meeting_by_code(db: Database, join_code: str) -> dict:
    """The meeting a join code opens, else :class:`NotFound` ``unknown_join_code``."""
    row = db.query_one(
        "SELECT * FROM meetings WHERE join_code = ?", [normalize_join_code(join_code)]
    )
    if row is None:
        raise NotFound("unknown_join_code", "No meeting has this code.")
    return meeting_object(row)
