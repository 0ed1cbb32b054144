"""The phone's outbox, in a real Chromium against a real server process."""

import re
import uuid

import pytest
import requests

import test_browser

# The Chromium of the browser tests (Debian's, never a downloaded one).
browser = test_browser.browser


@pytest.mark.browser
@pytest.mark.server
def test_a_post_the_server_stored_is_not_shown_as_not_sent_after_the_meeting_closes(
    server, browser
):
    """The phone sent a post, the server stored it, the ack was lost (the post is still in
    the outbox); then the meeting closed. The server has the post and answers a retry with
    it: the phone must show the post as delivered, never as not sent."""
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

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(meeting["join_url"])
        phone.get_by_test_id("name").fill("Anna")
        phone.get_by_test_id("organization").select_option("FK")
        phone.get_by_test_id("join").click()
        expect(phone.get_by_test_id("text")).to_be_visible()
        expect(phone.get_by_test_id("send")).to_be_enabled()  # the page's scripts are running
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
