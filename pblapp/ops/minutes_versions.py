"""Approval (justering) of a closed meeting's minutes, and the versions kept after it.

The group's owner approves the minutes with one or two adjusters' names: the assembled
minutes are stored as they are then (version 1, or the next version). A later change that
alters what the minutes say (moderation, details, a withdrawal, a redaction) makes a new
version, not approved, with a note that says what changed; approving again approves it.
Each stored version can be rendered again in every format. A redaction or a withdrawal
replaces the words in every stored version too (:func:`scrub`, from
``ops.privacy.replace_text``).
"""

from __future__ import annotations

import json
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import privacy as rules
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, NotFound
from pblapp.domain.validation import is_text, require_object, text_field
from pblapp.ops import lookup

ADJUSTERS_MAX = 2
ADJUSTER_MAX_LEN = 120
TEXT_KEYS = frozenset({"text"})


def adjusters_field(payload: Any) -> list[str]:
    """``{"adjusters": [1–2 names, each 1–120 characters]}`` → the names, trimmed."""
    require_object(payload, allowed={"adjusters"})
    names = payload.get("adjusters")
    if (
        not isinstance(names, list)
        or not 1 <= len(names) <= ADJUSTERS_MAX
        or not all(is_text(name) and "\x00" not in name for name in names)
    ):
        # Half an emoji or a NUL cannot be stored; other control characters become spaces.
        raise DomainError("invalid_adjusters", "Give one or two adjusters' names.")
    names = [" ".join(text_field(name, "adjusters", max_len=len(name)).split()) for name in names]
    if not all(1 <= len(name) <= ADJUSTER_MAX_LEN for name in names):
        raise DomainError(
            "invalid_adjusters",
            f"Each adjuster's name has 1 to {ADJUSTER_MAX_LEN} characters.",
        )
    return names


def _row(row: Any) -> dict:
    return {
        "version": row["version"],
        "approved_at": row["approved_at"],
        "approved_by": row["approved_by"],
        "adjusters": json.loads(row["adjusters"] or "[]"),
        "note": row["note"],
    }


def _latest(conn: Any, meeting_id: int):
    return conn.execute(
        "SELECT * FROM minutes_versions WHERE meeting_id = ? ORDER BY version DESC LIMIT 1",
        [meeting_id],
    ).fetchone()


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def approve(db: Database, user_id: int, meeting_id: int, payload: Any, data: dict) -> dict:
    """The owner approves a closed meeting's minutes as ``data`` (``{"own", "research"}``,
    assembled now): the latest version if it says the same, else a new one."""
    meeting = lookup.owned_meeting(db, user_id, meeting_id)
    adjusters = adjusters_field(payload)
    if meeting["status"] != "closed":
        raise Conflict("meeting_not_closed", "Only a closed meeting's minutes are approved.")
    body = _dump(data)

    def write(change: Change) -> dict:
        latest = _latest(change.db, meeting_id)
        now = utc_now()
        if latest is not None and latest["data"] == body and latest["approved_at"] is None:
            version = latest["version"]
            change.db.execute(
                "UPDATE minutes_versions SET approved_at = ?, approved_by = ?, adjusters = ? "
                "WHERE meeting_id = ? AND version = ?",
                [now, user_id, json.dumps(adjusters, ensure_ascii=False), meeting_id, version],
            )
        elif latest is not None and latest["data"] == body:
            return {"version": latest["version"], "approved_at": latest["approved_at"]}
        else:
            version = (latest["version"] + 1) if latest is not None else 1
            change.insert(
                "minutes_versions",
                {
                    "meeting_id": meeting_id,
                    "version": version,
                    "approved_at": now,
                    "approved_by": user_id,
                    "adjusters": json.dumps(adjusters, ensure_ascii=False),
                    "note": latest["note"] if latest is not None else None,
                    "data": body,
                    "created_at": now,
                },
            )
        # The log records that it happened and the version, never the minutes' words.
        change.record_in(meeting, "minutes.approved", actor=FACILITATOR, version=version)
        return {"version": version, "approved_at": now}

    return db.change(write)[0]


def merged_note(old: str | None, new: str) -> str:
    """A version's note with one more change: ``Changed after approval: a, b`` and ``…: c``
    become ``Changed after approval: a, b, c``."""
    if not old:
        return new
    head, sep, what = new.partition(": ")
    old_head, old_sep, old_what = old.partition(": ")
    if not (sep and old_sep and head == old_head):
        return old if new in old.split("; ") else f"{old}; {new}"
    parts = [part for part in old_what.split(", ") if part and part != "–"]
    parts += [part for part in what.split(", ") if part and part != "–" and part not in parts]
    return f"{head}: {', '.join(parts) or '–'}"


