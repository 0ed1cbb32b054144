"""Group development in a real Chromium against a real server: three phones react to each
other's posts and answer the self-evaluation, the facilitator decides the group's phase in
the console, and the projector and the group's page show the counts, the means and the
timeline. The fixtures and helpers are test_browser.py's (Debian's Chromium, never
`playwright install`); screenshots land in test-artifacts/ for a human to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import test_browser
from pblapp.domain.selfeval import SCALE_KEYS
from test_browser import ARTIFACTS, CONSENT, LAPTOP, PROJECTOR, Api, join, log_in, own_post, post

# test_browser's fixtures, made known to pytest in this module too.
browser, contexts, new_phone = test_browser.browser, test_browser.contexts, test_browser.new_phone
pytestmark = [pytest.mark.browser, pytest.mark.server]

PHASES = ("forming", "storming", "norming", "performing", "adjourning")
PHASE_LABELS = {
    "forming": "Orienteringsfas",
    "storming": "Konfliktfas",
    "norming": "Normerande fas",
    "performing": "Utförande fas",
    "adjourning": "Avslutande fas",
}
POSTS = {
    "Anna": "Vem ansvarar för Evas återgång i arbete?",
    "Bo": "Varför tar handläggningen så lång tid?",
    "Cecilia": "Kan vi bjuda in arbetsgivaren nästa gång?",
}


def other_post(phone: Page, text: str):
    return phone.get_by_test_id("others-contribution").filter(has_text=text)


def react(phone: Page, text: str, kind: str) -> None:
    """Taps a reaction and waits until the server has it (the button shows the answer)."""
    button = other_post(phone, text).get_by_test_id(f"react-{kind}")
    pressed = button.get_attribute("aria-pressed") == "true"
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false" if pressed else "true")


def pressed(phone: Page, text: str) -> list[str]:
    """The reactions this phone shows as its own on someone else's post."""
    buttons = other_post(phone, text).locator("button[aria-pressed=true]")
    return [b.get_attribute("data-kind") for b in buttons.all()]


def counts(item) -> dict[str, str]:
    """A post's reaction counts as the console or the screen shows them."""
    return {
        kind: item.locator(f"[data-testid=reaction-counts] [data-kind={kind}] strong").inner_text()
        for kind in ("agree", "disagree", "build_on")
    }


def answer_self_evaluation(phone: Page, values: dict[str, int], change: str) -> None:
    for key, value in values.items():
        phone.get_by_test_id(f"se-{key}-{value}").check()
    phone.get_by_test_id("se-change").fill(change)
    phone.get_by_test_id("se-submit").click()
    expect(phone.get_by_test_id("se-thanks")).to_contain_text("Tack!")


