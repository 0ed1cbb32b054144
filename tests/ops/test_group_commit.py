"""Group commit: changes that arrive while one is being written share one commit, each in
its own savepoint, and every caller still learns its own outcome in commit order."""

import threading
import time

from pblapp.db import Database
from pblapp.domain.errors import DomainError


def _record(name: str, fail: bool = False):
    def write(change):
        change.record(name, actor="system", group_id=None)
        if fail:
            raise DomainError("refused", f"{name} refused")
        return name

    return write


def test_changes_that_wait_together_share_one_commit_and_each_gets_its_own_outcome(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    db.change(_record("warm.up"))  # the writer runs
    batches = []
    commit = db._commit
    db._commit = lambda batch: (batches.append(len(batch)), commit(batch))[1]
    heard = []
    db.subscribe(lambda events: heard.append(events[0].type))
    outcomes = {}

    def caller(n: int) -> None:
        try:
            outcomes[n] = db.change(_record(f"post.{n}", fail=n == 3))[0]
        except DomainError as error:
            outcomes[n] = error.code

    # While a change is being written and published (a slow fsync, say), ten arrive.
    with db._order_lock:
        threads = [threading.Thread(target=caller, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
    for thread in threads:
        thread.join(timeout=10)

    assert outcomes[3] == "refused"
    assert {n: v for n, v in outcomes.items() if n != 3} == {
        n: f"post.{n}" for n in range(10) if n != 3
    }
    # Far fewer commits than changes: the ones that waited went in together.
    assert sum(batches) == 10 and len(batches) <= 2
    stored = [row[0] for row in db.query("SELECT type FROM events ORDER BY seq")]
    assert "post.3" not in stored and len(stored) == 10
    # The subscribers heard each stored change once, in the order it was stored.
    assert heard == stored[1:]


def test_a_change_made_by_a_subscriber_is_written_at_once(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")

    def follow_up(events):
        if events[0].type == "meeting.closed":
            db.change(_record("minutes.written"))

    db.subscribe(follow_up)
    db.change(_record("meeting.closed"))
    assert [row[0] for row in db.query("SELECT type FROM events ORDER BY seq")] == [
        "meeting.closed",
        "minutes.written",
    ]


def test_a_change_written_by_its_caller_waits_for_the_writers_subscribers_to_finish(tmp_path):
    """Changes are heard of in the order they were stored, whichever path wrote them."""
    db = Database(tmp_path / "pblapp.sqlite3")
    heard = []
    slow = threading.Event()

    def subscriber(events):
        heard.append(events[0].type)
        if events[0].type == "first.change":
            slow.wait(2)  # a subscriber that takes its time (the minutes, say)

    db.subscribe(subscriber)
    first = threading.Thread(target=lambda: db.change(_record("first.change")))
    first.start()
    while not heard:
        time.sleep(0.001)
    second = threading.Thread(target=lambda: db.change(_record("second.change")))
    second.start()
    time.sleep(0.2)
    assert heard == ["first.change"]  # the second waits
    slow.set()
    for thread in (first, second):
        thread.join(timeout=10)
    assert heard == ["first.change", "second.change"]
    stored = [row[0] for row in db.query("SELECT type FROM events ORDER BY seq")]
    assert stored == heard


def test_a_writer_that_fails_tells_every_caller_and_goes_on(tmp_path):
    db = Database(tmp_path / "pblapp.sqlite3")
    db.change(_record("warm.up"))
    broken = db._commit

    def commit_that_breaks(batch):
        db._commit = broken
        raise RuntimeError("the disk went away")

    db._commit = commit_that_breaks
    outcomes = []

    def caller(n):
        try:
            outcomes.append(db.change(_record(f"post.{n}"))[0])
        except RuntimeError as error:
            outcomes.append(str(error))

    with db._order_lock:
        threads = [threading.Thread(target=caller, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join(timeout=10)
    # No caller hangs: the batch that broke is refused, and the writer takes the next.
    assert len(outcomes) == 3 and "the disk went away" in outcomes
    assert db.change(_record("after"))[0] == "after"
