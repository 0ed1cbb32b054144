"""Questions for next time, decisions and action items, across a group's meetings."""

import uuid

import pytest

from conftest import join
from pblapp import ops
from pblapp.domain.errors import DomainError


def next_meeting(db, facilitator, group_id):
    meeting = ops.meetings.create(db, facilitator["id"], group_id, {})
    ops.meetings.start(db, facilitator["id"], meeting["id"])
    return meeting


def texts(items, key="text"):
    return [item[key] for item in items]


def test_carried_questions_follow_the_group_across_three_meetings(
    client, db, facilitator, live_meeting
):
    uid, gid = facilitator["id"], live_meeting["group_id"]
    first = live_meeting["id"]
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    contribution, _ = ops.participation.post(
        db, attendance, {"client_id": str(uuid.uuid4()), "text": "Vad gäller efter dag 180?"}
    )
    ops.participation.moderate(db, uid, first, {"id": contribution["id"], "carry_forward": True})
    typed = ops.followups.add_question(
        db, uid, first, {"text": "Hur gör AF med arbetsförmågan?", "owner": {"organization": "AF"}}
    )
    assert texts(typed["questions"]) == [
        "Vad gäller efter dag 180?",
        "Hur gör AF med arbetsförmågan?",
    ]
    ops.meetings.close(db, uid, first)

    second = next_meeting(db, facilitator, gid)["id"]
    carried = ops.followups.read(db, second)["questions"]
    assert texts(carried) == ["Vad gäller efter dag 180?", "Hur gör AF med arbetsförmågan?"]
    assert all(q["carried_from_earlier"] and q["meeting_number"] == 1 for q in carried)
    assert carried[1]["owner"] == {"organization": "AF"}
    ops.followups.update_question(db, uid, second, {"id": carried[0]["id"], "status": "answered"})
    ops.followups.update_question(
        db,
        uid,
        second,
        {"id": carried[1]["id"], "status": "deferred", "owner": {"pseudonym": "P01"}},
    )
    state = ops.followups.read(db, second)["questions"]
    assert [q["status"] for q in state] == ["answered", "deferred"]  # closed here: still listed
    ops.meetings.close(db, uid, second)

    third = next_meeting(db, facilitator, gid)["id"]
    remaining = ops.followups.read(db, third)["questions"]
    assert texts(remaining) == ["Hur gör AF med arbetsförmågan?"]
    assert remaining[0]["owner"] == {"pseudonym": "P01"}
    types = [
        e["type"] for e in ops.records.events(db, group_id=gid) if e["type"].startswith("question")
    ]
    assert types == ["question.added", "question.added", "question.updated", "question.updated"]
    # The first meeting's own record does not change afterwards.
    assert len(ops.followups.read(db, first)["questions"]) == 2


def test_unmarking_a_contribution_removes_its_open_question(client, db, facilitator, live_meeting):
    uid, mid = facilitator["id"], live_meeting["id"]
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    contribution, _ = ops.participation.post(
        db, attendance, {"client_id": str(uuid.uuid4()), "text": "Kanske"}
    )
    ops.participation.moderate(db, uid, mid, {"id": contribution["id"], "carry_forward": True})
    ops.participation.moderate(db, uid, mid, {"id": contribution["id"], "carry_forward": False})
    assert ops.followups.read(db, mid)["questions"] == []
    assert (
        ops.records.events(db, group_id=live_meeting["group_id"])[-1]["type"] == "question.removed"
    )


def test_open_action_items_stay_until_done(db, facilitator, live_meeting):
    uid, gid, first = facilitator["id"], live_meeting["group_id"], live_meeting["id"]
    state = ops.decisions.add_action_item(
        db,
        uid,
        first,
        {"what": "Ta reda på reglerna för SGI", "who": "P02 (FK)", "due": "2026-03-16"},
    )
    item = state["action_items"][0]
    assert (item["who"], item["due"], item["status"]) == ("P02 (FK)", "2026-03-16", "open")
    ops.decisions.add_decision(db, uid, first, {"text": "Vi träffas på vårdcentralen nästa gång."})
    ops.meetings.close(db, uid, first)
    second = next_meeting(db, facilitator, gid)["id"]
    assert texts(ops.followups.read(db, second)["action_items"], "what") == [
        "Ta reda på reglerna för SGI"
    ]
    assert ops.followups.read(db, second)["decisions"] == []
    ops.decisions.update_action_item(db, uid, second, {"id": item["id"], "status": "done"})
    ops.meetings.close(db, uid, second)
    third = next_meeting(db, facilitator, gid)["id"]
    assert ops.followups.read(db, third)["action_items"] == []
    assert ops.followups.read(db, second)["action_items"][0]["status"] == "done"


