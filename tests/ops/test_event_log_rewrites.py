"""The event log stays append-only: only a redaction, through its permission, rewrites the
text inside an earlier event's data; nothing else of an event can change, and no event
can be deleted."""

import json
import sqlite3

import pytest

from pblapp.db import Database


@pytest.fixture
def log(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    db.change(lambda change: change.record("x.said", actor="P01", group_id=None, text="hemligt"))
    conn = sqlite3.connect(tmp_path / "pblapp.sqlite3", isolation_level=None)
    yield db, conn
    conn.close()
    db.close()


def data_of(conn) -> dict:
    return json.loads(conn.execute("SELECT data FROM events WHERE seq = 1").fetchone()[0])


def test_without_a_permission_no_event_can_be_updated_or_deleted(log):
    _, conn = log
    for statement in (
        "UPDATE events SET type = 'rewritten'",
        """UPDATE events SET data = '{"text": "[redacted]"}'""",
        "UPDATE events SET actor = 'P02'",
        "DELETE FROM events",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    assert data_of(conn) == {"text": "hemligt"}


def test_a_permission_lets_a_redaction_rewrite_the_data_of_that_event_once(log):
    _, conn = log
    conn.execute("INSERT INTO event_rewrites (seq, reason) VALUES (1, 'redacted')")
    conn.execute("""UPDATE events SET data = '{"text": "[redacted]"}' WHERE seq = 1""")
    assert data_of(conn) == {"text": "[redacted]"}
    # The permission is used up by the rewrite.
    assert conn.execute("SELECT COUNT(*) FROM event_rewrites").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("""UPDATE events SET data = '{"text": "again"}' WHERE seq = 1""")


def test_even_with_a_permission_nothing_but_the_texts_in_the_data_may_change(log):
    _, conn = log
    conn.execute("INSERT INTO event_rewrites (seq, reason) VALUES (1, 'redacted')")
    for statement in (
        "UPDATE events SET type = 'rewritten' WHERE seq = 1",
        "UPDATE events SET at = '2000-01-01T00:00:00.000Z' WHERE seq = 1",
        """UPDATE events SET data = '{"other": "[redacted]"}' WHERE seq = 1""",
        """UPDATE events SET data = '{"text": "x", "more": 1}' WHERE seq = 1""",
        "UPDATE events SET data = 'not json' WHERE seq = 1",
        "DELETE FROM events WHERE seq = 1",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    assert data_of(conn) == {"text": "hemligt"}


def test_the_writer_zeroes_what_it_deletes_and_keeps_temporary_data_in_memory(log):
    db, _ = log
    with db._write_lock:
        assert db._writer.execute("PRAGMA secure_delete").fetchone()[0] == 1
        assert db._writer.execute("PRAGMA temp_store").fetchone()[0] == 2


def test_scrubbing_empties_the_wal(tmp_path, log):
    db, _ = log
    db.change(lambda change: change.record("x.said", actor="P01", group_id=None, text="mer"))
    assert (tmp_path / "pblapp.sqlite3-wal").stat().st_size > 0
    assert db.scrub()
    assert (tmp_path / "pblapp.sqlite3-wal").stat().st_size == 0
