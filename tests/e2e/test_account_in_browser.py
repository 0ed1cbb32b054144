"""The account page in a real Chromium against a real server: an API token is made, shown
once and revoked; a password change ends the facilitator's other login, whose open console
loses its connection. The fixtures and helpers are test_browser.py's."""

from __future__ import annotations

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

import test_browser
from test_browser import ARTIFACTS, LAPTOP, Api, log_in

browser, contexts = test_browser.browser, test_browser.contexts
pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_a_token_is_made_and_revoked_and_a_password_change_ends_the_other_login(server, contexts):
    process, _ = server
    meeting = Api(server).meeting({"name": "Basgrupp Motala"}, start=True)
    elsewhere = contexts(**LAPTOP).new_page()
    log_in(elsewhere, process.url)
    elsewhere.goto(f"{process.url}/meetings/{meeting['id']}")
    expect(elsewhere.get_by_test_id("connection")).to_be_hidden()

    page = contexts(**LAPTOP).new_page()
    log_in(page, process.url)
    page.get_by_test_id("account-link").click()
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations] == []  # axe-core finds nothing on the page
    page.get_by_label("Namn på en ny nyckel").fill("R-skript")
    page.get_by_test_id("create-token").click()
    token = page.get_by_test_id("new-token").inner_text()
    api = f"{process.url}/api/v1/groups"
    assert requests.get(api, headers={"Authorization": f"Bearer {token}"}, timeout=5).ok
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "screenshots" / "account-1366x900-new-token.png"
    page.screenshot(path=str(shot), full_page=True)

    page.goto(f"{process.url}/account")
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown only once
    row = page.get_by_test_id("token-row").filter(has_text="R-skript")
    row.get_by_test_id("revoke-token").click()
    expect(page.locator(".flash")).to_contain_text("återkallad")
    expect(page.get_by_test_id("token-row").filter(has_text="R-skript")).to_have_count(0)
    refused = requests.get(api, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert refused.status_code == 401

    page.get_by_label("Nuvarande lösenord").fill(test_browser.PASSWORD)
    page.get_by_label("Nytt lösenord", exact=True).fill("tre gröna stolar i snön")
    page.get_by_label("Upprepa det nya lösenordet").fill("tre gröna stolar i snön")
    page.get_by_test_id("change-password").click()
    expect(page.locator(".flash")).to_contain_text("utloggad överallt annars")

    expect(elsewhere.get_by_test_id("connection")).to_be_visible()  # its socket has ended
    elsewhere.goto(f"{process.url}/groups")
    expect(elsewhere.locator("input[name=password]")).to_be_visible()  # back to the login
