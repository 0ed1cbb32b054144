"""The meeting-room Wi-Fi drops, in real Chromium against a real server: a phone and the
projector go offline at different times while another phone goes on posting. Whether or
not a browser's offline mode cuts an open websocket (Playwright's did not in some
versions), the pages end their sockets on the offline event and come back on the online
one. Once both are back, the phone and the screen show the same posts, each once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import test_browser
from test_browser import PHONE, join, on_screen, own_post, post

browser, contexts, meeting, screen = (
    test_browser.browser,
    test_browser.contexts,
    test_browser.meeting,
    test_browser.screen,
)
pytestmark = [pytest.mark.browser, pytest.mark.server]


def _shown_on_phone(phone: Page) -> list[str]:
    own = phone.get_by_test_id("own-contribution").locator(".text").all_inner_texts()
    others = phone.get_by_test_id("others-contribution").locator(".text").all_inner_texts()
    return sorted(own + others)


def _shown_on_screen(page: Page) -> list[str]:
    return sorted(page.get_by_test_id("contribution").locator(".text").all_inner_texts())


def test_a_phone_and_the_screen_offline_at_different_times_end_with_the_same_posts(
    meeting, screen, contexts
):
    join_url = f"{meeting['url']}/j/{meeting['join_code']}"
    anna_context, bo_context = contexts(**PHONE), contexts(**PHONE)
    anna, bo = anna_context.new_page(), bo_context.new_page()
    join(anna, join_url, "Anna", "FK")
    join(bo, join_url, "Bo", "AF")
    post(bo, "Inlägg B1: före avbrottet", None)
    expect(on_screen(screen, "Inlägg B1")).to_be_visible()

    screen.context.set_offline(True)
    expect(screen.get_by_test_id("connection")).to_be_visible()
    post(bo, "Inlägg B2: skärmen borta", "meaning")
    expect(own_post(bo, "Inlägg B2")).to_contain_text("Levererat")
    anna_context.set_offline(True)
    expect(anna.get_by_test_id("connection")).to_be_visible()
    post(anna, "Inlägg A1: skrivet utan nät", "value")
    expect(own_post(anna, "Inlägg A1")).to_be_visible()
    post(bo, "Inlägg B3: båda borta", None)
    expect(own_post(bo, "Inlägg B3")).to_contain_text("Levererat")

    # Cut off, the screen has not seen them.
    assert (
        on_screen(screen, "Inlägg B2").count() == 0 and on_screen(screen, "Inlägg B3").count() == 0
    )
    screen.context.set_offline(False)
    expect(on_screen(screen, "Inlägg B3")).to_be_visible()
    expect(screen.get_by_test_id("connection")).to_be_hidden()
    post(bo, "Inlägg B4: skärmen tillbaka", None)
    anna_context.set_offline(False)
    expect(on_screen(screen, "Inlägg A1")).to_be_visible()
    expect(own_post(anna, "Inlägg A1")).to_contain_text("Levererat")

    everything = sorted(
        [
            "Inlägg A1: skrivet utan nät",
            "Inlägg B1: före avbrottet",
            "Inlägg B2: skärmen borta",
            "Inlägg B3: båda borta",
            "Inlägg B4: skärmen tillbaka",
        ]
    )
    expect(anna.get_by_test_id("others-contribution")).to_have_count(4)
    expect(screen.get_by_test_id("contribution")).to_have_count(5)
    assert _shown_on_screen(screen) == everything
    assert _shown_on_phone(anna) == everything
