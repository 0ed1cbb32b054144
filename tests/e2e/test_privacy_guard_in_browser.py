"""The privacy guard and pre-moderation in a real Chromium against a real server: a phone
that types a personnummer is warned before sending, edits it away and sends; a post sent
anyway is masked on the projector until the facilitator marks it checked in the console;
with pre-moderation on, the projector shows a post only once the facilitator approves it
from the queue (a key each for approve and reject). Screenshots at phone, laptop and
projector sizes go to test-artifacts/screenshots."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

import test_browser
from test_browser import (
    ARTIFACTS,
    LAPTOP,
    PROJECTOR,
    Api,
    connected,
    join,
    log_in,
    on_screen,
    own_post,
    post,
)

browser, contexts, new_phone = test_browser.browser, test_browser.contexts, test_browser.new_phone
pytestmark = [pytest.mark.browser, pytest.mark.server]


# The phone waits for the guard's answer however busy the machine: the warning is what
# these tests look at.
@pytest.fixture
def server_env() -> dict[str, str]:
    return test_browser.PATIENT_PRIVACY_CHECK


PERSONNUMMER = "811218-9876"
MASK = "••••"


def room(server, contexts, new_phone, *, name="Anna"):
    """A live meeting with its console (laptop), its projector screen and one phone."""
    api = Api(server)
    meeting = api.meeting({"name": "Basgrupp Motala", "consent_text": "Jag samtycker."}, start=True)
    url = server[0].url
    console = contexts(**LAPTOP).new_page()
    log_in(console, url)
    console.goto(f"{url}/meetings/{meeting['id']}")
    screen = contexts(**PROJECTOR).new_page()
    log_in(screen, url)
    screen.goto(f"{url}/meetings/{meeting['id']}/screen")
    phone: Page = new_phone()
    join(phone, f"{url}/j/{meeting['join_code']}", name, "FK")
    connected(phone)
    return api, meeting, console, screen, phone


def test_a_phone_is_warned_of_a_personnummer_edits_it_away_and_sends(server, contexts, new_phone):
    api, meeting, _console, screen, phone = room(server, contexts, new_phone)
    text = f"Klienten med personnummer {PERSONNUMMER} fick avslag."
    post(phone, text, "meaning")
    warning = phone.get_by_test_id("privacy-warning")
    expect(warning).to_be_visible()
    expect(warning.get_by_test_id("privacy-found")).to_have_text(
        "Det här ser ut som ett personnummer"
    )
    expect(warning.locator("mark")).to_have_text(PERSONNUMMER)
    expect(warning.get_by_test_id("privacy-edit")).to_have_text("Ändra")
    expect(warning.get_by_test_id("privacy-send-anyway")).to_have_text("Skicka ändå")
    phone.screenshot(path=str(ARTIFACTS / "phone-privacy-warning.png"), full_page=True)
    # Nothing went: the text is still in the box, and the server has no post.
    expect(phone.get_by_test_id("text")).to_have_value(text)
    assert api.get(f"/meetings/{meeting['id']}/contributions") == []

    warning.get_by_test_id("privacy-edit").click()
    expect(warning).to_be_hidden()
    # The finding is selected in the text box: typing replaces it.
    selected = phone.evaluate(
        "() => { const t = document.getElementById('text');"
        " return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert selected == PERSONNUMMER
    phone.keyboard.type("(numret borttaget)")
    phone.get_by_test_id("send").click()
    edited = "Klienten med personnummer (numret borttaget) fick avslag."
    expect(own_post(phone, edited).get_by_test_id("delivered")).to_be_visible()
    expect(on_screen(screen, edited)).to_be_visible()
    [stored] = api.get(f"/meetings/{meeting['id']}/contributions")
    assert stored["text"] == edited and stored["flags"] == []


def test_a_post_sent_anyway_is_masked_on_the_projector_until_the_facilitator_checks_it(
    server, contexts, new_phone
):
    api, meeting, console, screen, phone = room(server, contexts, new_phone)
    text = f"Ring handläggaren på 070-123 45 67 om {PERSONNUMMER}."
    post(phone, text, "solution")
    warning = phone.get_by_test_id("privacy-warning")
    # Each kind once, in the order they come in the text.
    expect(warning.get_by_test_id("privacy-found")).to_have_text(
        "Det här ser ut som ett telefonnummer. Det här ser ut som ett personnummer"
    )
    warning.get_by_test_id("privacy-send-anyway").click()
    # The author's own phone keeps the words; the room sees them masked.
    expect(own_post(phone, text).get_by_test_id("delivered")).to_be_visible()
    masked = f"Ring handläggaren på {MASK} om {MASK}."
    expect(on_screen(screen, masked)).to_be_visible()
    assert PERSONNUMMER not in screen.content()
    item = console.get_by_test_id("contribution").filter(has_text="Ring handläggaren")
    expect(item.get_by_test_id("flag-badges")).to_contain_text("personnummer?")
    expect(item.locator(".text mark").first).to_have_text("070-123 45 67")
    screen.screenshot(path=str(ARTIFACTS / "projector-privacy-masked.png"))
    console.screenshot(path=str(ARTIFACTS / "console-privacy-flagged.png"))
    item.get_by_test_id("clear-flags").click()
    expect(item.get_by_test_id("flag-tools")).to_be_hidden()
    expect(on_screen(screen, text)).to_be_visible()
    [stored] = api.get(f"/meetings/{meeting['id']}/contributions")
    assert stored["flags"] == ["personnummer", "phone"] and stored["flags_cleared"] is True


def test_the_owner_redacts_only_the_flagged_part_with_one_click(server, contexts, new_phone):
    api, meeting, console, screen, phone = room(server, contexts, new_phone)
    post(phone, "Mejla kalle.karlsson@example.se om beslutet", "value")
    phone.get_by_test_id("privacy-send-anyway").click()
    item = console.get_by_test_id("contribution").filter(has_text="om beslutet")
    item.get_by_test_id("redact-flagged").click()
    expect(item.locator(".text")).to_have_text("Mejla [maskerat] om beslutet")
    expect(item.get_by_test_id("flag-badges")).to_be_hidden()
    expect(on_screen(screen, "Mejla [maskerat] om beslutet")).to_be_visible()


def test_with_premoderation_the_projector_shows_a_post_only_once_approved(
    server, contexts, new_phone
):
    api, meeting, console, screen, phone = room(server, contexts, new_phone)
    console.get_by_test_id("premoderation-toggle").check()
    queue = console.get_by_test_id("pending-queue")
    expect(queue).to_be_visible()
    expect(queue.get_by_test_id("pending-empty")).to_be_visible()
    for text in ("Första frågan", "Andra frågan", "Tredje frågan", "Fjärde frågan"):
        post(phone, text, "meaning")
        expect(own_post(phone, text).get_by_test_id("own-moderation")).to_have_text(
            "Väntar på godkännande"
        )
    waiting = queue.get_by_test_id("pending-contribution")
    expect(waiting).to_have_count(4)
    expect(screen.get_by_test_id("contribution")).to_have_count(0)
    console.screenshot(path=str(ARTIFACTS / "console-premoderation-queue.png"))
    phone.screenshot(path=str(ARTIFACTS / "phone-premoderation-waiting.png"), full_page=True)

    # a approves the post in focus, r rejects the next; the focus moves on by itself.
    waiting.first.focus()
    console.keyboard.press("a")
    expect(on_screen(screen, "Första frågan")).to_be_visible()
    expect(waiting).to_have_count(3)
    console.keyboard.press("r")
    expect(waiting).to_have_count(2)
    rejected = console.get_by_test_id("contribution").filter(has_text="Andra frågan")
    expect(rejected.get_by_test_id("rejected-badge")).to_be_visible()
    expect(own_post(phone, "Andra frågan").get_by_test_id("own-moderation")).to_have_text(
        "Visas inte: handledaren godkände det inte"
    )
    # Several at once: the last two.
    queue.get_by_test_id("approve-all").click()
    expect(waiting).to_have_count(0)
    expect(on_screen(screen, "Fjärde frågan")).to_be_visible()
    expect(on_screen(screen, "Andra frågan")).to_have_count(0)
    expect(own_post(phone, "Första frågan").get_by_test_id("own-moderation")).to_be_hidden()
    # The counts follow (a burst's last state comes within a quarter of a second).
    expect(screen.get_by_test_id("qtype-count-meaning")).to_have_text("3")
    screen.screenshot(path=str(ARTIFACTS / "projector-premoderation-approved.png"))

    # A reload of the projector replays only the approved posts.
    screen.reload()
    expect(on_screen(screen, "Tredje frågan")).to_be_visible()
    expect(screen.get_by_test_id("contribution")).to_have_count(3)
    statuses = {c["text"]: c["status"] for c in api.get(f"/meetings/{meeting['id']}/contributions")}
    assert statuses == {
        "Första frågan": "visible",
        "Andra frågan": "rejected",
        "Tredje frågan": "visible",
        "Fjärde frågan": "visible",
    }


def test_the_warning_and_the_queue_have_no_accessibility_violations(server, contexts, new_phone):
    axe = Axe()

    def violations(page: Page) -> list[str]:
        found = axe.run(page).response["violations"]
        return [f"{v['id']}: {node['target']}" for v in found for node in v["nodes"]]

    _api, _meeting, console, _screen, phone = room(server, contexts, new_phone)
    console.get_by_test_id("premoderation-toggle").check()
    post(phone, f"Personnummer {PERSONNUMMER}", "value")
    expect(phone.get_by_test_id("privacy-warning")).to_be_visible()
    assert violations(phone) == []
    phone.get_by_test_id("privacy-send-anyway").click()
    queued = console.get_by_test_id("pending-contribution")
    expect(queued.get_by_test_id("flag-badges")).to_contain_text("personnummer?")
    assert violations(console) == []
    # Approved, it joins the list with its badge and the guard's buttons.
    queued.get_by_test_id("approve").click()
    item = console.get_by_test_id("contribution").filter(has_text="Personnummer")
    expect(item.get_by_test_id("flag-tools")).to_be_visible()
    assert violations(console) == []


def test_on_a_small_phone_the_warnings_buttons_are_not_under_the_send_bar(server, contexts):
    api = Api(server)
    meeting = api.meeting({"name": "Basgrupp Motala", "consent_text": "Jag samtycker."}, start=True)
    phone = contexts(viewport={"width": 320, "height": 568}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    join(page, f"{server[0].url}/j/{meeting['join_code']}", "Anna", "FK")
    connected(page)
    post(page, f"Klienten {PERSONNUMMER} ringer på 070-123 45 67", None)
    expect(page.get_by_test_id("privacy-warning")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "phone-320-privacy-warning.png"))
    for testid in ("privacy-edit", "privacy-send-anyway"):
        # What a tap on the button's middle would reach: the button itself, nothing on top.
        reached = page.get_by_test_id(testid).evaluate(
            """(button) => { const box = button.getBoundingClientRect();
                 const top = document.elementFromPoint(box.x + box.width / 2,
                                                       box.y + box.height / 2);
                 return top === button || button.contains(top); }"""
        )
        assert reached, testid
