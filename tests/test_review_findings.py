"""Defects found in review: each test shows one, and fails until it is fixed."""

import os
import re
import uuid
from pathlib import Path

import pytest
import requests

from conftest import PASSWORD, join
from pblapp import ops

CHROMIUM = Path("/usr/bin/chromium")


def sio(app, **kwargs):
    return app.extensions["socketio"].test_client(app, **kwargs)


def post(phone, text, client_id=None, qtype=None):
    payload = {"client_id": client_id or str(uuid.uuid4()), "text": text, "qtype": qtype}
    return phone.emit("contribution:add", payload, callback=True)


def test_a_control_character_in_a_post_does_not_break_closing_and_the_docx_minutes(
    app, client, facilitator, live_meeting
):
    token = join(client, live_meeting["join_code"])["token"]
    phone = sio(app, auth={"token": token})
    assert post(phone, "Vad gäller\x0bdag 180?")["ok"]
    closed = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"]
    )
    assert closed.status_code == 200, closed.get_data(as_text=True)[:300]
    docx = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.docx", headers=facilitator["headers"]
    )
    assert docx.status_code == 200


def test_login_next_with_a_tab_does_not_redirect_off_site(app, client, facilitator):
    answer = client.post(
        "/?next=/%09/evil.example",
        data={"name": facilitator["name"], "password": PASSWORD},
    )
    assert answer.status_code == 302
    assert not answer.headers["Location"].startswith("//")


# -- the phone's outbox, in a real Chromium ---------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is not installed: apt-get install chromium")
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        yield browser
        browser.close()


@pytest.mark.browser
@pytest.mark.server
def test_a_post_the_server_stored_is_not_shown_as_not_sent_after_the_meeting_closes(
    server, chromium
):
    """The phone sent a post, the server stored it, the ack was lost (the post is still in
    the outbox); then the meeting closed. The server has the post and answers a retry with
    it, but the phone tells the participant it was never sent."""
    from playwright.sync_api import expect

    process, token = server
    headers = {"Authorization": f"Bearer {token}"}
    api = process.url + "/api/v1"
    group = requests.post(
        f"{api}/groups", json={"name": "Basgrupp", "kind": "pbl"}, headers=headers, timeout=5
    ).json()
    meeting = requests.post(
        f"{api}/groups/{group['id']}/meetings", json={}, headers=headers, timeout=5
    ).json()
    requests.post(f"{api}/meetings/{meeting['id']}/start", headers=headers, timeout=5)

    context = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(meeting["join_url"])
        phone.get_by_test_id("name").fill("Anna")
        phone.get_by_test_id("organization").select_option("FK")
        phone.get_by_test_id("join").click()
        expect(phone.get_by_test_id("text")).to_be_visible()
        text = "Skickat precis innan nätet försvann"
        client_id = str(uuid.uuid4())
        # Stored on the server, ack lost: the post is still in the phone's outbox.
        ack = phone.evaluate(
            """async ([clientId, text]) => {
                const config = JSON.parse(document.getElementById("config").textContent);
                const post = { client_id: clientId, text, qtype: null };
                const other = window.io({ auth: { token: config.token }, forceNew: true });
                const ack = await other.timeout(5000).emitWithAck("contribution:add", post);
                other.disconnect();
                const key = `pblapp.outbox.${config.meetingId}.${config.pseudonym}`;
                localStorage.setItem(key, JSON.stringify([post]));
                return ack;
            }""",
            [client_id, text],
        )
        assert ack["ok"], ack
        requests.post(f"{api}/meetings/{meeting['id']}/close", headers=headers, timeout=5)
        stored = requests.get(
            f"{api}/meetings/{meeting['id']}/contributions", headers=headers, timeout=5
        ).json()
        assert [c["client_id"] for c in stored] == [client_id]

        phone.reload()
        mine = phone.get_by_test_id("own-contribution").filter(has_text=text)
        expect(mine).to_have_count(1)
        expect(phone.get_by_test_id("connection")).to_be_visible()  # "the meeting has ended"
        expect(mine.get_by_test_id("delivered")).to_be_visible(timeout=5000)
        expect(mine).not_to_have_class(re.compile(r"\bstate-failed\b"))
    finally:
        context.close()


# -- minutes ------------------------------------------------------------------------------


def _minutes_md(client, facilitator, meeting_id):
    answer = client.get(f"/api/v1/meetings/{meeting_id}/minutes.md", headers=facilitator["headers"])
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_hiding_a_post_does_not_drop_the_visible_duplicates_merged_into_it_from_the_minutes(
    app, client, db, facilitator, live_meeting
):
    anna = sio(app, auth={"token": join(client, live_meeting["join_code"], "Anna", "FK")["token"]})
    bo = sio(app, auth={"token": join(client, live_meeting["join_code"], "Bo", "AF")["token"]})
    first = post(anna, "Vad betyder dag 180 (hemligt namn här)?", qtype="encyclopedic")
    second = post(bo, "Vad innebär dag 180 i rehabkedjan?", qtype="encyclopedic")
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.participation.merge(
        db, uid, mid, {"id": second["contribution"]["id"], "into": first["contribution"]["id"]}
    )
    # The first one named a client: the facilitator hides it. Bo's post is still visible.
    ops.participation.moderate(db, uid, mid, {"id": first["contribution"]["id"], "hidden": True})
    assert "hemligt" not in _minutes_md(client, facilitator, mid)
    assert "rehabkedjan" in _minutes_md(client, facilitator, mid)
    assert ops.meetings.state(db, mid)["counts"]["encyclopedic"] == 1


