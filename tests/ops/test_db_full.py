"""A full disk, simulated with SQLite's max_page_count: a write that does not fit is
refused with storage_full, nothing of it is stored, every caller of a batch it undid hears
so, and writes go through again once space is freed."""

import sqlite3
import threading
import time

import pytest

from pblapp.db import Database, StorageFull, is_full

BIG = "å" * 20_000  # needs new pages wherever it goes


def _record(name: str, text: str = ""):
    def write(change):
        change.record(name, actor="system", group_id=None, text=text)
        return name

    return write


def _types(db: Database) -> list[str]:
    return [row[0] for row in db.query("SELECT type FROM events ORDER BY seq")]


def _full_database(tmp_path, ballast_pages: int = 50) -> Database:
    """A database whose writer may not grow it, with ``ballast_pages`` of other data that
    can be deleted to free space."""
    path = tmp_path / "pblapp.sqlite3"
    Database(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE ballast (data BLOB)")
    other.execute("INSERT INTO ballast VALUES (zeroblob(?))", [ballast_pages * 4096])
    other.close()
    # The limit cannot be below the file's size: 1 means "no bigger than now".
    return Database(path, max_page_count=1)


def _free_space(db: Database) -> None:
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("DELETE FROM ballast")
    other.close()


def test_a_write_that_does_not_fit_is_refused_with_storage_full_and_not_stored(tmp_path):
    db = _full_database(tmp_path)
    with pytest.raises(StorageFull) as refused:
        db.change(_record("post.big", BIG))
    assert refused.value.code == "storage_full"
    assert refused.value.as_dict()["code"] == "storage_full"
    assert is_full(refused.value.__cause__)
    assert "post.big" not in _types(db)


def test_every_caller_of_a_batch_the_full_disk_undid_hears_storage_full(tmp_path):
    db = _full_database(tmp_path)
    db.change(_record("warm.up"))  # small: it fits
    callers, batches, outcomes = {}, [], {}
    commit = db._commit
    db._commit = lambda batch: (batches.append([callers[id(i.fn)] for i in batch]), commit(batch))[
        1
    ]

    def caller(n: int) -> None:
        write = _record(f"post.{n}", BIG if n == 4 else "kort")
        callers[id(write)] = n
        try:
            outcomes[n] = db.change(write)[0]
        except StorageFull as error:
            outcomes[n] = error.code

    # While one change is being written, five arrive and go in together; SQLite undoes the
    # whole transaction when the big one does not fit.
    with db._order_lock:
        threads = [threading.Thread(target=caller, args=(n,)) for n in range(5)]
        for thread in threads:
            thread.start()
            time.sleep(0.02)
        time.sleep(0.3)
    for thread in threads:
        thread.join(timeout=10)

    undone = next(batch for batch in batches if 4 in batch)
    assert len(undone) > 1
    assert {n: outcomes[n] for n in undone} == {n: "storage_full" for n in undone}
    # What was refused is not stored, and what is stored was answered as stored.
    stored = [name for name in _types(db) if name != "warm.up"]
    assert stored == [f"post.{n}" for n in range(5) if outcomes[n] != "storage_full"]


def test_writes_go_through_again_once_space_is_freed(tmp_path):
    db = _full_database(tmp_path)
    with pytest.raises(StorageFull):
        db.change(_record("post.big", BIG))
    _free_space(db)
    assert db.change(_record("post.big", BIG))[0] == "post.big"
    assert _types(db) == ["post.big"]


def test_the_page_limit_comes_from_the_environment_for_tests(tmp_path, monkeypatch):
    path = tmp_path / "pblapp.sqlite3"
    Database(path).close()
    monkeypatch.setenv("PBLAPP_MAX_PAGE_COUNT", "1")
    db = Database(path)
    with pytest.raises(StorageFull):
        db.change(_record("post.big", BIG))


def test_drain_waits_for_the_changes_on_their_way(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    assert db.drain(0.01)
    release = threading.Event()

    def slow(change):
        release.wait(5)
        change.record("slow", actor="system", group_id=None)

    writing = threading.Thread(target=db.change, args=(slow,))
    writing.start()
    time.sleep(0.05)
    assert not db.drain(0.05)  # still being written
    release.set()
    assert db.drain(5)
    writing.join(timeout=5)
    assert _types(db) == ["slow"]
