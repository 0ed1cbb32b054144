"""Fixtures: an app over a real SQLite file in a temporary folder, its clients, and a
real server process for tests that cross the network."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
import requests

from pblapp import create_app, ops

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": "test",
            "PUBLIC_URL": "http://192.168.1.20:5000",
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app


@pytest.fixture
def db(app):
    """The app's database, for calling the operations (``pblapp.ops``) directly."""
    with app.app_context():
        yield app.extensions["pblapp.db"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def facilitator(app):
    """A facilitator user and its API token."""
    user, token = ops.accounts.create_user(
        app.extensions["pblapp.db"], "Handledare Hanna", "facilitator", PASSWORD
    )
    return {**user, "token": token, "headers": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def live_meeting(client, facilitator):
    """A group with a consent text and a live meeting in it."""
    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={
            "name": "Basgrupp Norrköping",
            "kind": "pbl",
            "planned_meetings": 7,
            "consent_text": "Jag samtycker till att mina inlägg används i forskningen.",
        },
        headers=headers,
    ).get_json()
    meeting = client.post(
        f"/api/v1/groups/{group['id']}/meetings",
        json={"title": "Rehabiliteringskedjan"},
        headers=headers,
    ).get_json()
    client.post(f"/api/v1/meetings/{meeting['id']}/start", headers=headers)
    return {"group": group, **meeting}


def join(client, join_code: str, name: str = "Anna", organization: str = "FK") -> dict:
    """Join as a JSON client; returns the answer (participant and token)."""
    answer = client.post(
        f"/j/{join_code}",
        json={"display_name": name, "organization": organization, "consent": True},
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


# -- a real server process -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """``python run.py`` on a free port over ``data_dir``; restartable, killable."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    def start(self) -> ServerProcess:
        env = {**os.environ, "PBLAPP_SECRET_KEY": "server-test-key", "PYTHONUNBUFFERED": "1"}
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
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + self.log.read_text())
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("server did not start:\n" + self.log.read_text())

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


@pytest.fixture
def server(tmp_path):
    """A real server with one facilitator; yields (server, api_token)."""
    data_dir = tmp_path / "server-data"
    token = create_user_cli(data_dir, "Handledare Hanna")
    process = ServerProcess(data_dir).start()
    yield process, token
    process.stop()


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
