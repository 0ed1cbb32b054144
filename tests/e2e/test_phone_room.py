"""The phone in the room, in a real Chromium against a real server: the code page, a post form
that fits the phone in the hand (Send in reach, upright and on its side), a draft that
survives a reload, the facilitator's re-tags and hides reaching the author, and deleting
one's own post. Screenshots land in test-artifacts/screenshots/phone-<w>x<h>-<state>.png.
"""

from __future__ import annotations

import re

import pytest
import requests

import test_browser
from test_browser import (  # Playwright's names too: test_browser skips when there is no browser
    ARTIFACTS,
    PHONE,
    Page,
    contributions_via_api,
    expect,
    join,
    on_screen,
    own_post,
    post,
)

browser, contexts, new_phone = test_browser.browser, test_browser.contexts, test_browser.new_phone
meeting, screen = test_browser.meeting, test_browser.screen

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCREENSHOTS = ARTIFACTS / "screenshots"
SMALL = (320, 568)
UPRIGHT = (390, 844)
ON_ITS_SIDE = (844, 390)


def phone_of(contexts, size: tuple[int, int]) -> Page:
    width, height = size
    return contexts(
        viewport={"width": width, "height": height}, is_mobile=True, has_touch=True
    ).new_page()


def shoot(page: Page, state: str, full: bool = False) -> None:
    """test-artifacts/screenshots/phone-<w>x<h>-<state>.png, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    name = f"phone-{size['width']}x{size['height']}-{state}{'-full' if full else ''}.png"
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full, animations="disabled")


def sideways_overflow(page: Page) -> list[str]:
    """Elements that reach past the right edge of the viewport (the page scrolls sideways)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [...document.querySelectorAll("body *")]
                .filter((el) => el.getClientRects().length > 0)
                .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                .map((el) => el.dataset.testid || el.className || el.tagName);
            if (document.documentElement.scrollWidth > width) out.push("document");
            return out;
        }"""
    )


def box(page: Page, testid: str) -> dict:
    found = page.get_by_test_id(testid).bounding_box()
    assert found, f"{testid} is not shown"
    return found


def inside_viewport(page: Page, testid: str) -> bool:
    found, height = box(page, testid), page.viewport_size["height"]
    return found["y"] >= 0 and found["y"] + found["height"] <= height


def start_agenda(meeting) -> None:
    """The agenda clock runs, so the phone shows its step line as in a real meeting."""
    answer = requests.post(
        f"{meeting['api']}/meetings/{meeting['id']}/agenda",
        json={"action": "start"},
        headers=meeting["headers"],
        timeout=5,
    )
    assert answer.ok, answer.text


def change(meeting, contribution_id: int, body: dict) -> None:
    """The facilitator's change to a post (the API twin of contribution:update)."""
    answer = requests.patch(
        f"{meeting['api']}/meetings/{meeting['id']}/contributions/{contribution_id}",
        json=body,
        headers=meeting["headers"],
        timeout=5,
    )
    assert answer.ok, answer.text


def join_url(meeting) -> str:
    return f"{meeting['url']}/j/{meeting['join_code']}"


def test_a_phone_types_the_code_in_small_letters_and_reaches_the_join_form(meeting, contexts):
    phone = phone_of(contexts, UPRIGHT)
    phone.goto(meeting["url"] + "/")
    phone.get_by_test_id("to-code-page").get_by_role("link").click()
    expect(phone).to_have_url(meeting["url"] + "/j")
    field = phone.get_by_test_id("join-code-input")
    expect(field).to_be_focused()
    shoot(phone, "code")
    field.fill("zzz zzz")
    phone.get_by_test_id("join-code-submit").click()
    expect(phone.get_by_test_id("error")).to_contain_text("Inget möte har den här koden")
    expect(field).to_have_value("zzz zzz")
    shoot(phone, "code-error")
    code = meeting["join_code"].lower()
    field.fill(f"{code[:3]} {code[3:]}")
    field.press("Enter")
    expect(phone).to_have_url(join_url(meeting))
    expect(phone.get_by_test_id("name")).to_be_visible()
    shoot(phone, "join")
    assert sideways_overflow(phone) == []


def test_send_fits_on_an_upright_phone_without_scrolling(meeting, new_phone):
    start_agenda(meeting)
    phone = new_phone()
    join(phone, join_url(meeting), "Anna", "FK")
    expect(phone.get_by_test_id("agenda-clock")).to_be_visible()
    for testid in ("text", "qtype-encyclopedic", "qtype-none", "send"):
        assert inside_viewport(phone, testid), testid
    send = box(phone, "send")
    assert send["width"] >= box(phone, "text")["width"] - 1  # full width
    assert phone.evaluate("() => window.scrollY") == 0
    assert phone.locator("h1").count() == 1
    assert sideways_overflow(phone) == []
    shoot(phone, "live-empty")


