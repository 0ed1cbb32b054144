"""Accessibility, in a real Chromium against a real server.

axe-core (bundled by the axe-playwright-python package) finds no violation of any impact on
any page, in Swedish and in English, while a meeting is live with posts and after one has
closed. The keyboard alone reaches the code page, the join form and Send; the focused
element always shows a ring; under reduced motion nothing transitions or animates; at 200 %
zoom the everyday pages need no sideways scrolling. Screenshots for a human to look at land
in test-artifacts/screenshots/. The meetings and pages are set up in accessibility_room.py.
"""

from __future__ import annotations

import accessibility_room
import pytest
from accessibility_room import LANGUAGES, LAPTOP, PAGES, SHOTS, WINDOWS, ZOOMED, Visit
from axe_playwright_python.sync_playwright import Axe

import test_browser
from test_browser import PROJECTOR, expect, own_post

browser, contexts = test_browser.browser, test_browser.contexts
room, first_run = accessibility_room.room, accessibility_room.first_run
pytestmark = [pytest.mark.browser, pytest.mark.server]

AXE = Axe()


def _violations(page) -> list[str]:
    """Every axe-core violation on the page, one line per element: rule, impact, where."""
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {' '.join(map(str, node['target']))}"
        f"  {node['html'][:160]}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def _check(context, url: str, visit: Visit, shot: str) -> None:
    """Open the page, wait until it is ready, and let axe-core look at it."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.set_viewport_size(WINDOWS[visit.size]["viewport"])
        answer = page.goto(url)
        assert answer.status == visit.status
        visit.ready(page)
        found = _violations(page)
        if found or not shot.endswith("-en"):  # the English twin only when it fails
            page.screenshot(path=str(SHOTS / f"a11y-{shot}.png"), full_page=True)
        assert found == [], f"{shot}:\n" + "\n".join(found)
        assert page.locator("html").get_attribute("lang") == url.rsplit("lang=", 1)[1]
        assert errors == [], "uncaught JavaScript errors"
    finally:
        page.close()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_accessibility_violation_on_the_page(room, name, lang):
    visit = PAGES[name]
    context = getattr(room, visit.who)
    path = visit.path(room)
    url = f"{room.url}{path}{'&' if '?' in path else '?'}lang={lang}"
    _check(context, url, visit, f"{name}-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_accessibility_violation_on_the_first_run_setup_page(
    first_run, contexts, lang
):
    visit = Visit("anyone", lambda r: first_run)
    _check(contexts(), f"{first_run}?lang={lang}", visit, f"setup-{lang}")


# -- the keyboard alone ---------------------------------------------------------------------

FOCUS_RING = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const ring = (el) => {
        if (!el) return false;
        const style = getComputedStyle(el);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
        return outline || style.boxShadow !== "none";
    };
    // A control drawn by its label or the span after it (a radio chip) shows its ring there.
    const drawn = getComputedStyle(element).opacity !== "0";
    const shown = drawn ? ring(element)
        : ring(element.closest("label")) || ring(element.nextElementSibling);
    const box = element.getBoundingClientRect();
    // Whether Tab came round to the first stop again, after it had left it.
    const first = (window.a11yFirstStop ||= element);
    if (element !== first) window.a11yLeftFirstStop = true;
    return {
        wrapped: element === first && Boolean(window.a11yLeftFirstStop),
        name: element.dataset.testid || element.getAttribute("name") || element.id
            || `${element.tagName.toLowerCase()} ${element.textContent.trim().slice(0, 30)}`,
        ring: shown,
        onPage: box.width > 0 && box.height > 0,
    };
}"""


def _focused(page) -> dict | None:
    return page.evaluate(FOCUS_RING)


def _tab_to(page, testid: str, limit: int = 40) -> int:
    """Press Tab until the element with ``testid`` has the focus; every element on the way
    must show a focus ring. Returns how many presses it took."""
    for presses in range(limit + 1):
        focused = _focused(page)
        if focused is not None:
            assert focused["ring"], f"no visible focus ring on {focused['name']}"
            if focused["name"] == testid:
                return presses
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {testid}")


