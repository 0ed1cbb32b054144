"""Schema by numbered migrations, tracked in ``PRAGMA user_version``.

Append new migrations to ``MIGRATIONS``; never edit one that has shipped.
"""

import sqlite3
from collections.abc import Callable

import sqlite_utils

from pblapp import migrations_later as later


def _m001_core(db: sqlite_utils.Database) -> None:
    db["users"].create(
        {
            "id": int,
            "name": str,
            "role": str,
            "password_hash": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "role", "password_hash", "created_at"},
    )
    db["users"].create_index(["name"], unique=True)
    db["api_tokens"].create(
        {"id": int, "user_id": int, "token_hash": str, "created_at": str},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "token_hash", "created_at"},
    )
    db["api_tokens"].create_index(["token_hash"], unique=True)
    db["setup_tokens"].create(
        {"token_hash": str, "created_at": str, "used_at": str},
        pk="token_hash",
    )
    db["groups"].create(
        {
            "id": int,
            "owner_id": int,
            "name": str,
            "kind": str,
            "organizations": str,
            "planned_meetings": int,
            "consent_text": str,
            "goals": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("owner_id", "users", "id")],
        not_null={"owner_id", "name", "kind", "organizations", "created_at"},
    )
    db["group_grants"].create(
        {"group_id": int, "user_id": int, "role": str, "created_at": str},
        pk=("group_id", "user_id"),
        foreign_keys=[("group_id", "groups", "id"), ("user_id", "users", "id")],
    )
    db["meetings"].create(
        {
            "id": int,
            "group_id": int,
            "number": int,
            "title": str,
            "scheduled_at": str,
            "agenda": str,
            "status": str,
            "join_code": str,
            "created_at": str,
            "started_at": str,
            "closed_at": str,
        },
        pk="id",
        foreign_keys=[("group_id", "groups", "id")],
        not_null={"group_id", "number", "status", "join_code", "created_at", "agenda"},
    )
    db["meetings"].create_index(["join_code"], unique=True)
    db["meetings"].create_index(["group_id", "number"], unique=True)
    db["participants"].create(
        {
            "id": int,
            "group_id": int,
            "number": int,
            "pseudonym": str,
            "display_name": str,
            "organization": str,
            "rejoin_hash": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("group_id", "groups", "id")],
        not_null={"group_id", "number", "pseudonym", "display_name", "organization"},
    )
    db["participants"].create_index(["group_id", "number"], unique=True)
    db["participants"].create_index(["rejoin_hash"], unique=True)
    db["attendances"].create(
        {
            "id": int,
            "meeting_id": int,
            "participant_id": int,
            "organization": str,
            "token_hash": str,
            "consented_at": str,
            "joined_at": str,
        },
        pk="id",
        foreign_keys=[("meeting_id", "meetings", "id"), ("participant_id", "participants", "id")],
        not_null={"meeting_id", "participant_id", "token_hash", "joined_at"},
    )
    db["attendances"].create_index(["meeting_id", "participant_id"], unique=True)
    db["attendances"].create_index(["token_hash"], unique=True)
    db["contributions"].create(
        {
            "id": int,
            "meeting_id": int,
            "seq": int,
            "participant_id": int,
            "client_id": str,
            "organization": str,
            "text": str,
            "qtype": str,
            "hidden": int,
            "carry_forward": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[
            ("meeting_id", "meetings", "id"),
            ("participant_id", "participants", "id"),
        ],
        not_null={"meeting_id", "seq", "participant_id", "client_id", "text", "created_at"},
        defaults={"hidden": 0, "carry_forward": 0},
    )
    db["contributions"].create_index(["meeting_id", "seq"], unique=True)
    db["contributions"].create_index(["meeting_id", "client_id"], unique=True)
    db.execute(
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            group_id INTEGER,
            meeting_id INTEGER,
            type TEXT NOT NULL,
            actor TEXT NOT NULL,
            data TEXT NOT NULL
        )
        """
    )
    db["events"].create_index(["group_id", "seq"])
    db["events"].create_index(["meeting_id", "seq"])
    # The log is append-only: the database itself refuses to rewrite history.
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )


def _m002_meeting_structure(db: sqlite_utils.Database) -> None:
    """Agenda with a server-side clock, starting point, carried questions, decisions and
    action items, and the screen's live tools."""
    db["agenda_steps"].create(
        {
            "id": int,
            "meeting_id": int,
            "position": int,
            "key": str,
            "title": str,
            "planned_seconds": int,
            "elapsed_seconds": float,
            "started_at": str,
            "ended_at": str,
        },
        pk="id",
        foreign_keys=[("meeting_id", "meetings", "id")],
        not_null={"meeting_id", "position", "planned_seconds"},
        defaults={"elapsed_seconds": 0.0},
    )
    db["agenda_steps"].create_index(["meeting_id", "position"])
    for column, kind in (
        ("current_step_id", int),
        ("step_running_since", str),
        ("place", str),
        ("starting_point", str),
        ("starting_point_image", str),
        ("next_meeting_at", str),
        ("pinned_contribution_id", int),
        ("screen_hides_contributions", int),
        ("screen_shows_goals", int),
    ):
        db["meetings"].add_column(column, kind)
    db["groups"].add_column("language", str, not_null_default="sv")
    db["group_agendas"].create(
        {"group_id": int, "steps": str, "saved_at": str},
        pk="group_id",
        foreign_keys=[("group_id", "groups", "id")],
    )
    db["contributions"].add_column("agenda_step_id", int)
    db["contributions"].add_column("merged_into_id", int)
    db["questions"].create(
        {
            "id": int,
            "group_id": int,
            "meeting_id": int,
            "contribution_id": int,
            "text": str,
            "status": str,
            "owner_participant_id": int,
            "owner_organization": str,
            "created_at": str,
            "updated_at": str,
            "closed_meeting_id": int,
        },
        pk="id",
        foreign_keys=[("group_id", "groups", "id"), ("meeting_id", "meetings", "id")],
        not_null={"group_id", "meeting_id", "text", "status", "created_at"},
    )
    db["questions"].create_index(["group_id", "status"])
    db["decisions"].create(
        {"id": int, "meeting_id": int, "agenda_step_id": int, "text": str, "created_at": str},
        pk="id",
        foreign_keys=[("meeting_id", "meetings", "id")],
        not_null={"meeting_id", "text", "created_at"},
    )
    db["action_items"].create(
        {
            "id": int,
            "group_id": int,
            "meeting_id": int,
            "what": str,
            "who": str,
            "due": str,
            "status": str,
            "done_meeting_id": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("group_id", "groups", "id"), ("meeting_id", "meetings", "id")],
        not_null={"group_id", "meeting_id", "what", "status", "created_at"},
    )


def _m003_minutes_snapshots(db: sqlite_utils.Database) -> None:
    """A meeting's follow-ups as they were when it closed (``data``: its follow-ups state),
    so that later meetings, which answer its questions and finish its action items, do not
    rewrite its record."""
    db["minutes_snapshots"].create(
        {"meeting_id": int, "data": str, "taken_at": str},
        pk="meeting_id",
        foreign_keys=[("meeting_id", "meetings", "id")],
    )


def _m004_screen_panels(db: sqlite_utils.Database) -> None:
    """The facilitator can show the starting point and the carried questions on the screen
    at any time, not only during the agenda steps that show them by themselves."""
    db["meetings"].add_column("screen_shows_starting_point", int)
    db["meetings"].add_column("screen_shows_carried", int)


def _m005_logins(db: sqlite_utils.Database) -> None:
    """A browser's login, so that logging out ends it on the server, not only in the
    browser's cookie (a copied cookie must not outlive the logout)."""
    db["logins"].create(
        {"id_hash": str, "user_id": int, "started_at": str, "ended_at": str},
        pk="id_hash",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "started_at"},
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_core,
    _m002_meeting_structure,
    _m003_minutes_snapshots,
    _m004_screen_panels,
    _m005_logins,
    later.m006_group_development,
    later.m007_research_access,
    later.m008_privacy,
    later.m009_case_stories,
    later.m010_the_room,
    later.m011_group_timezone,
    later.m012_record_kinds,
    later.m013_minutes_versions,
    later.m014_minutes_names,
    later.m015_action_item_steps,
    later.m016_agenda_notes,
    later.m017_login_failures,
    later.m018_removed_participants,
    later.m019_accounts_and_sessions,
    later.m020_privacy_guard,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; return the schema version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        # Another process on the same file may have migrated while this one waited.
        if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
            conn.execute("COMMIT")
            version = number
            continue
        try:
            migration(sqlite_utils.Database(conn))
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        version = number
    return version