def test_send_stays_reachable_at_the_bottom_of_a_small_phone(meeting, contexts):
    start_agenda(meeting)
    phone = phone_of(contexts, SMALL)
    join(phone, join_url(meeting), "Anna", "FK")
    expect(phone.get_by_test_id("agenda-clock")).to_be_visible()  # the page as in a meeting
    # The form goes on below the fold, and Send waits at the bottom edge of the screen.
    assert inside_viewport(phone, "send")
    send = box(phone, "send")
    assert send["y"] + send["height"] > SMALL[1] - 60
    shoot(phone, "live-empty")
    # Scrolled down to the types, Send is still in reach.
    phone.mouse.wheel(0, 150)
    phone.wait_for_function("() => window.scrollY > 0")
    assert inside_viewport(phone, "send")
    post(phone, "Vad betyder SGI?", "solution")
    expect(own_post(phone, "Vad betyder SGI?").get_by_test_id("delivered")).to_be_visible()
    assert sideways_overflow(phone) == []


def test_a_phone_on_its_side_shows_the_form_with_send_in_reach(meeting, contexts):
    start_agenda(meeting)
    phone = phone_of(contexts, ON_ITS_SIDE)
    join(phone, join_url(meeting), "Anna", "FK")
    for testid in ("text", "send"):
        assert inside_viewport(phone, testid), testid
    post(phone, "Hur ser samverkansöverenskommelsen ut i praktiken?", "relational")
    mine = own_post(phone, "samverkansöverenskommelsen")
    expect(mine.get_by_test_id("delivered")).to_be_visible()
    assert inside_viewport(phone, "send")
    assert sideways_overflow(phone) == []
    shoot(phone, "live-posts")


def test_after_send_the_text_box_keeps_the_focus_and_the_page_stays_put(meeting, new_phone):
    phone = new_phone()
    join(phone, join_url(meeting), "Anna", "FK")
    text = phone.get_by_test_id("text")
    for number in range(1, 4):
        text.fill(f"Fråga nummer {number}: vem ansvarar?")
        phone.get_by_test_id("send").click()
        expect(text).to_be_focused()
        expect(text).to_have_value("")
        assert phone.evaluate("() => window.scrollY") == 0
    status = phone.get_by_test_id("post-status")
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_have_text("Ditt inlägg är levererat.")
    expect(phone.get_by_test_id("own-contribution")).to_have_count(3)


def test_the_draft_and_its_type_survive_a_reload_until_the_post_is_sent(meeting, new_phone):
    phone = new_phone()
    join(phone, join_url(meeting), "Anna", "FK")
    words = "Är det rimligt att ansvaret flyttas till individen?"
    phone.get_by_test_id("text").fill(words)
    phone.get_by_test_id("qtype-value").check()
    phone.reload()
    expect(phone.get_by_test_id("text")).to_have_value(words)
    expect(phone.get_by_test_id("qtype-value")).to_be_checked()
    phone.get_by_test_id("send").click()
    expect(own_post(phone, words).get_by_test_id("delivered")).to_be_visible()
    expect(own_post(phone, words)).to_contain_text("Värdeorienterad")
    phone.reload()
    expect(own_post(phone, words)).to_have_count(1)
    expect(phone.get_by_test_id("text")).to_have_value("")
    expect(phone.get_by_test_id("qtype-none")).to_be_checked()


def test_a_retag_and_a_hide_by_the_facilitator_reach_the_authors_list_live(meeting, new_phone):
    phone = new_phone()
    join(phone, join_url(meeting), "Anna", "FK")
    words = "Vem betalar när arbetsgivaren säger nej?"
    post(phone, words, None)
    mine = own_post(phone, words)
    expect(mine.get_by_test_id("delivered")).to_be_visible()
    expect(mine).to_contain_text("Okategoriserad")
    [stored] = contributions_via_api(meeting)

    change(meeting, stored["id"], {"qtype": "solution"})
    expect(mine).to_contain_text("Lösningsorienterad")
    expect(mine).to_have_class(re.compile(r"\bqtype-solution\b"))
    expect(mine.get_by_test_id("own-hidden")).to_be_hidden()

    change(meeting, stored["id"], {"hidden": True})
    expect(mine.get_by_test_id("own-hidden")).to_have_text("Dolt av handledaren")
    expect(mine.locator(".text")).to_have_text(words)  # the author still reads their words
    shoot(phone, "live-hidden", full=True)
    change(meeting, stored["id"], {"hidden": False})
    expect(mine.get_by_test_id("own-hidden")).to_be_hidden()


