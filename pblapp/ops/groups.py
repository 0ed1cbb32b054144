"""Groups: create and edit them, share them with a researcher (grant, revoke), and what a
joining participant may read of one."""

from __future__ import annotations

import json
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import access, validation
from pblapp.domain.access import FACILITATOR, RESEARCHER, SYSTEM
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import DomainError, NotFound
from pblapp.domain.vocabulary import DEFAULT_ORGANIZATIONS
from pblapp.ops import audit, lookup

# A group's time zone when neither it nor the app names one (INTERFACE.md).
DEFAULT_TIMEZONE = "Europe/Stockholm"


def create(
    db: Database, user_id: int, payload: Any, *, default_timezone: str = DEFAULT_TIMEZONE
) -> dict:
    """A new group owned by ``user_id``; organisations default to the usual agencies, the
    time zone to ``default_timezone`` (the app's ``TIMEZONE``)."""
    data = validation.new_group(payload)
    zone = data["timezone"] or default_timezone
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
                "retention_days": data["retention_days"],
                "withdrawal_policy": data["withdrawal_policy"],
                "timezone": zone,
                "record_kind": data["record_kind"],
                "minutes_names": int(data["minutes_names"]),
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
            timezone=zone,
            record_kind=data["record_kind"],
            minutes_names=data["minutes_names"],
        )
        return group_id

    group_id, _ = db.change(write)
    return lookup.group(db, user_id, group_id)


def update(db: Database, user_id: int, group_id: int, payload: Any) -> dict:
    """Change a group's name, goals, consent text, organisations, planned meetings,
    language, time zone or names in its minutes; the log keeps old and new values. Minutes
    written after a change of time zone show their dates in the new one."""
    group = lookup.group(db, user_id, group_id)
    changed = validation.changed_fields(group, validation.group_update(payload))
    if changed:

        def write(change: Change) -> None:
            row = {field: value["new"] for field, value in changed.items()}
            if "organizations" in row:
                row["organizations"] = json.dumps(row["organizations"], ensure_ascii=False)
            if "minutes_names" in row:
                row["minutes_names"] = int(row["minutes_names"])
            change.db["groups"].update(group_id, row)
            change.record("group.updated", actor=FACILITATOR, group_id=group_id, changes=changed)

        db.change(write)
    return lookup.group(db, user_id, group_id)


def timezone(db: Database, group_id: int) -> str:
    """The group's time zone (an IANA name): every date a person reads of the group."""
    row = db.query_one("SELECT timezone FROM groups WHERE id = ?", [group_id])
    return (row["timezone"] if row else None) or DEFAULT_TIMEZONE


def minutes_names(db: Database, group_id: int) -> dict[str, str] | None:
    """``{pseudonym: "Anna Berg (FK)"}`` for the group's own minutes when the group chose
    names for them (``minutes_names``), else ``None``: pseudonyms. An erased participant
    keeps their pseudonym."""
    row = db.query_one("SELECT minutes_names FROM groups WHERE id = ?", [group_id])
    if not row or not row["minutes_names"]:
        return None
    return {
        r["pseudonym"]: f"{r['display_name']} ({r['organization']})"
        for r in db.query(
            "SELECT pseudonym, display_name, organization FROM participants "
            "WHERE group_id = ? AND erased_at IS NULL AND display_name != ''",
            [group_id],
        )
    }


def meeting_timezone(db: Database, meeting_id: int) -> str:
    """The time zone of the group a meeting belongs to."""
    row = db.query_one(
        "SELECT g.timezone FROM meetings m JOIN groups g ON g.id = m.group_id WHERE m.id = ?",
        [meeting_id],
    )
    return (row["timezone"] if row else None) or DEFAULT_TIMEZONE


