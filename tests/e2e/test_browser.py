"""The live pages in a real Chromium: a projector and phones against a real server.

Debian's Chromium is driven through Playwright's sync API (never `playwright install`).
Screenshots of the projector and a phone land in test-artifacts/ for a human to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests

from conftest import PASSWORD, ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CONSENT = "Jag samtycker till att mina inlägg används i forskningen."

if not CHROMIUM.exists():
    message = "Debian's chromium is not installed: apt-get install chromium"
    if os.environ.get("CI") == "true":
        raise RuntimeError(message)  # on CI a missing browser is a broken setup, not a skip
    pytest.skip(message, allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def meeting(server):
    """A live meeting in a group with a consent text, created through the JSON API."""
    process, token = server
    headers = {"Authorization": f"Bearer {token}"}
    api = process.url + "/api/v1"
    group = requests.post(
        f"{api}/groups",
        json={
            "name": "Basgrupp Norrköping",
            "kind": "pbl",
            "planned_meetings": 7,
            "consent_text": CONSENT,
        },
        headers=headers,
        timeout=5,
    )
    assert group.status_code == 201, group.text
    created = requests.post(
        f"{api}/groups/{group.json()['id']}/meetings",
        json={"title": "Rehabiliteringskedjan"},
        headers=headers,
        timeout=5,
    )
    assert created.status_code == 201, created.text
    started = requests.post(
        f"{api}/meetings/{created.json()['id']}/start", headers=headers, timeout=5
    )
    assert started.json()["status"] == "live"
    return {**created.json(), "url": process.url, "api": api, "headers": headers}


class Api:
    """The facilitator's JSON API on the test server, for setting up a test's meeting."""

    def __init__(self, server):
        process, token = server
        self.base = process.url + "/api/v1"
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str):
        return requests.get(self.base + path, headers=self.headers, timeout=5).json()

    def send(self, method: str, path: str, body: dict | None = None):
        answer = requests.request(
            method, self.base + path, json=body, headers=self.headers, timeout=5
        )
        assert answer.ok, answer.text
        return answer.json()

    def meeting(self, group: dict, meeting: dict | None = None, start: bool = False) -> dict:
        """A new meeting in a new group (``group`` holds at least a name)."""
        made = self.send("POST", "/groups", {"kind": "pbl", **group})
        created = self.send("POST", f"/groups/{made['id']}/meetings", meeting or {})
        if start:
            self.send("POST", f"/meetings/{created['id']}/start")
        return created


def contributions_via_api(meeting) -> list[dict]:
    answer = requests.get(
        f"{meeting['api']}/meetings/{meeting['id']}/contributions",
        headers=meeting["headers"],
        timeout=5,
    )
    assert answer.ok, answer.text
    return answer.json()


@pytest.fixture
def contexts(browser: Browser):
    """Makes browser contexts and closes them after the test."""
    made: list[BrowserContext] = []
    errors: list[str] = []
    blocked: list[str] = []

    def said(msg) -> None:
        print(f"console {msg.type}: {msg.text}")  # shown by pytest when a test fails
        if "Content Security Policy" in msg.text:
            blocked.append(msg.text)

    def make(**options) -> BrowserContext:
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", said)
        context.on("weberror", lambda error: errors.append(str(error.error)))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert errors == [], "uncaught JavaScript errors"
    assert blocked == [], "the pages' own content policy blocked something they need"


@pytest.fixture
def screen(meeting, contexts) -> Page:
    """The projector: the facilitator logs in through the form and opens the screen."""
    page = contexts(**PROJECTOR).new_page()
    page.goto(meeting["url"] + "/")
    page.fill("input[name=name]", "Handledare Hanna")
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
    page.goto(f"{meeting['url']}/meetings/{meeting['id']}/screen")
    expect(page.get_by_test_id("join-code")).to_have_text(meeting["join_code"])
    return page


@pytest.fixture
def new_phone(contexts):
    def make() -> Page:
        return contexts(**PHONE).new_page()

    return make


def join(phone: Page, join_url: str, name: str, organization: str) -> None:
    phone.goto(join_url)
    phone.get_by_test_id("name").fill(name)
    phone.get_by_test_id("organization").select_option(organization)
    phone.get_by_test_id("consent").check()
    phone.get_by_test_id("join").click()
    expect(phone.get_by_test_id("text")).to_be_visible()
    expect(phone.locator(".who")).to_contain_text(name)


def connected(phone: Page) -> None:
    """Until the phone's socket is up: a post sent before that waits in the outbox and goes
    without the privacy guard's check (the server still checks it)."""
    expect(phone.locator("[data-testid=connection][data-connected=true]")).to_have_count(1)