def test_own_posts_stay_newest_first_when_one_arrives_after_an_offline_spell(meeting, contexts):
    phone = phone_of(contexts, UPRIGHT)
    join(phone, join_url(meeting), "Anna", "FK")
    post(phone, "Första", None)
    expect(own_post(phone, "Första").get_by_test_id("delivered")).to_be_visible()

    # The same participant in a second tab (the same cookie) posts while the phone is offline.
    tab_context = contexts(**PHONE)
    tab_context.add_cookies(phone.context.cookies())
    tab = tab_context.new_page()
    tab.goto(join_url(meeting) + "/live")
    expect(tab.get_by_test_id("text")).to_be_visible()

    phone.context.set_offline(True)
    expect(phone.get_by_test_id("connection")).to_be_visible()
    post(phone, "Skriven offline", None)
    expect(phone.get_by_test_id("post-status")).to_have_text("Väntar på att skickas…")
    post(tab, "Från den andra fliken", None)
    expect(own_post(tab, "Från den andra fliken").get_by_test_id("delivered")).to_be_visible()
    phone.context.set_offline(False)
    expect(phone.get_by_test_id("post-status")).to_have_text("Ditt inlägg är levererat.")

    # The tab's post was stored first, so the offline post (stored later) is the newest.
    expect(own_post(phone, "Skriven offline").get_by_test_id("delivered")).to_be_visible()
    expect(own_post(phone, "Från den andra fliken").get_by_test_id("delivered")).to_be_visible()
    stored = [c["text"] for c in contributions_via_api(meeting)]
    assert stored == ["Första", "Från den andra fliken", "Skriven offline"]
    texts = phone.get_by_test_id("own-contribution").locator(".text").all_inner_texts()
    assert texts == ["Skriven offline", "Från den andra fliken", "Första"]


def test_a_participant_deletes_their_own_post_and_it_leaves_every_page(meeting, screen, new_phone):
    anna, bo = new_phone(), new_phone()
    join(anna, join_url(meeting), "Anna", "FK")
    join(bo, join_url(meeting), "Bo", "AF")
    words, kept = "Fel fråga, skickad för tidigt", "Den här får stå kvar"
    post(anna, words, "meaning")
    post(anna, kept, None)
    mine = own_post(anna, words)
    expect(mine.get_by_test_id("delivered")).to_be_visible()
    expect(on_screen(screen, words)).to_have_count(1)
    expect(bo.get_by_test_id("others-contribution").filter(has_text=words)).to_have_count(1)

    # Delete asks first; Cancel keeps the post.
    mine.get_by_test_id("own-delete").click()
    expect(mine.get_by_test_id("own-delete-confirm")).to_be_visible()
    shoot(anna, "live-delete-confirm")
    mine.get_by_test_id("own-delete-no").click()
    expect(mine.get_by_test_id("own-delete-confirm")).to_be_hidden()
    expect(mine.get_by_test_id("own-delete")).to_be_focused()

    mine.get_by_test_id("own-delete").click()
    mine.get_by_test_id("own-delete-yes").click()
    expect(mine).to_have_count(0)
    expect(anna.get_by_test_id("post-status")).to_have_text("Ditt inlägg är borttaget.")
    expect(on_screen(screen, words)).to_have_count(0)
    expect(bo.get_by_test_id("others-contribution").filter(has_text=words)).to_have_count(0)
    assert [c["text"] for c in contributions_via_api(meeting)] == [kept]
    anna.reload()
    expect(own_post(anna, kept)).to_have_count(1)
    expect(own_post(anna, words)).to_have_count(0)


TAP_TARGETS = """() => [...document.querySelectorAll(
        "a, button, input:not([type=hidden]), select, textarea, summary")]
    .filter((el) => el.getClientRects().length > 0 && !el.closest(".markdown"))
    .map((el) => {
        const target = el.closest("label") || el;  // a label makes its input's target
        const rect = target.getBoundingClientRect();
        return {name: el.dataset.testid || el.name || el.textContent.trim() || el.tagName,
                width: rect.width, height: rect.height};
    })
    .filter((t) => t.width < 44 || t.height < 44)"""


def test_every_tap_target_on_the_phone_is_at_least_44_px(meeting, screen, contexts):
    for size in (SMALL, UPRIGHT):
        phone = phone_of(contexts, size)
        phone.goto(meeting["url"] + "/j")
        assert phone.evaluate(TAP_TARGETS) == [], f"code page at {size}"
        shoot(phone, "code")
        phone.goto(join_url(meeting))
        assert phone.evaluate(TAP_TARGETS) == [], f"join form at {size}"
        shoot(phone, "join")
        join(phone, join_url(meeting), f"Anna {size[0]}", "FK")
        post(phone, "Vad betyder SGI?", "encyclopedic")
        expect(own_post(phone, "SGI").get_by_test_id("own-delete")).to_be_visible()
        phone.get_by_test_id("qtype-help").locator("summary").click()
        phone.get_by_test_id("withdraw").click()
        assert phone.evaluate(TAP_TARGETS) == [], f"live page at {size}"
        own_post(phone, "SGI").get_by_test_id("own-delete").click()
        assert phone.evaluate(TAP_TARGETS) == [], f"delete confirmation at {size}"


