"""``run.py backup DEST`` while phones post to a real server: the copy is consistent, holds
the minutes and the secret key, and a server started on it serves the same meetings to the
same phones."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio

from helpers import ROOT, ServerProcess, api, new_user_token

pytestmark = pytest.mark.server

# The key is made and kept in the data directory (as in a meeting room), not given by the
# environment; the phones post as fast as their acks come.
ENV = {"PBLAPP_SECRET_KEY": "", "PBLAPP_PARTICIPANT_RATE_LIMITS": "0"}


def _backup(dest: Path, data_dir: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PBLAPP_SECRET_KEY"}
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "backup", str(dest), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def _phone(server: ServerProcess, join_code: str, name: str) -> socketio.Client:
    joined = requests.post(
        f"{server.url}/j/{join_code}",
        json={"display_name": name, "organization": "FK", "consent": True},
        timeout=10,
    )
    joined.raise_for_status()
    client = socketio.Client(reconnection=False)
    client.connect(server.url, auth={"token": joined.json()["token"]}, transports=["websocket"])
    return client


def _post_until(client: socketio.Client, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        post = {"client_id": str(uuid.uuid4()), "text": f"Inlägg {n}", "qtype": "meaning"}
        assert client.call("contribution:add", post, timeout=10)["ok"]


def _browser_joins(server: ServerProcess, join_code: str) -> requests.Session:
    """A phone's browser joins through the form: it is known by its signed cookie."""
    browser = requests.Session()
    page = browser.get(f"{server.url}/j/{join_code}", timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    joined = browser.post(
        f"{server.url}/j/{join_code}",
        data={"csrf_token": csrf, "display_name": "Bo", "organization": "AF", "consent": "on"},
        timeout=10,
    )
    assert joined.ok and joined.url.endswith("/live"), joined.status_code
    return browser


def _rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_a_backup_taken_while_phones_post_restores_to_the_same_meetings(tmp_path):
    data_dir, dest = tmp_path / "data", tmp_path / "usb" / "pblapp-2026-03-02"
    dest.parent.mkdir()
    token = new_user_token(data_dir, "Handledare Hanna")
    original = ServerProcess(data_dir, env=ENV).start()
    stop = threading.Event()
    try:
        group = api(original, token, "POST", "/groups", json={"name": "Basgrupp", "kind": "pbl"})
        # A closed meeting: its minutes are files in the data directory.
        closed = api(original, token, "POST", f"/groups/{group['id']}/meetings", json={})
        api(original, token, "POST", f"/meetings/{closed['id']}/start")
        anna = _phone(original, closed["join_code"], "Anna")
        post = {"client_id": str(uuid.uuid4()), "text": "Vad innebär dag 180?", "qtype": None}
        assert anna.call("contribution:add", post, timeout=10)["ok"]
        api(original, token, "POST", f"/meetings/{closed['id']}/close")
        # A live meeting, with phones posting all through the backup.
        live = api(original, token, "POST", f"/groups/{group['id']}/meetings", json={})
        api(original, token, "POST", f"/meetings/{live['id']}/start")
        browser = _browser_joins(original, live["join_code"])
        phones = [_phone(original, live["join_code"], f"Deltagare {n}") for n in range(4)]
        posting = [threading.Thread(target=_post_until, args=(p, stop)) for p in phones]
        for thread in posting:
            thread.start()
        time.sleep(0.5)
        taken = _backup(dest, data_dir)
        time.sleep(0.3)  # and they go on posting after it
        stop.set()
        for thread in posting:
            thread.join(timeout=10)
    finally:
        stop.set()
        original.stop()  # which closes the phones' connections

    assert taken.returncode == 0, taken.stderr
    assert "integrity check: ok" in taken.stdout
    assert f"Restore: start the server with --data-dir {dest}" in taken.stdout
    # Owner-only, like the data directory.
    assert stat.S_IMODE(dest.stat().st_mode) == 0o700
    copied = [path for path in dest.rglob("*")]
    assert all(stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600) for p in copied)
    assert (dest / "secret_key").read_text() == (data_dir / "secret_key").read_text()
    assert not list(dest.glob("pblapp.sqlite3-*")), "the copy is one file, with no WAL"
    minutes = Path(str(group["id"]), str(closed["number"]))
    for name in ("minutes.md", "minutes.html", "minutes.docx"):
        assert (dest / minutes / name).is_file(), name

    # Every contribution in the copy is in the original, exactly; the copy was taken while
    # posts went on, so the original has more.
    contributions = "SELECT * FROM contributions ORDER BY id"
    in_copy = _rows(dest / "pblapp.sqlite3", contributions)
    in_original = _rows(data_dir / "pblapp.sqlite3", contributions)
    assert 1 < len(in_copy) < len(in_original)
    assert in_copy == in_original[: len(in_copy)]
    # The event log of the copy is the beginning of the original's.
    events = "SELECT seq, at, group_id, meeting_id, type, actor, data FROM events ORDER BY seq"
    log_in_copy = _rows(dest / "pblapp.sqlite3", events)
    assert log_in_copy == _rows(data_dir / "pblapp.sqlite3", events)[: len(log_in_copy)]

    # Restoring is pointing --data-dir at the copy.
    restored = ServerProcess(dest, env=ENV).start()
    try:
        listed = api(restored, token, "GET", f"/meetings/{live['id']}/contributions")
        stored_ids = [row[0] for row in in_copy if row[1] == live["id"]]
        assert [c["id"] for c in listed] == stored_ids
        # The same key: the phone's cookie still says who it is.
        page = browser.get(f"{restored.url}/j/{live['join_code']}/live", allow_redirects=False)
        assert page.status_code == 200 and "Bo" in page.text
    finally:
        restored.stop()

    # A folder that is not empty is refused, and so is one inside the data directory.
    again = _backup(dest, data_dir)
    assert again.returncode == 1 and "not empty" in again.stderr
    inside = _backup(data_dir / "backup", data_dir)
    assert inside.returncode == 1 and "outside the data directory" in inside.stderr
