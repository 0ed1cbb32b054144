"""Retention: a group's display names and name-to-pseudonym key are purged once its
retention days have passed since its last meeting closed (with a fake clock)."""

from datetime import timedelta
from pathlib import Path

from helpers import close_meeting, join, participant_socket, post
from pblapp import ops
from pblapp.domain.clock import parse_utc
from pblapp.ops import retention

NAME = "Zorblax Quuxington"


def files_holding(folder: Path, text: str) -> list[str]:
    return [
        str(path)
        for path in folder.rglob("*")
        if path.is_file() and text.encode("utf-8") in path.read_bytes()
    ]


def closed_group(app, client, db, facilitator, live_meeting, retention_days=30):
    ops.groups.update(
        db, facilitator["id"], live_meeting["group_id"], {"retention_days": retention_days}
    )
    phone = participant_socket(app, client, live_meeting["join_code"], NAME)
    post(phone, "Ett inlägg")
    join(client, live_meeting["join_code"], "Bo Bosson")
    close_meeting(client, facilitator, live_meeting["id"])
    return parse_utc(ops.lookup.meeting_row(db, live_meeting["id"])["closed_at"])


def test_nothing_is_purged_before_the_retention_has_run_out(
    app, client, db, facilitator, live_meeting
):
    closed = closed_group(app, client, db, facilitator, live_meeting)
    assert retention.purge(db, now=closed + timedelta(days=29, hours=23)) == []
    assert db.query_one("SELECT display_name FROM participants WHERE number = 1")[0] == NAME


def test_after_the_retention_names_and_rejoin_keys_are_gone_from_every_file(
    app, client, db, facilitator, live_meeting
):
    closed = closed_group(app, client, db, facilitator, live_meeting)
    data_dir = Path(app.config["DATA_DIR"])
    assert any("pblapp.sqlite3" in name for name in files_holding(data_dir, NAME))
    report = retention.purge(db, now=closed + timedelta(days=30))
    assert report == [
        {
            "group_id": live_meeting["group_id"],
            "name": "Basgrupp Norrköping",
            "due_at": report[0]["due_at"],
            "display_names": 2,
            "rejoin_keys": 2,
            "texts": 0,
        }
    ]
    assert files_holding(data_dir, NAME) == []
    assert files_holding(data_dir, "Bo Bosson") == []
    rows = db.query("SELECT pseudonym, display_name, rejoin_hash, erased_at FROM participants")
    assert [(r["pseudonym"], r["display_name"], r["rejoin_hash"]) for r in rows] == [
        ("P01", "P01", None),
        ("P02", "P02", None),
    ]
    assert all(r["erased_at"] for r in rows)
    # The research data stay: the post and the log, with pseudonyms.
    assert [r["text"] for r in ops.records.export_rows(db, group_id=live_meeting["group_id"])] == [
        "Ett inlägg"
    ]
    [purged] = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "group.purged"
    ]
    assert purged["actor"] == "system"
    assert purged["data"] == {"display_names": 2, "rejoin_keys": 2, "texts": 0}
    # Purging again finds nothing left to do, and logs nothing.
    assert retention.purge(db, now=closed + timedelta(days=60)) == []


def test_words_kept_for_the_minutes_after_a_withdrawal_go_at_the_purge(
    app, client, db, facilitator, live_meeting
):
    ops.groups.update(
        db, facilitator["id"], live_meeting["group_id"], {"withdrawal_policy": "keep_for_minutes"}
    )
    closed = closed_group(app, client, db, facilitator, live_meeting, retention_days=0)
    ops.privacy.withdraw(db, facilitator["id"], live_meeting["group_id"], "P01")
    assert files_holding(Path(app.config["DATA_DIR"]), "Ett inlägg")
    [report] = retention.purge(db, now=closed + timedelta(seconds=1))
    assert report["texts"] == 1
    assert files_holding(Path(app.config["DATA_DIR"]), "Ett inlägg") == []


def test_a_group_without_retention_or_with_an_open_meeting_is_not_due(
    app, client, db, facilitator, live_meeting
):
    closed = closed_group(app, client, db, facilitator, live_meeting, retention_days=None)
    assert retention.purge(db, now=closed + timedelta(days=10000)) == []
    ops.groups.update(db, facilitator["id"], live_meeting["group_id"], {"retention_days": 1})
    ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    assert retention.due_groups(db, closed + timedelta(days=2)) == []
    assert retention.purge(db, now=(closed + timedelta(days=2)).isoformat()) == []
