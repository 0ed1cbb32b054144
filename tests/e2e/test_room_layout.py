"""The room at every size: a whole short meeting in a real Chromium, measured and photographed.

Four phones join and post twelve posts of mixed length and type (some with long Swedish
compound words); the facilitator has the console open and the projector shows the screen.
Each page is measured at the sizes it is used at, live and after the close, in each of its tabs
and with its folded parts open: nothing on it may stick out sideways. On the phone, send must
be in sight. Each page and size is saved as test-artifacts/screenshots/layout-<page>-<w>x<h>-
<state>.png (the phone and the console, which scroll, also as ...-full.png) for a person to
look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

import test_browser
from helpers import ServerProcess, new_user_token
from test_browser import (  # Playwright's names too: test_browser skips when there is no browser
    ARTIFACTS,
    PHONE,
    PROJECTOR,
    TIMEOUT_MS,
    Page,
    expect,
    join,
    log_in,
    post,
)

browser = test_browser.browser

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCREENSHOTS = ARTIFACTS / "screenshots"

# The sizes each page is used at: two phones upright and one on its side, a laptop, and
# projectors from an old 4:3 one to 4K shown at 100 %.
VIEWS = [
    ("phone", 320, 568), ("phone", 390, 844), ("phone", 844, 390), ("console", 1366, 768),
    ("screen", 1024, 768), ("screen", 1280, 800), ("screen", 1920, 1080), ("screen", 3840, 2160),
]  # fmt: skip
VIEW_IDS = [f"{page}-{width}x{height}" for page, width, height in VIEWS]

PHONES = [("Anna", "FK"), ("Bo", "AF"), ("Maj-Britt Lindqvist-Johansson", "Soc"),
          ("Dragan", "Psyk")]  # fmt: skip
LONG = (
    "Fallet väcker många frågor. Vem tar initiativet när ingen myndighet ser sig som ansvarig?"
    "\nOch hur vet den enskilda vart hen ska vända sig när handläggaren byts ut för tredje "
    "gången på ett halvår? Vi behöver förstå både regelverket och hur det upplevs av den som är "
    "sjukskriven."
)
# (phone, text, question type): short and long, every type and untagged, long compounds.
POSTS = [
    (0, "Vad betyder SGI?", "encyclopedic"),
    (1, "Varför prövas arbetsförmågan mot hela arbetsmarknaden redan efter dag 180, när den "
        "sjukskrivna fortfarande har en anställning att återgå till?", "meaning"),
    (2, "Hur ser samverkansöverenskommelsen mellan Försäkringskassan och Arbetsförmedlingen ut "
        "i praktiken?", "relational"),
    (3, "Är rehabiliteringskedjeöverenskommelsen rättvis?", "value"),
    (0, "Sjukpenninggrundandeinkomstberäkningsunderlaget: vem ansvarar för det?", "solution"),
    (1, "Vi borde fråga arbetsgivaren.", None),
    (2, LONG, "meaning"),
    (3, "Vad säger socialförsäkringsbalken 27 kap. 46 §?", "encyclopedic"),
    (0, "Vem äger frågan när arbetsgivaren, företagshälsovården och Försäkringskassan tycker "
        "olika?", "relational"),
    (1, "Ett gemensamt avstämningsmöte tidigt: arbetslivsinriktadrehabiliteringsplanering", None),
    (2, "Är det rimligt att ansvaret flyttas till individen?", "value"),
    (3, "OK", None),
]  # fmt: skip

# What sticking_out() runs in the page: every visible element and every run of text whose box
# reaches past the left or right edge of the viewport, grouped under the outermost such
# element, and how far the document itself scrolls sideways. Nothing is let off for being
# clipped by a box with overflow: hidden, since then it is cut off where nobody sees it.
# Let off, with the reason: screen-reader-only text (1 px, or clipped to nothing, on
# purpose) and a same-page link parked left of the page (a skip link, shown on focus).
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const slack = 1;  // sub-pixel rounding
  const offHidden = (element, rect) => {
    for (let box = element; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box), own = box.getBoundingClientRect();
      if ((own.width <= 1 && own.height <= 1) || style.clip === "rect(0px, 0px, 0px, 0px)"
          || style.clipPath === "inset(50%)" || style.clipPath === "inset(100%)") return true;
    }
    return element.matches('a[href^="#"]') && rect.right <= 0;
  };
  const out = new Map();
  const note = (element, left, right, what) => {
    const seen = out.get(element) || { left: 0, right: 0, what };
    seen.left = Math.max(seen.left, -left);
    seen.right = Math.max(seen.right, right - width);
    out.set(element, seen);
  };
  for (const element of document.body.querySelectorAll("*")) {
    if (!element.getClientRects().length) continue;
    if (getComputedStyle(element).visibility === "hidden") continue;
    const rect = element.getBoundingClientRect();
    if (offHidden(element, rect)) continue;
    if (rect.right > width + slack || rect.left < -slack) {
      note(element, rect.left, rect.right, "box");
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || !parent || !parent.getClientRects().length) continue;
    if (getComputedStyle(parent).visibility === "hidden") continue;
    if (offHidden(parent, parent.getBoundingClientRect())) continue;
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (rect.width && (rect.right > width + slack || rect.left < -slack)) {
        note(parent, rect.left, rect.right, "text");
      }
    }
  }
  const name = (element) => {
    const classes = [...element.classList].slice(0, 3).map((c) => "." + c).join("");
    const testid = element.dataset.testid ? `[data-testid=${element.dataset.testid}]` : "";
    const text = (element.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return `${element.tagName.toLowerCase()}${classes}${testid}` + (text ? ` "${text}"` : "");
  };
  const outermost = [];
  for (const [element, seen] of out) {
    let inside = element.parentElement;
    while (inside && !out.has(inside)) inside = inside.parentElement;
    if (inside) continue;
    const within = [...out.keys()].filter((other) => other !== element && element.contains(other));
    for (const other of within) {
      seen.right = Math.max(seen.right, out.get(other).right);
      seen.left = Math.max(seen.left, out.get(other).left);
    }
    outermost.push({ name: name(element), what: seen.what, right: Math.round(seen.right),
                     left: Math.round(seen.left), inside: within.length });
  }
  const scroll = document.scrollingElement;
  return { width, scrollWidth: scroll.scrollWidth, sticking: outermost };
}"""


