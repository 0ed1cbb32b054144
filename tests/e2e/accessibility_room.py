"""The meetings, visitors and pages that tests/e2e/test_accessibility.py checks.

One server and one set of visitors (someone not logged in, the facilitator, a phone) serve
the whole test module, so that the many pages stay quick to check; a second server, on a
fresh data directory, shows the first-run setup page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

import test_browser
from helpers import ServerProcess, new_user_token
from test_browser import ARTIFACTS, PHONE, PROJECTOR, TIMEOUT_MS, expect, join, own_post, post

SHOTS = ARTIFACTS / "screenshots"
LAPTOP = {"viewport": {"width": 1366, "height": 900}}
# A 1280×800 screen at 200 % zoom: half as many CSS pixels, each drawn twice as large.
ZOOMED = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
LANGUAGES = ("sv", "en")
WINDOWS = {"phone": PHONE, "laptop": LAPTOP, "projector": PROJECTOR}

# What the phone posts: the colours that were short of AA contrast among them.
LIVE_POSTS = [
    ("Är det rimligt att ansvaret flyttas till individen?", "value"),
    ("Vad betyder det för den som har tidsbegränsad sjukersättning?", "relational"),
    ("Vi borde prata med arbetsgivaren först.", None),
]
HIDDEN_POST = "Det här tar vi inte upp på skärmen."
OTHERS_POST = "Kan arbetsgivaren vara med nästa gång?"
CLOSED_POSTS = [
    ("Vad innebär rehabiliteringskedjan dag 180?", "encyclopedic"),
    ("Hur kan vi samverka kring dem som faller mellan stolarna?", "solution"),
]


@dataclass
class Room:
    """The module's server and what is in it: a group with a closed and a live meeting."""

    url: str
    api: test_browser.Api
    group_id: int
    live: dict
    closed: dict
    screen_link: str  # the path of the live meeting's screen link
    anyone: object  # a browser context with no login and no meeting joined
    facilitator: object  # the facilitator, logged in
    phone: object  # a participant who joined both meetings


def _setup_url(server: ServerProcess) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.search(r"(http://\S+/setup/\S+)", server.log.read_text())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError("the first start printed no setup URL")


def _post_and_wait(phone, text: str, qtype: str | None) -> None:
    post(phone, text, qtype)
    expect(own_post(phone, text).get_by_test_id("delivered")).to_be_visible()


def _contribution_id(api: test_browser.Api, meeting: dict, text: str) -> int:
    (found,) = [c for c in api.get(f"/meetings/{meeting['id']}/contributions") if c["text"] == text]
    return found["id"]


