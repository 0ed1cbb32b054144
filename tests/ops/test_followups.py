"""Questions for next time, decisions and action items, across meetings and after the close."""

import uuid

import pytest

from helpers import close_meeting, join, next_meeting, post_from_a_new_phone, texts
from pblapp import ops
from pblapp.domain.errors import DomainError


def test_carried_questions_follow_the_group_across_three_meetings(
    client, db, facilitator, live_meeting
):
    uid, gid = facilitator["id"], live_meeting["group_id"]
    first = live_meeting["id"]
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    contribution, _ = ops.participation.post(
        db, attendance, {"client_id": str(uuid.uuid4()), "text": "Vad gäller efter dag 180?"}
    )
    ops.moderation.moderate(db, uid, first, {"id": contribution["id"], "carry_forward": True})
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
    ops.moderation.moderate(db, uid, mid, {"id": contribution["id"], "carry_forward": True})
    ops.moderation.moderate(db, uid, mid, {"id": contribution["id"], "carry_forward": False})
    assert ops.followups.read(db, mid)["questions"] == []
    assert (
        ops.records.events(db, group_id=live_meeting["group_id"])[-1]["type"] == "question.removed"
    )


def test_a_question_that_quotes_a_post_keeps_the_participants_words(
    app, client, db, facilitator, live_meeting
):
    post = post_from_a_new_phone(app, client, live_meeting["join_code"], "Vad innebär dag 180?")
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.moderation.moderate(db, uid, mid, {"id": post["id"], "carry_forward": True})
    question = ops.followups.read(db, mid)["questions"][0]
    with pytest.raises(DomainError) as caught:
        ops.followups.update_question(db, uid, mid, {"id": question["id"], "text": "Mina egna ord"})
    assert caught.value.code == "question_quotes_a_post"
    assert ops.followups.read(db, mid)["questions"][0]["text"] == "Vad innebär dag 180?"


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


def test_follow_up_texts_are_normalised_like_every_other_text(db, facilitator, live_meeting):
    state = ops.decisions.add_decision(
        db, facilitator["id"], live_meeting["id"], {"text": "  rad ett\r\nrad två  "}
    )
    assert state["decisions"][0]["text"] == "rad ett\nrad två"
    with pytest.raises(DomainError) as caught:
        ops.decisions.add_decision(db, facilitator["id"], live_meeting["id"], {"text": "a\x00b"})
    assert caught.value.code == "invalid_text"


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


def test_a_closed_meetings_follow_ups_are_its_record_and_cannot_change(
    client, db, facilitator, live_meeting
):
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    with pytest.raises(DomainError) as caught:
        ops.decisions.add_decision(db, facilitator["id"], live_meeting["id"], {"text": "Efteråt"})
    assert caught.value.code == "meeting_closed"


def test_a_closed_meetings_follow_ups_stay_as_at_the_close_when_a_later_meeting_answers(
    client, db, facilitator, live_meeting
):
    uid, gid, first = facilitator["id"], live_meeting["group_id"], live_meeting["id"]
    ops.followups.add_question(db, uid, first, {"text": "Vem äger rehabkedjan?"})
    ops.decisions.add_action_item(db, uid, first, {"what": "Ringa FK", "who": "Anna"})
    close_meeting(client, facilitator, first)
    second = ops.meetings.create(db, uid, gid, {})
    ops.meetings.start(db, uid, second["id"])
    state = ops.followups.read(db, second["id"])
    ops.followups.update_question(
        db, uid, second["id"], {"id": state["questions"][0]["id"], "status": "answered"}
    )
    ops.decisions.update_action_item(
        db, uid, second["id"], {"id": state["action_items"][0]["id"], "status": "done"}
    )

    at_close = client.get(
        f"/api/v1/meetings/{first}/followups", headers=facilitator["headers"]
    ).get_json()
    assert [q["status"] for q in at_close["questions"]] == ["open"]
    assert [a["status"] for a in at_close["action_items"]] == ["open"]
    later = ops.followups.read(db, second["id"])
    assert [q["status"] for q in later["questions"]] == ["answered"]
