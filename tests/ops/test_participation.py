"""Joining, posting once per client_id, moderating, and the log they leave."""

import uuid

import pytest

from helpers import join
from pblapp import ops
from pblapp.domain.errors import DomainError


def post(db, attendance, text="Vad innebär dag 180?", qtype="encyclopedic", client_id=None):
    contribution, created = ops.participation.post(
        db, attendance, {"client_id": client_id or str(uuid.uuid4()), "text": text, "qtype": qtype}
    )
    return contribution, created


def test_retry_with_same_client_id_stores_once(client, db, live_meeting):
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    client_id = str(uuid.uuid4())
    first, created = post(db, attendance, client_id=client_id)
    again, created_again = post(db, attendance, client_id=client_id, text="changed?")
    assert created and not created_again
    assert again == first
    assert [c["id"] for c in ops.participation.contributions(db, live_meeting["id"])] == [
        first["id"]
    ]
    added = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "contribution.added"
    ]
    assert len(added) == 1


def test_another_participant_cannot_reuse_a_client_id(client, db, live_meeting):
    a = ops.participation.attendance(db, join(client, live_meeting["join_code"], "Anna")["token"])
    b = ops.participation.attendance(db, join(client, live_meeting["join_code"], "Bo")["token"])
    client_id = str(uuid.uuid4())
    post(db, a, client_id=client_id)
    with pytest.raises(DomainError) as caught:
        post(db, b, client_id=client_id)
    assert caught.value.code == "client_id_taken"


def test_seq_counts_one_two_three_within_each_meeting(client, db, facilitator, live_meeting):
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    seqs = [post(db, attendance)[0]["seq"] for _ in range(3)]
    assert seqs == [1, 2, 3]
    other = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    ops.meetings.start(db, facilitator["id"], other["id"])
    attendance2 = ops.participation.attendance(db, join(client, other["join_code"])["token"])
    assert post(db, attendance2)[0]["seq"] == 1


def test_posting_works_only_while_the_meeting_is_live(client, db, facilitator, live_meeting):
    planned = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    attendance = ops.participation.attendance(db, join(client, planned["join_code"])["token"])
    with pytest.raises(DomainError) as caught:
        post(db, attendance)
    assert caught.value.code == "meeting_not_live"
    ops.meetings.start(db, facilitator["id"], planned["id"])
    post(db, attendance)
    ops.meetings.close(db, facilitator["id"], planned["id"])
    with pytest.raises(DomainError) as caught:
        post(db, attendance)
    assert caught.value.code == "meeting_not_live"
    assert len(ops.participation.contributions(db, planned["id"])) == 1


def test_pseudonyms_follow_the_order_of_joining_and_stay_across_meetings(
    client, db, facilitator, live_meeting
):
    anna = client.post(
        f"/j/{live_meeting['join_code']}",
        data={"display_name": "Anna", "organization": "FK", "consent": "on"},
    )
    assert anna.status_code == 302
    other = client.application.test_client()
    other.post(
        f"/j/{live_meeting['join_code']}",
        data={"display_name": "Bo", "organization": "AF", "consent": "on"},
    )
    second = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    # Same browser at the group's next meeting: same participant, same pseudonym.
    client.post(
        f"/j/{second['join_code']}",
        data={"display_name": "Anna", "organization": "FK", "consent": "on"},
    )
    state = ops.meetings.state(db, second["id"])
    assert state["participants"] == 1
    rows = db.query("SELECT pseudonym, display_name FROM participants ORDER BY number")
    assert [tuple(r) for r in rows] == [("P01", "Anna"), ("P02", "Bo")]
    joined = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "participant.joined"
    ]
    assert [(e["actor"], e["meeting_id"], e["data"]["rejoined"]) for e in joined] == [
        ("P01", live_meeting["id"], False),
        ("P02", live_meeting["id"], False),
        ("P01", second["id"], True),
    ]


def test_moderation_is_logged_with_old_and_new_values(client, db, facilitator, live_meeting):
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    contribution, _ = post(db, attendance, qtype=None)
    updated = ops.moderation.moderate(
        db,
        facilitator["id"],
        live_meeting["id"],
        {"id": contribution["id"], "qtype": "value", "hidden": True},
    )
    assert updated["qtype"] == "value" and updated["hidden"] is True
    event = ops.records.events(db, group_id=live_meeting["group_id"])[-1]
    assert event["type"] == "contribution.updated"
    assert event["actor"] == "facilitator"
    assert event["data"]["changes"] == {
        "qtype": {"old": None, "new": "value"},
        "hidden": {"old": False, "new": True},
    }


def test_hidden_contributions_leave_the_counts_but_stay_in_the_record(
    client, db, facilitator, live_meeting
):
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    contribution, _ = post(db, attendance, qtype="value")
    ops.moderation.moderate(
        db, facilitator["id"], live_meeting["id"], {"id": contribution["id"], "hidden": True}
    )
    assert ops.meetings.state(db, live_meeting["id"])["counts"]["value"] == 0
    assert ops.participation.contributions(db, live_meeting["id"], include_hidden=False) == []
    assert (
        ops.participation.contributions(db, live_meeting["id"])[0]["text"] == contribution["text"]
    )