def test_the_keyboard_alone_enters_the_code_joins_and_sends_a_post(room, contexts):
    page = contexts(**LAPTOP).new_page()
    page.goto(f"{room.url}/j")
    _tab_to(page, "join-code-input")
    # Small letters and a space, as people type a code they read off the screen.
    code = room.live["join_code"]
    page.keyboard.type(f"{code[:3].lower()} {code[3:].lower()}")
    _tab_to(page, "join-code-submit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/j/{code}")

    _tab_to(page, "name")
    page.keyboard.type("Karin Tangentsson")
    _tab_to(page, "organization")
    page.keyboard.type("AF")  # picks "AF – Arbetsförmedlingen" as a sighted user would
    assert page.get_by_test_id("organization").input_value() == "AF"
    _tab_to(page, "consent")
    page.keyboard.press("Space")
    _tab_to(page, "join")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/j/{code}/live")

    _tab_to(page, "text")
    page.keyboard.type("Vem äger frågan när ingen myndighet gör det?")
    _tab_to(page, "qtype-none")  # the checked choice of the group takes the focus
    page.keyboard.press("ArrowRight")  # from the last choice round to the first
    _tab_to(page, "send")
    page.screenshot(path=str(SHOTS / "a11y-keyboard-send-focused.png"))
    page.keyboard.press("Enter")
    mine = own_post(page, "Vem äger frågan när ingen myndighet gör det?")
    expect(mine.get_by_test_id("delivered")).to_be_visible()
    (sent,) = [
        c
        for c in room.api.get(f"/meetings/{room.live['id']}/contributions")
        if c["text"] == "Vem äger frågan när ingen myndighet gör det?"
    ]
    assert (sent["display_name"], sent["organization"], sent["qtype"]) == (
        "Karin Tangentsson",
        "AF",
        "encyclopedic",
    )


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(room, contexts):
    page = contexts(**LAPTOP).new_page()
    page.goto(f"{room.url}/?lang=en")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.screenshot(path=str(SHOTS / "a11y-skip-link.png"))
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the content, not the top bar
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("name", ["login", "code-page", "join-form", "group", "console-live"])
def test_every_stop_of_the_keyboard_shows_a_focus_ring(room, name):
    visit = PAGES[name]
    page = getattr(room, visit.who).new_page()
    try:
        page.set_viewport_size(WINDOWS[visit.size]["viewport"])
        page.goto(f"{room.url}{visit.path(room)}")
        visit.ready(page)
        stops, missing = [], []
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = _focused(page)
            if focused is None:
                continue  # past the last stop: the browser's own controls
            if focused["wrapped"]:
                break
            stops.append(focused["name"])
            if focused["onPage"] and not focused["ring"]:
                missing.append(focused["name"])
            if len(stops) == 3:
                page.screenshot(path=str(SHOTS / f"a11y-focus-{name}.png"))
        assert len(stops) >= 3, stops
        assert missing == [], f"no focus ring on {missing}"
    finally:
        page.close()


# -- less motion ----------------------------------------------------------------------------

MOVING = """() => [...document.querySelectorAll("*")].filter((el) => {
    const style = getComputedStyle(el);
    const seconds = (list) => list.split(",").map((v) => parseFloat(v) || 0);
    const moves = (names, durations) => names !== "none" && Math.max(...seconds(durations)) > 0;
    return moves(style.transitionProperty, style.transitionDuration)
        || moves(style.animationName, style.animationDuration);
}).map((el) => el.dataset.testid || el.className || el.tagName)"""


def test_under_reduced_motion_nothing_on_the_live_pages_moves(room, contexts):
    state = room.facilitator.storage_state()
    moving = contexts(**PROJECTOR, storage_state=state).new_page()
    moving.goto(f"{room.url}/meetings/{room.live['id']}/screen")
    PAGES["screen-live"].ready(moving)
    assert moving.evaluate(MOVING) != []  # the check sees the bars' transition ...
    for name, who in [("screen-live", state), ("console-live", state), ("phone-live", None)]:
        visit = PAGES[name]
        who = who or room.phone.storage_state()
        page = contexts(**WINDOWS[visit.size], storage_state=who, reduced_motion="reduce")
        page = page.new_page()
        page.goto(f"{room.url}{visit.path(room)}")
        visit.ready(page)
        assert page.evaluate(MOVING) == [], f"{name} moves under reduced motion"  # ... not here


# -- 200 % zoom -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["login", "code-page", "join-form", "phone-live", "console-live"])
def test_at_200_percent_zoom_the_page_needs_no_sideways_scrolling(room, contexts, name):
    visit = PAGES[name]
    page = contexts(**ZOOMED, storage_state=getattr(room, visit.who).storage_state()).new_page()
    page.goto(f"{room.url}{visit.path(room)}")
    visit.ready(page)
    page.screenshot(path=str(SHOTS / f"a11y-zoom200-{name}.png"), full_page=True)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    wider = page.evaluate(
        """() => [...document.querySelectorAll("body *")].filter((el) => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.right > document.documentElement.clientWidth + 1;
        }).map((el) => el.dataset.testid || el.className || el.tagName).slice(0, 10)"""
    )
    assert widths[0] <= widths[1], f"{name} is {widths[0]} px wide in {widths[1]} px: {wider}"
