"""Research access in a real Chromium against a real server: the owner gives a researcher
access on the group page, the researcher finds the group and downloads its log, the owner
sees that in the audit log and revokes the access. The fixtures and helpers are
test_browser.py's (Debian's Chromium, never `playwright install`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import test_browser
from helpers import PASSWORD, new_user_token
from test_browser import ARTIFACTS, LAPTOP, Api, log_in

# test_browser's fixtures, made known to pytest in this module too.
browser, contexts = test_browser.browser, test_browser.contexts
pytestmark = [pytest.mark.browser, pytest.mark.server]


def log_in_as(page: Page, url: str, name: str) -> None:
    page.goto(url + "/")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_the_owner_gives_and_takes_back_a_researchers_access_on_the_group_page(
    server, contexts, tmp_path
):
    process, _ = server
    new_user_token(tmp_path / "server-data", "Rut Forskare", role="researcher")
    meeting = Api(server).meeting({"name": "Basgrupp Motala"}, start=True)
    group_url = f"{process.url}/groups/{meeting['group_id']}"

    owner = contexts(**LAPTOP).new_page()
    log_in(owner, process.url)
    owner.goto(group_url)
    owner.get_by_test_id("grant-username").fill("Rut Forskare")
    owner.get_by_test_id("grant-submit").click()
    expect(owner.get_by_test_id("grant")).to_contain_text("Rut Forskare")
    expect(owner.locator(".flash")).to_contain_text("Rut Forskare")

    researcher = contexts(**LAPTOP).new_page()
    log_in_as(researcher, process.url, "Rut Forskare")
    researcher.goto(process.url + "/groups")
    expect(researcher.get_by_test_id("research-intro")).to_be_visible()
    researcher.get_by_role("link", name="Basgrupp Motala").click()
    expect(researcher.get_by_test_id("downloads")).to_be_visible()
    expect(researcher.get_by_test_id("grant-form")).to_have_count(0)
    expect(researcher.get_by_test_id("audit")).to_have_count(0)
    link = researcher.get_by_test_id("downloads").get_by_role("link", name="log.csv").first
    answer = researcher.request.get(process.url + link.get_attribute("href"))
    assert answer.status == 200 and answer.text().startswith("group_id,")
    ARTIFACTS.mkdir(exist_ok=True)
    researcher.screenshot(path=str(ARTIFACTS / "research-group-page.png"), full_page=True)

    owner.reload()
    entries = owner.get_by_test_id("audit-entry")
    expect(entries.first).to_contain_text("Rut Forskare")
    expect(entries.first).to_contain_text("log.csv")
    owner.screenshot(path=str(ARTIFACTS / "owner-audit-log.png"), full_page=True)
    owner.get_by_test_id("revoke").click()
    expect(owner.get_by_test_id("grant")).to_have_count(0)
    expect(owner.get_by_test_id("audit-entry")).to_have_count(3)

    researcher.goto(group_url)
    expect(researcher.get_by_test_id("error-page")).to_be_visible()
