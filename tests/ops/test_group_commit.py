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

    # While the writer is held up (a slow fsync, say), ten changes arrive.
    with db._write_lock:
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