# A server_env for tests of the privacy warning: the phone waits for the guard's answer
# however busy the test machine is.
PATIENT_PRIVACY_CHECK = {"PBLAPP_PRIVACY_CHECK_WAIT": "10"}


def post(phone: Page, text: str, qtype: str | None) -> None:
    phone.get_by_test_id("text").fill(text)
    phone.get_by_test_id(f"qtype-{qtype or 'none'}").check()
    phone.get_by_test_id("send").click()


def own_post(phone: Page, text: str):
    return phone.get_by_test_id("own-contribution").filter(has_text=text)


def on_screen(screen: Page, text: str):
    return screen.get_by_test_id("contribution").filter(has_text=text)


def outbox_on(phone: Page) -> list[dict]:
    """The posts waiting in the phone's localStorage outbox."""
    return phone.evaluate(
        """() => Object.keys(localStorage)
            .filter((key) => key.startsWith("pblapp.outbox."))
            .flatMap((key) => JSON.parse(localStorage.getItem(key)))"""
    )


def shown_although_hidden(page: Page) -> list[str]:
    """Elements the page marked `hidden` that still take up room (an empty box on screen)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("[hidden]")]
            .filter((element) => element.getClientRects().length > 0)
            .map((element) => element.dataset.testid || element.className || element.tagName)"""
    )


def test_phones_join_from_the_screen_url_and_posts_appear_live_on_the_projector(
    meeting, screen, new_phone
):
    join_url = screen.get_by_test_id("join-url").inner_text().strip()
    assert join_url == f"{meeting['url']}/j/{meeting['join_code']}"
    assert screen.get_by_test_id("qr").locator("svg").count() == 1
    expect(screen.get_by_test_id("participant-count")).to_have_text("0")

    anna, bo = new_phone(), new_phone()
    join(anna, join_url, "Anna", "FK")
    join(bo, join_url, "Bo", "AF")
    expect(screen.get_by_test_id("participant-count")).to_have_text("2")

    first = "Vad innebär rehabiliteringskedjan dag 180?"
    second = "Varför infördes tidsgränserna?"
    post(anna, first, "encyclopedic")
    post(bo, second, "meaning")

    for phone, text in ((anna, first), (bo, second)):
        expect(own_post(phone, text).get_by_test_id("delivered")).to_be_visible()
    expect(on_screen(screen, first)).to_have_count(1)
    expect(on_screen(screen, second)).to_have_count(1)
    expect(on_screen(screen, first)).to_contain_text("Anna (FK)")
    expect(screen.get_by_test_id("contribution")).to_have_count(2)
    expect(screen.get_by_test_id("qtype-count-encyclopedic")).to_have_text("1")
    expect(screen.get_by_test_id("qtype-count-meaning")).to_have_text("1")
    for key in ("relational", "value", "solution", "untagged"):
        expect(screen.get_by_test_id(f"qtype-count-{key}")).to_have_text("0")
    expect(screen.get_by_test_id("empty")).to_be_hidden()
    assert shown_although_hidden(screen) == []
    assert shown_although_hidden(anna) == []

    ARTIFACTS.mkdir(exist_ok=True)
    shot = {"animations": "disabled"}  # bars grow with a transition; show where they end
    screen.screenshot(path=str(ARTIFACTS / "screen-1920x1080.png"), **shot)
    anna.screenshot(path=str(ARTIFACTS / "phone-390x844.png"), **shot)
    anna.screenshot(path=str(ARTIFACTS / "phone-390x844-full.png"), full_page=True, **shot)


