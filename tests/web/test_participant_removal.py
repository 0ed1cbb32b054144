"""The facilitator removes a participant from a meeting: their token ends, their phone is
disconnected and told why, they cannot post or join again; letting them back in is a
separate step, after which they join again as the same participant."""

import json
import uuid

import pytest

from helpers import error_code, events, join, moderator_socket, post, sio
from pblapp import ops
from pblapp.domain.errors import DomainError


def _remove(console, pseudonym, event="participant:remove"):
    return console.emit(event, {"pseudonym": pseudonym}, callback=True)


def test_a_removed_phone_is_told_why_and_disconnected_and_cannot_come_back(
    app, client, db, facilitator, live_meeting
):
    anna = join(client, live_meeting["join_code"], "Anna")
    phone = sio(app, auth={"token": anna["token"]})
    assert post(phone, "Första inlägget")["ok"]
    console = moderator_socket(app, facilitator, live_meeting["id"])
    console.get_received()

    answer = _remove(console, anna["participant"]["pseudonym"])

    assert answer["ok"], answer
    assert [r["pseudonym"] for r in answer["removed"]] == [anna["participant"]["pseudonym"]]
    assert not phone.is_connected()
    # Told before the end (what the socket got: it is closed, so read its queue).
    told = [pkt["args"][0] for pkt in phone.queue if pkt["name"] == "participant:removed"]
    assert told == [{"meeting_id": live_meeting["id"]}]
    # The console hears of it with the name (the facilitator's key), and it is logged.
    (state,) = events(console, "participants:removed")
    assert state["removed"][0]["display_name"] == "Anna"
    logged = db.query("SELECT type, actor, data FROM events WHERE type = 'participant.removed'")
    assert [(row["actor"], json.loads(row["data"])) for row in logged] == [
        ("facilitator", {"pseudonym": anna["participant"]["pseudonym"]})
    ]
    # The old token opens nothing, and says why.
    again = sio(app, auth={"token": anna["token"]})
    assert not again.is_connected()
    # What they posted stays, for the facilitator to hide like any post.
    assert [c["text"] for c in ops.participation.contributions(db, live_meeting["id"])] == [
        "Första inlägget"
    ]


def test_a_removed_participant_cannot_join_again_from_the_same_browser(
    client, facilitator, live_meeting
):
    code = live_meeting["join_code"]
    form = {"display_name": "Anna", "organization": "FK", "consent": "on"}
    assert client.post(f"/j/{code}", data=form).status_code == 302
    removal = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/participants/P01/removal",
        headers=facilitator["headers"],
    )
    assert removal.status_code == 200, removal.get_json()

    rejoin = client.post(f"/j/{code}", data=form)

    assert rejoin.status_code == 403
    assert "tagit bort dig" in rejoin.get_data(as_text=True)
    # The live page sends the phone back to the join form, which refuses it again.
    assert client.get(f"/j/{code}/live").status_code == 302


def test_a_post_from_a_removed_participant_is_refused_even_before_its_socket_ends(
    app, client, db, facilitator, live_meeting
):
    anna = join(client, live_meeting["join_code"], "Anna")
    phone = sio(app, auth={"token": anna["token"]})
    connection = next(iter(app.extensions["pblapp.connections"].values()))
    ops.removal.remove(db, facilitator["id"], live_meeting["id"], anna["participant"])

    # As another process that has not yet ended the socket would: the post is refused.
    with pytest.raises(DomainError) as refused:
        payload = {"client_id": str(uuid.uuid4()), "text": "Hej", "qtype": None}
        ops.participation.post(db, connection.attendance, payload)
    assert refused.value.code == "participant_removed"
    assert ops.participation.contributions(db, live_meeting["id"]) == []
    assert not phone.is_connected()


def test_letting_back_in_means_joining_again_as_the_same_participant_with_a_new_token(
    app, client, facilitator, live_meeting
):
    code = live_meeting["join_code"]
    form = {"display_name": "Anna", "organization": "FK", "consent": "on"}
    client.post(f"/j/{code}", data=form)
    base = f"/api/v1/meetings/{live_meeting['id']}/participants/P01/removal"
    client.post(base, headers=facilitator["headers"])

    answer = client.delete(base, headers=facilitator["headers"])

    assert answer.status_code == 200 and answer.get_json() == {"removed": []}
    assert client.post(f"/j/{code}", data=form).status_code == 302
    with client.session_transaction() as cookie:
        token = cookie["attend"][str(live_meeting["id"])]
    phone = sio(app, auth={"token": token})
    assert phone.is_connected()
    assert post(phone, "Tillbaka igen")["contribution"]["pseudonym"] == "P01"


def test_only_the_facilitator_removes_and_an_unknown_pseudonym_gets_a_code(
    app, client, facilitator, researcher, live_meeting
):
    anna = join(client, live_meeting["join_code"], "Anna")
    bo = sio(app, auth={"token": join(client, live_meeting["join_code"], "Bo")["token"]})
    refused = bo.emit("participant:remove", {"pseudonym": "P01"}, callback=True)
    assert refused["error"]["code"] == "forbidden"
    console = moderator_socket(app, facilitator, live_meeting["id"])
    assert _remove(console, "P98")["error"]["code"] == "participant_not_found"
    assert _remove(console, {"no": 1})["error"]["code"] == "invalid_pseudonym"
    path = f"/api/v1/meetings/{live_meeting['id']}/participants/P01/removal"
    assert client.post(path, headers=researcher["headers"]).status_code in (403, 404)
    assert client.post(path).status_code == 401
    assert error_code(client.post(path.replace("P01", "P9"), headers=facilitator["headers"])) == (
        "participant_not_found"
    )
    assert anna["participant"]["pseudonym"] == "P01"


def test_removing_twice_or_letting_in_one_never_removed_changes_nothing(
    app, client, db, facilitator, live_meeting
):
    join(client, live_meeting["join_code"], "Anna")
    console = moderator_socket(app, facilitator, live_meeting["id"])
    assert _remove(console, "P01")["ok"] and _remove(console, "P01")["ok"]
    assert _remove(console, "P01", "participant:readmit")["removed"] == []
    assert _remove(console, "P01", "participant:readmit")["ok"]
    types = [
        row["type"]
        for row in db.query("SELECT type FROM events WHERE type LIKE 'participant.%' ORDER BY seq")
    ]
    assert types == ["participant.joined", "participant.removed", "participant.readmitted"]