def test_phones_react_and_evaluate_and_the_facilitator_decides_the_phase(
    server, contexts, new_phone
):
    process, _ = server
    api = Api(server)
    meeting = api.meeting(
        {"name": "Basgrupp Linköping", "consent_text": CONSENT, "planned_meetings": 4},
        {"title": "Fallet Eva"},
        start=True,
    )
    group_id = meeting["group_id"]
    ARTIFACTS.mkdir(exist_ok=True)

    # Three real phones join and post.
    phones = {}
    for name, organization in (("Anna", "FK"), ("Bo", "AF"), ("Cecilia", "Psyk")):
        phones[name] = new_phone()
        join(phones[name], meeting["join_url"], name, organization)
    for name, text in POSTS.items():
        post(phones[name], text, "relational" if name == "Anna" else "meaning")
        expect(own_post(phones[name], text).get_by_test_id("delivered")).to_be_visible()
    anna, bo, cecilia = phones["Anna"], phones["Bo"], phones["Cecilia"]

    # Each phone lists the two others' posts, without names and with reaction buttons; its
    # own post stays in its own list, without any.
    for name, phone in phones.items():
        expect(phone.get_by_test_id("others-contribution")).to_have_count(2)
        expect(other_post(phone, POSTS[name])).to_have_count(0)
        expect(own_post(phone, POSTS[name]).get_by_test_id("react-agree")).to_have_count(0)
        for other in ("Anna", "Bo", "Cecilia"):
            if other != name:
                expect(other_post(phone, POSTS[other])).not_to_contain_text(other)

    react(anna, POSTS["Bo"], "agree")
    react(bo, POSTS["Anna"], "disagree")
    react(cecilia, POSTS["Anna"], "build_on")
    react(cecilia, POSTS["Bo"], "agree")
    react(cecilia, POSTS["Bo"], "agree")  # tapped again: taken back
    react(anna, POSTS["Cecilia"], "disagree")
    react(anna, POSTS["Cecilia"], "build_on")  # a new kind replaces the old one
    assert pressed(anna, POSTS["Bo"]) == ["agree"]
    assert pressed(anna, POSTS["Cecilia"]) == ["build_on"]
    assert pressed(cecilia, POSTS["Bo"]) == []
    # The phone learns its own reactions back from the server after a reload; no counts.
    anna.reload()
    expect(other_post(anna, POSTS["Cecilia"]).get_by_test_id("react-build_on")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert pressed(anna, POSTS["Bo"]) == ["agree"]
    expect(anna.get_by_test_id("reaction-counts")).to_have_count(0)
    anna.screenshot(path=str(ARTIFACTS / "phone-reactions.png"), full_page=True)

    # The console counts them per post; the screen shows them once switched on.
    console_context = contexts(**LAPTOP)
    console = console_context.new_page()
    log_in(console, process.url)
    console.goto(f"{process.url}/meetings/{meeting['id']}")

    def in_console(text: str):
        return console.get_by_test_id("contribution").filter(has_text=text)

    expected = {
        "Anna": {"agree": "0", "disagree": "1", "build_on": "1"},
        "Bo": {"agree": "1", "disagree": "0", "build_on": "0"},
        "Cecilia": {"agree": "0", "disagree": "0", "build_on": "1"},
    }
    for name, numbers in expected.items():
        expect(in_console(POSTS[name]).get_by_test_id("reaction-counts")).to_contain_text(
            "Håller med"
        )
        assert counts(in_console(POSTS[name])) == numbers, name

    screen = contexts(**PROJECTOR).new_page()
    log_in(screen, process.url)
    screen.goto(f"{process.url}/meetings/{meeting['id']}/screen")

    def on_screen(text: str):
        return screen.get_by_test_id("contribution").filter(has_text=text)

    expect(on_screen(POSTS["Anna"])).to_be_visible()
    expect(on_screen(POSTS["Anna"]).get_by_test_id("reaction-counts")).to_be_hidden()
    console.get_by_test_id("tab-screen").click()
    console.get_by_test_id("screen-show-reactions").check()
    expect(on_screen(POSTS["Anna"]).get_by_test_id("reaction-counts")).to_be_visible()
    for name, numbers in expected.items():
        assert counts(on_screen(POSTS[name])) == numbers, name
    # A reaction made now reaches the screen and the console live.
    react(bo, POSTS["Cecilia"], "agree")
    expect(on_screen(POSTS["Cecilia"]).locator("[data-kind=agree] strong")).to_have_text("1")
    expect(in_console(POSTS["Cecilia"]).locator("[data-kind=agree] strong")).to_have_text("1")
    screen.screenshot(path=str(ARTIFACTS / "projector-reactions.png"))

    # The self-evaluation: opened in the console, answered on three phones.
    expect(anna.get_by_test_id("self-evaluation")).to_be_hidden()
    console.get_by_test_id("tab-development").click()
    console.get_by_test_id("self-evaluation-open").click()
    expect(console.get_by_test_id("self-evaluation-status")).to_have_text("Öppen på telefonerna")
    expect(console.get_by_test_id("self-evaluation-open")).to_be_hidden()
    for phone in phones.values():
        expect(phone.get_by_test_id("self-evaluation")).to_be_visible()
    # Anna was down among the others' posts: the phone brings it into view.
    expect(anna.locator("#se-title")).to_be_in_viewport()
    expect(screen.get_by_test_id("self-evaluation")).to_contain_text("0 har svarat")
    anna.screenshot(path=str(ARTIFACTS / "phone-self-evaluation.png"))
    anna.screenshot(path=str(ARTIFACTS / "phone-self-evaluation-full.png"), full_page=True)

    answers = {"Anna": 4, "Bo": 5, "Cecilia": 3}
    changes = {
        "Anna": "Fler pauser.",
        "Bo": "Att alla får tala till punkt.",
        "Cecilia": "<b>Tydligare</b> roller",
    }
    for name, value in answers.items():
        answer_self_evaluation(phones[name], dict.fromkeys(SCALE_KEYS, value), changes[name])
        if name == "Bo":  # two answers: still no summary anywhere
            expect(console.get_by_test_id("self-evaluation-n")).to_have_text("2")
            expect(console.get_by_test_id("self-evaluation-too-few")).to_be_visible()
            expect(console.get_by_test_id("self-evaluation-results")).to_be_hidden()
    anna.screenshot(path=str(ARTIFACTS / "phone-self-evaluation-thanks.png"))
    # Anna changes one answer: it replaces her earlier one, and n stays 3.
    anna.get_by_test_id("se-edit").click()
    expect(anna.get_by_test_id("se-safe_to_disagree-4")).to_be_checked()  # filled in again
    anna.get_by_test_id("se-safe_to_disagree-2").check()
    anna.get_by_test_id("se-submit").click()
    expect(anna.get_by_test_id("se-thanks")).to_be_visible()

    expect(console.get_by_test_id("self-evaluation-n")).to_have_text("3")
    expect(console.get_by_test_id("self-evaluation-results")).to_be_visible()

    def mean_in_console(key: str):
        return console.locator(f"tr[data-key={key}] [data-testid=self-evaluation-mean]")

    expect(mean_in_console("safe_to_disagree")).to_have_text("3,3")  # (2 + 5 + 3) / 3
    expect(mean_in_console("roles_clear")).to_have_text("4,0")
    texts = console.get_by_test_id("self-evaluation-texts").locator("li")
    expect(texts).to_have_count(3)
    assert sorted(texts.all_inner_texts()) == sorted(changes.values())
    assert console.get_by_test_id("self-evaluation-texts").locator("b").count() == 0
    expect(console.get_by_test_id("self-evaluation-panel")).not_to_contain_text("Anna")
    expect(screen.get_by_test_id("self-evaluation")).to_contain_text("3 har svarat")
    expect(screen.locator("li[data-key=roles_clear] .se-mean")).to_have_text("4,0")
    screen.screenshot(path=str(ARTIFACTS / "projector-self-evaluation.png"))

    # The phase: the suggestion with its evidence; the facilitator decides another phase.
    # The suggestion of a live meeting follows its record: read it again after the answers.
    phase_panel = console.get_by_test_id("phase")
    suggested = api.get(f"/meetings/{meeting['id']}/phase")["suggested"]
    console.get_by_test_id("phase-refresh").click()
    expect(console.get_by_test_id("phase-suggested")).to_have_text(PHASE_LABELS[suggested])
    expect(console.get_by_test_id("phase-confidence")).to_contain_text("%")
    expect(console.get_by_test_id("phase-select")).to_have_value(suggested)
    chosen = next(key for key in PHASES if key != suggested)
    console.get_by_test_id("tab-screen").click()
    console.get_by_test_id("screen-show-timeline").check()
    timeline = screen.get_by_test_id("timeline")
    expect(timeline).to_be_visible()
    before = timeline.get_attribute("src")
    assert before.startswith(f"/api/v1/groups/{group_id}/timeline.svg?v=")
    expect(screen.get_by_test_id("pinned")).to_be_hidden()

    note = "Många håller inte med varandra, men de bygger vidare på varandras frågor."
    console.get_by_test_id("tab-development").click()
    console.get_by_test_id("phase-select").select_option(chosen)
    console.get_by_test_id("phase-note").fill(note)
    console.get_by_test_id("phase-confirm").click()
    expect(console.get_by_test_id("phase-decided")).to_contain_text(PHASE_LABELS[chosen])
    expect(console.get_by_test_id("phase-decided")).to_contain_text(note)
    stored = api.get(f"/meetings/{meeting['id']}/phase")
    assert (stored["decided"], stored["note"]) == (chosen, note)
    # The screen fetches the timeline again, now with the decision in it.
    expect(timeline).not_to_have_attribute("src", before)
    screen.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=timeline]');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    console.get_by_test_id("phase-refresh").click()
    expect(console.get_by_test_id("phase-select")).to_have_value(chosen)
    expect(console.get_by_test_id("phase-note")).to_have_value(note)
    screen.screenshot(path=str(ARTIFACTS / "projector-timeline.png"))
    phase_panel.screenshot(path=str(ARTIFACTS / "console-phase.png"))
    console.screenshot(path=str(ARTIFACTS / "console-development.png"), full_page=True)
    console.get_by_test_id("self-evaluation-panel").screenshot(
        path=str(ARTIFACTS / "console-self-evaluation.png")
    )

    # The group's page: the decided phase in the table, in the SVG, and the agreement.
    group_page = console_context.new_page()
    group_page.goto(f"{process.url}/groups/{group_id}")
    first_row = group_page.get_by_test_id("timeline-table").locator("tbody tr").first
    expect(first_row.get_by_test_id("timeline-phase")).to_have_text(PHASE_LABELS[chosen])
    expect(group_page.get_by_test_id("timeline-table").locator("tbody tr")).to_have_count(4)
    expect(group_page.get_by_test_id("phase-agreement")).to_have_text(
        "Förslaget och beslutet stämde i 0 av 1 möten."
    )
    src = group_page.get_by_test_id("timeline").get_attribute("src")
    svg = console_context.request.get(process.url + src)
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    assert PHASE_LABELS[chosen] in svg.text()
    csv_link = group_page.get_by_test_id("meetings-csv").get_attribute("href")
    assert console_context.request.get(process.url + csv_link).ok
    group_page.screenshot(path=str(ARTIFACTS / "group-timeline.png"), full_page=True)

    # After the close the console still loads, with the decision, and can change it.
    api.send("POST", f"/meetings/{meeting['id']}/close")
    console.reload()
    expect(console.get_by_test_id("phase-decided")).to_contain_text(PHASE_LABELS[chosen])
    expect(console.get_by_test_id("self-evaluation-status")).to_have_text("Stängd med mötet")
    expect(console.get_by_test_id("self-evaluation-n")).to_have_text("3")
    console.get_by_test_id("phase-select").select_option(suggested)
    console.get_by_test_id("phase-confirm").click()
    expect(console.get_by_test_id("phase-decided")).to_contain_text(PHASE_LABELS[suggested])
    # A closed meeting takes no reactions: the phones' buttons are off.
    expect(other_post(bo, POSTS["Anna"]).get_by_test_id("react-agree")).to_be_disabled()
    expect(bo.get_by_test_id("self-evaluation")).to_be_hidden()


def test_a_reaction_the_server_never_answers_is_said_and_not_shown_as_made(server, new_phone):
    process, _ = server
    api = Api(server)
    meeting = api.meeting({"name": "Basgrupp Kalmar", "consent_text": CONSENT}, start=True)
    anna, bo = new_phone(), new_phone()
    bo.clock.install()  # so that the ten seconds without an answer pass at once
    join(anna, meeting["join_url"], "Anna", "FK")
    join(bo, meeting["join_url"], "Bo", "AF")
    post(anna, "Vad betyder SGI?", "encyclopedic")
    item = other_post(bo, "Vad betyder SGI?")
    expect(item).to_be_visible()

    process.kill()
    expect(bo.get_by_test_id("connection")).to_be_visible()
    item.get_by_test_id("react-agree").click()
    bo.clock.run_for(11_000)
    expect(item.get_by_test_id("react-error")).to_have_text(
        "Servern svarade inte. Kontrollera anslutningen och försök igen."
    )
    expect(item.get_by_test_id("react-agree")).to_have_attribute("aria-pressed", "false")