def tab_to(page: Page, testid: str, presses: int = 20) -> None:
    """Presses Tab until the element with ``testid`` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.testid") == testid:
            return
    raise AssertionError(f"Tab never reached {testid}")


def test_the_keyboard_alone_joins_and_posts(meeting, screen, contexts):
    phone = contexts(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(meeting["url"] + "/j")
    expect(phone.get_by_test_id("join-code-input")).to_be_focused()  # ready to type into
    phone.keyboard.type(meeting["join_code"].lower())
    phone.keyboard.press("Enter")
    phone.wait_for_url(join_url(meeting))
    tab_to(phone, "name")
    phone.keyboard.type("Kim")
    tab_to(phone, "organization")
    phone.keyboard.type("AF")
    tab_to(phone, "consent")
    phone.keyboard.press("Space")
    tab_to(phone, "join")
    phone.keyboard.press("Enter")
    phone.wait_for_url(join_url(meeting) + "/live")
    expect(phone.locator(".who")).to_contain_text("Kim (AF)")

    tab_to(phone, "text")
    phone.keyboard.type("Vem bestämmer om arbetsträning?")
    tab_to(phone, "qtype-none")  # the chosen type takes the focus; arrows choose another
    phone.keyboard.press("ArrowLeft")
    expect(phone.get_by_test_id("qtype-solution")).to_be_checked()
    tab_to(phone, "send")
    phone.keyboard.press("Enter")
    mine = own_post(phone, "arbetsträning")
    expect(mine.get_by_test_id("delivered")).to_be_visible()
    expect(mine).to_contain_text("Lösningsorienterad")
    expect(on_screen(screen, "arbetsträning")).to_have_count(1)


def test_screenshots_of_a_meeting_with_posts_and_after_the_close(meeting, screen, contexts):
    start_agenda(meeting)
    phones = {size: phone_of(contexts, size) for size in (SMALL, UPRIGHT, ON_ITS_SIDE)}
    other = phone_of(contexts, UPRIGHT)
    join(other, join_url(meeting), "Maj-Britt Lindqvist-Johansson", "Soc")
    for number, phone in enumerate(phones.values()):
        join(phone, join_url(meeting), f"Deltagare {number}", "FK")
    post(other, "Sjukpenninggrundandeinkomstberäkningsunderlaget: vem ansvarar?", "value")
    for size, phone in phones.items():
        post(phone, f"Min fråga från en telefon som är {size[0]} bred", "meaning")
        expect(phone.get_by_test_id("others-contribution")).not_to_have_count(0)
        expect(phone.get_by_test_id("own-contribution").get_by_test_id("delivered")).to_be_visible()
        assert sideways_overflow(phone) == [], size
        shoot(phone, "live-posts")
        shoot(phone, "live-posts", full=True)
    requests.post(
        f"{meeting['api']}/meetings/{meeting['id']}/close", headers=meeting["headers"], timeout=5
    )
    for size, phone in phones.items():
        expect(phone.get_by_test_id("connection")).to_have_text("Mötet är avslutat. Tack!")
        expect(phone.get_by_test_id("text")).to_be_hidden()  # nothing more to post
        expect(phone.get_by_test_id("send")).to_be_disabled()
        expect(phone.get_by_test_id("own-delete")).to_be_hidden()
        assert sideways_overflow(phone) == [], size
        shoot(phone, "closed")


def test_the_self_evaluation_opens_under_the_form_and_comes_into_view(meeting, new_phone):
    phone = new_phone()
    join(phone, join_url(meeting), "Anna", "FK")
    for number in range(4):
        post(phone, f"Fråga {number}", None)
    expect(phone.get_by_test_id("own-contribution").get_by_test_id("delivered")).to_have_count(4)
    phone.get_by_test_id("withdraw").scroll_into_view_if_needed()  # down at the bottom
    answer = requests.post(
        f"{meeting['api']}/meetings/{meeting['id']}/self-evaluation",
        headers=meeting["headers"],
        timeout=5,
    )
    assert answer.ok, answer.text
    expect(phone.locator("#se-title")).to_be_in_viewport()
    phone.get_by_test_id("se-safe_to_disagree-4").check()
    phone.get_by_test_id("se-submit").click()
    expect(phone.get_by_test_id("se-thanks")).to_contain_text("Tack!")
    expect(phone.locator("#se-title")).to_be_in_viewport()  # the thanks is in sight
    shoot(phone, "self-evaluation")
    phone.reload()
    expect(phone.get_by_test_id("se-thanks")).to_be_visible()