def record_change(db: Database, meeting_id: int, data: dict, note: str) -> int | None:
    """After a change to an approved meeting's minutes: keep ``data`` as a version not yet
    approved (a new one after an approved version, else the open one updated, its note
    extended). Nothing for a meeting never approved or minutes that say the same. Returns
    the version written, if any."""
    body = _dump(data)

    def write(change: Change) -> int | None:
        latest = _latest(change.db, meeting_id)
        if latest is None:
            return None
        if latest["approved_at"] is not None and latest["data"] == body:
            return None
        if latest["approved_at"] is None:
            if latest["data"] == body and latest["note"]:
                return None
            change.db.execute(
                "UPDATE minutes_versions SET data = ?, note = ? WHERE meeting_id = ? "
                "AND version = ?",
                [body, merged_note(latest["note"], note), meeting_id, latest["version"]],
            )
            return latest["version"]
        version = latest["version"] + 1
        change.insert(
            "minutes_versions",
            {
                "meeting_id": meeting_id,
                "version": version,
                "note": note,
                "data": body,
                "created_at": utc_now(),
            },
        )
        return version

    return db.change(write)[0]


def versions(db: Database, meeting_id: int) -> list[dict]:
    """Every stored version of a meeting's minutes, oldest first."""
    rows = db.query(
        "SELECT * FROM minutes_versions WHERE meeting_id = ? ORDER BY version", [meeting_id]
    )
    return [_row(row) for row in rows]


def latest(db: Database, meeting_id: int) -> dict | None:
    """The newest version (without its data), or None before the first approval."""
    row = db.query_one(
        "SELECT * FROM minutes_versions WHERE meeting_id = ? ORDER BY version DESC LIMIT 1",
        [meeting_id],
    )
    return _row(row) if row else None


def version_data(db: Database, meeting_id: int, version: int) -> tuple[dict, dict]:
    """One version: its row and its stored data (``{"own", "research"}``)."""
    row = db.query_one(
        "SELECT * FROM minutes_versions WHERE meeting_id = ? AND version = ?",
        [meeting_id, version],
    )
    if row is None:
        raise NotFound("version_not_found", "No such version of the minutes.")
    return _row(row), json.loads(row["data"])


def scrub(
    change: Change, group_id: int, contribution_id: int, old: str, new: str, removed: str
) -> None:
    """Replace a contribution's words ``old`` by ``new`` in every stored version of the
    group's minutes (a redaction, a withdrawal, a deletion), as the live minutes show it: a
    withdrawn post as the placeholder in the reader's language."""
    if not old:
        return
    changed: set[int] = set()
    for row in change.db.execute(
        "SELECT v.meeting_id, v.version, v.data FROM minutes_versions v JOIN meetings m "
        "ON m.id = v.meeting_id WHERE m.group_id = ? ORDER BY v.meeting_id, v.version",
        [group_id],
    ).fetchall():
        data, found = rules.replace_texts(json.loads(row["data"]), old, new, TEXT_KEYS)
        if found:
            if removed == rules.REMOVED_BY_WITHDRAWAL:
                for copy in data.values():
                    ids = set(copy.get("withdrawn_posts", ())) | {contribution_id}
                    copy["withdrawn_posts"] = sorted(ids)
            change.db.execute(
                "UPDATE minutes_versions SET data = ? WHERE meeting_id = ? AND version = ?",
                [_dump(data), row["meeting_id"], row["version"]],
            )
            changed.add(row["meeting_id"])
    for meeting_id in sorted(changed):
        latest = _latest(change.db, meeting_id)
        if latest["approved_at"] is not None:
            # The approved words are no longer all there: a new version, not approved; its
            # note is written after the commit (``effects.minutes``, in the group's language).
            change.insert(
                "minutes_versions",
                {
                    "meeting_id": meeting_id,
                    "version": latest["version"] + 1,
                    "data": latest["data"],
                    "created_at": utc_now(),
                },
            )


def _replace_values(value: Any, old: str, new: str) -> tuple[Any, int]:
    """``value`` with every string that equals ``old``, at any depth, replaced by ``new``."""
    if isinstance(value, dict):
        pairs = [(key, _replace_values(item, old, new)) for key, item in value.items()]
        return {key: item for key, (item, _) in pairs}, sum(n for _, (_, n) in pairs)
    if isinstance(value, list):
        items = [_replace_values(item, old, new) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    if value == old:
        return new, 1
    return value, 0


def scrub_name(change: Change, group_id: int, name: str, pseudonym: str) -> None:
    """A participant's display name, erased or purged, becomes their pseudonym in every
    stored version of the group's minutes."""
    if not name or name == pseudonym:
        return
    for row in change.db.execute(
        "SELECT v.meeting_id, v.version, v.data FROM minutes_versions v JOIN meetings m "
        "ON m.id = v.meeting_id WHERE m.group_id = ?",
        [group_id],
    ).fetchall():
        data, found = _replace_values(json.loads(row["data"]), name, pseudonym)
        if found:
            change.db.execute(
                "UPDATE minutes_versions SET data = ? WHERE meeting_id = ? AND version = ?",
                [_dump(data), row["meeting_id"], row["version"]],
            )
