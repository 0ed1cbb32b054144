"""The database: migrations, WAL, one write path, an append-only log, subscribers."""

import sqlite3

import pytest

from pblapp.db import Database
from pblapp.migrations import MIGRATIONS


def test_opening_twice_migrates_once_and_uses_wal(tmp_path):
    path = tmp_path / "pblapp.sqlite3"
    Database(path).close()
    db = Database(path)
    assert db.query_one("PRAGMA user_version")[0] == len(MIGRATIONS)
    assert db.query_one("PRAGMA journal_mode")[0] == "wal"


def test_a_failed_change_keeps_neither_its_rows_nor_its_events(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")

    def write(change):
        change.record("group.created", actor="facilitator", group_id=None)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.change(write)
    assert db.query_one("SELECT COUNT(*) FROM events")[0] == 0


def test_the_event_log_refuses_updates_and_deletes(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    db.change(lambda change: change.record("x.happened", actor="system", group_id=None))
    conn = sqlite3.connect(tmp_path / "pblapp.sqlite3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET type = 'rewritten'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")
    conn.close()


def test_readers_cannot_write(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    with db.reader() as conn, pytest.raises(sqlite3.OperationalError):
        conn.execute("INSERT INTO setup_tokens (token_hash) VALUES ('x')")


def test_a_reused_reader_sees_every_commit_made_since_it_was_last_used(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    with db.reader() as first:
        assert first.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    db.change(lambda change: change.record("x.happened", actor="system", group_id=None))
    with db.reader() as again:
        assert again is first  # the same connection, kept for reuse
        assert again.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1


def test_subscribers_hear_of_committed_changes_only(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    heard = []
    db.subscribe(lambda events: heard.append([e.type for e in events]))

    def fail(change):
        change.record("x.lost", actor="system", group_id=None)
        raise ValueError("no")

    with pytest.raises(ValueError):
        db.change(fail)
    db.change(lambda change: change.record("x.kept", actor="system", group_id=None))
    assert heard == [["x.kept"]]


def test_a_failing_subscriber_neither_undoes_the_change_nor_silences_the_others(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    heard = []

    def broken(events):
        raise RuntimeError("a socket went away")

    db.subscribe(broken)
    db.subscribe(lambda events: heard.extend(e.type for e in events))
    db.change(lambda change: change.record("x.kept", actor="system", group_id=None))
    assert heard == ["x.kept"]
    assert db.query_one("SELECT COUNT(*) FROM events")[0] == 1
