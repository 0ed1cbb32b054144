"""Two server processes over one data directory, their live rooms shared through a real
redis-server (``run.py --message-queue``): a phone on one process and a screen on the
other see each other's changes, each exactly once."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
import socketio

from helpers import ROOT, ServerProcess, api, free_port, new_user_token
from pblapp.buckets import RedisBuckets
from pblapp.domain import rate_limit

pytestmark = pytest.mark.server


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's own PID; SIGKILL if it does not end."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)


NO_REDIS = (
    "redis-server is not installed; install it (apt-get install redis-server) to test "
    "several server processes sharing their rooms. CI installs it."
)


def test_redis_server_is_installed_for_these_tests():
    """Never skipped: without redis-server the scale-out would go untested unnoticed."""
    assert shutil.which("redis-server"), NO_REDIS


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of the test's own, on a free loopback port, keeping nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(NO_REDIS)
    port = free_port()
    workdir = tmp_path / "redis"
    workdir.mkdir()
    log = tmp_path / "redis.log"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_redis(process, url, log)
        yield url
    finally:
        _stop(process)


def _wait_for_redis(process: subprocess.Popen, url: str, log: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("redis-server exited:\n" + log.read_text())
        try:
            if redis.Redis.from_url(url, socket_connect_timeout=1).ping():
                return
        except redis.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not answer:\n" + log.read_text())


@pytest.fixture
def two_servers(tmp_path, redis_url):
    """Two processes on one data directory and one Redis; yields (first, second, api token).
    The second starts once the first is up, so the database is migrated by one of them."""
    data_dir = tmp_path / "server-data"
    token = new_user_token(data_dir, "Handledare Hanna")
    first = ServerProcess(data_dir, extra_args=("--message-queue", redis_url)).start()
    try:
        second = ServerProcess(data_dir, extra_args=("--message-queue", redis_url)).start()
        try:
            yield first, second, token
        finally:
            second.stop()
    finally:
        first.stop()


class Listener:
    """A Socket.IO client that records the named events it receives."""

    def __init__(self, server, auth: dict, names: tuple[str, ...]):
        self.received: dict[str, list] = {name: [] for name in names}
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        for name in names:
            self.client.on(name, self._recorder(name))
        self.client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)

    def _recorder(self, name):
        def record(payload):
            with self.lock:
                self.received[name].append(payload)

        return record

    def wait_for(self, name: str, matches, timeout: float = 10) -> list:
        """Every ``name`` payload so far, once one of them ``matches``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                payloads = list(self.received[name])
            if any(matches(payload) for payload in payloads):
                return payloads
            time.sleep(0.05)
        raise AssertionError(f"none of the {len(payloads)} {name} within {timeout} s matched")


def live_meeting(server, token) -> dict:
    group = api(server, token, "POST", "/groups", json={"name": "Plenum Linköping", "kind": "pbl"})
    meeting = api(server, token, "POST", f"/groups/{group['id']}/meetings", json={})
    api(server, token, "POST", f"/meetings/{meeting['id']}/start")
    return meeting


