"""SIGTERM while 20 phones post: the server stops within 5 seconds with status 0, every
post it acked is in the database, and every phone is told (its connection closes)."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
import uuid

import pytest
import requests
import socketio

from helpers import ServerProcess, api, new_user_token

pytestmark = pytest.mark.server

PHONES = 20


class Phone:
    """A participant's phone that posts one post after the other, each once acked."""

    def __init__(self, server: ServerProcess, join_code: str, n: int):
        joined = requests.post(
            f"{server.url}/j/{join_code}",
            json={"display_name": f"Deltagare {n}", "organization": "FK", "consent": True},
            timeout=10,
        )
        joined.raise_for_status()
        self.acked: list[str] = []
        self.disconnected = threading.Event()
        self.why: str | None = None
        self.client = socketio.Client(reconnection=False)
        self.client.on("disconnect", self._disconnected)
        self.client.connect(
            server.url, auth={"token": joined.json()["token"]}, transports=["websocket"]
        )

    def _disconnected(self, reason: str | None = None) -> None:
        self.why = reason
        self.disconnected.set()

    def post_until_cut_off(self) -> None:
        n = 0
        while not self.disconnected.is_set():
            n += 1
            client_id = str(uuid.uuid4())
            post = {"client_id": client_id, "text": f"Inlägg {n}", "qtype": None}
            try:
                answer = self.client.call("contribution:add", post, timeout=2)
            except Exception:
                return  # cut off before the ack: the phone would send it again later
            if answer.get("ok"):
                self.acked.append(client_id)


def test_sigterm_under_load_finishes_the_writes_tells_the_phones_and_exits_in_5_s(tmp_path):
    data_dir = tmp_path / "data"
    token = new_user_token(data_dir, "Handledare Hanna")
    # Without the rate limits, so that each phone posts as fast as the acks come.
    server = ServerProcess(data_dir, env={"PBLAPP_PARTICIPANT_RATE_LIMITS": "0"}).start()
    try:
        group = api(server, token, "POST", "/groups", json={"name": "Plenum", "kind": "pbl"})
        meeting = api(server, token, "POST", f"/groups/{group['id']}/meetings", json={})
        api(server, token, "POST", f"/meetings/{meeting['id']}/start")
        phones = [Phone(server, meeting["join_code"], n) for n in range(PHONES)]
        posting = [threading.Thread(target=phone.post_until_cut_off) for phone in phones]
        for thread in posting:
            thread.start()
        time.sleep(1.0)

        sent = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        status = server.process.wait(timeout=10)
        took = time.monotonic() - sent
        for thread in posting:
            thread.join(timeout=10)
    finally:
        server.kill()

    assert status == 0, server.log.read_text()
    assert took < 5, took
    assert "Shutting down." in server.log.read_text()
    # Every phone was told: the server closed its connection (a process that just ends
    # leaves a broken one, a "transport error").
    assert all(phone.disconnected.wait(5) for phone in phones)
    assert {phone.why for phone in phones} == {"server disconnect"}
    acked = [client_id for phone in phones for client_id in phone.acked]
    assert len(acked) > 2 * PHONES, "the phones were hardly posting"
    connection = sqlite3.connect(data_dir / "pblapp.sqlite3")
    try:
        stored = [row[0] for row in connection.execute("SELECT client_id FROM contributions")]
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()
    # Every acked post is stored, once.
    assert set(acked) <= set(stored)
    assert len(stored) == len(set(stored))