def test_post_written_offline_waits_in_the_outbox_and_arrives_once_when_back_online(
    meeting, screen, new_phone
):
    phone = new_phone()
    join(phone, screen.get_by_test_id("join-url").inner_text().strip(), "Cecilia", "Psyk")
    expect(screen.get_by_test_id("participant-count")).to_have_text("1")

    phone.context.set_offline(True)
    expect(phone.get_by_test_id("connection")).to_be_visible()
    text = "Hur kan vi samverka kring dem som faller mellan stolarna?"
    post(phone, text, "solution")

    pending = own_post(phone, text)
    expect(pending).to_have_count(1)
    expect(pending).to_have_class(re.compile(r"\bstate-pending\b"))
    expect(pending.get_by_test_id("delivered")).to_have_count(0)
    outbox = outbox_on(phone)
    assert [(item["text"], item["qtype"]) for item in outbox] == [(text, "solution")]
    # The one fixed wait: a post must not reach the screen while its phone is offline.
    screen.wait_for_timeout(1500)
    expect(on_screen(screen, text)).to_have_count(0)
    assert contributions_via_api(meeting) == []

    phone.context.set_offline(False)
    expect(own_post(phone, text).get_by_test_id("delivered")).to_be_visible()
    expect(phone.get_by_test_id("connection")).to_be_hidden()
    expect(on_screen(screen, text)).to_have_count(1)
    expect(screen.get_by_test_id("qtype-count-solution")).to_have_text("1")
    stored = contributions_via_api(meeting)
    assert [c["text"] for c in stored] == [text]
    assert stored[0]["client_id"] == outbox[0]["client_id"]
    remaining = outbox_on(phone)
    assert remaining == []
    expect(own_post(phone, text)).to_have_count(1)


def test_participant_text_is_shown_as_text_never_as_markup(meeting, screen, new_phone):
    phone = new_phone()
    # A right-to-left override in the name must not turn "(Annan)" around on the screen.
    join(phone, screen.get_by_test_id("join-url").inner_text().strip(), "Mallory\u202e", "Annan")
    hostile = '<img src=x onerror="window.__pwned=1"><b>fet</b>'
    post(phone, hostile, "value")

    mine = own_post(phone, "<b>fet</b>")
    expect(mine.get_by_test_id("delivered")).to_be_visible()
    shown = on_screen(screen, "<b>fet</b>")
    expect(shown).to_have_count(1)
    assert hostile in shown.inner_text()
    assert hostile in mine.inner_text()
    assert shown.locator("img, b").count() == 0
    assert mine.locator("img, b").count() == 0
    name = shown.locator(".author bdi").first
    assert name.inner_text() == "Mallory\u202e"  # isolated: its override ends with it
    for page in (screen, phone):
        assert page.evaluate("() => typeof window.__pwned") == "undefined"


def test_reloading_the_phone_keeps_the_participant_and_their_delivered_posts(
    meeting, screen, new_phone
):
    phone = new_phone()
    join(phone, screen.get_by_test_id("join-url").inner_text().strip(), "Dragan", "Soc")
    who = phone.locator(".who").inner_text()
    pseudonym = re.search(r"\bP\d{2,}\b", who)
    assert pseudonym, who
    text = "Är det rimligt att ansvaret flyttas till individen?"
    post(phone, text, "value")
    expect(own_post(phone, text).get_by_test_id("delivered")).to_be_visible()

    phone.reload()
    expect(phone.locator(".who")).to_have_text(who)
    expect(own_post(phone, text)).to_have_count(1)
    expect(own_post(phone, text).get_by_test_id("delivered")).to_be_visible()
    # Reopening the join link from the QR code goes straight back to the same participant.
    phone.goto(screen.get_by_test_id("join-url").inner_text().strip())
    expect(phone.locator(".who")).to_have_text(who)
    expect(screen.get_by_test_id("participant-count")).to_have_text("1")
    stored = contributions_via_api(meeting)
    assert [(c["pseudonym"], c["text"]) for c in stored] == [(pseudonym.group(0), text)]


