"""The facilitator's console on a 1366×768 laptop, in a real Chromium against a real server:
compact posts (at least six in view), the filters, the pin, the tools in tabs beside the posts,
a closed meeting's controls, the copy buttons, the screen's author choice and the screen link.

Screenshots land in test-artifacts/screenshots/console-1366x768-<state>.png for a person to
look at. Posts come from phones connected with the Python Socket.IO client (quicker than
twelve browser phones); the console is the browser under test."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
import socketio
from playwright.sync_api import Page, expect

import test_browser
from test_browser import ARTIFACTS, CONSENT, Api, log_in

browser, contexts = test_browser.browser, test_browser.contexts
pytestmark = [pytest.mark.browser, pytest.mark.server]

SCREENSHOTS = ARTIFACTS / "screenshots"
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
# Twelve posts of the kinds a base group writes, oldest first, with their question types.
POSTS = [
    ("Vad innebär rehabiliteringskedjan dag 180?", "encyclopedic"),
    ("Varför infördes tidsgränserna?", "meaning"),
    ("Vad betyder det för den som har tidsbegränsad sjukersättning?", "relational"),
    ("Är det rimligt att ansvaret flyttas till individen?", "value"),
    ("Hur kan vi samverka kring dem som faller mellan stolarna?", "solution"),
    ("Vem äger frågan om arbetsförmåga när flera myndigheter är inblandade?", None),
    ("Vad räknas som normalt förekommande arbete?", "encyclopedic"),
    ("Varför ser bedömningarna så olika ut mellan handläggarna?", "meaning"),
    ("Är det rättvist att den med sämst hälsa får vänta längst?", "value"),
    ("Hur påverkar arbetsgivarens ansvar Evas möjligheter att komma tillbaka?", "relational"),
    ("Kan vi bjuda in en arbetsgivare till nästa möte?", "solution"),
    (
        "Eva har varit sjukskriven i snart ett år. Hon har träffat sin handläggare på "
        "Försäkringskassan tre gånger, arbetsförmedlaren en gång och sin läkare varje månad, "
        "men ingen av dem vet vad de andra har sagt till henne eller vad hon själv vill. Hur "
        "ska vi som myndigheter se till att hon får en plan och inte fyra?",
        "solution",
    ),
]


def screenshot(page: Page, state: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"console-1366x768-{state}.png"))


def posted_from_phones(process, meeting: dict, posts=POSTS) -> list[socketio.Client]:
    """Three participants post ``posts`` in order, each acked before the next is sent; the
    first phone posts the first, the fourth, the seventh post, and so on."""
    phones = []
    for name, organization in (("Anna", "FK"), ("Bo", "AF"), ("Cecilia", "RS")):
        joined = requests.post(
            f"{process.url}/j/{meeting['join_code']}",
            json={"display_name": name, "organization": organization, "consent": True},
            timeout=10,
        )
        joined.raise_for_status()
        phone = socketio.Client(reconnection=False)
        phone.connect(
            process.url,
            auth={"token": joined.json()["token"]},
            transports=["websocket"],
            wait_timeout=10,
        )
        phones.append(phone)
    for number, (text, qtype) in enumerate(posts):
        answer = phones[number % len(phones)].call(
            "contribution:add",
            {"client_id": str(uuid.uuid4()), "text": text, "qtype": qtype},
            timeout=10,
        )
        assert answer["ok"], answer
    # The sockets end with the server (closing one waits for the server's close frame).
    return phones


def console_page(server, contexts, posts=POSTS, **context_options) -> tuple[Page, dict, Api]:
    """A live meeting with ``posts``, and its console open on a 1366×768 laptop. The phones
    that posted are kept as ``page.phones`` (see posted_from_phones)."""
    process, _ = server
    api = Api(server)
    meeting = api.meeting(
        {"name": "Basgrupp Norrköping", "consent_text": CONSENT, "planned_meetings": 7},
        {"title": "Fallet Eva", "agenda": "pbl-cycle"},
        start=True,
    )
    page = contexts(**LAPTOP, **context_options).new_page()
    page.phones = posted_from_phones(process, meeting, posts)
    log_in(page, process.url)
    page.goto(f"{process.url}/meetings/{meeting['id']}")
    expect(page.get_by_test_id("contribution")).to_have_count(len(posts))
    return page, meeting, api


def card(page: Page, text: str):
    return page.get_by_test_id("contribution").filter(has_text=text)


def cards_in_view(page: Page) -> int:
    """How many posts are wholly inside the viewport."""
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-testid=contribution]")].filter((card) => {
            const box = card.getBoundingClientRect();
            return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
        }).length"""
    )


