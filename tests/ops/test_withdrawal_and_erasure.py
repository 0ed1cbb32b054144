"""Withdrawal and erasure: out of the research, their words deleted or kept for the minutes
as the group's policy says, never able to post again; erasure takes the name too."""

import json
import uuid

import pytest

from helpers import join, participant_socket, post
from pblapp import ops
from pblapp.domain.errors import DomainError


def a_meeting_with_three(app, client, db, facilitator, live_meeting):
    """P01 (Anna), P02 (Bo) and P03 (Cia) post; Bo and Anna react to each other, Cia to
    Bo; Anna's post is carried to the next meeting; all three answer the self-evaluation."""
    phones = [
        participant_socket(app, client, live_meeting["join_code"], name, org)
        for name, org in (("Anna Andersson", "FK"), ("Bo", "AF"), ("Cia", "RS"))
    ]
    posts = [
        post(phone, text, "meaning")["contribution"]
        for phone, text in zip(phones, ("Annas ord om Kalle", "Bos ord", "Cias ord"), strict=True)
    ]
    assert phones[1].emit(
        "reaction:set", {"contribution_id": posts[0]["id"], "kind": "agree"}, callback=True
    )["ok"]
    assert phones[0].emit(
        "reaction:set", {"contribution_id": posts[1]["id"], "kind": "build_on"}, callback=True
    )["ok"]
    assert phones[2].emit(
        "reaction:set", {"contribution_id": posts[1]["id"], "kind": "disagree"}, callback=True
    )["ok"]
    ops.moderation.moderate(
        db, facilitator["id"], live_meeting["id"], {"id": posts[0]["id"], "carry_forward": True}
    )
    ops.selfeval.open_(db, facilitator["id"], live_meeting["id"])
    for phone, words in zip(phones, ("Annas svar", "Bos svar", "Cias svar"), strict=True):
        answers = {"safe_to_disagree": 4, "change": words}
        assert phone.emit("self_evaluation:answer", {"answers": answers}, callback=True)["ok"]
    return phones, posts


def raw_events(db) -> str:
    return "\n".join(row["data"] for row in db.query("SELECT data FROM events"))


def withdraw_anna(db, facilitator, live_meeting):
    return ops.privacy.withdraw(db, facilitator["id"], live_meeting["group_id"], "P01")


def test_a_withdrawn_participant_is_left_out_of_log_csv_and_log_jsonl(
    app, client, db, facilitator, live_meeting
):
    _, posts = a_meeting_with_three(app, client, db, facilitator, live_meeting)
    state = withdraw_anna(db, facilitator, live_meeting)
    assert state["pseudonym"] == "P01" and state["withdrawn_at"]
    assert state["withdrawal_policy"] == "delete"
    group_id = live_meeting["group_id"]
    rows = ops.records.export_rows(db, group_id=group_id)
    assert [row["pseudonym"] for row in rows] == ["P02", "P03"]
    events = ops.records.events(db, group_id=group_id)
    kept = [e for e in events if e["actor"] == "P01"]
    assert [e["type"] for e in kept] == []
    about_annas_post = [e for e in events if e["data"].get("contribution_id") == posts[0]["id"]]
    assert about_annas_post == []  # Bo's reaction, the carry, the question made from it
    [withdrawn] = [e for e in events if e["type"] == "participant.withdrawn"]
    assert withdrawn["actor"] == "facilitator"
    assert withdrawn["data"] == {
        "pseudonym": "P01",
        "texts_removed": 1,
        "user_id": facilitator["id"],
        "withdrawal_policy": "delete",
    }
    # Cia's reaction to Bo's post stays; Anna's to Bo's and Bo's to Anna's are gone.
    reactions = [(e["actor"], e["data"]["kind"]) for e in events if e["type"] == "reaction.set"]
    assert reactions == [("P03", "disagree")]
    answered = [e["actor"] for e in events if e["type"] == "self_evaluation.answered"]
    assert answered == ["P02", "P03"]


def test_under_delete_their_words_are_replaced_in_the_database_and_earlier_events(
    app, client, db, facilitator, live_meeting
):
    _, posts = a_meeting_with_three(app, client, db, facilitator, live_meeting)
    withdraw_anna(db, facilitator, live_meeting)
    stored = ops.participation.contribution(db, posts[0]["id"])
    assert stored["text"] == "[withdrawn]" and stored["pseudonym"] == "P01"
    assert "Annas ord" not in raw_events(db) and "Annas svar" not in raw_events(db)
    assert "Bos ord" in raw_events(db) and "Bos svar" in raw_events(db)
    questions = ops.followups.read(db, live_meeting["id"])["questions"]
    assert [q["text"] for q in questions] == ["[withdrawn]"]


