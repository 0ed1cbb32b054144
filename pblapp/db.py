"""The one module that owns the database.

Every write goes through :meth:`Database.change`, which serialises writers on one
connection (SQLite allows one writer at a time) and runs the caller's function inside a
single ``BEGIN IMMEDIATE`` transaction. Once it has committed, the change hands its events
to the subscribers (the live fan-out, the minutes on disk), so no operation publishes or
writes files about what it did. Reads open their own short-lived connections, so they
never wait for a writer (WAL mode).
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from pblapp.domain.clock import utc_now

T = TypeVar("T")
READERS_KEPT = 8
log = logging.getLogger(__name__)


@dataclass
class Event:
    """One row of the append-only event log, as written in a change."""

    type: str
    actor: str
    group_id: int | None
    meeting_id: int | None
    data: dict[str, Any]
    seq: int | None = None
    at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "group_id": self.group_id,
            "meeting_id": self.meeting_id,
            "type": self.type,
            "actor": self.actor,
            "data": self.data,
        }


@dataclass
class Change:
    """What a write function sees: the database and a way to append events."""

    db: sqlite_utils.Database
    events: list[Event] = field(default_factory=list)

    def record(
        self,
        type: str,
        *,
        actor: str,
        group_id: int | None,
        meeting_id: int | None = None,
        **data: Any,
    ) -> Event:
        """Append an event to the log inside the current transaction."""
        event = Event(type, actor, group_id, meeting_id, data, at=utc_now())
        cursor = self.db.execute(
            "INSERT INTO events (at, group_id, meeting_id, type, actor, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                event.at,
                group_id,
                meeting_id,
                type,
                actor,
                json.dumps(data, ensure_ascii=False, sort_keys=True),
            ],
        )
        event.seq = cursor.lastrowid
        self.events.append(event)
        return event

    def record_in(self, meeting: dict, type: str, *, actor: str, **data: Any) -> Event:
        """Append an event about ``meeting`` (a dict with ``id`` and ``group_id``)."""
        return self.record(
            type, actor=actor, group_id=meeting["group_id"], meeting_id=meeting["id"], **data
        )

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert ``row`` into ``table``; return its primary key."""
        return self.db[table].insert(row).last_pk


# Called with the events of each committed change, in commit order.
Subscriber = Callable[[list[Event]], None]


def _connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    # FULL: a commit is on disk before the server acks a contribution.
    conn.execute("PRAGMA synchronous = FULL")
    return conn


class Database:
    """SQLite file at ``path`` in WAL mode, migrated on open."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.RLock()
        self._idle_readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._subscribers: list[Subscriber] = []
        self._writer = _connect(self.path)
        self._writer.execute("PRAGMA journal_mode = WAL")
        # What a change deletes or overwrites (a redacted text, a purged name) is zeroed in
        # the file, not left in a free page; and temporary tables never touch the disk.
        self._writer.execute("PRAGMA secure_delete = ON")
        self._writer.execute("PRAGMA temp_store = MEMORY")
        from pblapp.migrations import migrate

        with self._write_lock:
            migrate(self._writer)

    def close(self) -> None:
        with self._write_lock:
            self._writer.close()
        while not self._idle_readers.empty():
            self._idle_readers.get_nowait().close()

    @property
    def files_dir(self) -> Path:
        """Where uploaded files (starting-point images) live, beside the database."""
        return self.path.parent / "files"

    def subscribe(self, subscriber: Subscriber) -> None:
        """Call ``subscriber`` with the events of every change once it has committed."""
        self._subscribers.append(subscriber)

    def change(self, fn: Callable[[Change], T]) -> tuple[T, list[Event]]:
        """Run ``fn`` in one write transaction; return its result and the events it logged.

        If ``fn`` raises, nothing it wrote is kept, events included, and no subscriber
        hears of it. After the commit, each subscriber gets the events; one that fails is
        logged and does not undo the change or stop the others.
        """
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            change = Change(sqlite_utils.Database(conn))
            try:
                result = fn(change)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        if change.events:
            for subscriber in self._subscribers:
                try:
                    subscriber(change.events)
                except Exception:
                    log.exception("A subscriber failed on %s", [e.type for e in change.events])
        return result, change.events

    def scrub(self, *, vacuum: bool = False) -> bool:
        """Leave no copy of what was deleted or overwritten in the database files: write
        the WAL into the database and truncate it to nothing (``vacuum`` first rebuilds
        the database, for space freed before ``secure_delete`` was on). Waits for readers
        in the middle of a read; returns whether the WAL is empty now."""
        with self._write_lock:
            if vacuum:
                self._writer.execute("VACUUM")
            for _ in range(50):
                busy = self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    return True
                time.sleep(0.1)
        log.warning("The WAL of %s could not be emptied: a reader held it.", self.path)
        return False

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection for the duration of a ``with`` block.

        Connections are kept for reuse (opening one costs about as much as a post's
        queries); each statement still sees everything committed before it runs.
        """
        try:
            conn = self._idle_readers.get_nowait()
        except queue.Empty:
            conn = _connect(self.path)
            conn.execute("PRAGMA query_only = ON")
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if self._idle_readers.qsize() < READERS_KEPT:
            self._idle_readers.put(conn)
        else:
            conn.close()

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with self.reader() as conn:
            return conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        with self.reader() as conn:
            return conn.execute(sql, params).fetchone()
