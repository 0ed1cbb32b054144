"""The one module that owns the database.

Every write goes through :meth:`Database.change`, which serialises writers on one
connection (SQLite allows one writer at a time) and runs the caller's function inside a
``BEGIN IMMEDIATE`` transaction. Once it has committed, the change hands its events to the
subscribers (the live fan-out, the minutes on disk), so no operation publishes or writes
files about what it did. Reads open their own short-lived connections, so they never wait
for a writer (WAL mode).

Group commit: a change that finds nothing being written is written at once by its
caller. The changes that arrive while one is being written (a plenary's posts) wait in a
queue; one writer takes them all and runs each in a savepoint of one transaction, so they
share one commit and one fsync (``synchronous=FULL``) instead of queueing for one each. A
change that fails rolls back its own savepoint only. Each caller returns once the commit is
on disk and the subscribers have heard of its change, in commit order.

A full disk: a write that SQLite refuses with ``SQLITE_FULL`` raises :class:`StorageFull`
(code ``storage_full``) in every caller whose change was not committed, so nothing is
answered as stored that is not. The next commit that succeeds ends it; nothing else needs
resetting. ``PBLAPP_MAX_PAGE_COUNT`` caps the database's size in pages, so that tests can
fill the "disk" on purpose; it is for tests only.
"""

from __future__ import annotations

import json
import logging
import os
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
from pblapp.domain.errors import DomainError

T = TypeVar("T")
READERS_KEPT = 8
# The most changes one commit takes: a bound on how long a caller at the end waits.
BATCH_MAX = 64
log = logging.getLogger(__name__)
# Test-only: the most pages the database may grow to (SQLite's max_page_count), to
# simulate a full disk.
MAX_PAGE_COUNT_ENV = "PBLAPP_MAX_PAGE_COUNT"


class StorageFull(DomainError):
    """The disk (or the test's page limit) is full: the change was not stored."""

    status = 507  # Insufficient Storage

    def __init__(self) -> None:
        super().__init__(
            "storage_full",
            "The server cannot save anything right now: its disk is full. Nothing was "
            "stored; send it again once space is freed.",
        )


def is_full(error: BaseException) -> bool:
    """Whether SQLite refused a write because the disk or the page limit is full."""
    code = getattr(error, "sqlite_errorcode", None)
    # An extended code keeps the primary one in its low byte.
    return (
        isinstance(error, sqlite3.Error) and code is not None and code & 0xFF == sqlite3.SQLITE_FULL
    )


def _as_raised(error: BaseException) -> BaseException:
    """The error a caller sees: a full disk as :class:`StorageFull`, else the error itself."""
    if is_full(error):
        full = StorageFull()
        full.__cause__ = error
        return full
    return error


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
    # What the event is about as the change wrote it (a new post), for the subscribers, so
    # that they need not read it back; not stored, and not in :meth:`as_dict`.
    written: dict[str, Any] | None = None

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
        """Insert ``row`` into ``table``; return its primary key (the rowid). One plain
        statement: on a post's path, sqlite-utils' own insert would first read the schema.
        A list or a dict is stored as JSON, as sqlite-utils stores it."""
        names = ", ".join(f'"{name}"' for name in row)
        marks = ", ".join("?" for _ in row)
        values = [
            json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
            for value in row.values()
        ]
        cursor = self.db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        return cursor.lastrowid


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


def copy_database(source: Path | str, target: Path | str) -> None:
    """Write a consistent copy of the database at ``source`` (the server may be running,
    in this process or another) to the new file ``target``, with SQLite's online backup.

    The copy is made in one step, inside one read transaction: in WAL mode a reader never
    blocks the writer, so posts go on being stored meanwhile (they are not in the copy),
    whereas a copy in several steps starts again whenever another connection writes
    between two of them.
    """
    if Path(target).exists():
        raise FileExistsError(target)
    origin = _connect(source)
    try:
        origin.execute("PRAGMA query_only = ON")
        copy = sqlite3.connect(str(target), isolation_level=None)
        try:
            origin.backup(copy)
            # One self-contained file, with no write-ahead log beside it; a server started
            # on it turns WAL on again.
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    finally:
        origin.close()


