"""Helpers shared by the tests: joining, logging in, Socket.IO test clients, a real server."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
import zlib
from pathlib import Path

import markdown
import requests
from markdown_it import MarkdownIt

from pblapp import ops
from pblapp.domain import agenda

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


def app_config(data: Path, **overrides) -> dict:
    """The configuration of the tests' apps, over a data directory under ``data``."""
    return {
        "TESTING": True,
        "DATA_DIR": str(data / "data"),
        "SECRET_KEY": "test",
        "PUBLIC_URL": "http://192.168.1.20:5000",
        "WTF_CSRF_ENABLED": False,
        # Every change's counts and lists at once, so that a test reads them right after
        # it; the throttle has tests of its own, and the real servers of tests/e2e use it.
        "LIVE_STATE_INTERVAL": 0,
        "PHONE_BATCH_INTERVAL": 0,
        # Tests that post many at once from one phone test other things; the limits have
        # tests of their own (test_rate_limits.py, and every real server's).
        "PARTICIPANT_RATE_LIMITS": False,
        **overrides,
    }


# -- the JSON API and the pages -----------------------------------------------------------


def join(client, join_code: str, name: str = "Anna", organization: str = "FK") -> dict:
    """Join as a JSON client; returns the answer (participant and token)."""
    answer = client.post(
        f"/j/{join_code}",
        json={"display_name": name, "organization": organization, "consent": True},
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def log_in(client, user):
    """Log ``user`` in with the form on the front page; returns the answer."""
    return client.post("/", data={"name": user["name"], "password": PASSWORD})


def error_code(response) -> str:
    """The code of an answer in the API's one error format (which this checks too)."""
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return body["error"]["code"]


def close_meeting(client, facilitator, meeting_id) -> None:
    """Close the meeting through the API, as the facilitator's console does."""
    answer = client.post(f"/api/v1/meetings/{meeting_id}/close", headers=facilitator["headers"])
    assert answer.status_code == 200


def next_meeting(db, facilitator, group_id):
    """Create and start the group's next meeting."""
    meeting = ops.meetings.create(db, facilitator["id"], group_id, {})
    ops.meetings.start(db, facilitator["id"], meeting["id"])
    return meeting


def planned_minutes(template: str) -> list[int]:
    """The minutes an agenda template plans for each of its steps."""
    return [m for _, m in agenda.TEMPLATES[template]]


def texts(items, key="text"):
    return [item[key] for item in items]


def rendered_html(source: str) -> list[str]:
    """Markdown as two common renderers turn it into HTML."""
    return [markdown.markdown(source), MarkdownIt("commonmark").render(source)]


def png(width=2, height=2) -> bytes:
    """A real, minimal PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# -- Socket.IO through Flask-SocketIO's test client -----------------------------------------


def sio(app, **kwargs):
    """A Socket.IO test client of the app; ``auth=…`` as a phone or a facilitator's page."""
    return app.extensions["socketio"].test_client(app, **kwargs)


def participant_socket(app, client, join_code: str, name: str = "Anna", organization="FK"):
    """Join the meeting as a new participant and connect their phone's socket."""
    return sio(app, auth={"token": join(client, join_code, name, organization)["token"]})


def moderator_socket(app, facilitator, meeting_id):
    """Connect as the facilitator's console (or projector screen) of the meeting."""
    return sio(app, auth={"api_token": facilitator["token"], "meeting_id": meeting_id})


def events(socket_client, name: str) -> list:
    """The payloads of the ``name`` events the socket received since it was last asked."""
    return [item["args"][0] for item in socket_client.get_received() if item["name"] == name]


def posts_received(socket_client) -> list[dict]:
    """Every contribution the socket received since it was last asked: added or updated,
    one at a time or in a phone's batch."""
    found = []
    for item in socket_client.get_received():
        if item["name"] in ("contribution:added", "contribution:updated"):
            found.append(item["args"][0])
        elif item["name"] == "contributions:added":
            found.extend(item["args"][0]["contributions"])
    return found


def post(socket_client, text="Vad innebär dag 180?", qtype=None, client_id=None, **extra):
    """Send ``contribution:add`` as a phone does; returns the ack."""
    payload = {"client_id": client_id or str(uuid.uuid4()), "text": text, "qtype": qtype, **extra}
    return socket_client.emit("contribution:add", payload, callback=True)


def post_from_a_new_phone(app, client, join_code: str, text: str, qtype="meaning") -> dict:
    """A new participant joins and posts ``text``; returns the stored contribution."""
    answer = post(participant_socket(app, client, join_code), text, qtype)
    assert answer["ok"], answer
    return answer["contribution"]


# -- a real server process -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """``python run.py`` on a free port over ``data_dir``; restartable, killable."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.extra_env = dict(env or {})
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    def start(self) -> ServerProcess:
        env = {**os.environ, "PBLAPP_SECRET_KEY": "server-test-key", "PYTHONUNBUFFERED": "1"}
        env.pop("PBLAPP_MESSAGE_QUEUE", None)  # only a test's own flags say it
        env.update(self.extra_env)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "run.py"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                    "--public-url",
                    self.url,
                    *self.extra_args,
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_healthy(self.process, self.url, self.log, seconds=20)
        return self

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as in a power cut of the process."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def page_config(html: str) -> dict:
    """The JSON a page hands its script (``<script id="config">``)."""
    return json.loads(re.search(r'id="config">(.*?)</script>', html, re.S).group(1))


def new_user_token(data_dir: Path, name: str, role: str = "facilitator") -> str:
    """A user made in ``data_dir``'s database as ``run.py create-user`` makes one, in this
    process (the command line's own test runs the command); returns its API token."""
    from pblapp import create_app

    app = create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": "test"})
    database = app.extensions["pblapp.db"]
    try:
        _, token = ops.accounts.create_user(database, name, role, PASSWORD)
    finally:
        database.close()
    return token


def create_user_cli(data_dir: Path, name: str, role: str = "facilitator") -> str:
    """Run ``run.py create-user``; return the API token it prints last."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "create-user",
            name,
            "--role",
            role,
            "--data-dir",
            str(data_dir),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def wait_until_healthy(process, url: str, log: Path, seconds: float) -> None:
    """Until ``url``/healthz answers; the server's log in the error if it exits or never
    answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited:\n" + log.read_text())
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("server did not start:\n" + log.read_text())


def api(server, token: str, method: str, path: str, **kwargs):
    """One call of a running server's JSON API (``server.url``) with an API token; the
    answer's JSON, after checking it succeeded."""
    response = requests.request(
        method,
        f"{server.url}/api/v1{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
        **kwargs,
    )
    response.raise_for_status()
    return response.json()