def grant(
    db: Database, group_id: int, user_id: int, *, by: dict | None = None, path: str = ""
) -> bool:
    """Let the researcher ``user_id`` see the group: its pages, logs and exports, never its
    names. Logged as ``group.granted`` and in the audit log (``by``: the acting user, or
    ``None`` for the command line; ``path``: the request). Returns whether it is new; a
    grant that exists changes nothing."""

    def write(change: Change) -> bool:
        user = _researcher(change, user_id)
        if not change.db.execute("SELECT 1 FROM groups WHERE id = ?", [group_id]).fetchone():
            raise NotFound("group_not_found", "No such group.")
        if change.db.execute(
            "SELECT 1 FROM group_grants WHERE group_id = ? AND user_id = ?", [group_id, user_id]
        ).fetchone():
            return False
        change.db["group_grants"].insert(
            {
                "group_id": group_id,
                "user_id": user_id,
                "role": user["role"],
                "created_at": utc_now(),
            }
        )
        change.record(
            "group.granted", actor=FACILITATOR if by else SYSTEM, group_id=group_id, user_id=user_id
        )
        audit.write(change, group_id, by, audit.GRANT, path or _COMMAND, researcher=user["name"])
        return True

    created, _ = db.change(write)
    return created


def revoke(
    db: Database, group_id: int, user_id: int, *, by: dict | None = None, path: str = ""
) -> None:
    """End a researcher's access to the group (``group.revoked``, and the audit log);
    :class:`NotFound` ``grant_not_found`` if they had none."""

    def write(change: Change) -> None:
        user = change.db.execute("SELECT name FROM users WHERE id = ?", [user_id]).fetchone()
        deleted = change.db.execute(
            "DELETE FROM group_grants WHERE group_id = ? AND user_id = ?", [group_id, user_id]
        ).rowcount
        if user is None or not deleted:
            raise NotFound("grant_not_found", "This user has no access to the group.")
        change.record(
            "group.revoked", actor=FACILITATOR if by else SYSTEM, group_id=group_id, user_id=user_id
        )
        audit.write(change, group_id, by, audit.REVOKE, path or _COMMAND, researcher=user["name"])

    db.change(write)


# The audit log's ``path`` of a change made with ``python run.py grant``.
_COMMAND = "run.py grant"


def _researcher(change: Change, user_id: int):
    user = change.db.execute("SELECT name, role FROM users WHERE id = ?", [user_id]).fetchone()
    if user is None:
        raise NotFound("user_not_found", "No such user.")
    if user["role"] != RESEARCHER:
        raise DomainError("not_a_researcher", "Access is granted to researcher accounts only.")
    return user


def user_id_by_name(db: Database, username: Any) -> int:
    """The id of the account named ``username``; :class:`NotFound` ``user_not_found``."""
    # validation.is_text: a lone surrogate (half an emoji, from JSON) cannot be looked up.
    if not validation.is_text(username) or not username.strip():
        raise DomainError("invalid_username", "username is a user's name.")
    row = db.query_one("SELECT id FROM users WHERE name = ?", [username.strip()])
    if row is None:
        raise NotFound("user_not_found", "No user has this name.")
    return row["id"]


def grant_by_name(
    db: Database, group_id: int, username: Any, *, by: dict | None = None, path: str = ""
) -> tuple[dict, bool]:
    """:func:`grant` by user name. With ``by`` (a web request), only the group's owner may
    (``lookup.owned_group``); without it (the command line), anyone who runs the server.
    Returns the grant (``{"username", "granted_at"}``) and whether it is new."""
    if by is not None:
        lookup.owned_group(db, by["id"], group_id)
    else:
        lookup.group_row(db, group_id)
    created = grant(db, group_id, user_id_by_name(db, username), by=by, path=path)
    found = next(item for item in grants(db, group_id) if item["username"] == username.strip())
    return found, created


def revoke_by_name(
    db: Database, group_id: int, username: Any, *, by: dict | None = None, path: str = ""
) -> None:
    """:func:`revoke` by user name, with the owner's check as in :func:`grant_by_name`."""
    if by is not None:
        lookup.owned_group(db, by["id"], group_id)
    else:
        lookup.group_row(db, group_id)
    revoke(db, group_id, user_id_by_name(db, username), by=by, path=path)


def grants(db: Database, group_id: int) -> list[dict]:
    """The researchers the group is granted to: ``[{"username", "granted_at"}]`` by name."""
    rows = db.query(
        "SELECT u.name, gg.created_at FROM group_grants gg JOIN users u ON u.id = gg.user_id "
        "WHERE gg.group_id = ? ORDER BY u.name",
        [group_id],
    )
    return [{"username": row["name"], "granted_at": row["created_at"]} for row in rows]


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
