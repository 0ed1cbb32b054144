"""Consent, withdrawal and redaction in a real Chromium against a real server: a phone is
asked again after the consent text changed and its waiting post goes once it consents; a
phone withdraws after "are you sure?"; the owner redacts a post from the console. The
fixtures and helpers are test_browser.py's (Debian's Chromium, never `playwright install`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import test_browser
from test_browser import ARTIFACTS, LAPTOP, Api, join, log_in, own_post, post

# test_browser's fixtures, made known to pytest in this module too.
browser, contexts, new_phone = test_browser.browser, test_browser.contexts, test_browser.new_phone
pytestmark = [pytest.mark.browser, pytest.mark.server]

FIRST = "Jag samtycker till att mina inlägg används i forskningen."
SECOND = "Jag samtycker till att mina inlägg och reaktioner används i forskningen, version 2."


def live_meeting(server) -> tuple[Api, dict, str]:
    api = Api(server)
    meeting = api.meeting({"name": "Basgrupp Motala", "consent_text": FIRST}, start=True)
    return api, meeting, server[0].url


def test_a_phone_is_asked_again_after_the_consent_text_changed_and_its_post_waits(
    server, new_phone
):
    api, meeting, url = live_meeting(server)
    phone: Page = new_phone()
    join(phone, f"{url}/j/{meeting['join_code']}", "Anna", "FK")
    expect(phone.get_by_test_id("consent-renew")).to_be_hidden()
    post(phone, "Före ändringen", "meaning")
    expect(own_post(phone, "Före ändringen").get_by_test_id("delivered")).to_be_visible()
    api.send("PATCH", f"/groups/{meeting['group_id']}", {"consent_text": SECOND})

    post(phone, "Efter ändringen", "value")
    # The refusal brings the new text; the post waits on the phone meanwhile.
    panel = phone.get_by_test_id("consent-renew")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("consent-text")).to_have_text(SECOND)
    expect(own_post(phone, "Efter ändringen")).to_contain_text("Väntar")
    assert [c["text"] for c in api.get(f"/meetings/{meeting['id']}/contributions")] == [
        "Före ändringen"
    ]
    phone.screenshot(path=str(ARTIFACTS / "phone-consent-again.png"), full_page=True)
    panel.get_by_test_id("consent-again").check()
    panel.get_by_test_id("consent-submit").click()
    expect(phone.get_by_test_id("consent-renew")).to_be_hidden()
    expect(own_post(phone, "Efter ändringen").get_by_test_id("delivered")).to_be_visible()
    texts = [c["text"] for c in api.get(f"/meetings/{meeting['id']}/contributions")]
    assert texts == ["Före ändringen", "Efter ändringen"]


def test_a_phone_withdraws_only_after_saying_it_is_sure(server, new_phone):
    api, meeting, url = live_meeting(server)
    phone: Page = new_phone()
    join(phone, f"{url}/j/{meeting['join_code']}", "Anna", "FK")
    post(phone, "Mitt inlägg", "meaning")
    expect(own_post(phone, "Mitt inlägg").get_by_test_id("delivered")).to_be_visible()
    confirm = phone.get_by_test_id("withdraw-confirm-form")
    expect(confirm).to_be_hidden()
    phone.get_by_test_id("withdraw").click()
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Är du säker?")
    phone.get_by_test_id("withdraw-cancel").click()
    expect(confirm).to_be_hidden()
    # Cancelled: still taking part.
    assert [c["text"] for c in api.get(f"/meetings/{meeting['id']}/contributions")] == [
        "Mitt inlägg"
    ]
    phone.get_by_test_id("withdraw").click()
    phone.screenshot(path=str(ARTIFACTS / "phone-withdraw-confirm.png"), full_page=True)
    phone.get_by_test_id("withdraw-confirm").click()
    expect(phone.get_by_test_id("withdrawn")).to_have_text("Du har återkallat ditt samtycke")
    assert api.get(f"/groups/{meeting['group_id']}/consents")[0]["pseudonym"] == "P01"
    rows = api.get(f"/meetings/{meeting['id']}/contributions")
    assert [c["text"] for c in rows] == ["[withdrawn]"]


def test_the_owner_redacts_a_post_from_the_console(server, contexts, new_phone):
    api, meeting, url = live_meeting(server)
    phone: Page = new_phone()
    join(phone, f"{url}/j/{meeting['join_code']}", "Anna", "FK")
    console = contexts(**LAPTOP).new_page()
    log_in(console, url)
    console.goto(f"{url}/meetings/{meeting['id']}")
    post(phone, "Klienten Kalle Karlsson, 45 år, sa nej", "meaning")
    item = console.get_by_test_id("contribution").filter(has_text="Kalle Karlsson")
    expect(item).to_be_visible()
    console.once("dialog", lambda dialog: dialog.dismiss())
    item.get_by_test_id("more").click()  # redaction is under the post's "More"
    item.get_by_test_id("redact").click()
    expect(item).to_contain_text("Kalle Karlsson")  # dismissed: nothing happened
    console.once("dialog", lambda dialog: dialog.accept("[namn borttaget], 45 år, sa nej"))
    item.get_by_test_id("redact").click()
    redacted = console.get_by_test_id("contribution").filter(has_text="[namn borttaget]")
    expect(redacted).to_be_visible()
    expect(redacted.locator(".text")).to_have_text("[namn borttaget], 45 år, sa nej")
    rows = api.get(f"/meetings/{meeting['id']}/contributions")
    assert [c["text"] for c in rows] == ["[namn borttaget], 45 år, sa nej"]
    console.reload()
    expect(console.get_by_test_id("contribution").locator(".text")).to_have_text(
        "[namn borttaget], 45 år, sa nej"
    )
