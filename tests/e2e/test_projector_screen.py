"""The projector screen in a real Chromium against a real server: a wall that fits every
projector from 1024×768 to 4K with whole labels and large text, a status that changes live,
posts that page through by themselves and by key, the close, the author line the
facilitator chooses, the keyboard, and the screen link. Uses the fixtures of
test_browser.py (Debian's Chromium, never `playwright install`); screenshots of every size
land in test-artifacts/screenshots/ for a human to look at."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
import socketio
from playwright.sync_api import Page, expect

import test_browser
from test_browser import ARTIFACTS, Api, log_in

# test_browser's fixtures, made known to pytest in this module too.
browser, contexts, new_phone = test_browser.browser, test_browser.contexts, test_browser.new_phone
pytestmark = [pytest.mark.browser, pytest.mark.server]

SCREENSHOTS = ARTIFACTS / "screenshots"
SIZES = [(1024, 768), (1280, 800), (1920, 1080), (3840, 2160)]
SHOT = {"animations": "disabled"}  # bars grow with a transition; show where they end

# Fifteen posts of mixed lengths and every question type, as a base group writes them.
POSTS = [
    ("Anna", "FK", "encyclopedic", "Vad innebär rehabiliteringskedjan dag 180?"),
    ("Bo", "AF", "meaning", "Varför infördes tidsgränserna över huvud taget?"),
    ("Cecilia", "Psyk", "relational", "Hur påverkar arbetsförmedlingens bedömning den som "
     "redan har en pågående behandling i psykiatrin, och vem ska hon ringa först?"),
    ("Dragan", "Soc", "value", "Är det rimligt att ansvaret flyttas till individen?"),
    ("Eva", "FK", "solution", "Kan vi ha ett gemensamt avstämningsmöte innan dag 90?"),
    ("Anna", "FK", None, "Jag tänker på Kim igen."),
    ("Bo", "AF", "encyclopedic", "Vilka regler gäller för sjukpenninggrundande inkomst (SGI) "
     "när man är arbetssökande och samtidigt sjukskriven på deltid, och hur räknas den om?"),
    ("Cecilia", "Psyk", "meaning", "Vad betyder arbetsförmåga för oss, var och en?"),
    ("Dragan", "Soc", "relational", "Vem äger frågan när ingen myndighet tycker att den är "
     "deras? Försäkringskassan säger en sak, Arbetsförmedlingen en annan, och kommunen "
     "hänvisar till vården. Under tiden står Kim utan inkomst och utan plan, och det är hon "
     "som får bära konsekvenserna av att vi inte pratar med varandra i tid."),
    ("Eva", "FK", "value", "Är det rättvist?"),
    ("Anna", "FK", "solution", "Samordningsförbundet kunde bjuda in till en gemensam genomgång."),
    ("Bo", "AF", "meaning", "Lösningsorienteradsamverkansmodellsutvärderingen – vad menas?"),
    ("Cecilia", "Psyk", "encyclopedic", "Hur många dagar har Kim kvar?"),
    ("Dragan", "Soc", "solution", "Vi borde skriva en gemensam checklista för överlämningar "
     "mellan våra verksamheter."),
    ("Eva", "FK", "relational", "Vad händer med Kims barn om hushållets inkomst sjunker?"),
]  # fmt: skip

# Everything that sticks out of the viewport sideways, every label wider than its box, and
# every word of a label that is broken over two lines.
LAYOUT_PROBLEMS = """(labels) => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.dataset.testid || el.getAttribute("class") || el.tagName;
  const visible = (el) => el.getClientRects().length > 0;
  const sticking = [...document.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.left < -1 || box.right > width + 1);
  }).map(name);
  const cut = [];
  const broken = [];
  for (const el of document.querySelectorAll(labels)) {
    if (!visible(el)) continue;
    const parent = el.parentElement.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    if (el.scrollWidth > el.clientWidth + 1 || box.right > parent.right + 1) cut.push(name(el));
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return {
    overflow: document.documentElement.scrollWidth - width,
    sticking, cut, broken,
  };
}"""
LABELS = (
    "h1, h2, .badge, .bar-label, .bar-count, .qtype, .author, .more, .join-code, "
    ".join-address, .agenda-step, .by-org li, .keys-help dt"
)


class Room:
    """A meeting on the test server, and participants who post from their own sockets."""

    def __init__(self, server, **group):
        self.server, self.api = server[0], Api(server)
        self.meeting = self.api.meeting({"name": "Basgrupp Norrköping", **group})
        self.tokens: dict[str, str] = {}

    @property
    def id(self) -> int:
        return self.meeting["id"]

    def start(self) -> None:
        self.api.send("POST", f"/meetings/{self.id}/start")

    def close(self) -> None:
        self.api.send("POST", f"/meetings/{self.id}/close")

    def socket(self, name: str, organization: str) -> socketio.Client:
        if name not in self.tokens:
            answer = requests.post(
                f"{self.server.url}/j/{self.meeting['join_code']}",
                json={"display_name": name, "organization": organization, "consent": True},
                timeout=5,
            )
            assert answer.ok, answer.text
            self.tokens[name] = answer.json()["token"]
        client = socketio.Client(reconnection=False)
        client.connect(
            self.server.url,
            auth={"token": self.tokens[name]},
            transports=["websocket"],
            wait_timeout=10,
        )
        return client

    def post(self, posts) -> list[dict]:
        """Each post from its author's phone, in order; the stored posts."""
        stored = []
        for name, organization, qtype, text in posts:
            client = self.socket(name, organization)
            try:
                payload = {"client_id": str(uuid.uuid4()), "text": text, "qtype": qtype}
                answer = client.call("contribution:add", payload, timeout=10)
            finally:
                client.disconnect()
            assert answer["ok"], answer
            stored.append(answer["contribution"])
        return stored

    def screen_command(self, **fields) -> dict:
        return self.api.send("POST", f"/meetings/{self.id}/screen", fields)