def test_the_text_of_a_hidden_post_does_not_reach_the_minutes_through_its_carried_question(
    app, client, db, facilitator, live_meeting
):
    phone = sio(app, auth={"token": join(client, live_meeting["join_code"])["token"]})
    sent = post(phone, "Hur gör vi med Kalle Karlsson, 19750101-1234?", qtype="solution")
    uid, mid = facilitator["id"], live_meeting["id"]
    cid = sent["contribution"]["id"]
    ops.participation.moderate(db, uid, mid, {"id": cid, "carry_forward": True})
    # Then the facilitator sees the personal details and hides the post.
    ops.participation.moderate(db, uid, mid, {"id": cid, "hidden": True})
    assert "Karlsson" not in _minutes_md(client, facilitator, mid)


def test_minutes_of_a_closed_meeting_keep_the_questions_it_carried_after_a_later_meeting(
    client, db, facilitator, live_meeting
):
    """Meeting 1 raises a question; meeting 2 defers it (it is in meeting 2's minutes);
    meeting 3 answers it. Meeting 2's minutes must still list it."""
    uid, gid = facilitator["id"], live_meeting["group_id"]
    ops.followups.add_question(db, uid, live_meeting["id"], {"text": "Vem äger rehabkedjan?"})
    question_id = ops.followups.read(db, live_meeting["id"])["questions"][0]["id"]
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    second = ops.meetings.create(db, uid, gid, {})
    ops.meetings.start(db, uid, second["id"])
    ops.followups.update_question(db, uid, second["id"], {"id": question_id, "status": "deferred"})
    client.post(f"/api/v1/meetings/{second['id']}/close", headers=facilitator["headers"])
    assert "Vem äger rehabkedjan" in _minutes_md(client, facilitator, second["id"])

    third = ops.meetings.create(db, uid, gid, {})
    ops.meetings.start(db, uid, third["id"])
    ops.followups.update_question(db, uid, third["id"], {"id": question_id, "status": "answered"})
    assert "Vem äger rehabkedjan" in _minutes_md(client, facilitator, second["id"])


def test_escaped_text_at_the_start_of_a_list_item_does_not_open_a_code_fence():
    """Decisions and action items are written as ``- <escaped text>``; a leading ``~~~``
    is still a fence in CommonMark, and the text vanishes into an empty code block."""
    from markdown_it import MarkdownIt

    from pblapp.domain.minutes import escape_markdown

    html = MarkdownIt("commonmark").render("- " + escape_markdown("~~~ beslut om samverkan"))
    assert "<code" not in html
    assert "beslut om samverkan" in html


# -- the agenda clock ---------------------------------------------------------------------


def test_next_after_the_last_step_does_not_restart_the_first_steps_clock(
    db, facilitator, live_meeting
):
    """A second click on "Next" at the end of the agenda (a double click) reopens step 1 and
    its clock runs on, adding time to it in the minutes."""
    uid, mid = facilitator["id"], live_meeting["id"]
    steps = ops.agenda.state(db, mid)["steps"]
    ops.agenda.command(db, uid, mid, {"action": "start"})  # step 1
    ops.agenda.command(db, uid, mid, {"action": "goto", "step_id": steps[-1]["id"]})
    ops.agenda.command(db, uid, mid, {"action": "next"})  # the last step ends
    after_end = ops.agenda.state(db, mid)
    assert after_end["current_step_id"] is None
    state = ops.agenda.command(db, uid, mid, {"action": "next"})
    assert state["current_step_id"] is None
    assert not state["running"]


def test_next_at_the_end_starts_nothing_even_when_two_steps_ended_in_the_same_millisecond(
    db, facilitator, live_meeting, monkeypatch
):
    from datetime import UTC, datetime

    import pblapp.ops.agenda

    frozen = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(pblapp.ops.agenda, "_now", lambda: frozen)
    uid, mid = facilitator["id"], live_meeting["id"]
    steps = ops.agenda.state(db, mid)["steps"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    ops.agenda.command(db, uid, mid, {"action": "goto", "step_id": steps[-1]["id"]})
    ops.agenda.command(db, uid, mid, {"action": "next"})
    state = ops.agenda.command(db, uid, mid, {"action": "next"})
    assert state["current_step_id"] is None


# -- the name key stays with the facilitator ------------------------------------------------


def test_a_researcher_does_not_get_the_key_between_names_and_pseudonyms(
    app, client, db, facilitator, live_meeting
):
    """PRODUCT.md: the key between names and pseudonyms is visible to the facilitator only.
    A researcher with access to the group reads contributions (API and socket) with both."""
    user, token = ops.accounts.create_user(db, "Forskare Frida", "researcher", PASSWORD)
    db.change(
        lambda change: change.db["group_grants"].insert(
            {"group_id": live_meeting["group_id"], "user_id": user["id"], "role": "researcher"}
        )
    )
    phone = sio(
        app, auth={"token": join(client, live_meeting["join_code"], "Anna Andersson")["token"]}
    )
    assert post(phone, "Vad innebär dag 180?")["ok"]
    listed = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert [c["pseudonym"] for c in listed] == ["P01"]
    assert all("Anna" not in (c.get("display_name") or "") for c in listed)
    # The live view, which shows names, is the facilitator's only.
    watcher = sio(app, auth={"api_token": token, "meeting_id": live_meeting["id"]})
    assert not watcher.is_connected()
