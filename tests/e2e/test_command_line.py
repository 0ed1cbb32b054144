"""run.py as people start it: first start, create-user, settings from arguments and environment."""

import os
import re
import subprocess
import sys
import time

import pytest
import requests

from helpers import PASSWORD, ROOT, ServerProcess, create_user_cli
from pblapp import create_app

pytestmark = pytest.mark.server


def test_first_start_prints_a_one_time_setup_url(tmp_path):
    server = ServerProcess(tmp_path / "fresh").start()
    try:
        deadline = time.monotonic() + 5
        while "setup/" not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        url = re.search(r"(http://\S+/setup/\S+)", server.log.read_text()).group(1)
        assert url.startswith(server.url)
        assert requests.get(url, timeout=5).status_code == 200
        # What people wrote is for the server's user only.
        assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o700
        assert (tmp_path / "fresh" / "pblapp.sqlite3").stat().st_mode & 0o777 == 0o600
    finally:
        server.stop()


def test_create_user_prints_a_working_api_token_last(tmp_path, client):
    data_dir = tmp_path / "cli"
    token = create_user_cli(data_dir, "Forskare Frida", role="researcher")
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir)})
    response = app.test_client().get("/api/v1/groups", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json() == []


def test_create_user_refuses_a_short_password(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "create-user",
            "X",
            "--role",
            "facilitator",
            "--data-dir",
            str(tmp_path),
        ],
        input="kort\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1 and "at least 10" in result.stderr


def test_the_data_dir_can_come_from_the_environment(tmp_path):
    data_dir = tmp_path / "from-env"
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "create-user", "Hanna", "--role", "facilitator"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PBLAPP_DATA_DIR": str(data_dir)},
    )
    assert result.returncode == 0, result.stderr
    assert (data_dir / "pblapp.sqlite3").exists()


def test_a_public_url_phones_could_not_open_is_refused_at_start(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "--data-dir", str(tmp_path)]
        + ["--port", "1", "--public-url", "10.0.0.5:8080"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--public-url must be a whole URL such as http://" in result.stderr


def test_listening_on_loopback_warns_that_phones_cannot_reach_the_server(tmp_path):
    server = ServerProcess(tmp_path / "data").start()  # listens on 127.0.0.1
    try:
        time.sleep(0.3)
        assert "Warning: listening on 127.0.0.1 only" in server.log.read_text()
    finally:
        server.stop()
    help_text = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "--help"], capture_output=True, text=True
    ).stdout
    assert "create-user NAME --role" in help_text


def test_create_user_refuses_an_unknown_role_before_asking_for_a_password(tmp_path):
    data_dir = tmp_path / "never-made"
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "create-user", "X", "--role", "admin"]
        + ["--data-dir", str(data_dir)],
        input="",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "--role must be one of facilitator, researcher" in result.stderr
    assert not data_dir.exists()
