"""Fixtures: an app over a real SQLite file, its users and clients, a live meeting, a server."""

from __future__ import annotations

import pytest

from helpers import PASSWORD, ServerProcess, app_config, new_user_token
from helpers import ROOT as ROOT  # test_browser.py imports PASSWORD and ROOT from here
from pblapp import create_app, ops


@pytest.fixture
def app(tmp_path):
    return create_app(app_config(tmp_path))


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
def researcher(app):
    """A researcher user and its API token; it sees no group until one is granted."""
    with app.app_context():
        user, token = ops.accounts.create_user(
            app.extensions["pblapp.db"], "Forskare Frida", "researcher", PASSWORD
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


@pytest.fixture
def server_env() -> dict[str, str]:
    """Environment variables of the ``server`` fixture's process; a module may override it."""
    return {}


@pytest.fixture
def server(tmp_path, server_env):
    """A real server with one facilitator; yields (server, api_token)."""
    data_dir = tmp_path / "server-data"
    token = new_user_token(data_dir, "Handledare Hanna")
    process = ServerProcess(data_dir, env=server_env).start()
    yield process, token
    process.stop()


SCREENSHOTS = "test-artifacts/screenshots"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The end of a run names the folder of the browser tests' screenshots (relative to the
    project) and how many it holds, for a person to look at."""
    folder = config.rootpath / SCREENSHOTS
    if folder.is_dir():
        count = sum(1 for path in folder.iterdir() if path.is_file())
        terminalreporter.write_line(f"Screenshots: {SCREENSHOTS} ({count} files)")