def open_screen(contexts, room: Room, width: int, height: int, **options) -> Page:
    page = contexts(viewport={"width": width, "height": height}, **options).new_page()
    log_in(page, room.server.url)
    page.goto(f"{room.server.url}/meetings/{room.id}/screen")
    expect(page.get_by_test_id("join-code")).to_have_text(room.meeting["join_code"])
    return page


def settled(page: Page) -> None:
    """Two frames later: the pager has laid the page out after the last change."""
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def on_page(page: Page) -> list[str]:
    """The texts of the posts the wall shows now."""
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-testid=contribution]")]
            .filter((item) => item.getClientRects().length > 0)
            .map((item) => item.querySelector(".text").textContent)"""
    )


def font_px(page: Page, selector: str) -> float:
    return page.evaluate(
        "(selector) => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)",
        selector,
    )


def assert_whole(page: Page, size: tuple[int, int]) -> None:
    problems = page.evaluate(LAYOUT_PROBLEMS, LABELS)
    assert problems == {"overflow": 0, "sticking": [], "cut": [], "broken": []}, (size, problems)


def test_the_wall_fits_every_projector_size_with_whole_labels_and_large_text(server, contexts):
    room = Room(server)
    room.start()
    room.post(POSTS)
    page = open_screen(contexts, room, 1920, 1080)
    expect(page.get_by_test_id("contribution")).to_have_count(len(POSTS))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    text_px = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        settled(page)
        assert_whole(page, (width, height))
        shown = on_page(page)
        # Not all fifteen fit: the rest are counted, none dropped without a word.
        assert 0 < len(shown) < len(POSTS), (width, height, shown)
        expect(page.get_by_test_id("more")).to_have_text(f"+{len(POSTS) - len(shown)} fler")
        text_px[width] = font_px(page, "[data-testid=contribution] .text")
        page.screenshot(path=str(SCREENSHOTS / f"screen-{width}x{height}-live.png"), **SHOT)
    assert text_px[1920] >= 28
    # Proportional: twice the pixels, twice the text.
    assert text_px[3840] == pytest.approx(2 * text_px[1920], rel=0.03)
    # The QR code shrinks with the wall but stays large enough to scan across a room.
    page.set_viewport_size({"width": 1024, "height": 768})
    assert page.get_by_test_id("qr").bounding_box()["width"] >= 180


def test_the_join_invitation_gives_the_short_address_and_the_code(server, contexts):
    room = Room(server)
    page = open_screen(contexts, room, 1280, 800)
    code = room.meeting["join_code"]
    address = f"{room.server.url}/j"
    expect(page.get_by_test_id("join-address")).to_have_text(address)
    invitation = page.locator(".join-how")
    expect(invitation).to_have_text(f"Gå till {address} och skriv koden {code}")
    # The QR code holds the whole join link, which is also written under it.
    expect(page.get_by_test_id("join-url")).to_have_text(f"{address}/{code}")
    page.goto(f"{room.server.url}/meetings/{room.id}/screen?lang=en")
    expect(invitation).to_have_text(f"Go to {address} and enter the code {code}")


def test_the_status_text_changes_live_and_the_close_takes_the_invitation_away(server, contexts):
    room = Room(server)
    page = open_screen(contexts, room, 1920, 1080)
    status = page.get_by_test_id("meeting-status")
    expect(status).to_have_text("Planerat")
    room.start()
    expect(status).to_have_text("Pågår")
    room.post(POSTS)
    expect(page.get_by_test_id("contribution")).to_have_count(len(POSTS))
    expect(page.get_by_test_id("meeting-closed")).to_be_hidden()
    room.close()
    expect(status).to_have_text("Avslutat")
    closed = page.get_by_test_id("meeting-closed")
    expect(closed).to_have_text("Mötet är avslutat Tack för att du deltog.")
    for testid in ("join-invitation", "qr", "join-code", "join-url", "join-address"):
        expect(page.get_by_test_id(testid)).to_be_hidden()
    assert "skriv koden" not in page.locator("body").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        settled(page)
        assert_whole(page, (width, height))
        page.screenshot(path=str(SCREENSHOTS / f"screen-{width}x{height}-closed.png"), **SHOT)
    # A reload shows the same, from the server's page alone.
    page.reload()
    expect(status).to_have_text("Avslutat")
    expect(page.get_by_test_id("qr")).to_be_hidden()
    expect(closed).to_be_visible()


def test_posts_that_do_not_fit_come_round_by_themselves_and_by_key(server, contexts):
    room = Room(server)
    room.start()
    room.post(POSTS)
    page = contexts(viewport={"width": 1280, "height": 800}).new_page()
    page.clock.install()  # so that the twelve seconds of a page pass at once
    log_in(page, room.server.url)
    page.goto(f"{room.server.url}/meetings/{room.id}/screen")
    expect(page.get_by_test_id("contribution")).to_have_count(len(POSTS))
    settled(page)
    first = on_page(page)
    assert first[0] == POSTS[-1][3]  # newest first
    more = page.get_by_test_id("more")
    expect(more).to_have_text(f"+{len(POSTS) - len(first)} fler")

    page.clock.run_for(5_000)
    assert on_page(page) == first  # a calm pace: not yet
    page.clock.run_for(7_500)
    second = on_page(page)
    assert second and not set(second) & set(first), (first, second)

    # By key: →, PageDown and N each turn a page; after the last comes the first again.
    seen = set(first) | set(second)
    for key in ("ArrowRight", "PageDown", "n", "ArrowRight", "PageDown"):
        before = on_page(page)
        page.keyboard.press(key)
        settled(page)
        assert on_page(page) != before, key
        seen |= set(on_page(page))
        if on_page(page) == first:
            break
    assert on_page(page) == first
    assert seen == {text for *_, text in POSTS}  # every post came round

    # A clicker's back button (PageUp, ←) goes back a page, and not before the first.
    page.keyboard.press("n")
    settled(page)
    assert on_page(page) == second
    page.keyboard.press("PageUp")
    settled(page)
    assert on_page(page) == first
    page.keyboard.press("ArrowLeft")
    settled(page)
    assert on_page(page) == first

    # A new post goes to the top of the first page. The wall stays on the page it shows, so
    # that posts arriving faster than a page turns cannot hold it on the first page; "+N
    # more" counts the new post until the wall comes round to it.
    page.keyboard.press("n")
    settled(page)
    showing = on_page(page)
    assert showing != first
    waiting = int(re.search(r"\d+", more.inner_text()).group())
    room.post([("Eva", "FK", "meaning", "Ett alldeles nytt inlägg")])
    expect(page.get_by_test_id("contribution").first).to_contain_text("Ett alldeles nytt inlägg")
    settled(page)
    assert on_page(page) == showing
    expect(more).to_have_text(f"+{waiting + 1} fler")
    for _ in range(len(POSTS) + 1):
        page.clock.run_for(12_500)
        settled(page)
        if on_page(page)[0] == "Ett alldeles nytt inlägg":
            break
    assert on_page(page)[0] == "Ett alldeles nytt inlägg"


def test_posts_arriving_faster_than_a_page_turns_do_not_hold_the_wall_on_one_page(server, contexts):
    room = Room(server)
    room.start()
    room.post(POSTS)
    page = contexts(viewport={"width": 1280, "height": 800}).new_page()
    page.clock.install()
    log_in(page, room.server.url)
    page.goto(f"{room.server.url}/meetings/{room.id}/screen")
    expect(page.get_by_test_id("contribution")).to_have_count(len(POSTS))
    settled(page)
    seen = set(on_page(page))
    for number in range(8):
        # A new post every five seconds: more often than a page turns.
        room.post([("Eva", "FK", "meaning", f"Nytt inlägg nummer {number}")])
        expect(page.get_by_test_id("contribution")).to_have_count(len(POSTS) + number + 1)
        page.clock.run_for(5_000)
        settled(page)
        seen |= set(on_page(page))
    assert {text for *_, text in POSTS} <= seen  # every earlier post still came round


def test_with_less_motion_the_pages_still_turn_but_without_a_fade(server, contexts):
    room = Room(server)
    room.start()
    room.post(POSTS)
    page = open_screen(contexts, room, 1280, 800, reduced_motion="reduce")
    expect(page.get_by_test_id("contribution")).to_have_count(len(POSTS))
    settled(page)
    first = on_page(page)
    page.keyboard.press("ArrowRight")
    settled(page)
    assert on_page(page) != first
    assert page.evaluate("() => document.getAnimations().length") == 0


def test_a_facilitators_keys_hide_all_posts_pin_the_first_and_show_their_help(server, contexts):
    room = Room(server)
    room.start()
    room.post(POSTS[:3])
    page = open_screen(contexts, room, 1920, 1080)
    expect(page.get_by_test_id("contribution")).to_have_count(3)
    settled(page)

    page.keyboard.press("h")
    expect(page.get_by_test_id("contributions-hidden")).to_be_visible()
    expect(page.get_by_test_id("contribution").first).to_be_hidden()
    assert room.api.get(f"/meetings/{room.id}/screen")["hide_contributions"] is True
    page.keyboard.press("h")
    expect(page.get_by_test_id("contributions-hidden")).to_be_hidden()
    expect(page.get_by_test_id("contribution").first).to_be_visible()

    page.keyboard.press("p")  # the first post on the page is the newest
    pinned = page.get_by_test_id("pinned")
    expect(pinned).to_be_visible()
    expect(pinned.locator(".text")).to_have_text(POSTS[2][3])
    page.screenshot(path=str(SCREENSHOTS / "screen-1920x1080-pinned.png"), **SHOT)
    page.keyboard.press("p")
    expect(pinned).to_be_hidden()
    assert room.api.get(f"/meetings/{room.id}/screen")["pinned_contribution_id"] is None

    help_panel = page.get_by_test_id("keys-help")
    expect(help_panel).to_be_hidden()
    page.keyboard.press("?")
    expect(help_panel).to_be_visible()
    expect(help_panel).to_contain_text("Dölj eller visa alla inlägg")
    assert_whole(page, (1920, 1080))
    page.screenshot(path=str(SCREENSHOTS / "screen-1920x1080-keys.png"), **SHOT)
    page.keyboard.press("Escape")
    expect(help_panel).to_be_hidden()

    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === document.documentElement")
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null")


def test_the_starting_point_and_the_carried_questions_are_large_enough_for_the_back_row(
    server, contexts
):
    room = Room(server)
    api = room.api
    room.start()
    api.send("POST", f"/meetings/{room.id}/questions", {"text": "Vem betalar Evas resa?"})
    room.close()
    meeting = api.send("POST", f"/groups/{room.meeting['group_id']}/meetings", {})
    room.meeting = meeting
    room.start()
    api.send(
        "PUT",
        f"/meetings/{room.id}/starting-point",
        {"text": "**Fallet Eva**: sjukskriven i 180 dagar, med ett barn och en hyra att betala."},
    )
    room.screen_command(show_starting_point=True, show_carried_questions=True)
    room.post(POSTS[:6])
    page = open_screen(contexts, room, 1920, 1080)
    expect(page.get_by_test_id("carried-question")).to_have_text(["Vem betalar Evas resa?"])
    expect(page.get_by_test_id("starting-point-text")).to_contain_text("Fallet Eva")
    settled(page)
    assert font_px(page, "[data-testid=carried-question]") >= 28
    assert font_px(page, "[data-testid=starting-point-text] p") >= 28
    assert_whole(page, (1920, 1080))
    page.screenshot(path=str(SCREENSHOTS / "screen-1920x1080-panels.png"), **SHOT)


def test_the_author_line_follows_the_facilitators_choice(server, contexts):
    room = Room(server)
    room.start()
    room.post(POSTS[:1])
    page = open_screen(contexts, room, 1280, 800)
    author = page.get_by_test_id("contribution").first.get_by_test_id("author")
    expect(author).to_have_text("Anna (FK)")
    room.screen_command(author_display="pseudonym")
    expect(author).to_have_text("P01 (FK)")
    assert "Anna" not in page.locator("main").inner_text()
    room.screen_command(author_display="none")
    expect(author).to_be_hidden()
    assert "P01" not in page.locator("main").inner_text()
    room.screen_command(author_display="name")
    expect(author).to_have_text("Anna (FK)")


def test_a_post_its_author_deletes_leaves_the_screen_live_and_after_a_reconnect(server, contexts):
    room = Room(server)
    room.start()
    kept, deleted, deleted_offline = room.post(POSTS[:3])
    page = open_screen(contexts, room, 1280, 800)
    posts = page.get_by_test_id("contribution")
    expect(posts).to_have_count(3)

    def delete(post: dict, name: str, organization: str) -> None:
        phone = room.socket(name, organization)
        try:
            answer = phone.call("contribution:delete", {"id": post["id"]}, timeout=10)
        finally:
            phone.disconnect()
        assert answer == {"ok": True, "id": post["id"]}

    delete(deleted, *POSTS[1][:2])
    expect(posts).to_have_count(2)
    expect(page.get_by_test_id("qtype-count-meaning")).to_have_text("0")
    # Deleted while the screen was offline: the replay after the reconnect no longer has
    # it, and the screen lets it go.
    page.context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_be_visible()
    delete(deleted_offline, *POSTS[2][:2])
    page.context.set_offline(False)
    expect(page.get_by_test_id("connection")).to_be_hidden()
    expect(posts).to_have_count(1)
    expect(posts).to_contain_text(kept["text"])


def test_a_screen_link_shows_the_wall_without_a_login_and_says_when_it_is_revoked(server, contexts):
    room = Room(server)
    room.start()
    room.post(POSTS[:3])
    link = room.api.send("POST", f"/meetings/{room.id}/screen-link")["screen_link"]
    page = contexts(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(link)
    expect(page.get_by_test_id("contribution")).to_have_count(3)
    expect(page.get_by_test_id("join-code")).to_have_text(room.meeting["join_code"])
    # Only the local keys: the help lists no commands, and H changes nothing.
    page.keyboard.press("?")
    expect(page.get_by_test_id("keys-help")).to_be_visible()
    expect(page.get_by_test_id("keys-help")).not_to_contain_text("Dölj eller visa alla inlägg")
    page.keyboard.press("h")
    page.wait_for_timeout(500)
    assert room.api.get(f"/meetings/{room.id}/screen")["hide_contributions"] is False
    expect(page.get_by_test_id("contributions-hidden")).to_be_hidden()

    answer = requests.delete(
        f"{room.api.base}/meetings/{room.id}/screen-link", headers=room.api.headers, timeout=5
    )
    assert answer.status_code == 204
    expect(page.get_by_test_id("link-invalid")).to_be_visible()
    expect(page.get_by_test_id("link-invalid")).to_contain_text("gäller inte längre")
    page.screenshot(path=str(SCREENSHOTS / "screen-1280x800-link-revoked.png"), **SHOT)