LAPTOP = {"viewport": {"width": 1366, "height": 900}}


def log_in(page: Page, url: str) -> None:
    page.goto(url + "/")
    page.fill("input[name=name]", "Handledare Hanna")
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def in_order(text: str, pieces: list[str]) -> bool:
    """Whether every piece occurs in ``text``, each after the one before."""
    position = 0
    for piece in pieces:
        position = text.find(piece, position)
        if position < 0:
            return False
        position += len(piece)
    return True


def remaining_seconds(page: Page) -> int:
    text = page.get_by_test_id("agenda-remaining").inner_text()
    sign = -1 if text.startswith("+") else 1
    minutes, seconds = text.lstrip("+").split(":")
    return sign * (int(minutes) * 60 + int(seconds))


def test_a_facilitator_runs_a_three_step_meeting_and_the_minutes_hold_it_all(
    server, contexts, new_phone
):
    import io

    import docx

    process, token = server
    headers = {"Authorization": f"Bearer {token}"}
    api = process.url + "/api/v1"
    group = requests.post(
        f"{api}/groups",
        json={"name": "Basgrupp Motala", "kind": "pbl", "language": "en"},
        headers=headers,
        timeout=5,
    ).json()
    meeting = requests.post(
        f"{api}/groups/{group['id']}/meetings", json={"agenda": "free"}, headers=headers, timeout=5
    ).json()

    # The console: three steps typed into the agenda editor, then the meeting starts.
    console_context = contexts(**LAPTOP)
    console = console_context.new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    log_in(console, process.url)
    console.goto(f"{process.url}/meetings/{meeting['id']}")
    # The language switch is remembered: the pages after each form stay in English.
    # The switch loads the page again; its buttons work once that load has finished (the
    # new page's lang attribute shows before its scripts have run).
    with console.expect_navigation():
        console.get_by_test_id("lang-en").click()
    expect(console.locator("html")).to_have_attribute("lang", "en")
    console.locator(".agenda-edit summary").click()
    for title, minutes in (("Report back", "10"), ("The case of Eva", "30"), ("Evaluation", "10")):
        console.get_by_test_id("agenda-add").click()
        row = console.locator(".agenda-row").last
        row.get_by_test_id("step-title").fill(title)
        row.get_by_test_id("step-minutes").fill(minutes)
    console.get_by_test_id("agenda-save").click()
    expect(console.get_by_test_id("agenda-step-row")).to_have_count(3)
    console.get_by_test_id("start").click()
    expect(console.get_by_test_id("meeting-status")).to_have_text("Live")

    # The projector shows the step and its countdown, which moves and survives a reload.
    screen = contexts(**PROJECTOR).new_page()
    log_in(screen, process.url)
    screen.goto(f"{process.url}/meetings/{meeting['id']}/screen?lang=en")
    console.get_by_test_id("agenda-start").click()
    expect(screen.get_by_test_id("agenda-step")).to_have_text("Report back")
    first = remaining_seconds(screen)
    assert 590 <= first <= 600
    screen.wait_for_timeout(2200)
    moved = remaining_seconds(screen)
    assert moved <= first - 2
    screen.reload()
    expect(screen.get_by_test_id("agenda-step")).to_have_text("Report back")
    after_reload = remaining_seconds(screen)
    assert moved - 6 <= after_reload <= moved  # the reload itself takes a moment

    # Step 2: a phone posts; the console carries it forward and records what was decided.
    console.get_by_test_id("agenda-next").click()
    expect(screen.get_by_test_id("agenda-step")).to_have_text("The case of Eva")
    phone = new_phone()
    phone.goto(meeting["join_url"])
    phone.get_by_test_id("name").fill("Anna")
    phone.get_by_test_id("organization").select_option("FK")
    phone.get_by_test_id("join").click()
    expect(phone.get_by_test_id("agenda-step")).to_have_text("The case of Eva")
    phone.get_by_test_id("text").fill("Who coordinates Eva's return to work?")
    phone.get_by_test_id("qtype-relational").check()
    phone.get_by_test_id("send").click()
    expect(phone.get_by_test_id("delivered")).to_have_count(1)
    item = console.get_by_test_id("contribution").filter(has_text="Who coordinates")
    item.get_by_test_id("carry-toggle").check()
    console.get_by_test_id("tab-followups").click()
    expect(console.get_by_test_id("question")).to_have_count(1)
    console.get_by_test_id("question-owner").fill("fk")
    console.get_by_test_id("question-owner").press("Enter")
    expect(console.get_by_test_id("question-owner")).to_have_value("FK")
    console.get_by_test_id("decision-text").fill("We invite an employer next time.")
    console.get_by_test_id("decision-text").press("Enter")
    expect(console.get_by_test_id("decision")).to_have_count(1)
    console.get_by_test_id("action-who").fill("P01 (FK)")
    console.get_by_test_id("action-what").fill("Find the SGI rules")
    console.get_by_test_id("action-due").fill("2026-03-16")
    console.locator("[data-testid=action-form] button").click()
    expect(console.get_by_test_id("action-item")).to_have_count(1)
    console.get_by_test_id("close").click()
    expect(console.get_by_test_id("meeting-status")).to_have_text("Closed")

    # The minutes, as the facilitator downloads them from the console.
    def download(testid: str) -> bytes:
        href = console.get_by_test_id(testid).get_attribute("href")
        response = console_context.request.get(process.url + href)
        assert response.ok
        return response.body()

    markdown_text = download("minutes-md").decode("utf-8")
    order = [
        "## Decisions and action items",
        "| Decision: We invite an employer next time. |  |  | decided |",
        "| Find the SGI rules | P01 (FK) | 2026-03-16 | open |",
        "## Agenda items",
        "The case of Eva",
        "## Questions for the next meeting",
        "P01 (FK): Who coordinates Eva's return to work? – open, owner: FK",
        "## Appendix: posts",
        "### Relational",
        "#### The case of Eva",
        "P01 (FK): Who coordinates Eva's return to work?",
    ]
    assert in_order(markdown_text, order), markdown_text

    html = download("minutes-html").decode("utf-8")
    html_order = [
        "<h2>Decisions and action items</h2>",
        "We invite an employer next time.",
        '<td class="text">Find the SGI rules</td>',
        "<h2>Agenda items</h2>",
        "<h2>Questions for the next meeting</h2>",
        "<h2>Appendix: posts</h2>",
        "<h4>The case of Eva</h4>",
        "Who coordinates Eva&#39;s",
    ]
    assert in_order(html, html_order), html

    document = docx.Document(io.BytesIO(download("minutes-docx")))
    paragraphs = [p.text for p in document.paragraphs]
    assert (
        paragraphs.index("Decisions and action items")
        < paragraphs.index("Agenda items")
        < paragraphs.index("Questions for the next meeting")
        < paragraphs.index("Appendix: posts")
        < paragraphs.index("P01 (FK): Who coordinates Eva's return to work?")
    )
    # Decisions and action items are one table: what, who, when, status.
    [actions] = document.tables
    assert [cell.text for cell in actions.rows[1].cells] == [
        "Decision: We invite an employer next time.",
        "",
        "",
        "decided",
    ]
    assert [cell.text for cell in actions.rows[2].cells] == [
        "Find the SGI rules",
        "P01 (FK)",
        "2026-03-16",
        "open",
    ]
    assert paragraphs[paragraphs.index("Questions for the next meeting") + 1].startswith(
        "P01 (FK): Who coordinates Eva's return to work? – open"
    )
    screen.screenshot(path=str(ARTIFACTS / "projector-agenda.png"))


