"""The audit log: who downloaded which log or export of a group, and who granted or revoked
a researcher's access. A table of its own (``audit_log``), append-only like the event log
but apart from it: the research log records the meetings, this one records the data's
readers, and only the group's owner reads it.

Actions: ``download`` (a log, an export or the minutes: ``path`` is the request's path and
query), ``grant`` and ``revoke`` (``researcher`` names the account, ``path`` the request
that made the change, or ``run.py grant`` for the command line).
"""

from __future__ import annotations

from pblapp.db import Change, Database
from pblapp.domain.clock import utc_now
from pblapp.ops import lookup

DOWNLOAD = "download"
GRANT = "grant"
REVOKE = "revoke"
ACTIONS = (DOWNLOAD, GRANT, REVOKE)
PATH_MAX = 2000


def write(
    change: Change,
    group_id: int,
    user: dict | None,
    action: str,
    path: str,
    *,
    researcher: str | None = None,
    username: str | None = None,
) -> None:
    """Add an entry inside ``change`` (the transaction of the change it records). ``user``
    is the account that acted (``{"id", "name"}``), or ``None`` with ``username`` for the
    server's own command line."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    change.db["audit_log"].insert(
        {
            "at": utc_now(),
            "group_id": group_id,
            "user_id": user["id"] if user else None,
            "username": user["name"] if user else (username or "system"),
            "action": action,
            "path": path[:PATH_MAX],
            "researcher": researcher,
        }
    )


def record_download(db: Database, group_id: int, user: dict, path: str) -> None:
    """A download of one of the group's logs or exports by ``user``; written before the file
    is sent, so that no download goes unrecorded."""
    db.change(lambda change: write(change, group_id, user, DOWNLOAD, path))


def entries(db: Database, user_id: int, group_id: int) -> list[dict]:
    """The group's audit log, newest first, for its owner only (``lookup.owned_group``):
    ``[{"at", "user", "action", "path", "researcher"}]``."""
    lookup.owned_group(db, user_id, group_id)
    rows = db.query(
        "SELECT at, username, action, path, researcher FROM audit_log WHERE group_id = ? "
        "ORDER BY id DESC",
        [group_id],
    )
    return [
        {
            "at": row["at"],
            "user": row["username"],
            "action": row["action"],
            "path": row["path"],
            "researcher": row["researcher"],
        }
        for row in rows
    ]
