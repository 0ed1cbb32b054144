"""Socket.IO as INTERFACE.md specifies it, through Flask-SocketIO's test client."""

import uuid

import pytest

from helpers import events, join, log_in, moderator_socket, post, sio
from pblapp import ops


@pytest.fixture
def participant(app, client, live_meeting):
    token = join(client, live_meeting["join_code"])["token"]
    return sio(app, auth={"token": token}), token


@pytest.fixture
def moderator(app, facilitator, live_meeting):
    return moderator_socket(app, facilitator, live_meeting["id"])


def test_connect_sends_state_then_contributions_since_seq(app, participant, live_meeting):
    phone, token = participant
    received = phone.get_received()
    assert received[0]["name"] == "meeting:state"
    assert received[0]["args"][0]["id"] == live_meeting["id"]
    for text in ("ett", "två", "tre"):
        assert post(phone, text, "encyclopedic")["ok"]
    phone.get_received()
    later = sio(app, auth={"token": token, "since_seq": 1})
    received = later.get_received()
    assert [e["name"] for e in received[:4]] == [
        "meeting:state",
        "agenda:state",
        "screen:state",
        "self_evaluation:state",
    ]
    assert [(e["name"], e["args"][0]["seq"]) for e in received[4:]] == [
        ("contribution:added", 2),
        ("contribution:added", 3),
    ]


def test_a_post_is_acked_and_broadcast_to_the_meeting_room(app, participant, moderator):
    phone, _ = participant
    moderator.get_received()
    ack = post(phone, "  Varför tidsgränser?  ", "meaning")
    assert ack["ok"] is True
    assert ack["contribution"]["text"] == "Varför tidsgränser?"
    assert ack["contribution"]["seq"] == 1
    # The console gets what the author's ack has, and the privacy guard's notes besides.
    [on_console] = events(moderator, "contribution:added")
    assert on_console == {**ack["contribution"], "flag_spans": [], "moderation_reason": ""}


def test_retry_with_same_client_id_is_acked_but_stored_and_broadcast_once(
    participant, moderator, client, facilitator, live_meeting
):
    phone, _ = participant
    client_id = str(uuid.uuid4())
    moderator.get_received()
    first = post(phone, qtype="encyclopedic", client_id=client_id)
    retry = post(phone, qtype="encyclopedic", client_id=client_id)
    assert retry == first
    assert len(events(moderator, "contribution:added")) == 1
    stored = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=facilitator["headers"]
    ).get_json()
    assert len(stored) == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"text": "hej", "qtype": None}, "missing_client_id"),
        ({"client_id": "abc", "text": "hej", "qtype": None}, "invalid_client_id"),
        ({"client_id": str(uuid.uuid4()), "text": "", "qtype": None}, "text_empty"),
        ({"client_id": str(uuid.uuid4()), "text": "x" * 2001, "qtype": None}, "text_too_long"),
        ({"client_id": str(uuid.uuid4()), "text": "hej", "qtype": "gossip"}, "invalid_qtype"),
        ({"client_id": str(uuid.uuid4()), "text": "hej", "meeting_id": 99}, "unknown_field"),
        (["not", "an", "object"], "invalid_payload"),
        (None, "invalid_payload"),
    ],
)
def test_an_invalid_post_gets_a_code_and_nothing_is_stored(
    participant, client, facilitator, live_meeting, payload, code
):
    phone, _ = participant
    ack = phone.emit("contribution:add", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    stored = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=facilitator["headers"]
    ).get_json()
    assert stored == []


def test_a_participant_cannot_moderate(participant):
    phone, _ = participant
    contribution = post(phone, qtype="encyclopedic")["contribution"]
    ack = phone.emit(
        "contribution:update", {"id": contribution["id"], "hidden": True}, callback=True
    )
    assert ack == {"ok": False, "error": {"code": "forbidden", "message": ack["error"]["message"]}}


def test_a_facilitator_cannot_post_as_a_participant(moderator):
    ack = post(moderator, qtype="encyclopedic")
    assert ack["ok"] is False and ack["error"]["code"] == "not_participant"