@dataclass
class _Pending:
    """A change waiting for the writer, and what became of it."""

    fn: Callable[[Change], Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    events: list[Event] = field(default_factory=list)
    error: BaseException | None = None


class Database:
    """SQLite file at ``path`` in WAL mode, migrated on open.

    ``max_page_count`` (default: ``PBLAPP_MAX_PAGE_COUNT``, else none) caps the database's
    size in pages: for tests that simulate a full disk.
    """

    def __init__(self, path: Path | str, *, max_page_count: int | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._writer_thread: threading.Thread | None = None
        # Set in the writer's own thread: a change its subscribers make runs at once.
        self._in_writer = threading.local()
        self._write_lock = threading.RLock()
        # Held from a commit to the end of its publishing, by the writer and by a caller
        # writing its own change: the subscribers hear of changes in commit order.
        self._order_lock = threading.RLock()
        self._start_lock = threading.Lock()
        self._idle_readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._subscribers: list[Subscriber] = []
        # Changes called and not yet returned, and whether none is (for drain()).
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._quiet = threading.Event()
        self._quiet.set()
        # Whether the last write found the disk full: logged once when it starts and ends.
        self._full = False
        self._writer = _connect(self.path)
        self._writer.execute("PRAGMA journal_mode = WAL")
        # What a change deletes or overwrites (a redacted text, a purged name) is zeroed in
        # the file, not left in a free page; and temporary tables never touch the disk.
        self._writer.execute("PRAGMA secure_delete = ON")
        self._writer.execute("PRAGMA temp_store = MEMORY")
        from pblapp.migrations import migrate

        with self._write_lock:
            migrate(self._writer)
        if max_page_count is None and os.environ.get(MAX_PAGE_COUNT_ENV):
            max_page_count = int(os.environ[MAX_PAGE_COUNT_ENV])
        if max_page_count is not None:
            # After the migrations, which must never fail for it. Per connection: only the
            # writer writes.
            self._writer.execute(f"PRAGMA max_page_count = {int(max_page_count)}")
        # Made once: sqlite-utils sets a flag pragma (recursive_triggers) as it opens, and a
        # flag pragma makes SQLite compile every cached statement again, so a wrapper made
        # per change cost each of a post's statements ten times its own time.
        self._writer_utils = sqlite_utils.Database(self._writer)

    def close(self, timeout: float = 10) -> None:
        """Stop the writer (after the changes already queued) and close the connections."""
        if self._writer_thread is not None:
            self._queue.put(None)
            self._writer_thread.join(timeout=timeout)
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
        """Run ``fn`` in a write transaction; return its result and the events it logged,
        once they are committed and the subscribers have heard of them.

        If ``fn`` raises, nothing it wrote is kept, events included, no subscriber hears of
        it, and the exception is raised here. Each subscriber gets the events; one that
        fails is logged and does not undo the change or stop the others. A change made by a
        subscriber (in the writer) is written at once, in a transaction of its own. A change
        that a full disk kept from being committed raises :class:`StorageFull`.
        """
        with self._busy_lock:
            self._busy += 1
            self._quiet.clear()
        try:
            return self._change(fn)
        finally:
            with self._busy_lock:
                self._busy -= 1
                if self._busy == 0:
                    self._quiet.set()

    def drain(self, timeout: float) -> bool:
        """Wait until no change is being written or waits to be (up to ``timeout``
        seconds); whether that moment came. For a clean stop: what was sent is written."""
        return self._quiet.wait(timeout)

    def _change(self, fn: Callable[[Change], T]) -> tuple[T, list[Event]]:
        if getattr(self._in_writer, "active", False):
            return self._change_now(fn)
        pending = _Pending(fn)
        if self._queue.empty() and self._order_lock.acquire(blocking=False):
            # Nothing waits, and nothing is being written or published: write it here,
            # without handing it to the writer and back.
            try:
                self._in_writer.active = True
                self._commit([pending])
                if pending.error is None:
                    self._publish(pending.events)
            finally:
                self._in_writer.active = False
                self._order_lock.release()
            if pending.error is not None:
                raise _as_raised(pending.error)
            return pending.result, pending.events
        self._queue.put(pending)
        self._start_writer()
        pending.done.wait()
        if pending.error is not None:
            raise _as_raised(pending.error)
        return pending.result, pending.events

    def _change_now(self, fn: Callable[[Change], T]) -> tuple[T, list[Event]]:
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            change = Change(self._writer_utils)
            try:
                result = fn(change)
                conn.execute("COMMIT")
            except BaseException as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                self._note_full(is_full(error))
                if is_full(error):
                    raise StorageFull() from error
                raise
            self._note_full(False)
        self._publish(change.events)
        return result, change.events

    def _publish(self, events: list[Event]) -> None:
        if not events:
            return
        for subscriber in self._subscribers:
            try:
                subscriber(events)
            except Exception:
                log.exception("A subscriber failed on %s", [e.type for e in events])

    def _start_writer(self) -> None:
        if self._writer_thread is not None:
            return
        with self._start_lock:
            if self._writer_thread is None:
                self._writer_thread = threading.Thread(
                    target=self._write_batches, name="pblapp-writer", daemon=True
                )
                self._writer_thread.start()

    def _write_batches(self) -> None:
        """The writer: take what waits, commit it as one, tell each caller, repeat."""
        self._in_writer.active = True
        while True:
            first = self._queue.get()
            if first is None:
                return
            # The callers that queued while this one was being written go in with it
            # (under gevent, also those made ready in the same turn of the loop).
            batch = [first]
            while len(batch) < BATCH_MAX:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(item)
            try:
                with self._order_lock:
                    self._commit(batch)
                    for item in batch:
                        if item.error is None:
                            self._publish(item.events)
            except Exception as error:
                # Never leave a caller waiting, nor the writer dead.
                log.exception("The writer failed on a batch of %s changes", len(batch))
                for item in batch:
                    item.error = item.error or error
            finally:
                for item in batch:
                    item.done.set()

    def _commit(self, batch: list[_Pending]) -> None:
        """Each change in a savepoint of one transaction, then one commit. A change alone
        needs no savepoint: if it fails, the whole transaction is undone."""
        with self._write_lock:
            conn = self._writer
            alone = len(batch) == 1
            try:
                if conn.in_transaction:  # left open by a failure before: none of it stays
                    conn.execute("ROLLBACK")
                conn.execute("BEGIN IMMEDIATE")
                for item in batch:
                    if not alone:
                        conn.execute("SAVEPOINT change")
                    change = Change(self._writer_utils)
                    try:
                        item.result = item.fn(change)
                    except BaseException as error:
                        item.error = error
                        if not conn.in_transaction:
                            # SQLite undid the whole transaction (a full disk, say).
                            raise
                        conn.execute("ROLLBACK" if alone else "ROLLBACK TO change")
                    else:
                        item.events = change.events
                    if not alone:
                        conn.execute("RELEASE change")
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except BaseException as error:
                # Nothing of the batch is kept: every change in it fails (with storage_full
                # for each, when the disk was full).
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                for item in batch:
                    item.error = item.error or error
                    item.events = []
                self._note_full(is_full(error))
            else:
                self._note_full(any(is_full(item.error) for item in batch if item.error))

    def _note_full(self, full: bool) -> None:
        """Log when the disk becomes full and when writes succeed again, once each."""
        if full and not self._full:
            log.error(
                "The database %s cannot be written: the disk is full. Posts are refused "
                "(storage_full) until space is freed.",
                self.path,
            )
        elif self._full and not full:
            log.warning("The database %s is written again: the disk has room.", self.path)
        self._full = full

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