@dataclass
class Room:
    """The meeting in the browser: its pages, and whether it has been closed yet."""

    api: test_browser.Api
    meeting: dict
    pages: dict[str, Page] = field(default_factory=dict)
    closed: bool = False


def settle(wait, what: str) -> None:
    """Wait for a page to show ``what``. Whether it does is that page's own tests' concern;
    here a page that does not is measured and photographed as it is, with a note."""
    try:
        wait()
    except AssertionError:
        print(f"not shown in time: {what}; measured as it is")


@pytest.fixture(scope="module")
def server_process(tmp_path_factory):
    """One real server for the whole module (the meeting is set up once, then measured)."""
    data_dir = tmp_path_factory.mktemp("room-layout") / "data"
    token = new_user_token(data_dir, "Handledare Hanna")
    process = ServerProcess(data_dir).start()
    yield process, token
    process.stop()


@pytest.fixture(scope="module")
def room(server_process, browser):
    """A live meeting with four phones, twelve posts, the console and the projector open."""
    url = server_process[0].url
    api = test_browser.Api(server_process)
    group = {
        "name": "Basgrupp Rehabiliteringssamverkan Norrköping",
        "planned_meetings": 7,
        "consent_text": test_browser.CONSENT,
        "goals": "Förstå rehabiliteringskedjan och myndigheternas ansvar.",
    }
    title = {"title": "Rehabiliteringskedjan och arbetsförmågebedömningen"}
    room = Room(api, api.meeting(group, title, start=True))
    mid = room.meeting["id"]
    api.send("POST", f"/meetings/{mid}/agenda", {"action": "start"})
    contexts = []

    def new_page(name: str, options: dict) -> Page:
        # A page's own script errors are its own tests' concern; here they are only told.
        context = browser.new_context(**options, locale="sv-SE")  # a Swedish browser
        context.set_default_timeout(TIMEOUT_MS)
        context.on("weberror", lambda error: print(f"{name}: uncaught {error.error}"))
        context.on("console", lambda msg: print(f"{name} console {msg.type}: {msg.text}"))
        contexts.append(context)
        return context.new_page()

    try:
        console = new_page("console", {"viewport": {"width": 1366, "height": 768}})
        log_in(console, url)
        console.on("dialog", lambda dialog: dialog.accept())
        console.goto(f"{url}/meetings/{mid}")
        screen = new_page("screen", PROJECTOR)
        log_in(screen, url)
        screen.goto(f"{url}/meetings/{mid}/screen")
        expect(screen.get_by_test_id("join-code")).to_have_text(room.meeting["join_code"])

        phones = [new_page(f"phone {name}", PHONE) for name, _ in PHONES]
        for phone, (name, organization) in zip(phones, PHONES, strict=True):
            join(phone, room.meeting["join_url"], name, organization)
        for index, text, qtype in POSTS:
            post(phones[index], text, qtype)
        for phone in phones:
            delivered = phone.get_by_test_id("own-contribution").get_by_test_id("delivered")
            expect(delivered).to_have_count(3)
        for name, page in (("screen", screen), ("console", console)):
            posts = page.get_by_test_id("contribution")
            settle(lambda posts=posts: expect(posts).to_have_count(len(POSTS)), f"{name} posts")

        # The facilitator's work in the meantime: a re-tag, a hidden post, a question for
        # next time, a decision and an action item.
        stored = {c["text"]: c["id"] for c in api.get(f"/meetings/{mid}/contributions")}
        for text, change in (
            (POSTS[5][1], {"qtype": "value"}),
            ("OK", {"hidden": True}),
            (POSTS[8][1], {"carry_forward": True}),
        ):
            api.send("PATCH", f"/meetings/{mid}/contributions/{stored[text]}", change)
        api.send("POST", f"/meetings/{mid}/decisions", {"text": "Vi bjuder in en arbetsgivare."})
        action = {"who": "P02 (AF)", "what": "Ta fram statistik om dag 180", "due": "2026-03-16"}
        api.send("POST", f"/meetings/{mid}/action-items", action)
        ok = screen.get_by_text("OK", exact=True)
        hidden = screen.get_by_test_id("contribution").filter(has=ok)
        settle(lambda: expect(hidden.filter(visible=True)).to_have_count(0), "the hide")
        room.pages = {"phone": phones[0], "console": console, "screen": screen}
        yield room
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(scope="module")
def closed_room(room):
    """The same meeting after the facilitator closed it in the console."""
    console, screen, phone = (room.pages[key] for key in ("console", "screen", "phone"))
    status = screen.get_by_test_id("meeting-status")
    live_text = status.inner_text()
    close = console.get_by_test_id("close")
    if close.count():
        close.click()
    else:  # the console offers the close some other way: the API does what it does
        room.api.send("POST", f"/meetings/{room.meeting['id']}/close")
        console.reload()
    room.closed = True
    expect(console.get_by_test_id("meeting-status")).not_to_have_text(live_text)
    usable = phone.locator("[data-testid=send]:enabled:visible")
    settle(lambda: expect(usable).to_have_count(0), "the close on the phone")
    # The status changes live on the screen (the screen's own tests hold it to that); here
    # the layout after the close is what matters, so a screen that missed it is reloaded.
    settle(lambda: expect(status).not_to_have_text(live_text), "the close on the screen")
    if status.inner_text() == live_text:
        screen.reload()
    return room


