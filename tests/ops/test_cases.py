"""Case stories (fallberättelser) as operations: marked on a post or typed, coded, taken
back; every change logged."""

from __future__ import annotations

import uuid

import pytest

from helpers import join
from pblapp import ops
from pblapp.domain.errors import DomainError


def say(db, attendance, text="Han fick hjälp i tid tack vare samverkan.") -> dict:
    post, _ = ops.participation.post(
        db, attendance, {"client_id": str(uuid.uuid4()), "text": text, "qtype": "solution"}
    )
    return post


@pytest.fixture
def post(client, db, live_meeting):
    anna = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    return say(db, anna)


def case_events(db, group_id) -> list[dict]:
    return [e for e in ops.records.events(db, group_id=group_id) if e["type"].startswith("case.")]


def test_a_marked_post_is_a_case_story_told_by_its_authors_organization(
    db, facilitator, live_meeting, post
):
    gid = live_meeting["group_id"]
    case = ops.cases.add(
        db, facilitator, gid, {"contribution_id": post["id"], "outcome": "successful"}
    )
    assert case["source"] == "contribution"
    assert (case["text"], case["pseudonym"], case["organization"]) == (post["text"], "P01", "FK")
    assert (case["meeting_id"], case["meeting_number"], case["seq"]) == (live_meeting["id"], 1, 1)
    assert case["outcome"] == "successful" and case["perspective"] is None
    [event] = case_events(db, gid)
    assert (event["type"], event["actor"], event["meeting_id"]) == (
        "case.added",
        "facilitator",
        live_meeting["id"],
    )
    assert event["data"]["case_id"] == case["id"]
    assert event["data"]["contribution_id"] == post["id"]
    assert event["data"]["organization"] == "FK" and event["data"]["text"] is None


def test_a_typed_story_belongs_to_a_meeting_of_the_group(db, facilitator, live_meeting):
    gid = live_meeting["group_id"]
    case = ops.cases.add(
        db,
        facilitator,
        gid,
        {
            "text": "  En klient föll mellan stolarna.  ",
            "meeting_id": live_meeting["id"],
            "organization": "AF",
            "perspective": "client",
            "problem": "Ingen ansvarade",
            "decisive_factor": "",
        },
    )
    assert case["source"] == "typed" and case["text"] == "En klient föll mellan stolarna."
    assert case["pseudonym"] is None and case["contribution_id"] is None
    assert (case["organization"], case["perspective"], case["problem"]) == (
        "AF",
        "client",
        "Ingen ansvarade",
    )
    assert case["decisive_factor"] is None  # empty means not coded
    other = ops.groups.create(db, facilitator["id"], {"name": "Annan", "kind": "pbl"})
    elsewhere = ops.meetings.create(db, facilitator["id"], other["id"], {})
    with pytest.raises(DomainError) as refused:
        ops.cases.add(db, facilitator, gid, {"text": "x", "meeting_id": elsewhere["id"]})
    assert (refused.value.code, refused.value.status) == ("meeting_not_found", 404)


@pytest.mark.parametrize(
    "payload, code",
    [
        ({}, "missing_field"),
        ({"text": "Berättelse"}, "missing_field"),
        ({"contribution_id": 1, "text": "Berättelse"}, "contribution_or_text"),
        ({"contribution_id": "1"}, "invalid_contribution_id"),
        ({"text": "", "meeting_id": 1}, "text_empty"),
        ({"text": "x", "meeting_id": 1, "outcome": "great"}, "invalid_outcome"),
        ({"text": "x", "meeting_id": 1, "perspective": "family"}, "invalid_perspective"),
        ({"text": "x", "meeting_id": 1, "organization": "NASA"}, "invalid_organization"),
        ({"text": "x", "meeting_id": 1, "problem": "p" * 501}, "problem_too_long"),
        ({"text": "x", "meeting_id": 1, "problem": 3}, "invalid_problem"),
        ({"text": "x", "meeting_id": 1, "narrator": "P01"}, "unknown_field"),
        ([], "invalid_payload"),
    ],
)
def test_a_bad_case_story_is_refused_with_a_code_and_nothing_is_stored(
    db, facilitator, live_meeting, payload, code
):
    with pytest.raises(DomainError) as refused:
        ops.cases.add(db, facilitator, live_meeting["group_id"], payload)
    assert refused.value.code == code
    assert ops.cases.in_group(db, live_meeting["group_id"]) == []


