"""The hostile-text corpus (``xss_corpus``) on the live pages, in a real Chromium against a
real server: the projector screen, the facilitator's console and a phone. No dialog opens,
no element a payload would make exists, no link runs script, and the typed text shows as
text.

One meeting holds it all, each page is opened once. Sixty-odd participants join through the
JSON route and post through the Python Socket.IO client (quicker than as many browser
phones); one phone joins and posts through its page. Fields that hold one value (group
name, title, each organisation's name) carry the payloads packed together; the starting
point, the goals and the consent text carry all of them.
"""

from __future__ import annotations

import uuid

import pytest
import requests
import socketio
from playwright.sync_api import Page, expect
from xss_corpus import ACCEPTED, INJECTED_IN_PAGE_JS, fitted, joined, one_line, packed, stored

import test_browser
from test_browser import LAPTOP, PHONE, PROJECTOR, Api, connected, log_in

browser, contexts = test_browser.browser, test_browser.contexts
pytestmark = [pytest.mark.browser, pytest.mark.server]


# The phone waits for the guard's answer however busy the machine: its warning is part of
# what this test looks at.
@pytest.fixture
def server_env() -> dict[str, str]:
    return test_browser.PATIENT_PRIVACY_CHECK


TEXTS = [p.text for p in ACCEPTED]


def post_from_phone(url: str, join_code: str, n: int, text: str, organization: str) -> dict:
    """One participant: joins with a payload as their name, posts the payload, answers the
    self-evaluation with it, and leaves."""
    name = fitted(text, 60)
    answer = requests.post(
        f"{url}/j/{join_code}",
        json={"display_name": name, "organization": organization, "consent": True},
        timeout=10,
    )
    assert answer.status_code == 200, (n, answer.text)
    phone = socketio.Client(reconnection=False)
    # Long-polling: its disconnect is one request, where a websocket's close waits up to 3 s
    # in the client for the server's closing frame. No replay of the others' posts (a high
    # since_seq): this phone only sends.
    auth = {"token": answer.json()["token"], "since_seq": 2**62}
    phone.connect(url, auth=auth, transports=["polling"])
    try:
        ack = phone.call(
            "contribution:add", {"client_id": str(uuid.uuid4()), "text": text}, timeout=10
        )
        assert ack["ok"], (n, ack)
        se = phone.call("self_evaluation:answer", {"answers": {"change": text}}, timeout=10)
        assert se["ok"], (n, se)
    finally:
        phone.disconnect()
    return {"name": stored(name), "text": stored(text), "id": ack["contribution"]["id"]}


def hostile_meeting(server) -> dict:
    """The meeting, with every payload in it, and what was stored."""
    api = Api(server)
    organizations = [{"code": f"O{n}", "name": name} for n, name in enumerate(packed(80)[:30])]
    group = api.send(
        "POST",
        "/groups",
        {
            "name": packed(120)[0],
            "kind": "pbl",
            "organizations": organizations,
            "goals": "\n\n".join(TEXTS),
            "consent_text": joined(TEXTS, 5000),
        },
    )
    meeting = api.send(
        "POST", f"/groups/{group['id']}/meetings", {"title": packed(200)[0], "agenda": "free"}
    )
    mid = meeting["id"]
    titles = packed(120)
    # The steps left of the 30 are labelled by a typed key (shown when a step has no title).
    keys = packed(60)[: 30 - len(titles)]
    steps = [{"title": t} for t in titles] + [{"key": k} for k in keys]
    agenda = api.send("PUT", f"/meetings/{mid}/agenda", {"steps": steps})
    for step, notes in zip(agenda["steps"], packed(2000, "\n\n"), strict=False):
        api.send("PUT", f"/meetings/{mid}/agenda/{step['id']}/notes", {"notes": notes})
    api.send("PUT", f"/meetings/{mid}/starting-point", {"text": "\n\n".join(TEXTS)})
    api.send("POST", f"/meetings/{mid}/start")
    api.send("POST", f"/meetings/{mid}/agenda", {"action": "start"})
    api.send("POST", f"/meetings/{mid}/self-evaluation")
    followups = packed(2000, "\n")
    for text in followups:
        api.send("POST", f"/meetings/{mid}/questions", {"text": text})
        api.send("POST", f"/meetings/{mid}/decisions", {"text": text})
        api.send("POST", f"/meetings/{mid}/action-items", {"what": text, "who": text[:120]})
    url = server[0].url
    posts = [
        post_from_phone(url, meeting["join_code"], n, text, f"O{n % 30}")
        for n, text in enumerate(TEXTS)
    ]
    # Every post names its author (the payload is both), so the privacy guard flags it; the
    # facilitator marks them checked, and the pages show the exact text.
    for stored_post in posts:
        api.send(
            "PATCH", f"/meetings/{mid}/contributions/{stored_post['id']}", {"clear_flags": True}
        )
    return {
        **meeting,
        "url": url,
        "api": api,
        "posts": posts,
        "titles": [stored(t) for t in titles + keys],
        "followups": [stored(t) for t in followups],
    }


def watch(page: Page, dialogs: list[str]) -> Page:
    """Any dialog (``alert``, ``confirm``, ``prompt``) is a payload's script running."""

    def opened(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message} on {page.url}")
        dialog.dismiss()

    page.on("dialog", opened)
    return page


