"""Groups made before each group had its time zone keep Stockholm's, the old default."""

import sqlite3

import sqlite_utils

from pblapp.db import Database
from pblapp.migrations import MIGRATIONS


def test_a_group_made_before_the_time_zone_column_is_in_stockholm(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    # The schema as it was before migration 11, with a group in it.
    for migration in MIGRATIONS[:10]:
        migration(sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 10")
    conn.execute(
        "INSERT INTO users (name, role, password_hash, created_at) "
        "VALUES ('H', 'facilitator', 'x', '2025-01-01T00:00:00.000Z')"
    )
    conn.execute(
        "INSERT INTO groups (owner_id, name, kind, organizations, created_at) "
        "VALUES (1, 'Basgrupp Eskilstuna', 'pbl', '[]', '2025-01-01T00:00:00.000Z')"
    )
    conn.commit()
    conn.close()
    db = Database(path)
    assert db.query_one("SELECT timezone FROM groups")["timezone"] == "Europe/Stockholm"
    assert db.query_one("PRAGMA user_version")[0] == len(MIGRATIONS)