def overflows_sideways(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_a_laptop_shows_at_least_six_compact_posts_at_once(server, contexts):
    page, _, _ = console_page(server, contexts)
    heights = page.get_by_test_id("contribution").evaluate_all(
        "(cards) => cards.map((card) => card.getBoundingClientRect().height)"
    )
    # Before: about 166 px a post, three in view. Now one line of text and one of controls.
    assert max(heights) <= 90, heights
    assert cards_in_view(page) >= 6
    assert not overflows_sideways(page)
    # The long post shows two lines, and the rest on "Show all".
    long_post = card(page, "Eva har varit sjukskriven")
    expect(long_post.get_by_test_id("expand")).to_be_visible()
    expect(card(page, "Vad innebär").get_by_test_id("expand")).to_be_hidden()
    screenshot(page, "live")
    long_post.get_by_test_id("expand").click()
    expect(long_post.get_by_test_id("expand")).to_have_attribute("aria-expanded", "true")
    assert long_post.bounding_box()["height"] > max(heights)
    # In English, whose labels are longer, the cards stay as compact.
    page.goto(page.url + "?lang=en")
    expect(page.get_by_test_id("tab-followups")).to_have_text("Follow-ups")
    expect(page.get_by_test_id("contribution")).to_have_count(len(POSTS))
    assert cards_in_view(page) >= 6
    assert not overflows_sideways(page)
    screenshot(page, "live-en")


def test_the_facilitator_filters_the_posts_by_question_type_and_hidden_only(server, contexts):
    page, meeting, api = console_page(server, contexts)
    shown = page.locator("[data-testid=contribution]:visible")
    page.get_by_test_id("filter-qtype").select_option("value")
    expect(shown).to_have_count(2)
    expect(page.get_by_test_id("filter-count")).to_have_text("2 av 12 visas")
    # A post re-tagged to the chosen type joins the filtered list.
    stored = {c["text"]: c["id"] for c in api.get(f"/meetings/{meeting['id']}/contributions")}
    api.send(
        "PATCH",
        f"/meetings/{meeting['id']}/contributions/{stored[POSTS[1][0]]}",
        {"qtype": "value"},
    )
    expect(shown).to_have_count(3)
    screenshot(page, "filtered")
    page.get_by_test_id("filter-qtype").select_option("untagged")
    expect(shown).to_have_count(1)
    expect(shown.locator(".text")).to_have_text(POSTS[5][0])
    page.get_by_test_id("filter-qtype").select_option("")
    expect(shown).to_have_count(12)
    expect(page.get_by_test_id("filter-count")).to_be_hidden()

    card(page, POSTS[2][0]).get_by_test_id("hide-toggle").check()
    page.get_by_test_id("filter-hidden").check()
    expect(shown).to_have_count(1)
    expect(shown.locator(".text")).to_have_text(POSTS[2][0])
    # Shown again, it leaves the list of hidden posts; the list says none is left.
    card(page, POSTS[2][0]).get_by_test_id("hide-toggle").uncheck()
    expect(shown).to_have_count(0)
    expect(page.get_by_test_id("filter-empty")).to_be_visible()
    assert not api.get(f"/meetings/{meeting['id']}/contributions")[2]["hidden"]


def test_the_pinned_post_is_marked_on_the_screen_and_its_button_unpins_it(server, contexts):
    page, meeting, api = console_page(server, contexts)
    post = card(page, POSTS[4][0])
    pin = post.get_by_test_id("pin-toggle")
    expect(pin).to_have_text("Fäst på skärmen")
    pin.click()
    expect(post.get_by_test_id("pinned-badge")).to_have_text("På skärmen")
    expect(pin).to_have_text("Lossa från skärmen")
    expect(page.get_by_test_id("pinned-badge").filter(visible=True)).to_have_count(1)
    base = f"/meetings/{meeting['id']}"
    stored = api.get(f"{base}/contributions")
    assert api.get(f"{base}/screen")["pinned_contribution_id"] == stored[4]["id"]
    # A hidden post beside it, for the screenshot: striped, its text still readable.
    api.send("PATCH", f"{base}/contributions/{stored[5]['id']}", {"hidden": True})
    expect(card(page, POSTS[5][0])).to_have_class(re.compile(r"\bis-hidden\b"))
    screenshot(page, "pinned")
    # Pinning another post moves the mark.
    card(page, POSTS[0][0]).get_by_test_id("pin-toggle").click()
    expect(card(page, POSTS[0][0]).get_by_test_id("pinned-badge")).to_be_visible()
    expect(post.get_by_test_id("pinned-badge")).to_be_hidden()
    expect(pin).to_have_text("Fäst på skärmen")
    card(page, POSTS[0][0]).get_by_test_id("pin-toggle").click()
    expect(page.get_by_test_id("pinned-badge").filter(visible=True)).to_have_count(0)
    assert api.get(f"/meetings/{meeting['id']}/screen")["pinned_contribution_id"] is None


def test_the_keyboard_alone_moderates_a_post_and_moves_between_the_tabs(server, contexts):
    page, meeting, api = console_page(server, contexts, POSTS[:3])
    post = card(page, POSTS[0][0])
    post.get_by_test_id("qtype-select").focus()
    page.keyboard.press("ArrowDown")  # encyclopedic → meaning
    expect(post.get_by_test_id("qtype-select")).to_have_value("meaning")
    page.keyboard.press("Tab")
    expect(post.get_by_test_id("hide-toggle")).to_be_focused()
    page.keyboard.press("Space")
    expect(post.get_by_test_id("hide-toggle")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(post.get_by_test_id("pin-toggle")).to_be_focused()
    page.keyboard.press("Enter")
    expect(post.get_by_test_id("pinned-badge")).to_be_visible()
    first = api.get(f"/meetings/{meeting['id']}/contributions")[0]
    assert (first["qtype"], first["hidden"]) == ("meaning", True)

    page.get_by_test_id("tab-agenda").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("tab-followups")).to_be_focused()
    expect(page.get_by_test_id("tab-followups")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("decision-text")).to_be_visible()
    expect(page.get_by_test_id("agenda-steps")).to_be_hidden()
    page.keyboard.press("End")
    expect(page.get_by_test_id("tab-development")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("phase")).to_be_visible()
    page.keyboard.press("ArrowRight")  # round to the first
    expect(page.get_by_test_id("tab-agenda")).to_have_attribute("aria-selected", "true")
    assert page.get_by_test_id("tab-screen").get_attribute("tabindex") == "-1"


def test_follow_ups_sit_one_tab_away_beside_the_posts(server, contexts):
    page, meeting, api = console_page(server, contexts)
    screenshot(page, "agenda")
    page.get_by_test_id("tab-followups").click()
    decision = page.get_by_test_id("decision-text")
    box = decision.bounding_box()
    assert box["y"] + box["height"] <= 768, "the decision form is below the fold"
    assert page.evaluate("window.scrollY") == 0
    decision.fill("Vi bjuder in en arbetsgivare.")
    decision.press("Enter")
    expect(page.get_by_test_id("decision")).to_have_text(["Vi bjuder in en arbetsgivare."])
    card(page, POSTS[10][0]).get_by_test_id("carry-toggle").check()
    expect(page.get_by_test_id("question")).to_have_count(1)
    page.get_by_test_id("action-who").fill("P02 (AF)")
    page.get_by_test_id("action-what").fill("Ta med statistik om dag 180")
    page.locator("[data-testid=action-form] button").click()
    expect(page.get_by_test_id("action-item")).to_have_count(1)
    assert not overflows_sideways(page)
    screenshot(page, "followups")
    # The tab shown last is shown again after a reload (a form posts and comes back).
    page.reload()
    expect(page.get_by_test_id("tab-followups")).to_have_attribute("aria-selected", "true")
    page.get_by_test_id("tab-screen").click()
    expect(page.get_by_test_id("screen-hide-all")).to_be_visible()
    assert not overflows_sideways(page)
    screenshot(page, "screen")
    page.get_by_test_id("tab-development").click()
    expect(page.get_by_test_id("phase-suggested")).not_to_have_text("…")
    assert not overflows_sideways(page)
    screenshot(page, "development")


def test_a_closed_meeting_disables_what_can_no_longer_change_and_says_why(server, contexts):
    page, meeting, api = console_page(server, contexts, POSTS[:4])
    api.send("POST", f"/meetings/{meeting['id']}/close")
    # The open console follows the close without a reload, then a reload shows the same.
    for reload in (False, True):
        if reload:
            page.reload()
        expect(page.get_by_test_id("meeting-status")).to_have_text("Avslutat")
        expect(page.get_by_test_id("close")).to_be_hidden()
        for testid in ("agenda-start", "agenda-pause", "agenda-next"):
            expect(page.get_by_test_id(testid)).to_be_disabled()
        expect(page.get_by_test_id("agenda-closed")).to_contain_text("Mötet är avslutat")
        expect(page.get_by_test_id("posts-closed")).to_contain_text("Mötet är avslutat")
        expect(card(page, POSTS[0][0]).get_by_test_id("carry-toggle")).to_be_disabled()
        page.get_by_test_id("tab-followups").click()
        expect(page.get_by_test_id("followups-closed")).to_contain_text("Mötet är avslutat")
        expect(page.get_by_test_id("decision-text")).to_be_disabled()
        expect(page.get_by_test_id("question-text")).to_be_disabled()
        page.get_by_test_id("tab-agenda").click()
    # What the server still takes after the close stays live: re-tagging (the minutes follow).
    post = card(page, POSTS[0][0])
    expect(post.get_by_test_id("qtype-select")).to_be_enabled()
    post.get_by_test_id("qtype-select").select_option("solution")
    expect(post).to_have_class(re.compile(r"\bqtype-solution\b"))
    assert api.get(f"/meetings/{meeting['id']}/contributions")[0]["qtype"] == "solution"
    expect(page.get_by_test_id("screen-hide-all")).to_be_hidden()  # in its tab
    page.get_by_test_id("tab-screen").click()
    expect(page.get_by_test_id("screen-hide-all")).to_be_enabled()
    page.get_by_test_id("tab-agenda").click()
    screenshot(page, "closed")


def test_the_join_url_is_copied_with_a_visible_confirmation(server, contexts):
    page, meeting, _ = console_page(
        server, contexts, POSTS[:1], permissions=["clipboard-read", "clipboard-write"]
    )
    expect(page.get_by_test_id("join-url")).to_have_text(meeting["join_url"])
    page.get_by_test_id("copy-join-url").click()
    expect(page.get_by_test_id("copy-join-url-status")).to_have_text("Kopierat")
    assert page.evaluate("navigator.clipboard.readText()") == meeting["join_url"]


def test_without_the_clipboard_api_the_join_url_is_selected_to_copy(server, contexts):
    """A console opened at a plain-http LAN address has no Clipboard API."""
    process, _ = server
    meeting = Api(server).meeting({"name": "Basgrupp Kalmar"}, start=True)
    context = contexts(**LAPTOP)
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page = context.new_page()
    log_in(page, process.url)
    page.goto(f"{process.url}/meetings/{meeting['id']}")
    page.get_by_test_id("copy-join-url").click()
    expect(page.get_by_test_id("copy-join-url-status")).not_to_be_empty()
    assert page.evaluate("String(window.getSelection())") == meeting["join_url"]


def test_the_minutes_open_in_a_new_tab_and_the_word_file_downloads(server, contexts):
    page, _, _ = console_page(server, contexts, POSTS[:1])
    for testid in ("minutes-html", "minutes-md"):
        expect(page.get_by_test_id(testid)).to_have_attribute("target", "_blank")
        expect(page.get_by_test_id(testid)).to_have_attribute("rel", "noopener")
    expect(page.get_by_test_id("minutes-docx")).to_have_attribute("download", "")
    expect(page.get_by_test_id("minutes-docx")).not_to_have_attribute("target", "_blank")
    with page.expect_popup() as opened:
        page.get_by_test_id("minutes-html").click()
    popup = opened.value
    popup.wait_for_load_state()
    assert "/minutes.html" in popup.url
    with page.expect_download() as downloaded:
        page.get_by_test_id("minutes-docx").click()
    assert downloaded.value.suggested_filename.endswith(".docx")


def test_the_facilitator_chooses_how_the_screen_names_a_posts_author(server, contexts):
    page, meeting, api = console_page(server, contexts, POSTS[:1])
    page.get_by_test_id("tab-screen").click()
    expect(page.get_by_test_id("author-display-name")).to_be_checked()
    page.locator("label", has=page.get_by_test_id("author-display-pseudonym")).click()
    expect(page.get_by_test_id("author-display-pseudonym")).to_be_checked()
    expect(page.get_by_test_id("screen-error")).to_be_hidden()
    screen = f"/meetings/{meeting['id']}/screen"
    for _ in range(50):  # the command goes over the socket
        if api.get(screen).get("author_display") == "pseudonym":
            break
        page.wait_for_timeout(100)
    assert api.get(screen)["author_display"] == "pseudonym"
    # A change made elsewhere (the API, the screen's keys) shows here too.
    api.send("POST", screen, {"author_display": "none"})
    expect(page.get_by_test_id("author-display-none")).to_be_checked()
    # The keyboard moves the choice like any radio group.
    page.get_by_test_id("author-display-none").focus()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("author-display-pseudonym")).to_be_checked()