def test_a_post_written_before_the_start_is_delivered_when_the_meeting_starts(server, new_phone):
    api = Api(server)
    meeting = api.meeting({"name": "Fokusgrupp", "kind": "focus"})
    phone = new_phone()
    phone.goto(meeting["join_url"])
    phone.get_by_test_id("name").fill("Early Bird")
    phone.get_by_test_id("organization").select_option("AF")
    phone.get_by_test_id("join").click()
    expect(phone.get_by_test_id("not-live")).to_be_visible()
    phone.get_by_test_id("text").fill("Skrivet innan mötet började")
    phone.get_by_test_id("send").click()
    expect(phone.get_by_test_id("own-contribution")).to_have_count(1)
    expect(phone.get_by_test_id("delivered")).to_have_count(0)
    api.send("POST", f"/meetings/{meeting['id']}/start")
    expect(phone.get_by_test_id("delivered")).to_have_count(1)
    expect(phone.get_by_test_id("not-live")).to_be_hidden()
    stored = api.get(f"/meetings/{meeting['id']}/contributions")
    assert [c["text"] for c in stored] == ["Skrivet innan mötet började"]


def test_the_console_keeps_the_agenda_honest_and_says_why_a_change_is_refused(
    server, contexts, new_phone
):
    """A 0-minute step stays 0 in the editor; removing a step that has begun is refused with
    a Swedish message and nothing changes; a double click on Next moves one step; a pause
    says "Pausad"; hiding all posts hides the pinned one too."""
    process, _ = server
    api = Api(server)
    meeting = api.meeting(
        {"name": "Basgrupp Linköping", "consent_text": CONSENT}, {"agenda": "seven-jump"}, True
    )

    console = contexts(**LAPTOP).new_page()
    log_in(console, process.url)
    console.goto(f"{process.url}/meetings/{meeting['id']}")
    console.locator(".agenda-edit summary").click()
    minutes = console.get_by_test_id("step-minutes")
    expect(minutes).to_have_count(7)
    expect(minutes.nth(5)).to_have_value("0")  # self-study happens between meetings

    console.get_by_test_id("agenda-start").click()
    expect(console.get_by_test_id("agenda-step")).to_have_text("Klargör begrepp")
    console.get_by_test_id("agenda-next").dblclick()
    expect(console.get_by_test_id("agenda-step")).to_have_text("Definiera problemet")
    console.wait_for_timeout(500)
    expect(console.get_by_test_id("agenda-step")).to_have_text("Definiera problemet")

    console.get_by_test_id("agenda-pause").click()
    expect(console.get_by_test_id("agenda-paused")).to_have_text("Pausad")

    console.locator(".agenda-row").first.locator(".step-remove").click()
    console.get_by_test_id("agenda-save").click()
    expect(console.get_by_test_id("agenda-saved")).to_contain_text("finns kvar i protokollet")
    assert len(api.get(f"/meetings/{meeting['id']}/agenda")["steps"]) == 7

    phone = new_phone()
    join(phone, meeting["join_url"], "Anna", "FK")
    post(phone, "Vad betyder arbetsförmåga?", "meaning")
    own_post(phone, "Vad betyder arbetsförmåga?")
    screen = contexts(**PROJECTOR).new_page()
    log_in(screen, process.url)
    screen.goto(f"{process.url}/meetings/{meeting['id']}/screen")
    console.get_by_test_id("pin-toggle").click()
    expect(screen.get_by_test_id("pinned")).to_be_visible()
    console.get_by_test_id("tab-screen").click()
    console.get_by_test_id("screen-hide-all").check()
    expect(screen.get_by_test_id("contributions-hidden")).to_be_visible()
    expect(screen.get_by_test_id("pinned")).to_be_hidden()
    console.get_by_test_id("screen-hide-all").uncheck()
    expect(screen.get_by_test_id("pinned")).to_be_visible()
    # No questions from earlier meetings: that switch shows nothing, so the pin stays.
    console.get_by_test_id("screen-show-carried").check()
    expect(console.get_by_test_id("screen-show-carried")).to_be_checked()
    screen.wait_for_timeout(300)
    expect(screen.get_by_test_id("pinned")).to_be_visible()