@pytest.fixture(scope="module")
def room(tmp_path_factory, browser):
    """A group whose first meeting held posts, a carried question, a decision and an action
    item and is closed, and whose second meeting is live: its clock running, posts of
    several question types from two phones, one post hidden, the self-evaluation open."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    data_dir = tmp_path_factory.mktemp("accessibility") / "data"
    server = ServerProcess(data_dir).start()
    made = []

    def context(**options):
        made.append(browser.new_context(**options))
        made[-1].set_default_timeout(TIMEOUT_MS)
        return made[-1]

    try:
        api = test_browser.Api((server, new_user_token(data_dir, "Handledare Hanna")))
        group = api.send(
            "POST",
            "/groups",
            {
                "name": "Basgrupp Norrköping",
                "kind": "pbl",
                "planned_meetings": 7,
                "consent_text": test_browser.CONSENT,
                "goals": "## Huvudmål\n\n- Förstå rehabiliteringskedjan\n- Samverka bättre",
            },
        )
        first = api.send("POST", f"/groups/{group['id']}/meetings", {"title": "Dag 180"})
        api.send("POST", f"/meetings/{first['id']}/start")
        phone = context(**PHONE)
        page = phone.new_page()
        join(page, first["join_url"], "Anna Andersson", "FK")
        for text, qtype in CLOSED_POSTS:
            _post_and_wait(page, text, qtype)
        carried = _contribution_id(api, first, CLOSED_POSTS[1][0])
        api.send(
            "PATCH", f"/meetings/{first['id']}/contributions/{carried}", {"carry_forward": True}
        )
        api.send("POST", f"/meetings/{first['id']}/decisions", {"text": "Vi bjuder in AF."})
        api.send(
            "POST",
            f"/meetings/{first['id']}/action-items",
            {"what": "Läsa på om dag 180", "who": "Anna"},
        )
        api.send("POST", f"/meetings/{first['id']}/close")

        second = api.send(
            "POST", f"/groups/{group['id']}/meetings", {"title": "Rehabiliteringskedjan"}
        )
        api.send("POST", f"/meetings/{second['id']}/start")
        api.send("POST", f"/meetings/{second['id']}/agenda", {"action": "start"})
        join(page, second["join_url"], "Anna Andersson", "FK")
        for text, qtype in [*LIVE_POSTS, (HIDDEN_POST, "meaning")]:
            _post_and_wait(page, text, qtype)
        hidden = _contribution_id(api, second, HIDDEN_POST)
        api.send("PATCH", f"/meetings/{second['id']}/contributions/{hidden}", {"hidden": True})
        page.close()
        other = context(**PHONE).new_page()  # a post by someone else, to react to
        join(other, second["join_url"], "Bo Berg", "Psyk")
        _post_and_wait(other, OTHERS_POST, "solution")
        other.context.close()
        api.send("POST", f"/meetings/{second['id']}/self-evaluation")
        screen_link = api.send("POST", f"/meetings/{second['id']}/screen-link")["screen_link"]

        facilitator = context()
        test_browser.log_in(facilitator.new_page(), server.url)
        for opened in facilitator.pages:
            opened.close()
        yield Room(
            url=server.url,
            api=api,
            group_id=group["id"],
            live=second,
            closed=first,
            screen_link=screen_link.removeprefix(server.url),
            anyone=context(),
            facilitator=facilitator,
            phone=phone,
        )
    finally:
        for made_context in made:
            made_context.close()
        server.stop()


def _count_at_least(testid: str, n: int) -> Callable:
    def ready(page) -> None:
        page.wait_for_function(
            "([testid, n]) => document.querySelectorAll(`[data-testid=${testid}]`).length >= n",
            arg=[testid, n],
        )

    return ready


def _loaded(page) -> None:
    page.wait_for_load_state()


@dataclass(frozen=True)
class Visit:
    """A page to check: who opens it, where, the status it answers with, what it waits for
    before it is checked (the posts the live pages draw), and the window it is opened in."""

    who: str
    path: Callable[[Room], str]
    status: int = 200
    ready: Callable = _loaded
    size: str = "laptop"


PAGES: dict[str, Visit] = {
    "login": Visit("anyone", lambda r: "/"),
    "not-found": Visit("anyone", lambda r: "/no-such-page", status=404),
    "code-page": Visit("anyone", lambda r: "/j", size="phone"),
    "code-page-unknown-code": Visit("anyone", lambda r: "/j?code=zz 99", status=404, size="phone"),
    "join-form": Visit("anyone", lambda r: f"/j/{r.live['join_code']}", size="phone"),
    "phone-unknown-code": Visit("anyone", lambda r: "/j/ZZZZZZ", status=404, size="phone"),
    "phone-meeting-ended": Visit(
        "anyone", lambda r: f"/j/{r.closed['join_code']}", status=410, size="phone"
    ),
    "phone-live": Visit(
        "phone",
        lambda r: f"/j/{r.live['join_code']}/live",
        ready=_count_at_least("own-contribution", len(LIVE_POSTS)),
        size="phone",
    ),
    "phone-closed": Visit(
        "phone",
        lambda r: f"/j/{r.closed['join_code']}/live",
        ready=_count_at_least("own-contribution", len(CLOSED_POSTS)),
        size="phone",
    ),
    "groups": Visit("facilitator", lambda r: "/groups"),
    "group": Visit("facilitator", lambda r: f"/groups/{r.group_id}"),
    "console-live": Visit(
        "facilitator",
        lambda r: f"/meetings/{r.live['id']}",
        ready=_count_at_least("contribution", len(LIVE_POSTS) + 2),
    ),
    "console-closed": Visit(
        "facilitator",
        lambda r: f"/meetings/{r.closed['id']}",
        ready=_count_at_least("contribution", len(CLOSED_POSTS)),
    ),
    "screen-live": Visit(
        "facilitator",
        lambda r: f"/meetings/{r.live['id']}/screen",
        ready=_count_at_least("contribution", len(LIVE_POSTS) + 1),
        size="projector",
    ),
    "screen-closed": Visit(
        "facilitator",
        lambda r: f"/meetings/{r.closed['id']}/screen",
        ready=_count_at_least("contribution", len(CLOSED_POSTS)),
        size="projector",
    ),
    "screen-link-live": Visit(
        "anyone",
        lambda r: r.screen_link,
        ready=_count_at_least("contribution", len(LIVE_POSTS) + 1),
        size="projector",
    ),
    "screen-link-unknown": Visit("anyone", lambda r: "/s/no-such-link", status=404),
    "minutes-live": Visit("facilitator", lambda r: f"/api/v1/meetings/{r.live['id']}/minutes.html"),
    "minutes-closed": Visit(
        "facilitator", lambda r: f"/api/v1/meetings/{r.closed['id']}/minutes.html"
    ),
}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """A server on a fresh data directory: no account yet, so it printed a setup link."""
    server = ServerProcess(tmp_path_factory.mktemp("first-run") / "data").start()
    try:
        yield _setup_url(server)
    finally:
        server.stop()
