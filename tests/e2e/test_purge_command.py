"""``python run.py purge [--data-dir D] [--now ISO]`` and the purge at server start: what
retention says is due is deleted and printed, with a fake clock."""

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from helpers import PASSWORD, ROOT, ServerProcess, join
from pblapp import create_app, ops
from pblapp.domain.clock import format_utc, parse_utc

pytestmark = pytest.mark.server

NAME = "Quentin Zwirbelmeier"


def a_closed_group(data_dir: Path, retention_days: int = 30) -> str:
    """A group with one closed meeting a named participant joined; returns its close time."""
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SECRET_KEY": "x"})
    db = app.extensions["pblapp.db"]
    user, _ = ops.accounts.create_user(db, "Handledare Hanna", "facilitator", PASSWORD)
    group = ops.groups.create(
        db, user["id"], {"name": "Gallring", "kind": "pbl", "retention_days": retention_days}
    )
    meeting = ops.meetings.create(db, user["id"], group["id"], {})
    ops.meetings.start(db, user["id"], meeting["id"])
    join(app.test_client(), meeting["join_code"], NAME)
    with app.app_context():
        ops.meetings.close(db, user["id"], meeting["id"])
    closed = ops.lookup.meeting_row(db, meeting["id"])["closed_at"]
    db.close()
    return closed


def holding(data_dir: Path, text: str) -> list[str]:
    return [str(p) for p in data_dir.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def run_purge(data_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "purge", "--data-dir", str(data_dir), *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_purge_deletes_what_is_due_as_of_now_and_prints_it(tmp_path):
    data_dir = tmp_path / "data"
    closed = parse_utc(a_closed_group(data_dir))
    early = run_purge(data_dir, "--now", format_utc(closed + timedelta(days=29)))
    assert early.returncode == 0, early.stderr
    assert early.stdout.strip() == "Purge: nothing is due."
    assert holding(data_dir, NAME)
    due = run_purge(data_dir, "--now", format_utc(closed + timedelta(days=31)))
    assert due.returncode == 0, due.stderr
    assert "Purged group 1 (Gallring)" in due.stdout
    assert "1 display names, 1 rejoin keys, 0 texts" in due.stdout
    assert holding(data_dir, NAME) == []


def test_purge_refuses_a_time_it_cannot_read(tmp_path):
    result = run_purge(tmp_path / "data", "--now", "next tuesday")
    assert result.returncode == 2
    assert "--now must be an ISO 8601 time" in result.stderr


def test_the_server_purges_once_when_it_starts(tmp_path):
    data_dir = tmp_path / "data"
    a_closed_group(data_dir, retention_days=0)
    assert holding(data_dir, NAME)
    server = ServerProcess(data_dir).start()
    try:
        deadline = time.monotonic() + 5
        while "Purged group" not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "Purged group 1 (Gallring)" in server.log.read_text()
        assert holding(data_dir, NAME) == []
    finally:
        server.stop()