def test_the_screen_link_is_created_copied_renewed_and_revoked_from_the_console(server, contexts):
    page, meeting, _ = console_page(
        server, contexts, POSTS[:1], permissions=["clipboard-read", "clipboard-write"]
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("tab-screen").click()
    page.get_by_test_id("screen-link-create").click()
    link = page.get_by_test_id("screen-link")
    expect(link).to_contain_text("/s/")
    expect(page.get_by_test_id("tab-screen")).to_have_attribute("aria-selected", "true")
    first = link.inner_text()
    page.get_by_test_id("copy-screen-link").click()
    expect(page.get_by_test_id("copy-screen-link-status")).to_have_text("Kopierat")
    assert page.evaluate("navigator.clipboard.readText()") == first
    page.get_by_test_id("screen-link-renew").click()
    expect(link).not_to_have_text(first)
    assert requests.get(first, timeout=5).status_code == 404
    page.get_by_test_id("screen-link-revoke").click()
    expect(page.get_by_test_id("screen-link-create")).to_be_visible()
    expect(link).to_have_count(0)


def test_axe_finds_no_violation_in_any_tab_nor_in_a_posts_more_menu(server, contexts):
    from axe_playwright_python.sync_playwright import Axe

    page, meeting, api = console_page(server, contexts, POSTS[:3])
    base = f"/meetings/{meeting['id']}"
    first = api.get(f"{base}/contributions")[0]
    api.send("PATCH", f"{base}/contributions/{first['id']}", {"carry_forward": True})
    api.send("POST", f"{base}/decisions", {"text": "Vi bjuder in en arbetsgivare."})
    api.send("POST", f"{base}/action-items", {"who": "P02 (AF)", "what": "Ta med statistik"})
    expect(page.get_by_test_id("question-status")).to_have_count(1)
    card(page, POSTS[1][0]).get_by_test_id("more").click()
    card(page, POSTS[1][0]).get_by_test_id("case-story").locator("summary").click()
    screenshot(page, "more")
    axe = Axe()
    for tab in ("agenda", "followups", "screen", "development"):
        page.get_by_test_id(f"tab-{tab}").click()
        found = [
            f"{violation['id']} ({violation['impact']}): {node['html'][:160]}"
            for violation in axe.run(page).response["violations"]
            for node in violation["nodes"]
        ]
        assert found == [], f"{tab}:\n" + "\n".join(found)


def test_a_post_its_author_deletes_leaves_the_console_and_the_filter_count(server, contexts):
    page, meeting, api = console_page(server, contexts, POSTS[:4])
    page.get_by_test_id("filter-qtype").select_option("encyclopedic")
    expect(page.get_by_test_id("filter-count")).to_have_text("1 av 4 visas")
    first = api.get(f"/meetings/{meeting['id']}/contributions")[0]
    answer = page.phones[0].call("contribution:delete", {"id": first["id"]}, timeout=10)
    assert answer["ok"], answer
    expect(page.get_by_test_id("contribution")).to_have_count(3)
    expect(card(page, POSTS[0][0])).to_have_count(0)
    expect(page.get_by_test_id("filter-count")).to_have_text("0 av 3 visas")
    expect(page.get_by_test_id("filter-empty")).to_be_visible()
