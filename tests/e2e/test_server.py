"""A real server process (``python run.py``), real Socket.IO clients over the network, SIGKILL."""

import threading
import time
import uuid

import pytest
import requests
import socketio

from helpers import ServerProcess, api, new_user_token

pytestmark = pytest.mark.server

PHONES = 5
POSTS_EACH = 10  # within a participant's burst of the rate limit


def live_meeting(server, token):
    group = api(server, token, "POST", "/groups", json={"name": "Basgrupp Motala", "kind": "pbl"})
    meeting = api(server, token, "POST", f"/groups/{group['id']}/meetings", json={})
    api(server, token, "POST", f"/meetings/{meeting['id']}/start")
    return meeting


def join(server, meeting, name, organization="FK"):
    response = requests.post(
        f"{server.url}/j/{meeting['join_code']}",
        timeout=10,
        json={"display_name": name, "organization": organization},
    )
    response.raise_for_status()
    return response.json()["token"]


class Screen:
    """A facilitator's screen: records every contribution:added it gets."""

    def __init__(self, server, token, meeting_id, since_seq=0):
        self.received = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("contribution:added", self._added)
        self.client.connect(
            server.url,
            auth={"api_token": token, "meeting_id": meeting_id, "since_seq": since_seq},
            transports=["websocket"],
            wait_timeout=10,
        )

    def _added(self, contribution):
        with self.lock:
            self.received.append(contribution)

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"screen got {len(self.received)} of {count}")


def phone(server, token):
    """A participant's socket; it does not reconnect, so a dead server shows as an error."""
    client = socketio.Client(reconnection=False)
    client.connect(server.url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client


def post(client, text, client_id=None, timeout=10):
    return client.call(
        "contribution:add",
        {"client_id": client_id or str(uuid.uuid4()), "text": text, "qtype": None},
        timeout=timeout,
    )


# Closing a websocket from the Python client waits for the server's close frame, up to 3 s;
# the tests leave their sockets to end with the server instead.


def test_five_phones_post_and_the_screen_gets_every_post_once_in_seq_order(server):
    process, token = server
    meeting = live_meeting(process, token)
    screen = Screen(process, token, meeting["id"])
    phones = [phone(process, join(process, meeting, f"Deltagare {n}")) for n in range(PHONES)]
    acks: list[dict] = []
    lock = threading.Lock()

    def send_all(index, client):
        for n in range(POSTS_EACH):
            ack = post(client, f"Telefon {index}, inlägg {n}")
            assert ack["ok"], ack
            with lock:
                acks.append(ack["contribution"])

    threads = [threading.Thread(target=send_all, args=(i, c)) for i, c in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    total = PHONES * POSTS_EACH
    assert len(acks) == total
    received = screen.wait_for(total)
    time.sleep(0.3)  # anything extra (a duplicate) would arrive by now
    assert [c["seq"] for c in screen.received] == list(range(1, total + 1))
    assert {c["id"] for c in received} == {c["id"] for c in acks}


def test_sigkill_loses_nothing_acked_and_reconnect_replays_what_was_missed(server):
    process, token = server
    meeting = live_meeting(process, token)
    screen = Screen(process, token, meeting["id"])
    participant_token = join(process, meeting, "Anna")
    client = phone(process, participant_token)
    acked = [post(client, f"före {n}")["contribution"] for n in range(5)]
    seen = screen.wait_for(5)[-1]["seq"]
    screen.client.disconnect()  # the projector's laptop drops off the network

    # Posts the screen misses; then the process dies at once after the last ack.
    acked += [post(client, f"medan skärmen var borta {n}")["contribution"] for n in range(4)]
    retry_id = acked[-1]["client_id"]
    process.kill()
    with pytest.raises(socketio.exceptions.SocketIOError):
        post(client, "efter döden", timeout=3)

    restarted = ServerProcess(process.data_dir, port=process.port).start()
    try:
        stored = api(restarted, token, "GET", f"/meetings/{meeting['id']}/contributions")
        assert [(c["id"], c["text"]) for c in stored] == [(c["id"], c["text"]) for c in acked]

        # The screen comes back and asks for everything after the last seq it saw.
        screen = Screen(restarted, token, meeting["id"], since_seq=seen)
        replayed = screen.wait_for(4)
        time.sleep(0.3)
        assert [c["seq"] for c in screen.received] == [seen + 1, seen + 2, seen + 3, seen + 4]

        # A phone whose ack was lost in the crash retries with the same client_id.
        client = phone(restarted, participant_token)
        retry = post(client, "medan skärmen var borta 3", client_id=retry_id)
        assert retry["ok"] and retry["contribution"]["id"] == acked[-1]["id"]
        assert len(api(restarted, token, "GET", f"/meetings/{meeting['id']}/contributions")) == 9
        assert replayed[-1]["id"] == acked[-1]["id"]
    finally:
        restarted.stop()


# One phone firing posts as fast as the acks come, to have many in flight at the kill:
# the participants' rate limit would refuse all but ten of them, so it is off here.
UNLIMITED = {"PBLAPP_PARTICIPANT_RATE_LIMITS": "0"}


def test_sigkill_in_the_middle_of_a_burst_keeps_every_acked_post(tmp_path):
    data_dir = tmp_path / "server-data"
    token = new_user_token(data_dir, "Handledare Hanna")
    process = ServerProcess(data_dir, env=UNLIMITED).start()
    meeting = live_meeting(process, token)
    participant_token = join(process, meeting, "Bo", "AF")
    client = phone(process, participant_token)
    attempted, acked = [], []
    stop = threading.Event()

    def burst():
        while not stop.is_set():
            client_id = str(uuid.uuid4())
            attempted.append(client_id)
            try:
                ack = post(client, f"inlägg {len(attempted)}", client_id=client_id, timeout=2)
            except Exception:
                return
            if ack and ack.get("ok"):
                acked.append(client_id)

    sender = threading.Thread(target=burst)
    sender.start()
    deadline = time.monotonic() + 15
    while len(acked) < 25 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.kill()
    stop.set()
    sender.join(timeout=15)
    assert len(acked) >= 25

    restarted = ServerProcess(process.data_dir, port=process.port, env=UNLIMITED).start()
    try:
        stored = {
            c["client_id"]
            for c in api(restarted, token, "GET", f"/meetings/{meeting['id']}/contributions")
        }
        assert set(acked) <= stored
        # The phone's outbox resends whatever had no ack; each is stored exactly once.
        client = phone(restarted, participant_token)
        for client_id in attempted:
            assert post(client, "igen", client_id=client_id)["ok"]
        final = api(restarted, token, "GET", f"/meetings/{meeting['id']}/contributions")
        assert sorted(c["client_id"] for c in final) == sorted(set(attempted))
        assert [c["seq"] for c in final] == list(range(1, len(final) + 1))
    finally:
        restarted.stop()


def test_a_refused_connection_gets_connect_error_with_a_message(server):
    process, _ = server
    client = socketio.Client(reconnection=False)
    errors = []
    client.on("connect_error", errors.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            process.url, auth={"token": "forged"}, transports=["websocket"], wait_timeout=5
        )
    assert errors == [{"message": "Unknown participant token.", "data": {"code": "invalid_token"}}]


def test_sigterm_shuts_the_server_down_cleanly(server):
    process, _ = server
    process.stop()
    assert process.process.returncode == 0
