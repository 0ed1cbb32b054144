"""Reactions and the self-evaluation over Socket.IO: what phones may do, what they are
refused, and what each audience learns."""

import pytest

from helpers import events, join, moderator_socket, participant_socket, post, sio
from pblapp import ops

SCALE = {
    "safe_to_disagree": 4,
    "roles_clear": 3,
    "towards_goal": 5,
    "own_learning": 4,
    "active_part": 5,
    "assessed_work": 2,
    "fixed_problems": 3,
}


@pytest.fixture
def room(app, client, facilitator, live_meeting):
    """Anna posts; Bo and Cia are on their phones; the console is open."""
    code = live_meeting["join_code"]
    anna = participant_socket(app, client, code, "Anna", "FK")
    bo = participant_socket(app, client, code, "Bo", "AF")
    cia = participant_socket(app, client, code, "Cia", "RS")
    console = moderator_socket(app, facilitator, live_meeting["id"])
    contribution = post(anna, "Vad innebär dag 180?", "encyclopedic")["contribution"]
    for socket in (anna, bo, cia, console):
        socket.get_received()
    return {"anna": anna, "bo": bo, "cia": cia, "console": console, "post": contribution}


def react(socket, contribution_id, kind):
    return socket.emit(
        "reaction:set", {"contribution_id": contribution_id, "kind": kind}, callback=True
    )


def answer(socket, answers):
    return socket.emit("self_evaluation:answer", {"answers": answers}, callback=True)


def test_a_reaction_is_counted_replaced_and_taken_back(room):
    cid = room["post"]["id"]
    assert react(room["bo"], cid, "agree") == {
        "ok": True,
        "reactions": {"agree": 1, "disagree": 0, "build_on": 0},
    }
    assert react(room["cia"], cid, "build_on")["reactions"] == {
        "agree": 1,
        "disagree": 0,
        "build_on": 1,
    }
    # A new kind replaces the old one; null takes it back.
    assert react(room["bo"], cid, "disagree")["reactions"]["agree"] == 0
    assert react(room["bo"], cid, None)["reactions"] == {"agree": 0, "disagree": 0, "build_on": 1}
    updates = events(room["console"], "contribution:updated")
    assert [u["reactions"]["build_on"] for u in updates] == [0, 1, 1, 1]


def test_every_reaction_is_logged_with_who_and_what(db, room, live_meeting):
    cid = room["post"]["id"]
    react(room["bo"], cid, "agree")
    react(room["bo"], cid, None)
    logged = [
        (e["actor"], e["data"]["kind"], e["data"]["previous"])
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "reaction.set"
    ]
    assert logged == [("P02", "agree", None), ("P02", None, "agree")]


def test_phones_learn_nothing_of_other_peoples_reactions(app, client, room, live_meeting):
    cid = room["post"]["id"]
    react(room["bo"], cid, "agree")
    # No update reaches a phone: in a group of three, "1 disagrees" would name the one.
    assert events(room["cia"], "contribution:updated") == []
    assert events(room["anna"], "contribution:updated") == []
    assert events(room["console"], "contribution:updated")[0]["reactions"]["agree"] == 1
    # A phone that connects gets no counts, and its own reaction only.
    newcomer = sio(app, auth={"token": join(client, live_meeting["join_code"], "Dan")["token"]})
    [replayed] = events(newcomer, "contribution:added")
    assert "reactions" not in replayed and replayed["my_reaction"] is None


def test_a_reaction_can_be_taken_back_from_a_hidden_post_but_none_added_to_a_merged_one(
    app, client, db, facilitator, room, live_meeting
):
    cid, mid = room["post"]["id"], live_meeting["id"]
    other = post(room["cia"], "Vad innebär dag 180 egentligen?", "encyclopedic")["contribution"]
    ops.moderation.merge(db, facilitator["id"], mid, {"id": other["id"], "into": cid})
    assert react(room["bo"], other["id"], "agree")["error"]["code"] == "contribution_merged"
    react(room["bo"], cid, "agree")
    ops.moderation.moderate(db, facilitator["id"], mid, {"id": cid, "hidden": True})
    assert react(room["bo"], cid, None)["reactions"]["agree"] == 0


def test_a_reconnecting_phone_gets_back_its_own_reaction(app, client, live_meeting):
    code = live_meeting["join_code"]
    anna = participant_socket(app, client, code, "Anna")
    cid = post(anna, "Varför dag 180?", "meaning")["contribution"]["id"]
    token = join(client, code, "Bo", "AF")["token"]
    assert react(sio(app, auth={"token": token}), cid, "build_on")["ok"]
    [replayed] = events(sio(app, auth={"token": token}), "contribution:added")
    assert replayed["my_reaction"] == "build_on"


@pytest.mark.parametrize(
    ("who", "kind", "code"),
    [
        ("anna", "agree", "own_contribution"),
        ("bo", "love", "invalid_kind"),
    ],
)
def test_reactions_to_ones_own_post_or_of_unknown_kinds_are_refused(room, who, kind, code):
    ack = react(room[who], room["post"]["id"], kind)
    assert ack["ok"] is False and ack["error"]["code"] == code


def test_reactions_to_a_hidden_post_or_another_meetings_post_are_refused(
    app, client, db, facilitator, room, live_meeting
):
    cid = room["post"]["id"]
    ops.moderation.moderate(db, facilitator["id"], live_meeting["id"], {"id": cid, "hidden": True})
    assert react(room["bo"], cid, "agree")["error"]["code"] == "contribution_hidden"
    other = client.post(
        f"/api/v1/groups/{live_meeting['group_id']}/meetings",
        json={},
        headers=facilitator["headers"],
    ).get_json()
    client.post(f"/api/v1/meetings/{other['id']}/start", headers=facilitator["headers"])
    elsewhere = participant_socket(app, client, other["join_code"], "Eva")
    assert react(elsewhere, cid, "agree")["error"]["code"] == "contribution_not_found"
    assert react(room["bo"], 10**6, "agree")["error"]["code"] == "contribution_not_found"