def test_the_facilitator_retags_hides_and_carries_forward(participant, moderator):
    phone, _ = participant
    contribution = post(phone, qtype=None)["contribution"]
    moderator.get_received()
    phone.get_received()
    ack = moderator.emit(
        "contribution:update",
        {"id": contribution["id"], "qtype": "solution", "carry_forward": True},
        callback=True,
    )
    assert ack["ok"] and ack["contribution"]["qtype"] == "solution"
    assert ack["contribution"]["carry_forward"] is True
    # The phone gets the change, but not the name behind the pseudonym, nor the counts, nor
    # the console's view of the privacy guard (where it found something, and why a post was
    # rejected).
    console_only = {"reactions", "flag_spans", "moderation_reason"}
    changed = {key: value for key, value in ack["contribution"].items() if key not in console_only}
    assert events(phone, "contribution:updated") == [{**changed, "display_name": ""}]
    state = events(moderator, "meeting:state")[-1]
    assert state["counts"]["solution"] == 1 and state["counts"]["untagged"] == 0


def test_updating_a_contribution_of_another_meeting_is_refused(
    app, client, db, facilitator, live_meeting, participant, moderator
):
    phone, _ = participant
    contribution = post(phone, qtype="encyclopedic")["contribution"]
    other = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    other_moderator = moderator_socket(app, facilitator, other["id"])
    ack = other_moderator.emit(
        "contribution:update", {"id": contribution["id"], "hidden": True}, callback=True
    )
    assert ack["ok"] is False and ack["error"]["code"] == "contribution_not_found"


def test_a_participant_posts_only_to_their_own_meeting_while_it_is_live(
    app, client, db, facilitator, live_meeting
):
    planned = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    token = join(client, planned["join_code"])["token"]
    phone = sio(app, auth={"token": token})
    ack = post(phone, qtype="encyclopedic")
    assert ack["ok"] is False and ack["error"]["code"] == "meeting_not_live"
    assert ops.participation.contributions(db, live_meeting["id"]) == []
    assert ops.participation.contributions(db, planned["id"]) == []


def test_a_hidden_post_is_replayed_to_the_facilitator_and_its_author_only(
    app, client, participant, moderator, facilitator, live_meeting
):
    phone, token = participant
    contribution = post(phone, text="Min egen fråga", qtype="encyclopedic")["contribution"]
    moderator.emit("contribution:update", {"id": contribution["id"], "hidden": True}, callback=True)
    # The author, reloading, still sees their own words, marked hidden.
    fresh_phone = sio(app, auth={"token": token})
    (own,) = events(fresh_phone, "contribution:added")
    assert own["hidden"] is True and own["text"] == "Min egen fråga"
    assert own["display_name"] == ""
    # Anyone else's phone gets nothing of it.
    other_token = join(app.test_client(), live_meeting["join_code"], name="Bo")["token"]
    assert events(sio(app, auth={"token": other_token}), "contribution:added") == []
    fresh_moderator = moderator_socket(app, facilitator, live_meeting["id"])
    assert [c["hidden"] for c in events(fresh_moderator, "contribution:added")] == [True]


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"token": "not-a-token"},
        {"api_token": "not-a-token", "meeting_id": 1},
        {"meeting_id": 1},
        {"token": "x", "since_seq": -1},
        "a string",
    ],
)
def test_connections_without_valid_credentials_are_refused(app, live_meeting, auth):
    assert not sio(app, auth=auth).is_connected()


def test_a_bad_since_seq_is_refused(app, participant):
    _, token = participant
    assert not sio(app, auth={"token": token, "since_seq": "5"}).is_connected()


def test_a_logged_in_browser_connects_with_its_session_cookie(
    app, client, facilitator, live_meeting
):
    log_in(client, facilitator)
    browser = sio(app, auth={"meeting_id": live_meeting["id"]}, flask_test_client=client)
    assert browser.is_connected()
    assert browser.get_received()[0]["name"] == "meeting:state"


def test_a_phone_may_connect_with_its_participant_cookie(app, client, live_meeting):
    code = live_meeting["join_code"]
    client.post(f"/j/{code}", data={"display_name": "Anna", "organization": "FK", "consent": "on"})
    phone = sio(app, auth={"meeting_id": live_meeting["id"]}, flask_test_client=client)
    assert phone.is_connected()
    ack = post(phone, "Hej")
    assert ack["ok"] and ack["contribution"]["pseudonym"] == "P01"


