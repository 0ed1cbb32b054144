"""Retention: once a group's ``retention_days`` have passed since its last meeting closed,
its display names and its name-to-pseudonym key (rejoin secrets, participant tokens) are
deleted, and the words of withdrawn participants that ``keep_for_minutes`` kept for the
group's minutes. The research data stay: pseudonymised posts, reactions, answers, the log.

``python run.py purge [--now ISO]`` runs :func:`purge`, and so does the server when it
starts. A group with a meeting that has not closed (planned or live) is never due.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pblapp.db import Change, Database
from pblapp.domain import privacy as rules
from pblapp.domain.access import SYSTEM
from pblapp.domain.clock import format_utc, parse_utc
from pblapp.ops import privacy


def _as_moment(now: datetime | str | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if isinstance(now, str):
        return parse_utc(now)
    return now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)


def due_groups(db: Database, now: datetime | str | None = None) -> list[dict]:
    """The groups whose retention has run out at ``now``: ``[{"id", "name", "due_at"}]``.
    A group with a meeting that has not closed is not due."""
    moment = _as_moment(now)
    rows = db.query(
        "SELECT g.id, g.name, g.retention_days, MAX(m.closed_at) AS last_closed, "
        "SUM(m.status != 'closed') AS still_open FROM groups g "
        "JOIN meetings m ON m.group_id = g.id WHERE g.retention_days IS NOT NULL "
        "GROUP BY g.id ORDER BY g.id"
    )
    found = []
    for row in rows:
        due = rules.purge_due(row["last_closed"], row["retention_days"], moment)
        if due is not None and not row["still_open"]:
            found.append({"id": row["id"], "name": row["name"], "due_at": format_utc(due)})
    return found


def purge(db: Database, now: datetime | str | None = None) -> list[dict]:
    """Delete what retention says is due at ``now`` (default: now): per due group, its
    participants' display names and rejoin keys, and the words of withdrawn participants
    kept for the minutes. Logged per group as ``group.purged``. Returns what was deleted:
    ``[{"group_id", "name", "due_at", "display_names", "rejoin_keys", "texts"}]``, only
    groups where something was."""
    report = []
    for group in due_groups(db, now):

        def write(change: Change, group=group) -> dict | None:
            people = change.db.execute(
                "SELECT * FROM participants WHERE group_id = ? ORDER BY number", [group["id"]]
            ).fetchall()
            counts = {"display_names": 0, "rejoin_keys": 0, "texts": 0}
            for person in people:
                if person["withdrawn_at"] is not None:
                    counts["texts"] += privacy.withdraw_in(change, person, delete_words=True)
                if person["erased_at"] is None:
                    counts["display_names"] += person["display_name"] != person["pseudonym"]
                    counts["rejoin_keys"] += person["rejoin_hash"] is not None
                    privacy.forget_name(change, person)
                    privacy.revoke_tokens(change, person["id"])
            if not any(counts.values()):
                return None
            change.record("group.purged", actor=SYSTEM, group_id=group["id"], **counts)
            return counts

        counts, _ = db.change(write)
        if counts:
            report.append(
                {"group_id": group["id"], "name": group["name"], "due_at": group["due_at"]} | counts
            )
    if report:
        db.scrub(vacuum=True)
    return report