def test_the_facilitator_shows_the_starting_point_in_an_agenda_of_their_own(server, contexts):
    """A free agenda has no starting-point step: the switch shows it, and hides the pin."""
    process, _ = server
    api = Api(server)
    meeting = api.meeting({"name": "Fokusgrupp Umeå", "kind": "focus"}, {"agenda": "free"})
    text = {"text": "**Fallet Eva**: sjukskriven i 180 dagar."}
    api.send("PUT", f"/meetings/{meeting['id']}/starting-point", text)
    screen = contexts(**PROJECTOR).new_page()
    log_in(screen, process.url)
    screen.goto(f"{process.url}/meetings/{meeting['id']}/screen")
    expect(screen.get_by_test_id("starting-point")).to_be_hidden()

    console = contexts(**LAPTOP).new_page()
    log_in(console, process.url)
    console.goto(f"{process.url}/meetings/{meeting['id']}")
    console.get_by_test_id("tab-screen").click()
    console.get_by_test_id("screen-show-starting-point").check()
    expect(screen.get_by_test_id("starting-point")).to_be_visible()
    expect(screen.get_by_test_id("starting-point-text").locator("strong")).to_have_text(
        "Fallet Eva"
    )
    console.get_by_test_id("screen-show-starting-point").uncheck()
    expect(screen.get_by_test_id("starting-point")).to_be_hidden()
    expect(console.get_by_test_id("screen-show-goals")).to_be_disabled()
    api.send("PATCH", f"/groups/{meeting['group_id']}", {"goals": "Bättre samverkan"})
    console.get_by_test_id("screen-show-goals").check()  # enabled by the new goals
    expect(screen.get_by_test_id("goals")).to_contain_text("Bättre samverkan")