def test_the_facilitator_drives_the_agenda_and_everyone_gets_its_state(participant, moderator):
    phone, _ = participant
    phone.get_received()
    ack = moderator.emit("agenda:command", {"action": "start"}, callback=True)
    assert ack["ok"] and ack["agenda"]["steps"][0]["running"]
    states = events(phone, "agenda:state")
    assert states[-1]["current_step_id"] == ack["agenda"]["steps"][0]["id"]
    refused = phone.emit("agenda:command", {"action": "next"}, callback=True)
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    bad = moderator.emit("agenda:command", {"action": "rewind"}, callback=True)
    assert bad["error"]["code"] == "invalid_action"
    steps = ack["agenda"]["steps"]
    edited = moderator.emit(
        "agenda:edit",
        {"steps": [{"id": steps[0]["id"], "title": "Återkoppling", "planned_minutes": 5}]},
        callback=True,
    )
    assert edited["ok"] and [s["title"] for s in edited["agenda"]["steps"]] == ["Återkoppling"]


def test_a_phone_back_from_offline_learns_what_was_hidden_and_deleted_meanwhile(
    app, client, participant, moderator, live_meeting
):
    phone, token = participant
    other_token = join(app.test_client(), live_meeting["join_code"], name="Bo")["token"]
    other = sio(app, auth={"token": other_token})
    first = post(other, text="Första", qtype="meaning")["contribution"]
    second = post(other, text="Andra", qtype="meaning")["contribution"]
    kept = post(phone, text="Min egen", qtype="value")["contribution"]
    last_seq = kept["seq"]
    phone.disconnect()  # the phone's screen locks
    hid = moderator.emit("contribution:update", {"id": first["id"], "hidden": True}, callback=True)
    assert hid["ok"], hid
    assert other.emit("contribution:delete", {"id": second["id"]}, callback=True)["ok"]
    back = sio(app, auth={"token": token, "since_seq": last_seq})
    received = back.get_received()

    def sent(name):
        return [item["args"][0] for item in received if item["name"] == name]

    assert sent("contribution:added") == []  # nothing new to replay
    (hidden,) = sent("contribution:updated")
    assert hidden["id"] == first["id"] and hidden["hidden"] is True and hidden["text"] == ""
    assert [removed["id"] for removed in sent("contribution:removed")] == [second["id"]]


def test_a_new_post_reaches_the_console_and_the_screen_as_a_reload_shows_it(
    app, participant, moderator, facilitator, live_meeting
):
    """The post the live pages get at once is the one they get again after a reload: the
    fan-out sends the post as its change wrote it, not read back, and must not differ."""
    phone, _ = participant
    as_screen = {"api_token": facilitator["token"], "meeting_id": live_meeting["id"]}
    screen = sio(app, auth={**as_screen, "view": "screen"})
    moderator.get_received()
    screen.get_received()
    ack = post(phone, "Hur räknas dag 180 för den som arbetar deltid?", "encyclopedic")
    assert ack["ok"], ack
    [live_console] = events(moderator, "contribution:added")
    [live_screen] = events(screen, "contribution:added")
    console_again = moderator_socket(app, facilitator, live_meeting["id"])
    screen_again = sio(app, auth={**as_screen, "view": "screen"})
    assert events(console_again, "contribution:added") == [live_console]
    assert events(screen_again, "contribution:added") == [live_screen]
    assert live_console["id"] == ack["contribution"]["id"]
    assert live_console["reactions"] == {"agree": 0, "disagree": 0, "build_on": 0}


def test_a_phone_event_that_breaks_unexpectedly_is_answered_and_logged(
    app, participant, monkeypatch, caplog
):
    """A phone's events are served without Flask-SocketIO's request context; an error
    nobody foresaw still gets an ack the phone can show, and a line in the log."""
    phone, _ = participant

    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk controller said no")

    monkeypatch.setattr(ops.participation, "post", broken)
    ack = post(phone, "Vad gäller vid sjukskrivning på deltid?", "meaning")
    assert ack == {
        "ok": False,
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on the server; try again.",
        },
    }
    assert "Socket.IO event contribution:add failed" in caplog.text
    assert "the disk controller said no" in caplog.text