def show(page: Page, width: int, height: int) -> None:
    """Resize the page, back at its top with nothing focused, and let its layout settle."""
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate(
        """async () => {
            document.activeElement?.blur();
            window.scrollTo(0, 0);
            await document.fonts.ready;
            await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        }"""
    )


def save(page: Page, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Bars grow with a transition: show where they end.
    for suffix, full in [("", False)] + [("-full", True)] * full_page:
        page.screenshot(path=str(SCREENSHOTS / f"{name}{suffix}.png"), animations="disabled",
                        full_page=full)  # fmt: skip


def sticking_out(page: Page) -> list[str]:
    """What reaches past the viewport's sides, one line per outermost element."""
    found = page.evaluate(MEASURE)
    width = found["width"]
    lines = []
    if found["scrollWidth"] > width:
        lines.append(
            f"the page scrolls sideways: {found['scrollWidth']}px wide in a {width}px viewport"
        )
    for item in found["sticking"]:
        where = []
        if item["right"] > 0:
            where.append(f"{item['right']}px past the right edge")
        if item["left"] > 0:
            where.append(f"{item['left']}px past the left edge")
        inside = f" (and {item['inside']} inside it)" if item["inside"] else ""
        text = "its text " if item["what"] == "text" else ""
        lines.append(f"{item['name']}: {text}{', '.join(where)}{inside}")
    return lines


OPEN_DETAILS = """() => {
  const closed = [...document.querySelectorAll("details:not([open])")]
    .filter((details) => details.getClientRects().length);
  for (const details of closed) details.open = true;
  window.layoutOpened = closed;  // to fold them again afterwards
  return closed.length;
}"""


def every_view(page: Page):
    """Each tab of the page in turn (as it is, if it has none), then with its folded parts
    (<details>) open too: a name for each, the page showing it meanwhile."""
    tabs = page.get_by_role("tab").filter(visible=True)
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
    chosen = [i for i in range(len(names)) if tabs.nth(i).get_attribute("aria-selected") == "true"]
    for i, name in list(enumerate(names)) or [(None, "")]:
        if i is not None:
            tabs.nth(i).click()
        label = f"tab {name!r}" if i is not None else "as shown"
        yield label
        opened = page.evaluate(OPEN_DETAILS)
        if opened:
            yield f"{label}, with every folded part open ({opened})"
            page.evaluate("() => window.layoutOpened.forEach((details) => (details.open = false))")
    if chosen:
        tabs.nth(chosen[0]).click()


def measure_and_save(room: Room, page_name: str, width: int, height: int, state: str):
    page = room.pages[page_name]
    show(page, width, height)
    save(page, f"layout-{page_name}-{width}x{height}-{state}", full_page=page_name != "screen")
    problems = []
    for view in every_view(page):
        show(page, width, height)
        print(f"measured {page_name} at {width}x{height}, {state}: {view}")
        problems += [f"({view}) {line}" for line in sticking_out(page)]
    assert problems == [], f"{page_name} at {width}x{height}, {state}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("page_name", "width", "height"), VIEWS, ids=VIEW_IDS)
def test_nothing_sticks_out_sideways_on_any_page_of_the_live_meeting(
    room, page_name, width, height
):
    assert not room.closed, "the live views are measured before the meeting is closed"
    measure_and_save(room, page_name, width, height, "live")


def send_in_sight(page: Page) -> list[str]:
    """Why the phone's send button is not fully in the viewport and free to tap, if it is not."""
    return page.evaluate(
        """() => {
            const send = document.querySelector("[data-testid=send]");
            const rect = send.getBoundingClientRect();
            const width = document.documentElement.clientWidth, height = window.innerHeight;
            const problems = [];
            if (rect.top < 0) problems.push(`its top is ${Math.round(-rect.top)}px above the top`);
            if (rect.bottom > height) {
              problems.push(`its bottom is ${Math.round(rect.bottom - height)}px below the `
                + `viewport (at ${Math.round(rect.bottom)}px of ${height}px)`);
            }
            if (rect.left < 0 || rect.right > width) problems.push("it is cut at the side");
            if (!problems.length) {
              const hit = document.elementFromPoint(rect.left + rect.width / 2,
                                                    rect.top + rect.height / 2);
              if (hit && hit !== send && !send.contains(hit)) {
                const what = hit.dataset.testid || hit.getAttribute("class") || "";
                problems.push(`it is covered by ${hit.tagName.toLowerCase()} ${what}`);
              }
            }
            return problems;
        }"""
    )


def test_the_phone_shows_send_without_scrolling_at_390x844(room):
    assert not room.closed, "measured while the meeting is live"
    phone = room.pages["phone"]
    show(phone, 390, 844)
    assert send_in_sight(phone) == []


@pytest.mark.parametrize(("width", "height"), [(320, 568), (844, 390)], ids=["320x568", "844x390"])
def test_the_phone_brings_send_into_sight_once_the_text_box_has_focus(room, width, height):
    assert not room.closed, "measured while the meeting is live"
    phone = room.pages["phone"]
    show(phone, width, height)
    phone.get_by_test_id("text").focus()
    phone.evaluate("() => new Promise((done) => requestAnimationFrame(done))")
    problems = send_in_sight(phone)
    phone.get_by_test_id("text").blur()
    assert problems == [], f"at {width}x{height} with the text box focused"


@pytest.mark.parametrize(("page_name", "width", "height"), VIEWS, ids=VIEW_IDS)
def test_nothing_sticks_out_sideways_on_any_page_after_the_close(
    closed_room, page_name, width, height
):
    measure_and_save(closed_room, page_name, width, height, "closed")