def test_the_console_cannot_react_and_phones_cannot_open_the_self_evaluation(room):
    assert react(room["console"], room["post"]["id"], "agree")["error"]["code"] == (
        "not_participant"
    )
    ack = room["bo"].emit("self_evaluation:open", {}, callback=True)
    assert ack["error"]["code"] == "forbidden"


def test_the_self_evaluation_shows_aggregates_only_from_three_answers(client, facilitator, room):
    mid = room["post"]["meeting_id"]
    headers = facilitator["headers"]
    assert answer(room["bo"], SCALE)["error"]["code"] == "self_evaluation_not_open"
    opened = room["console"].emit("self_evaluation:open", {}, callback=True)
    assert opened["ok"] and opened["self_evaluation"]["status"] == "open"
    assert answer(room["anna"], {**SCALE, "change": "Fler pauser"}) == {"ok": True}
    assert answer(room["bo"], {**SCALE, "safe_to_disagree": 2, "change": "Kortare"}) == {"ok": True}
    state = client.get(f"/api/v1/meetings/{mid}/self-evaluation", headers=headers).get_json()
    assert state["n"] == 2
    assert all(item["mean"] is None and item["distribution"] is None for item in state["items"])
    assert all("texts" not in item for item in state["items"])
    assert answer(room["cia"], {**SCALE, "change": "Tydligare roller"}) == {"ok": True}
    state = client.get(f"/api/v1/meetings/{mid}/self-evaluation", headers=headers).get_json()
    by_key = {item["key"]: item for item in state["items"]}
    assert state["n"] == 3
    assert by_key["safe_to_disagree"]["mean"] == pytest.approx(10 / 3, abs=0.01)
    assert by_key["safe_to_disagree"]["distribution"] == [0, 1, 0, 2, 0]
    assert sorted(by_key["change"]["texts"]) == ["Fler pauser", "Kortare", "Tydligare roller"]
    # The console counted every answer live; phones learn how many, never the aggregates.
    counts = [s["n"] for s in events(room["console"], "self_evaluation:state")]
    assert counts == [0, 1, 2, 3]
    phone_states = events(room["cia"], "self_evaluation:state")
    assert phone_states[-1] == {"meeting_id": mid, "status": "open", "n": 3}


def test_a_statement_that_fewer_than_three_answered_stays_hidden(client, facilitator, room):
    mid = room["post"]["meeting_id"]
    room["console"].emit("self_evaluation:open", {}, callback=True)
    answer(room["anna"], {"safe_to_disagree": 1, "change": "Jag vågar inte säga emot"})
    answer(room["bo"], {"roles_clear": 4})
    answer(room["cia"], {"roles_clear": 5})
    state = client.get(
        f"/api/v1/meetings/{mid}/self-evaluation", headers=facilitator["headers"]
    ).get_json()
    by_key = {item["key"]: item for item in state["items"]}
    assert state["n"] == 3
    # One person's answer never stands alone, as a mean or as a text.
    assert by_key["safe_to_disagree"]["mean"] is None
    assert by_key["safe_to_disagree"]["distribution"] is None
    assert by_key["change"]["texts"] == []
    assert by_key["roles_clear"]["mean"] is None  # two answers


def test_answering_again_replaces_the_earlier_answer(client, facilitator, room):
    mid = room["post"]["meeting_id"]
    room["console"].emit("self_evaluation:open", {}, callback=True)
    for socket in (room["anna"], room["bo"], room["cia"]):
        answer(socket, {"towards_goal": 2})
    answer(room["anna"], {"towards_goal": 5})
    state = client.get(
        f"/api/v1/meetings/{mid}/self-evaluation", headers=facilitator["headers"]
    ).get_json()
    towards = next(item for item in state["items"] if item["key"] == "towards_goal")
    assert state["n"] == 3 and towards["distribution"] == [0, 2, 0, 0, 1]


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"favourite_colour": 3}, "unknown_item"),
        ({"roles_clear": 6}, "invalid_scale_value"),
        ({"roles_clear": 0}, "invalid_scale_value"),
        ({"roles_clear": True}, "invalid_scale_value"),
        ({"roles_clear": "3"}, "invalid_scale_value"),
        ({"change": "x" * 2001}, "change_too_long"),
        ({"change": "   "}, "answers_empty"),
        ({}, "answers_empty"),
        ("3", "invalid_answers"),
    ],
)
def test_bad_answers_are_refused_with_a_code_and_nothing_is_stored(
    client, facilitator, room, answers, code
):
    room["console"].emit("self_evaluation:open", {}, callback=True)
    ack = answer(room["bo"], answers)
    assert ack["ok"] is False and ack["error"]["code"] == code
    mid = room["post"]["meeting_id"]
    state = client.get(
        f"/api/v1/meetings/{mid}/self-evaluation", headers=facilitator["headers"]
    ).get_json()
    assert state["n"] == 0


def test_answers_are_logged_per_participant_for_the_researcher(db, room, live_meeting):
    room["console"].emit("self_evaluation:open", {}, callback=True)
    answer(room["bo"], {"roles_clear": 4, "change": "Mer tid"})
    [logged] = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "self_evaluation.answered"
    ]
    assert logged["actor"] == "P02"
    assert logged["data"]["answers"] == {"roles_clear": 4, "change": "Mer tid"}
