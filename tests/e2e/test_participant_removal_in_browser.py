"""Removing a participant in real Chromium against a real server: the facilitator removes a
post's author from the console on a laptop, the phone says so at once and stops, a reload
does not bring it back, and "Let back in" lets the same person join again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import test_browser
from test_browser import ARTIFACTS, LAPTOP, join, log_in, own_post, post

browser, contexts, meeting, new_phone = (
    test_browser.browser,
    test_browser.contexts,
    test_browser.meeting,
    test_browser.new_phone,
)
pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_the_facilitator_removes_a_flooders_phone_and_later_lets_them_back_in(
    server, meeting, contexts, new_phone
):
    process, _ = server
    join_url = f"{meeting['url']}/j/{meeting['join_code']}"
    phone = new_phone()
    join(phone, join_url, "Olle", "FK")
    post(phone, "spam spam spam", None)
    expect(own_post(phone, "spam spam spam")).to_be_visible()

    console = contexts(**LAPTOP).new_page()
    log_in(console, process.url)
    console.goto(f"{meeting['url']}/meetings/{meeting['id']}")
    card = console.get_by_test_id("contribution").filter(has_text="spam spam spam")
    card.get_by_test_id("more").click()
    console.once("dialog", lambda dialog: dialog.accept())
    card.get_by_test_id("remove-participant").click()

    removed = console.get_by_test_id("removed-participants")
    expect(removed).to_be_visible()
    expect(removed).to_contain_text("Olle")
    expect(phone.get_by_test_id("connection")).to_have_text(
        "Handledaren har tagit bort dig från det här mötet."
    )
    expect(phone.locator("#post")).to_be_hidden()
    ARTIFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "screenshots" / "phone-390x844-removed.png"))
    console.screenshot(path=str(ARTIFACTS / "screenshots" / "console-1366x900-removed.png"))
    # A reload leads to the join form, and joining again is refused with the reason.
    phone.reload()
    phone.get_by_test_id("consent").check()
    phone.get_by_test_id("join").click()
    expect(phone.get_by_test_id("error")).to_have_text(
        "Handledaren har tagit bort dig från det här mötet."
    )

    removed.get_by_test_id("readmit").click()
    expect(removed).to_be_hidden()
    join(phone, join_url, "Olle", "FK")
    post(phone, "Förlåt, nu en riktig fråga", "meaning")
    expect(
        console.get_by_test_id("contribution").filter(has_text="Förlåt, nu en riktig fråga")
    ).to_be_visible()
