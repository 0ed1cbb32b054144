"""Notes under each agenda item, written in the console's Agenda tab on a 1366×768 laptop
in a real Chromium against a real server: the box follows the current step, saves by itself,
keeps each step's notes apart, survives a reload and the close, and reaches the minutes."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

import test_browser
from test_browser import ARTIFACTS, CONSENT, Api, log_in

browser, contexts = test_browser.browser, test_browser.contexts
pytestmark = [pytest.mark.browser, pytest.mark.server]

LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def _type_notes(page: Page, text: str) -> None:
    box = page.get_by_test_id("notes-text")
    box.fill(text)
    # Saved a moment after typing stops.
    expect(page.get_by_test_id("notes-saved")).to_contain_text("Sparat")


def test_the_facilitator_writes_notes_per_item_and_they_reach_the_minutes(server, contexts):
    process, _ = server
    api = Api(server)
    meeting = api.meeting(
        {"name": "Basgrupp Norrköping", "consent_text": CONSENT},
        {"title": "Fallet Eva", "agenda": "pbl-cycle"},
        start=True,
    )
    mid = meeting["id"]
    page = contexts(**LAPTOP).new_page()
    log_in(page, process.url)
    page.goto(f"{process.url}/meetings/{mid}")
    steps = api.get(f"/meetings/{mid}/agenda")["steps"]

    page.get_by_test_id("agenda-start").click()
    select = page.get_by_test_id("notes-step")
    expect(select).to_have_value(str(steps[0]["id"]))
    _type_notes(page, "Vi gick igenom frågorna från förra mötet.\n- AF svarar om dag 180")
    # Next step: the box follows it, empty.
    page.get_by_test_id("agenda-next").click()
    expect(select).to_have_value(str(steps[1]["id"]))
    expect(page.get_by_test_id("notes-text")).to_have_value("")
    _type_notes(page, "Eva, 45 år, sjukskriven sedan ett år.")
    # The first step's notes are still there when chosen again, and after a reload.
    select.select_option(str(steps[0]["id"]))
    expect(page.get_by_test_id("notes-text")).to_have_value(
        "Vi gick igenom frågorna från förra mötet.\n- AF svarar om dag 180"
    )
    page.reload()
    expect(select).to_have_value(str(steps[1]["id"]))
    expect(page.get_by_test_id("notes-text")).to_have_value("Eva, 45 år, sjukskriven sedan ett år.")
    ARTIFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("item-notes").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "console-1366x768-item-notes.png"))

    # After the close the notes can still be written up.
    api.send("POST", f"/meetings/{mid}/close")
    expect(page.get_by_test_id("meeting-status")).to_have_text("Avslutat")
    expect(page.get_by_test_id("notes-text")).to_be_enabled()
    page.get_by_test_id("notes-text").fill("Eva, 45 år, sjukskriven sedan ett år. Tillagt efteråt.")
    page.get_by_test_id("notes-text").blur()
    expect(page.get_by_test_id("notes-saved")).to_contain_text("Sparat")

    minutes = requests.get(
        f"{api.base}/meetings/{mid}/minutes.md", headers=api.headers, timeout=10
    ).text
    first = minutes.index("Vi gick igenom frågorna från förra mötet.")
    assert minutes.index("* AF svarar om dag 180") > first
    assert "Tillagt efteråt." in minutes
