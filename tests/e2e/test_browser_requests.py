"""The console says why the server refused a command, and the projector shows what the server
decides about duplicates and agenda steps. A real Chromium against a real server, with the
fixtures and helpers of test_browser.py (Debian's Chromium, never `playwright install`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import test_browser
from test_browser import CONSENT, LAPTOP, PROJECTOR, Api, join, log_in, on_screen, own_post, post

# test_browser's fixtures, made known to pytest in this module too.
browser, contexts, new_phone = test_browser.browser, test_browser.contexts, test_browser.new_phone
pytestmark = [pytest.mark.browser, pytest.mark.server]

NO_ANSWER = "Servern svarade inte. Kontrollera anslutningen och försök igen."


def posted(phone: Page, texts: list[str]) -> None:
    """Posts one after the other, each delivered before the next, so their numbers follow."""
    for text in texts:
        post(phone, text, "meaning")
        expect(own_post(phone, text).get_by_test_id("delivered")).to_be_visible()


def open_page(contexts, url: str, path: str, **options) -> Page:
    page = contexts(**options).new_page()
    log_in(page, url)
    page.goto(url + path)
    return page


def test_a_refused_merge_is_shown_in_the_console(server, contexts, new_phone):
    process, _ = server
    meeting = Api(server).meeting(
        {"name": "Basgrupp Norrköping", "consent_text": CONSENT}, start=True
    )
    phone = new_phone()
    join(phone, meeting["join_url"], "Anna", "FK")
    first, second, third = "Vad är SGI?", "Vad betyder SGI?", "Hur räknas SGI ut?"
    posted(phone, [first, second, third])
    console = open_page(contexts, process.url, f"/meetings/{meeting['id']}", **LAPTOP)

    def item(text: str):
        return console.get_by_test_id("contribution").filter(has_text=text)

    def merge(text: str, into: str) -> None:
        more = item(text).get_by_test_id("more")  # merging is under the post's "More"
        if more.get_attribute("aria-expanded") != "true":
            more.click()
        item(text).get_by_test_id("merge-into").fill(into)
        item(text).get_by_test_id("merge").click()

    merge(first, "2")
    expect(item(first).get_by_test_id("merged-note")).to_have_text("Dubblett av #2")
    # #1 is now a duplicate itself: the server refuses, and the console says why.
    merge(third, "1")
    refusal = item(third).get_by_test_id("item-error")
    expect(refusal).to_have_text(
        "Det inlägget är redan en dubblett av ett annat; slå ihop med det i stället."
    )
    merge(third, "3")
    expect(refusal).to_have_text("Ett inlägg kan inte slås ihop med sig självt.")
    merge(third, "9")
    expect(refusal).to_have_text("Det finns inget sådant inlägg i det här mötet.")
    # A merge the server accepts clears the refusal.
    merge(third, "2")
    expect(item(third).get_by_test_id("merged-note")).to_have_text("Dubblett av #2")
    expect(refusal).to_be_hidden()


def test_a_screen_switch_and_a_pin_the_server_never_answers_are_said_and_undone(
    server, contexts, new_phone
):
    process, _ = server
    meeting = Api(server).meeting({"name": "Basgrupp Motala", "consent_text": CONSENT}, start=True)
    phone = new_phone()
    join(phone, meeting["join_url"], "Bo", "AF")
    posted(phone, ["Vem äger frågan?"])
    console = contexts(**LAPTOP).new_page()
    console.clock.install()  # so that the ten seconds without an answer pass at once
    log_in(console, process.url)
    console.goto(f"{process.url}/meetings/{meeting['id']}")
    item = console.get_by_test_id("contribution").filter(has_text="Vem äger frågan?")
    expect(item).to_be_visible()

    process.kill()
    expect(console.get_by_test_id("connection")).to_be_visible()
    console.get_by_test_id("tab-screen").click()
    console.get_by_test_id("screen-hide-all").check()
    item.get_by_test_id("pin-toggle").click()
    console.clock.run_for(11_000)
    expect(console.get_by_test_id("screen-error")).to_have_text(NO_ANSWER)
    expect(console.get_by_test_id("screen-hide-all")).not_to_be_checked()
    expect(item.get_by_test_id("item-error")).to_have_text(NO_ANSWER)
    expect(console.get_by_test_id("pinned-note")).to_be_hidden()


def test_the_screen_folds_a_duplicate_only_while_the_post_it_joined_shows(
    server, contexts, new_phone
):
    process, _ = server
    api = Api(server)
    meeting = api.meeting({"name": "Basgrupp Kalmar", "consent_text": CONSENT}, start=True)
    phone = new_phone()
    join(phone, meeting["join_url"], "Cecilia", "Psyk")
    original, duplicate = "Vad innebär dag 180?", "Vad händer vid dag 180?"
    post(phone, original, "meaning")
    post(phone, duplicate, "value")
    screen = open_page(contexts, process.url, f"/meetings/{meeting['id']}/screen", **PROJECTOR)
    expect(screen.get_by_test_id("contribution")).to_have_count(2)
    ids = {c["text"]: c["id"] for c in api.get(f"/meetings/{meeting['id']}/contributions")}
    path = f"/meetings/{meeting['id']}/contributions"

    api.send("POST", f"{path}/{ids[duplicate]}/merge", {"into": ids[original]})
    expect(on_screen(screen, duplicate)).to_be_hidden()
    expect(on_screen(screen, original).get_by_test_id("duplicates")).to_have_text("+1")
    expect(screen.get_by_test_id("qtype-count-value")).to_have_text("0")

    # Once the post it joined is hidden, the duplicate stands on its own.
    api.send("PATCH", f"{path}/{ids[original]}", {"hidden": True})
    expect(on_screen(screen, original)).to_be_hidden()
    expect(on_screen(screen, duplicate)).to_be_visible()
    expect(on_screen(screen, duplicate).get_by_test_id("duplicates")).to_have_count(0)
    expect(screen.get_by_test_id("qtype-count-value")).to_have_text("1")

    api.send("PATCH", f"{path}/{ids[original]}", {"hidden": False})
    expect(on_screen(screen, duplicate)).to_be_hidden()
    expect(on_screen(screen, original).get_by_test_id("duplicates")).to_have_text("+1")
    # A reload shows the same, from the server's state alone.
    screen.reload()
    expect(on_screen(screen, original)).to_be_visible()
    expect(on_screen(screen, duplicate)).to_be_hidden()
    expect(on_screen(screen, original).get_by_test_id("duplicates")).to_have_text("+1")


def test_the_screen_shows_the_starting_point_and_earlier_questions_in_the_steps_that_show_them(
    server, contexts
):
    process, _ = server
    api = Api(server)
    earlier = api.meeting({"name": "Basgrupp Umeå", "consent_text": CONSENT}, start=True)
    api.send("POST", f"/meetings/{earlier['id']}/questions", {"text": "Vem betalar?"})
    api.send("POST", f"/meetings/{earlier['id']}/close")
    meeting = api.send("POST", f"/groups/{earlier['group_id']}/meetings", {"agenda": "pbl-cycle"})
    api.send("POST", f"/meetings/{meeting['id']}/start")
    starting_point = {"text": "Fallet Eva: sjukskriven i 180 dagar."}
    api.send("PUT", f"/meetings/{meeting['id']}/starting-point", starting_point)
    screen = open_page(contexts, process.url, f"/meetings/{meeting['id']}/screen", **PROJECTOR)
    agenda = f"/meetings/{meeting['id']}/agenda"
    expect(screen.get_by_test_id("carried-questions")).to_be_hidden()

    api.send("POST", agenda, {"action": "start"})  # report back
    expect(screen.get_by_test_id("carried-question")).to_have_text(["Vem betalar?"])
    expect(screen.get_by_test_id("starting-point")).to_be_hidden()
    api.send("POST", agenda, {"action": "next"})  # the starting point
    expect(screen.get_by_test_id("starting-point-text")).to_contain_text("Fallet Eva")
    expect(screen.get_by_test_id("carried-questions")).to_be_hidden()
    api.send("POST", agenda, {"action": "next"})
    expect(screen.get_by_test_id("starting-point")).to_be_hidden()
    expect(screen.get_by_test_id("carried-questions")).to_be_hidden()