@pytest.mark.parametrize(
    ("method", "payload", "code"),
    [
        (ops.followups.add_question, {"text": ""}, "text_empty"),
        (ops.followups.add_question, {"text": "x" * 2001}, "text_too_long"),
        (
            ops.followups.add_question,
            {"text": "Fråga", "owner": {"pseudonym": "P99"}},
            "invalid_owner",
        ),
        (
            ops.followups.add_question,
            {"text": "Fråga", "owner": {"organization": "NASA"}},
            "invalid_owner",
        ),
        (ops.followups.update_question, {"id": 999, "status": "answered"}, "question_not_found"),
        (ops.followups.update_question, {"id": 1, "status": "forgotten"}, "invalid_status"),
        (ops.decisions.add_decision, {"text": "  "}, "text_empty"),
        (ops.decisions.add_action_item, {"what": "Ringa", "who": ""}, "who_empty"),
        (
            ops.decisions.add_action_item,
            {"what": "Ringa", "who": "AF", "due": "snart"},
            "invalid_due",
        ),
        (ops.decisions.add_action_item, {"what": "Ringa"}, "missing_field"),
        (ops.decisions.update_action_item, {"id": 1, "status": "maybe"}, "invalid_status"),
        (ops.decisions.update_action_item, {"id": 999, "status": "done"}, "action_item_not_found"),
    ],
)
def test_bad_follow_ups_are_refused_with_a_code(
    db, facilitator, live_meeting, method, payload, code
):
    with pytest.raises(DomainError) as caught:
        method(db, facilitator["id"], live_meeting["id"], payload)
    assert caught.value.code == code


def test_the_follow_up_api_records_questions_decisions_and_actions(
    client, facilitator, live_meeting
):
    headers, mid = facilitator["headers"], live_meeting["id"]
    base = f"/api/v1/meetings/{mid}"
    state = client.post(f"{base}/questions", json={"text": "Vad säger lagen?"}, headers=headers)
    assert state.status_code == 201
    qid = state.get_json()["questions"][0]["id"]
    updated = client.patch(
        f"{base}/questions/{qid}", json={"status": "deferred"}, headers=headers
    ).get_json()
    assert updated["questions"][0]["status"] == "deferred"
    client.post(f"{base}/decisions", json={"text": "Nästa möte 16/3."}, headers=headers)
    action = client.post(
        f"{base}/action-items", json={"what": "Boka rum", "who": "Handledaren"}, headers=headers
    ).get_json()["action_items"][0]
    done = client.patch(
        f"{base}/action-items/{action['id']}", json={"status": "done"}, headers=headers
    ).get_json()
    assert done["action_items"][0]["status"] == "done"
    everything = client.get(f"{base}/followups", headers=headers).get_json()
    assert texts(everything["decisions"]) == ["Nästa möte 16/3."]
    response = client.patch(f"{base}/questions/{qid}", json={"id": 5}, headers=headers)
    assert response.status_code == 400


def test_follow_ups_reach_the_facilitators_pages_not_the_phones(
    app, client, facilitator, live_meeting
):
    socketio = app.extensions["socketio"]
    token = join(client, live_meeting["join_code"])["token"]
    phone = socketio.test_client(app, auth={"token": token})
    staff = {"api_token": facilitator["token"], "meeting_id": live_meeting["id"]}
    moderator = socketio.test_client(app, auth=staff)
    screen = socketio.test_client(app, auth=staff)
    assert [e["name"] for e in screen.get_received()[:3]] == [
        "meeting:state",
        "agenda:state",
        "followups:state",
    ]
    phone.get_received()
    ack = moderator.emit("decision:add", {"text": "Vi bjuder in AF."}, callback=True)
    assert ack["ok"] and texts(ack["followups"]["decisions"]) == ["Vi bjuder in AF."]
    pushed = [e["args"][0] for e in screen.get_received() if e["name"] == "followups:state"]
    assert texts(pushed[-1]["decisions"]) == ["Vi bjuder in AF."]
    assert [e for e in phone.get_received() if e["name"] == "followups:state"] == []
    refused = phone.emit("question:add", {"text": "Får jag?"}, callback=True)
    assert refused["error"]["code"] == "forbidden"


def test_an_action_item_from_an_earlier_meeting_says_where_it_came_from_in_the_minutes(
    client, db, facilitator, live_meeting
):
    uid, gid = facilitator["id"], live_meeting["group_id"]
    ops.decisions.add_action_item(
        db, uid, live_meeting["id"], {"what": "Boka lokal", "who": "Anna"}
    )
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    second = next_meeting(db, facilitator, gid)
    minutes = client.get(
        f"/api/v1/meetings/{second['id']}/minutes.md?lang=en", headers=facilitator["headers"]
    ).get_data(as_text=True)
    assert "Anna: Boka lokal – open, from meeting 1" in minutes


def test_the_log_records_a_questions_owner_as_stored_not_as_typed(
    client, db, facilitator, live_meeting
):
    uid, mid = facilitator["id"], live_meeting["id"]
    join(client, live_meeting["join_code"])  # P01
    ops.followups.add_question(
        db, uid, mid, {"text": "Vem frågar AF?", "owner": {"organization": "fk"}}
    )
    question = ops.followups.read(db, mid)["questions"][0]
    ops.followups.update_question(
        db, uid, mid, {"id": question["id"], "owner": {"pseudonym": "p01"}}
    )
    events = ops.records.events(db, group_id=live_meeting["group_id"])
    added = next(e for e in events if e["type"] == "question.added")
    updated = next(e for e in events if e["type"] == "question.updated")
    assert added["data"]["owner"] == {"organization": "FK"}
    assert updated["data"]["changes"]["owner"] == {
        "old": {"organization": "FK"},
        "new": {"pseudonym": "P01"},
    }
