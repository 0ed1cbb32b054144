"""The phone's side of consent and withdrawal: asked again after the consent text changed,
withdrawing after "are you sure?", over the page and over the socket."""

import re

from helpers import join, post, sio
from pblapp import ops
from pblapp.domain.privacy import consent_version

NEW_TEXT = "Jag samtycker till att mina inlägg och reaktioner används i forskningen."


def join_by_form(client, code, name="Anna"):
    response = client.post(
        f"/j/{code}", data={"display_name": name, "organization": "FK", "consent": "on"}
    )
    assert response.status_code == 302


def change_consent_text(client, facilitator, live_meeting, text=NEW_TEXT):
    answer = client.patch(
        f"/api/v1/groups/{live_meeting['group_id']}",
        json={"consent_text": text},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 200


def test_the_phone_shows_the_changed_consent_text_and_takes_consent_again(
    app, client, facilitator, live_meeting
):
    code = live_meeting["join_code"]
    join_by_form(client, code)
    page = client.get(f"/j/{code}/live").get_data(as_text=True)
    assert re.search(r'data-testid="consent-renew"[^>]*hidden', page)
    change_consent_text(client, facilitator, live_meeting)
    page = client.get(f"/j/{code}/live?lang=en").get_data(as_text=True)
    assert not re.search(r'data-testid="consent-renew"[^>]*hidden', page)
    assert "The consent text has changed" in page and NEW_TEXT in page
    assert consent_version(NEW_TEXT) in page
    # Not ticked: nothing changes, the page asks again.
    answer = client.post(f"/j/{code}/consent", data={"consent_version": consent_version(NEW_TEXT)})
    assert answer.location == f"/j/{code}/live"
    assert NEW_TEXT in client.get(f"/j/{code}/live").get_data(as_text=True)
    answer = client.post(
        f"/j/{code}/consent",
        data={"consent": "on", "consent_version": consent_version(NEW_TEXT)},
    )
    assert answer.location == f"/j/{code}/live"
    page = client.get(f"/j/{code}/live").get_data(as_text=True)
    assert NEW_TEXT not in page
    [consent] = ops.privacy.consents(app.extensions["pblapp.db"], live_meeting["group_id"])
    assert consent["consent_version"] == consent_version(NEW_TEXT)


def test_a_post_before_consenting_again_is_refused_with_a_clear_code(
    app, client, facilitator, live_meeting
):
    phone = sio(app, auth={"token": join(client, live_meeting["join_code"])["token"]})
    assert post(phone, "Före")["ok"]
    change_consent_text(client, facilitator, live_meeting)
    refused = post(phone, "Efter")
    assert refused == {
        "ok": False,
        "error": {
            "code": "consent_required",
            "message": "The consent text has changed: consent again before you post.",
        },
    }
    wrong = phone.emit(
        "participant:consent",
        {"consent": True, "consent_version": consent_version("gammal")},
        callback=True,
    )
    assert wrong["error"]["code"] == "consent_outdated"
    given = phone.emit(
        "participant:consent",
        {"consent": True, "consent_version": consent_version(NEW_TEXT)},
        callback=True,
    )
    assert given == {"ok": True, "consent_version": consent_version(NEW_TEXT)}
    assert post(phone, "Efter")["ok"]


def test_withdrawing_from_the_phone_asks_first_then_ends_the_participants_part(
    app, client, facilitator, live_meeting
):
    code = live_meeting["join_code"]
    join_by_form(client, code)
    page = client.get(f"/j/{code}/live?lang=en").get_data(as_text=True)
    assert 'data-testid="withdraw"' in page
    assert re.search(r'data-testid="withdraw-confirm-form"[^>]*hidden', page)
    assert "Are you sure?" in page
    # The form says it is confirmed; without that, nothing happens.
    refused = client.post(f"/j/{code}/withdraw?lang=en", data={})
    assert refused.status_code == 400
    answer = client.post(f"/j/{code}/withdraw?lang=en", data={"confirm": "yes"})
    assert answer.status_code == 200
    assert "You have withdrawn" in answer.get_data(as_text=True)
    assert client.get(f"/j/{code}/live").location == f"/j/{code}"
    again = client.post(
        f"/j/{code}?lang=en", data={"display_name": "Anna", "organization": "FK", "consent": "on"}
    )
    assert again.status_code == 403
    assert "research, so you cannot post here." in again.get_data(as_text=True)
    events = ops.records.events(app.extensions["pblapp.db"], group_id=live_meeting["group_id"])
    assert [e["type"] for e in events if e["actor"] == "P01"] == ["participant.withdrawn"]


def test_a_phone_withdraws_over_its_socket_with_a_confirmation(
    app, client, facilitator, live_meeting
):
    phone = sio(app, auth={"token": join(client, live_meeting["join_code"])["token"]})
    assert post(phone, "Mitt inlägg")["ok"]
    unconfirmed = phone.emit("participant:withdraw", {"confirm": False}, callback=True)
    assert unconfirmed["error"]["code"] == "confirmation_required"
    missing = phone.emit("participant:withdraw", {}, callback=True)
    assert missing["error"]["code"] == "missing_field"
    answer = phone.emit("participant:withdraw", {"confirm": True}, callback=True)
    assert answer["ok"] and answer["participant"]["pseudonym"] == "P01"
    assert answer["participant"]["withdrawn_at"]
    assert post(phone, "Igen")["error"]["code"] == "participant_withdrawn"
    staff = sio(app, auth={"api_token": facilitator["token"], "meeting_id": live_meeting["id"]})
    assert (
        staff.emit("participant:withdraw", {"confirm": True}, callback=True)["error"]["code"]
        == "not_participant"
    )
