"""Approving (justering) a closed meeting's minutes from the console, in a real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import test_browser
from test_browser import Api, log_in

browser, contexts = test_browser.browser, test_browser.contexts
pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_the_facilitator_approves_the_minutes_in_the_console_and_the_version_is_listed(
    server, contexts
):
    api = Api(server)
    meeting = api.meeting({"name": "Basgrupp Motala"}, start=True)
    page = contexts(viewport={"width": 1366, "height": 768}).new_page()
    log_in(page, server[0].url)
    page.goto(f"{server[0].url}/meetings/{meeting['id']}")
    # While the meeting runs there is nothing to approve.
    expect(page.get_by_test_id("minutes-approval")).to_be_hidden()
    api.send("POST", f"/meetings/{meeting['id']}/close")
    page.reload()
    approval = page.get_by_test_id("minutes-approval")
    expect(approval).to_be_visible()
    expect(approval.get_by_test_id("minutes-not-approved")).to_be_visible()
    page.get_by_test_id("adjuster-1").fill("Anna <b>Berg</b>")
    page.get_by_test_id("adjuster-2").fill("Bo Ek")
    page.get_by_test_id("approve-minutes").click()
    version = page.get_by_test_id("minutes-version")
    expect(version).to_have_count(1)
    expect(version).to_contain_text("Version 1 (justerad")
    expect(version).to_contain_text("Anna <b>Berg</b>, Bo Ek")  # a name is text, never markup
    versions = api.get(f"/meetings/{meeting['id']}/minutes/versions")
    assert [v["version"] for v in versions] == [1] and versions[0]["approved_at"]