def test_a_post_is_one_case_story_at_most_and_only_in_its_own_group(
    db, facilitator, live_meeting, post
):
    gid = live_meeting["group_id"]
    ops.cases.add(db, facilitator, gid, {"contribution_id": post["id"]})
    with pytest.raises(DomainError) as twice:
        ops.cases.add(db, facilitator, gid, {"contribution_id": post["id"]})
    assert (twice.value.code, twice.value.status) == ("case_exists", 409)
    other = ops.groups.create(db, facilitator["id"], {"name": "Annan", "kind": "pbl"})
    with pytest.raises(DomainError) as elsewhere:
        ops.cases.add(db, facilitator, other["id"], {"contribution_id": post["id"]})
    assert (elsewhere.value.code, elsewhere.value.status) == ("contribution_not_found", 404)


def test_coding_a_story_logs_old_and_new_values(db, facilitator, live_meeting, post):
    gid = live_meeting["group_id"]
    case = ops.cases.add(db, facilitator, gid, {"contribution_id": post["id"]})
    coded = ops.cases.update(
        db,
        facilitator,
        gid,
        case["id"],
        {"outcome": "failed", "decisive_factor": "Samordnaren", "organization": "RS"},
    )
    assert (coded["outcome"], coded["decisive_factor"], coded["organization"]) == (
        "failed",
        "Samordnaren",
        "RS",
    )
    updated = case_events(db, gid)[-1]
    assert updated["type"] == "case.updated"
    assert updated["data"]["changes"] == {
        "outcome": {"old": None, "new": "failed"},
        "decisive_factor": {"old": None, "new": "Samordnaren"},
        "organization": {"old": "FK", "new": "RS"},
    }
    ops.cases.update(db, facilitator, gid, case["id"], {"outcome": "failed"})
    assert case_events(db, gid)[-1] == updated  # nothing changed, nothing logged
    with pytest.raises(DomainError) as refused:
        ops.cases.update(db, facilitator, gid, case["id"], {"text": "Andra ord"})
    assert refused.value.code == "case_text_is_a_post"
    with pytest.raises(DomainError) as empty:
        ops.cases.update(db, facilitator, gid, case["id"], {})
    assert empty.value.code == "nothing_to_change"


def test_taking_a_story_back_is_logged_and_leaves_the_post(db, facilitator, live_meeting, post):
    gid = live_meeting["group_id"]
    case = ops.cases.add(db, facilitator, gid, {"contribution_id": post["id"]})
    ops.cases.remove(db, facilitator, gid, case["id"])
    assert ops.cases.in_group(db, gid) == []
    assert ops.participation.contribution(db, post["id"])["text"] == post["text"]
    removed = case_events(db, gid)[-1]
    assert (removed["type"], removed["data"]["case_id"]) == ("case.removed", case["id"])
    with pytest.raises(DomainError) as again:
        ops.cases.remove(db, facilitator, gid, case["id"])
    assert (again.value.code, again.value.status) == ("case_not_found", 404)


def test_a_granted_researcher_codes_and_the_log_names_the_role(
    db, facilitator, researcher, live_meeting, post
):
    gid = live_meeting["group_id"]
    with pytest.raises(DomainError) as stranger:
        ops.cases.add(db, researcher, gid, {"contribution_id": post["id"]})
    assert stranger.value.status == 404
    ops.groups.grant(db, gid, researcher["id"])
    case = ops.cases.add(db, researcher, gid, {"contribution_id": post["id"]})
    ops.cases.update(db, researcher, gid, case["id"], {"perspective": "professional"})
    assert [e["actor"] for e in case_events(db, gid)] == ["researcher", "researcher"]


def test_a_withdrawn_authors_post_cannot_become_a_case_story(
    client, db, facilitator, live_meeting, post
):
    ops.privacy.withdraw(db, facilitator["id"], live_meeting["group_id"], "P01")
    with pytest.raises(DomainError) as refused:
        ops.cases.add(db, facilitator, live_meeting["group_id"], {"contribution_id": post["id"]})
    assert (refused.value.code, refused.value.status) == ("author_withdrawn", 409)
