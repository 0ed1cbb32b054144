"""The projector's tools: merge duplicates, pin, hide all, goals, the starting point and image."""

import uuid

import pytest

from helpers import join, png
from pblapp import ops
from pblapp.domain.errors import DomainError


@pytest.fixture
def posts(client, db, live_meeting):
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    return [
        ops.participation.post(
            db, attendance, {"client_id": str(uuid.uuid4()), "text": text, "qtype": "meaning"}
        )[0]
        for text in ("Varför 180 dagar?", "Varför just dag 180?", "Vem bestämmer?")
    ]


def test_merging_a_duplicate_keeps_both_texts_but_counts_once(db, facilitator, live_meeting, posts):
    uid, mid = facilitator["id"], live_meeting["id"]
    merged = ops.moderation.merge(db, uid, mid, {"id": posts[1]["id"], "into": posts[0]["id"]})
    assert merged["merged_into_id"] == posts[0]["id"]
    assert ops.meetings.state(db, mid)["counts"]["meaning"] == 2
    assert [c["text"] for c in ops.participation.contributions(db, mid)] == [
        p["text"] for p in posts
    ]
    event = ops.records.events(db, group_id=live_meeting["group_id"])[-1]
    assert event["type"] == "contribution.merged" and event["data"]["into"] == posts[0]["id"]
    ops.moderation.merge(db, uid, mid, {"id": posts[1]["id"], "into": None})
    assert ops.meetings.state(db, mid)["counts"]["meaning"] == 3


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"id": 1, "into": 1}, "merge_into_itself"),
        ({"id": 1, "into": 999}, "contribution_not_found"),
        ({"id": "1", "into": 2}, "invalid_id"),
        ({"id": 1}, "missing_field"),
    ],
)
def test_bad_merges_are_refused(db, facilitator, live_meeting, posts, payload, code):
    with pytest.raises(DomainError) as caught:
        ops.moderation.merge(db, facilitator["id"], live_meeting["id"], payload)
    assert caught.value.code == code


def test_merging_into_a_merged_duplicate_is_refused(db, facilitator, live_meeting, posts):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.moderation.merge(db, uid, mid, {"id": posts[1]["id"], "into": posts[0]["id"]})
    with pytest.raises(DomainError) as caught:
        ops.moderation.merge(db, uid, mid, {"id": posts[2]["id"], "into": posts[1]["id"]})
    assert caught.value.code == "target_is_merged"


def test_pin_hide_all_and_goals_are_screen_state_that_is_logged(
    db, facilitator, live_meeting, posts
):
    uid, mid = facilitator["id"], live_meeting["id"]
    state = ops.screen.command(db, uid, mid, {"pin": posts[2]["id"]})
    assert state["pinned_contribution_id"] == posts[2]["id"]
    state = ops.screen.command(db, uid, mid, {"hide_contributions": True, "show_goals": True})
    assert state["hide_contributions"] and state["show_goals"]
    assert ops.screen.command(db, uid, mid, {"pin": None})["pinned_contribution_id"] is None
    switched = {"show_starting_point": True, "show_carried_questions": True}
    state = ops.screen.command(db, uid, mid, switched)
    assert state["show_starting_point"] and state["show_carried_questions"]
    changes = [
        e["data"]
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "screen.changed"
    ]
    assert changes == [
        {"pin": posts[2]["id"]},
        {"hide_contributions": True, "show_goals": True},
        {"pin": None},
        switched,
    ]
    for payload, code in (
        ({"pin": 999}, "contribution_not_found"),
        ({"hide_contributions": "yes"}, "invalid_hide_contributions"),
        ({"show_starting_point": 1}, "invalid_show_starting_point"),
        ({}, "nothing_to_change"),
        ({"zoom": 2}, "unknown_field"),
    ):
        with pytest.raises(DomainError) as caught:
            ops.screen.command(db, uid, mid, payload)
        assert caught.value.code == code


def test_the_starting_point_is_markdown_cleaned_of_anything_active(db, facilitator, live_meeting):
    state = ops.screen.set_starting_point(
        db,
        facilitator["id"],
        live_meeting["id"],
        {
            "text": "## Fallet Eva\n\nEva har varit sjukskriven i **ett år**.<script>x()</script>"
            "[länk](javascript:alert(1))"
        },
    )
    assert "<h2>Fallet Eva</h2>" in state["starting_point_html"]
    assert "<strong>ett år</strong>" in state["starting_point_html"]
    assert "<script" not in state["starting_point_html"]
    assert "javascript:" not in state["starting_point_html"]


def test_a_replaced_or_removed_image_leaves_no_file_behind(db, facilitator, live_meeting):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.screen.set_starting_point_image(db, uid, mid, png(2, 2))
    ops.screen.set_starting_point_image(db, uid, mid, png(3, 3))
    assert len(list(db.files_dir.iterdir())) == 1
    assert ops.screen.starting_point_image(db, mid)[0] == png(3, 3)
    ops.screen.set_starting_point_image(db, uid, mid, None)
    assert list(db.files_dir.iterdir()) == []
