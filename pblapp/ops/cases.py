"""Case stories (fallberättelser): mark a contribution as one, or add one typed after the
meeting; code them; take them back. Every change is logged (``case.added``,
``case.updated``, ``case.removed``) with the role of who made it.

Coding is research work: the web layer lets facilitators and researchers do it
(``pblapp.domain.access.CODE``); here the user must see the group.
"""

from __future__ import annotations

from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import cases as cases_domain
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, NotFound
from pblapp.ops import lookup, records

_CASE_SQL = """
    SELECT s.*, m.number AS meeting_number, c.seq, c.participant_id, c.text AS post_text,
           c.organization AS post_organization, p.pseudonym
    FROM case_stories s JOIN meetings m ON m.id = s.meeting_id
    LEFT JOIN contributions c ON c.id = s.contribution_id
    LEFT JOIN participants p ON p.id = c.participant_id
"""


def _case_object(row) -> dict:
    """A case story: its coding, where it comes from, and its words (the contribution's,
    or its own when typed)."""
    typed = row["contribution_id"] is None
    return {
        "id": row["id"],
        "group_id": row["group_id"],
        "meeting_id": row["meeting_id"],
        "meeting_number": row["meeting_number"],
        "contribution_id": row["contribution_id"],
        "seq": row["seq"],
        "pseudonym": row["pseudonym"],
        "participant_id": row["participant_id"],
        "source": "typed" if typed else "contribution",
        "text": row["text"] if typed else row["post_text"],
        **{field: row[field] for field in cases_domain.CODING_FIELDS},
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def in_group(db: Database, group_id: int) -> list[dict]:
    """The group's case stories, by meeting and then in the order they were added. A story
    whose contribution is gone (deleted at a withdrawal) is left out."""
    rows = db.query(
        _CASE_SQL + " WHERE s.group_id = ? AND (s.contribution_id IS NULL OR "
        "(c.id IS NOT NULL AND c.deleted_at IS NULL)) "
        "ORDER BY m.number, s.id",
        [group_id],
    )
    return [_case_object(row) for row in rows]


def case(db: Database, group_id: int, case_id: int) -> dict:
    row = db.query_one(_CASE_SQL + " WHERE s.group_id = ? AND s.id = ?", [group_id, case_id])
    if row is None:
        raise NotFound("case_not_found", "No such case story in this group.")
    return _case_object(row)


def _codes(group: dict) -> list[str]:
    return [org["code"] for org in group["organizations"]]


def add(db: Database, user: dict, group_id: int, payload: Any) -> dict:
    """Mark a contribution of the group as a case story (the narrator's organisation is the
    author's unless given), or add a typed one to a meeting of the group."""
    group = lookup.group(db, user["id"], group_id)
    data = cases_domain.new_case(payload, organization_codes=_codes(group))
    withdrawn = records.withdrawn_ids(db, group_id)

    def write(change: Change) -> int:
        if data["contribution_id"] is not None:
            post = change.db.execute(
                "SELECT c.id, c.meeting_id, c.organization, c.participant_id "
                "FROM contributions c JOIN meetings m ON m.id = c.meeting_id "
                "WHERE c.id = ? AND m.group_id = ? AND c.deleted_at IS NULL",
                [data["contribution_id"], group_id],
            ).fetchone()
            if post is None:
                raise NotFound("contribution_not_found", "No such contribution in this group.")
            if post["participant_id"] in withdrawn:
                raise Conflict("author_withdrawn", "The author has withdrawn from the research.")
            if change.db.execute(
                "SELECT 1 FROM case_stories WHERE contribution_id = ?", [post["id"]]
            ).fetchone():
                raise Conflict("case_exists", "This contribution is a case story already.")
            meeting_id = post["meeting_id"]
            data.setdefault("organization", post["organization"])
        else:
            meeting_id = data["meeting_id"]
            if not change.db.execute(
                "SELECT 1 FROM meetings WHERE id = ? AND group_id = ?", [meeting_id, group_id]
            ).fetchone():
                raise NotFound("meeting_not_found", "No such meeting in this group.")
        coded = {field: data.get(field) for field in cases_domain.CODING_FIELDS}
        now = utc_now()
        case_id = change.insert(
            "case_stories",
            {
                "group_id": group_id,
                "meeting_id": meeting_id,
                "contribution_id": data["contribution_id"],
                "text": data["text"],
                **coded,
                "created_by": user["id"],
                "created_at": now,
                "updated_at": now,
            },
        )
        change.record(
            "case.added",
            actor=user["role"],
            group_id=group_id,
            meeting_id=meeting_id,
            case_id=case_id,
            contribution_id=data["contribution_id"],
            text=data["text"],
            **coded,
        )
        return case_id

    case_id, _ = db.change(write)
    return case(db, group_id, case_id)


def update(db: Database, user: dict, group_id: int, case_id: int, payload: Any) -> dict:
    """Change a story's coding, or a typed story's text; the log keeps old and new values."""
    group = lookup.group(db, user["id"], group_id)
    data = cases_domain.case_update(payload, organization_codes=_codes(group))

    def write(change: Change) -> None:
        row = change.db.execute(
            "SELECT * FROM case_stories WHERE id = ? AND group_id = ?", [case_id, group_id]
        ).fetchone()
        if row is None:
            raise NotFound("case_not_found", "No such case story in this group.")
        if "text" in data and row["contribution_id"] is not None:
            raise Conflict(
                "case_text_is_a_post", "A story marked on a contribution keeps the post's words."
            )
        changed = {
            field: {"old": row[field], "new": value}
            for field, value in data.items()
            if row[field] != value
        }
        if not changed:
            return
        change.db["case_stories"].update(
            case_id,
            {**{field: value["new"] for field, value in changed.items()}, "updated_at": utc_now()},
        )
        change.record(
            "case.updated",
            actor=user["role"],
            group_id=group_id,
            meeting_id=row["meeting_id"],
            case_id=case_id,
            changes=changed,
        )

    db.change(write)
    return case(db, group_id, case_id)


def remove(db: Database, user: dict, group_id: int, case_id: int) -> None:
    """Take a story back (its contribution stays as it is)."""
    lookup.group(db, user["id"], group_id)

    def write(change: Change) -> None:
        row = change.db.execute(
            "SELECT meeting_id, contribution_id FROM case_stories WHERE id = ? AND group_id = ?",
            [case_id, group_id],
        ).fetchone()
        if row is None:
            raise NotFound("case_not_found", "No such case story in this group.")
        change.db.execute("DELETE FROM case_stories WHERE id = ?", [case_id])
        change.record(
            "case.removed",
            actor=user["role"],
            group_id=group_id,
            meeting_id=row["meeting_id"],
            case_id=case_id,
            contribution_id=row["contribution_id"],
        )

    db.change(write)
