"""Guessing passwords against a real server process: the lockout is kept in the database,
so restarting the server (or starting a second process on the same data) does not reset it."""

import re

import pytest
import requests

from helpers import PASSWORD, ServerProcess

pytestmark = pytest.mark.server

NAME = "Handledare Hanna"  # the facilitator the ``server`` fixture creates
WRONG_PASSWORDS = 10  # pblapp.web.auth.FAILED_LOGINS_MAX


def log_in(server, password: str) -> requests.Response:
    """Fill in the login form as a browser does: the page first, for its CSRF token."""
    browser = requests.Session()
    page = browser.get(server.url + "/", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return browser.post(
        server.url + "/?lang=en",
        data={"name": NAME, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )


def test_a_lockout_after_ten_wrong_passwords_holds_after_the_server_restarts(server):
    process, _ = server
    for _ in range(WRONG_PASSWORDS):
        assert log_in(process, "gissning").status_code == 401
    assert log_in(process, PASSWORD).status_code == 429

    process.stop()
    restarted = ServerProcess(process.data_dir, port=process.port).start()
    try:
        refused = log_in(restarted, PASSWORD)
        assert refused.status_code == 429  # even the right password still waits
        assert "Wait 15 minutes" in refused.text
    finally:
        restarted.stop()


def test_a_right_password_after_a_restart_starts_the_count_over(server):
    process, _ = server
    for _ in range(WRONG_PASSWORDS - 1):
        assert log_in(process, "gissning").status_code == 401

    process.stop()
    restarted = ServerProcess(process.data_dir, port=process.port).start()
    try:
        assert log_in(restarted, PASSWORD).status_code == 302
        # The nine earlier guesses are forgotten: one more wrong one does not lock out.
        assert log_in(restarted, "gissning").status_code == 401
        assert log_in(restarted, PASSWORD).status_code == 302
    finally:
        restarted.stop()