def join(server, meeting, name: str) -> str:
    response = requests.post(
        f"{server.url}/j/{meeting['join_code']}",
        json={"display_name": name, "organization": "FK", "consent": True},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["token"]


def test_a_post_on_one_process_reaches_a_screen_and_phone_pages_on_the_other_exactly_once(
    two_servers,
):
    first, second, token = two_servers
    meeting = live_meeting(first, token)
    screen = Listener(
        second,
        {"api_token": token, "meeting_id": meeting["id"], "view": "screen"},
        ("contribution:added",),
    )
    # Phone pages, which take posts in lists, in different parts of the meeting's phones.
    pages = [
        Listener(
            second,
            {"token": join(second, meeting, f"Deltagare {n}"), "batch": True},
            ("contributions:added",),
        )
        for n in range(3)
    ]
    phone = Listener(first, {"token": join(first, meeting, "Anna")}, ())

    client_id = str(uuid.uuid4())
    ack = phone.client.call(
        "contribution:add",
        {"client_id": client_id, "text": "Vem äger frågan om arbetsförmåga?", "qtype": None},
        timeout=10,
    )
    assert ack["ok"], ack
    screen.wait_for("contribution:added", lambda c: c["client_id"] == client_id)
    time.sleep(0.5)  # a second copy (one per process) would have arrived by now
    received = screen.received["contribution:added"]
    assert [c["id"] for c in received] == [ack["contribution"]["id"]]
    assert received[0]["text"] == "Vem äger frågan om arbetsförmåga?"
    for page in pages:
        page.wait_for("contributions:added", lambda b: b["contributions"])
    time.sleep(0.5)
    for page in pages:
        lists = page.received["contributions:added"]
        assert [[c["id"] for c in b["contributions"]] for b in lists] == [
            [ack["contribution"]["id"]]
        ]


def test_the_facilitators_agenda_command_on_one_process_reaches_a_phone_on_the_other(
    two_servers,
):
    first, second, token = two_servers
    meeting = live_meeting(first, token)
    phone = Listener(first, {"token": join(first, meeting, "Bo")}, ("agenda:state",))
    console = Listener(second, {"api_token": token, "meeting_id": meeting["id"]}, ())

    ack = console.client.call("agenda:command", {"action": "start"}, timeout=10)
    assert ack["ok"], ack
    first_step = ack["agenda"]["steps"][0]["id"]
    states = phone.wait_for("agenda:state", lambda s: s.get("current_step_id") == first_step)
    time.sleep(0.5)
    started = [s for s in phone.received["agenda:state"] if s.get("current_step_id") == first_step]
    assert len(started) == 1, states


def test_renewing_the_screen_link_on_one_process_ends_the_old_links_screen_on_the_other(
    two_servers,
):
    first, second, token = two_servers
    meeting = live_meeting(first, token)
    link = api(first, token, "POST", f"/meetings/{meeting['id']}/screen-link")["screen_link"]
    screen = Listener(second, {"screen_token": link.rsplit("/", 1)[1]}, ())
    assert screen.client.connected
    api(first, token, "POST", f"/meetings/{meeting['id']}/screen-link")
    deadline = time.monotonic() + 10
    while screen.client.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not screen.client.connected, "the old link's screen still follows the meeting"


def test_a_server_whose_redis_cannot_be_reached_exits_with_a_message(tmp_path):
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "--port",
            str(free_port()),
            "--data-dir",
            str(tmp_path / "data"),
            "--message-queue",
            nobody,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert result.returncode == 1
    assert f"cannot reach Redis at {nobody}" in result.stderr
    assert "leave out --message-queue" in result.stderr


def test_a_message_queue_that_is_not_redis_is_refused(tmp_path):
    env = {**os.environ, "PBLAPP_MESSAGE_QUEUE": "amqp://127.0.0.1:5672//"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--message-queue: must be a Redis URL" in result.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was made


def _post(phone: Listener, text: str) -> dict:
    payload = {"client_id": str(uuid.uuid4()), "text": text, "qtype": None}
    return phone.client.call("contribution:add", payload, timeout=10)


def test_a_participants_post_limit_counts_over_both_processes(two_servers):
    first, second, token = two_servers
    meeting = live_meeting(first, token)
    participant = join(first, meeting, "Cecilia")
    on_first = Listener(first, {"token": participant}, ())
    on_second = Listener(second, {"token": participant}, ())

    answers = [_post(on_first, f"Inlägg {n}") for n in range(6)]
    answers += [_post(on_second, f"Inlägg {n}") for n in range(6, 12)]

    assert all(a["ok"] for a in answers[:10]), answers
    refused = [a["error"] for a in answers[10:]]
    assert [e["code"] for e in refused] == ["rate_limited", "rate_limited"]
    assert all(0 < e["retry_after"] <= 1.0 for e in refused)


def test_a_participant_removed_through_one_process_is_cut_off_on_the_other(two_servers):
    first, second, token = two_servers
    meeting = live_meeting(first, token)
    phone = Listener(second, {"token": join(second, meeting, "Olle")}, ("participant:removed",))
    assert _post(phone, "Före")["ok"]

    api(first, token, "POST", f"/meetings/{meeting['id']}/participants/P01/removal")

    # Refused at once by the post's own check, then ended by the other process's sweep.
    refused = _post(phone, "Efter") if phone.client.connected else None
    assert refused is None or refused["error"]["code"] == "participant_removed"
    phone.wait_for("participant:removed", lambda payload: payload["meeting_id"] == meeting["id"])
    deadline = time.monotonic() + 5
    while phone.client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not phone.client.connected


def test_two_processes_buckets_in_one_redis_are_one_bucket(redis_url):
    limit = rate_limit.Limit(capacity=3, per_second=0.5)
    first, second = RedisBuckets(redis_url), RedisBuckets(redis_url)
    assert [first.take("posts", 7, limit) for _ in range(2)] == [None, None]
    assert second.take("posts", 7, limit) is None
    wait = second.take("posts", 7, limit)
    assert wait is not None and 1.0 < wait <= 2.0
    # Another participant's bucket is their own.
    assert first.take("posts", 8, limit) is None
    # The bucket expires in Redis once it would be full again: nothing piles up.
    ttl = redis.Redis.from_url(redis_url).ttl("pblapp:bucket:posts:7")
    assert 0 < ttl <= 7


def test_without_redis_a_process_counts_alone_and_never_refuses_for_that():
    gone = RedisBuckets(f"redis://127.0.0.1:{free_port()}/0")
    limit = rate_limit.Limit(capacity=2, per_second=0.1)
    assert gone.take("posts", 1, limit) is None
    assert gone.take("posts", 1, limit) is None
    assert gone.take("posts", 1, limit) is not None