def test_under_keep_for_minutes_their_words_stay_stored_but_not_in_the_exports(
    app, client, db, facilitator, live_meeting
):
    ops.groups.update(
        db, facilitator["id"], live_meeting["group_id"], {"withdrawal_policy": "keep_for_minutes"}
    )
    _, posts = a_meeting_with_three(app, client, db, facilitator, live_meeting)
    state = withdraw_anna(db, facilitator, live_meeting)
    assert state["withdrawal_policy"] == "keep_for_minutes"
    assert ops.participation.contribution(db, posts[0]["id"])["text"] == "Annas ord om Kalle"
    group_id = live_meeting["group_id"]
    assert "Annas ord" not in json.dumps(ops.records.events(db, group_id=group_id))
    assert all(row["pseudonym"] != "P01" for row in ops.records.export_rows(db, group_id=group_id))


def test_their_reactions_and_answers_are_deleted_and_leave_the_aggregates_and_indicators(
    app, client, db, facilitator, live_meeting
):
    _, posts = a_meeting_with_three(app, client, db, facilitator, live_meeting)
    before = ops.phases.record(db, live_meeting["id"])
    assert len(before["posts"]) == 3 and sum(before["reactions"].values()) == 3
    withdraw_anna(db, facilitator, live_meeting)
    assert ops.selfeval.state(db, live_meeting["id"])["n"] == 2
    assert ops.reactions.counts(db, posts[1]["id"]) == {"agree": 0, "disagree": 1, "build_on": 0}
    record = ops.phases.record(db, live_meeting["id"])
    assert [p["participant"] for p in record["posts"]] == ["P02", "P03"]
    assert [a["participant"] for a in record["attendees"]] == ["P02", "P03"]
    # Bo's reaction to Anna's post no longer counts either: only Cia's to Bo's.
    assert record["reactions"] == {"agree": 0, "disagree": 1, "build_on": 0}
    assert record["self_evaluation"]["n"] == 2


def test_a_withdrawn_participant_cannot_post_or_rejoin_and_their_token_is_void(
    app, client, db, facilitator, live_meeting
):
    token = join(client, live_meeting["join_code"], "Anna")["token"]
    attendance = ops.participation.attendance(db, token)
    ops.privacy.withdraw_self(db, attendance, {"confirm": True})
    with pytest.raises(DomainError) as refused:
        ops.participation.post(db, attendance, {"client_id": str(uuid.uuid4()), "text": "Igen"})
    assert refused.value.code == "participant_withdrawn"
    assert ops.participation.attendance(db, token) is None
    secret = db.query_one("SELECT 1 FROM participants WHERE rejoin_hash IS NOT NULL")
    assert secret is not None  # the key stays, so that the phone is recognised and refused
    [withdrawn] = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "participant.withdrawn"
    ]
    assert withdrawn["actor"] == "P01" and withdrawn["meeting_id"] == live_meeting["id"]


def test_withdrawing_needs_a_confirmation_and_twice_changes_nothing(
    client, db, facilitator, live_meeting
):
    attendance = ops.participation.attendance(
        db, join(client, live_meeting["join_code"], "Anna")["token"]
    )
    with pytest.raises(DomainError) as unconfirmed:
        ops.privacy.withdraw_self(db, attendance, {"confirm": False})
    assert unconfirmed.value.code == "confirmation_required"
    first = withdraw_anna(db, facilitator, live_meeting)
    assert withdraw_anna(db, facilitator, live_meeting) == first
    count = db.query_one("SELECT COUNT(*) FROM events WHERE type = 'participant.withdrawn'")[0]
    assert count == 1


def test_only_the_owner_records_a_withdrawal_of_a_participant_of_the_group(
    client, db, facilitator, live_meeting
):
    join(client, live_meeting["join_code"], "Anna")
    other, _ = ops.accounts.create_user(db, "Annan Handledare", "facilitator", "correct horse")
    with pytest.raises(DomainError) as hidden:
        ops.privacy.withdraw(db, other["id"], live_meeting["group_id"], "P01")
    assert hidden.value.status == 404
    with pytest.raises(DomainError) as unknown:
        ops.privacy.withdraw(db, facilitator["id"], live_meeting["group_id"], "P09")
    assert unknown.value.code == "participant_not_found"


def test_erasing_a_participant_deletes_their_words_name_and_rejoin_key_whatever_the_policy(
    app, client, db, facilitator, live_meeting
):
    ops.groups.update(
        db, facilitator["id"], live_meeting["group_id"], {"withdrawal_policy": "keep_for_minutes"}
    )
    _, posts = a_meeting_with_three(app, client, db, facilitator, live_meeting)
    state = ops.privacy.erase(db, facilitator["id"], live_meeting["group_id"], "P01")
    assert state["erased_at"] and state["withdrawn_at"]
    row = db.query_one("SELECT display_name, rejoin_hash FROM participants WHERE pseudonym = 'P01'")
    assert (row["display_name"], row["rejoin_hash"]) == ("P01", None)
    assert ops.participation.contribution(db, posts[0]["id"])["text"] == "[withdrawn]"
    assert "Annas" not in raw_events(db)
    [erased] = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "participant.erased"
    ]
    assert erased["data"] == {"pseudonym": "P01", "texts_removed": 1, "user_id": facilitator["id"]}
