"""One participant floods a meeting from a script, against a real server: the flood is
refused with the wait to retry, and another participant's posts still go through at once."""

from __future__ import annotations

import statistics
import threading
import time
import uuid

import pytest
import requests
import socketio

from helpers import api

pytestmark = pytest.mark.server


def _phone(process, meeting: dict, name: str) -> socketio.Client:
    joined = requests.post(
        f"{process.url}/j/{meeting['join_code']}",
        json={"display_name": name, "organization": "FK", "consent": True},
        timeout=10,
    )
    joined.raise_for_status()
    client = socketio.Client(reconnection=False)
    client.connect(process.url, auth={"token": joined.json()["token"]}, transports=["websocket"])
    return client


def test_a_flooding_participant_is_limited_and_another_is_not_held_up(server):
    process, token = server
    group = api(process, token, "POST", "/groups", json={"name": "Plenum", "kind": "pbl"})
    meeting = api(process, token, "POST", f"/groups/{group['id']}/meetings", json={})
    api(process, token, "POST", f"/meetings/{meeting['id']}/start")
    flooder, anna = _phone(process, meeting, "Skript"), _phone(process, meeting, "Anna")

    answers: list[dict] = []
    lock = threading.Lock()

    def record(answer):
        with lock:
            answers.append(answer)

    def flood():
        # 2,000 posts without waiting for a single ack.
        for n in range(2000):
            payload = {"client_id": str(uuid.uuid4()), "text": f"spam {n}", "qtype": None}
            flooder.emit("contribution:add", payload, callback=record)

    started = time.monotonic()
    flooding = threading.Thread(target=flood)
    flooding.start()
    waits = []
    # A person posting quickly, 12 posts in about 4 s, while the flood lasts.
    for n in range(12):
        sent = time.perf_counter()
        ack = anna.call(
            "contribution:add",
            {"client_id": str(uuid.uuid4()), "text": f"Min fråga {n}", "qtype": None},
            timeout=10,
        )
        waits.append((time.perf_counter() - sent) * 1000)
        assert ack["ok"], ack
        time.sleep(0.3)
    flooding.join(timeout=60)
    deadline = time.monotonic() + 30
    while len(answers) < 2000 and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.monotonic() - started

    # Every flooded post has an answer: stored, or refused with the wait. None is dropped.
    assert len(answers) == 2000
    stored = [a for a in answers if a["ok"]]
    refused = [a for a in answers if not a["ok"]]
    assert {a["error"]["code"] for a in refused} == {"rate_limited"}
    assert all(0 < a["error"]["retry_after"] <= 1.0 for a in refused)
    # A burst of 10, then about one a second while it lasted.
    assert 10 <= len(stored) <= 10 + elapsed + 1
    # Anna's posts went through at once all the while.
    assert sorted(waits)[int(len(waits) * 0.99) - 1] < 200, waits
    assert statistics.median(waits) < 100
    listed = api(process, token, "GET", f"/meetings/{meeting['id']}/contributions")
    assert sum(c["text"].startswith("Min fråga") for c in listed) == 12
    assert sum(c["text"].startswith("spam") for c in listed) == len(stored)
    for client in (flooder, anna):
        client.disconnect()
