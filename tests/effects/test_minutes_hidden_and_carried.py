"""What the minutes leave out of hidden posts and keep of follow-ups across meetings."""

from helpers import next_meeting, participant_socket, post
from pblapp import ops


def _minutes_md(client, facilitator, meeting_id):
    answer = client.get(f"/api/v1/meetings/{meeting_id}/minutes.md", headers=facilitator["headers"])
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_hiding_a_post_does_not_drop_the_visible_duplicates_merged_into_it_from_the_minutes(
    app, client, db, facilitator, live_meeting
):
    anna = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    bo = participant_socket(app, client, live_meeting["join_code"], "Bo", "AF")
    first = post(anna, "Vad betyder dag 180 (hemligt namn här)?", qtype="encyclopedic")
    second = post(bo, "Vad innebär dag 180 i rehabkedjan?", qtype="encyclopedic")
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.moderation.merge(
        db, uid, mid, {"id": second["contribution"]["id"], "into": first["contribution"]["id"]}
    )
    # The first one named a client: the facilitator hides it. Bo's post is still visible.
    ops.moderation.moderate(db, uid, mid, {"id": first["contribution"]["id"], "hidden": True})
    assert "hemligt" not in _minutes_md(client, facilitator, mid)
    assert "rehabkedjan" in _minutes_md(client, facilitator, mid)
    assert ops.meetings.state(db, mid)["counts"]["encyclopedic"] == 1


def test_the_text_of_a_hidden_post_does_not_reach_the_minutes_through_its_carried_question(
    app, client, db, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    sent = post(phone, "Hur gör vi med Kalle Karlsson, 19750101-1234?", qtype="solution")
    uid, mid = facilitator["id"], live_meeting["id"]
    cid = sent["contribution"]["id"]
    ops.moderation.moderate(db, uid, mid, {"id": cid, "carry_forward": True})
    # Then the facilitator sees the personal details and hides the post.
    ops.moderation.moderate(db, uid, mid, {"id": cid, "hidden": True})
    assert "Karlsson" not in _minutes_md(client, facilitator, mid)


def test_minutes_of_a_closed_meeting_keep_the_questions_it_carried_after_a_later_meeting(
    client, db, facilitator, live_meeting
):
    """Meeting 1 raises a question; meeting 2 defers it (it is in meeting 2's minutes);
    meeting 3 answers it. Meeting 2's minutes must still list it."""
    uid, gid = facilitator["id"], live_meeting["group_id"]
    ops.followups.add_question(db, uid, live_meeting["id"], {"text": "Vem äger rehabkedjan?"})
    question_id = ops.followups.read(db, live_meeting["id"])["questions"][0]["id"]
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    second = ops.meetings.create(db, uid, gid, {})
    ops.meetings.start(db, uid, second["id"])
    ops.followups.update_question(db, uid, second["id"], {"id": question_id, "status": "deferred"})
    client.post(f"/api/v1/meetings/{second['id']}/close", headers=facilitator["headers"])
    assert "Vem äger rehabkedjan" in _minutes_md(client, facilitator, second["id"])

    third = ops.meetings.create(db, uid, gid, {})
    ops.meetings.start(db, uid, third["id"])
    ops.followups.update_question(db, uid, third["id"], {"id": question_id, "status": "answered"})
    assert "Vem äger rehabkedjan" in _minutes_md(client, facilitator, second["id"])


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
    assert "| Boka lokal | Anna | – | open, from meeting 1 |" in minutes