def texts_of(page: Page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("(all) => all.map((e) => e.textContent)")


def assert_clean(page: Page) -> None:
    assert page.evaluate(INJECTED_IN_PAGE_JS) == [], page.url


def assert_no_sideways_scroll(page: Page) -> None:
    """A long word wraps: the phone's page is never wider than the phone."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (page.url, width)


def test_hostile_text_stays_text_on_the_screen_the_console_and_a_phone(server, contexts):
    meeting = hostile_meeting(server)
    url, mid, api = meeting["url"], meeting["id"], meeting["api"]
    posted = {p["text"] for p in meeting["posts"]}
    dialogs: list[str] = []

    # A phone joins through its pages: the join page shows the group, the organisations'
    # names and the consent text; its name and post are payloads too.
    phone = watch(contexts(**PHONE).new_page(), dialogs)
    phone.goto(f"{url}/j/{meeting['join_code']}")
    assert_clean(phone)
    assert_no_sideways_scroll(phone)
    own_name, own_text = fitted(TEXTS[1], 60), TEXTS[5]
    phone.get_by_test_id("name").fill(own_name)
    phone.get_by_test_id("organization").select_option("O3")
    phone.get_by_test_id("consent").check()
    phone.get_by_test_id("join").click()
    expect(phone.get_by_test_id("text")).to_be_visible()
    connected(phone)  # a post sent before the socket is up goes without the warning
    phone.get_by_test_id("text").fill(own_text)
    phone.get_by_test_id("send").click()
    # The payload is a roster name now: the guard's warning shows it marked, as text.
    warning = phone.get_by_test_id("privacy-warning")
    expect(warning).to_be_visible()
    assert_clean(phone)
    marked = warning.locator("mark").all_text_contents()
    assert marked and all(part in stored(own_text) for part in marked)
    warning.get_by_test_id("privacy-send-anyway").click()
    mine = phone.get_by_test_id("own-contribution")
    expect(mine.get_by_test_id("delivered")).to_be_visible()
    own_id = int(mine.get_attribute("data-id"))
    Api(server).send("PATCH", f"/meetings/{mid}/contributions/{own_id}", {"clear_flags": True})
    expect(phone.get_by_test_id("others-contribution")).to_have_count(len(posted))
    phone.get_by_test_id("goals").locator("summary").click()
    assert_clean(phone)
    assert_no_sideways_scroll(phone)
    assert set(texts_of(phone, "[data-testid=others-contribution] .text")) == posted
    assert texts_of(phone, "[data-testid=own-contribution] .text") == [stored(own_text)]
    assert one_line(stored(own_name)) in one_line(phone.locator(".who").inner_text())

    # The projector and the console, logged in once.
    laptop = contexts(**LAPTOP)
    console = watch(laptop.new_page(), dialogs)
    log_in(console, url)
    screen = watch(contexts(**PROJECTOR, storage_state=laptop.storage_state()).new_page(), dialogs)
    screen.goto(f"{url}/meetings/{mid}/screen")
    shown = screen.get_by_test_id("contribution")
    expect(shown).to_have_count(len(posted) + 1)
    assert_clean(screen)
    assert set(texts_of(screen, "[data-testid=contribution] .text")) == posted | {stored(own_text)}
    authors = one_line(" ".join(texts_of(screen, "[data-testid=contribution] .author")))
    for post in meeting["posts"]:
        assert one_line(post["name"]) in authors
    heading = one_line(screen.locator("h1").inner_text())
    assert one_line(stored(packed(200)[0])) in heading
    step = one_line(screen.get_by_test_id("agenda-step").inner_text())
    assert step == one_line(meeting["titles"][0])

    console.goto(f"{url}/meetings/{mid}")
    expect(console.get_by_test_id("contribution")).to_have_count(len(posted) + 1)
    assert_clean(console)
    assert set(texts_of(console, "[data-testid=contribution] .text")) == posted | {stored(own_text)}
    for tab in ("tab-followups", "tab-agenda", "tab-development", "tab-screen"):
        console.get_by_test_id(tab).click()
        assert_clean(console)
    followups = one_line(console.get_by_test_id("followups").text_content())
    for text in meeting["followups"]:
        assert one_line(text) in followups
    steps = one_line(console.get_by_test_id("agenda").text_content())
    for title in meeting["titles"]:
        assert one_line(title) in steps

    # The screen's panels, one after another, while it stays open: the goals, the starting
    # point, a pinned post. Each arrives over its socket.
    api.send("POST", f"/meetings/{mid}/screen", {"show_goals": True})
    expect(screen.get_by_test_id("goals")).to_be_visible()
    assert_clean(screen)
    api.send("POST", f"/meetings/{mid}/screen", {"show_goals": False, "show_starting_point": True})
    expect(screen.get_by_test_id("starting-point")).to_be_visible()
    assert_clean(screen)
    pinned = meeting["posts"][0]
    api.send("POST", f"/meetings/{mid}/screen", {"show_starting_point": False, "pin": pinned["id"]})
    expect(screen.get_by_test_id("pinned")).to_be_visible()
    assert texts_of(screen, "[data-testid=pinned] .text") == [pinned["text"]]
    assert_clean(screen)
    for page in (phone, console):
        assert_clean(page)
    assert dialogs == []