def test_the_facilitator_corrects_a_typed_question_and_the_meeting_title_in_the_console(
    server, contexts
):
    process, _ = server
    api = Api(server)
    meeting = api.meeting({"name": "Basgrupp Kalmar"}, {"title": "Rehabkedjn"})
    console = contexts(**LAPTOP).new_page()
    log_in(console, process.url)
    console.goto(f"{process.url}/meetings/{meeting['id']}")
    console.get_by_test_id("tab-followups").click()
    console.get_by_test_id("question-text").fill("Vem äger fråga?")
    console.get_by_test_id("question-text").press("Enter")
    edit = console.get_by_test_id("question-text-edit")
    expect(edit).to_have_value("Vem äger fråga?")
    edit.fill("Vem äger frågan om arbetsförmåga?")
    edit.press("Enter")
    for _ in range(50):  # the change goes over the socket; wait for the server to have it
        texts = [q["text"] for q in api.get(f"/meetings/{meeting['id']}/followups")["questions"]]
        if texts == ["Vem äger frågan om arbetsförmåga?"]:
            break
        console.wait_for_timeout(100)
    assert texts == ["Vem äger frågan om arbetsförmåga?"]

    console.get_by_test_id("tab-agenda").click()
    console.locator(".agenda-edit summary").click()
    console.get_by_test_id("step-title").first.fill("Redovisning")
    api.send("PUT", f"/meetings/{meeting['id']}/agenda", {"steps": [{"title": "Annan"}]})
    console.get_by_test_id("agenda-save").click()
    expect(console.get_by_test_id("agenda-saved")).to_contain_text("ändrades någon annanstans")
    expect(console.get_by_test_id("step-title")).to_have_count(1)
    assert [s["title"] for s in api.get(f"/meetings/{meeting['id']}/agenda")["steps"]] == ["Annan"]

    console.get_by_test_id("meeting-title").fill("Rehabkedjan")
    console.locator("[data-testid=details-form] button").click()
    expect(console.locator("h1")).to_contain_text("Rehabkedjan")
