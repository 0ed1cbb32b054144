"""The JSON API: auth, one error format, strict bodies; meetings, posts, agenda, follow-ups."""

import uuid

import pytest

from helpers import close_meeting, error_code, join, post_from_a_new_phone, texts
from pblapp import ops


def test_healthz_answers_without_auth(client):
    assert client.get("/healthz").get_json() == {"ok": True}


def test_a_missing_or_wrong_token_is_refused(client, facilitator):
    assert error_code(client.get("/api/v1/groups")) == "unauthorized"
    response = client.get("/api/v1/groups", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and error_code(response) == "invalid_token"


def test_unknown_fields_are_rejected_not_ignored(client, facilitator):
    response = client.post(
        "/api/v1/groups",
        json={"name": "G", "kind": "pbl", "colour": "red"},
        headers=facilitator["headers"],
    )
    assert response.status_code == 400 and error_code(response) == "unknown_field"


@pytest.mark.parametrize(
    ("body", "code"),
    [(b"not json", "invalid_json"), (b"[1, 2]", "invalid_payload")],
)
def test_a_body_that_is_not_a_json_object_is_refused(client, facilitator, body, code):
    response = client.post(
        "/api/v1/groups", data=body, content_type="application/json", headers=facilitator["headers"]
    )
    assert response.status_code == 400 and error_code(response) == code


def test_unknown_api_paths_answer_in_the_error_format(client, facilitator):
    response = client.get("/api/v1/nothing-here", headers=facilitator["headers"])
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_creating_a_meeting_answers_its_join_and_screen_urls(client, facilitator, live_meeting):
    meeting = client.post(
        f"/api/v1/groups/{live_meeting['group_id']}/meetings",
        json={"agenda": "focus-group", "scheduled_at": "2026-12-01T13:00:00Z"},
        headers=facilitator["headers"],
    )
    assert meeting.status_code == 201
    body = meeting.get_json()
    assert body["status"] == "planned" and body["number"] == 2
    assert body["join_url"] == f"http://192.168.1.20:5000/j/{body['join_code']}"
    assert body["screen_url"] == f"http://192.168.1.20:5000/meetings/{body['id']}/screen"


def test_a_meeting_in_a_group_that_does_not_exist_is_a_404(client, facilitator):
    response = client.post("/api/v1/groups/999/meetings", json={}, headers=facilitator["headers"])
    assert response.status_code == 404


def test_meeting_state_counts_participants_and_question_types(client, facilitator, live_meeting):
    join(client, live_meeting["join_code"])
    state = client.get(
        f"/api/v1/meetings/{live_meeting['id']}", headers=facilitator["headers"]
    ).get_json()
    assert state["status"] == "live" and state["participants"] == 1
    assert state["counts"] == {
        "encyclopedic": 0,
        "meaning": 0,
        "relational": 0,
        "value": 0,
        "solution": 0,
        "untagged": 0,
    }
    assert state["participants_by_organization"] == {"FK": 1}


def test_start_and_close_follow_the_meeting_lifecycle(client, facilitator, live_meeting):
    mid, headers = live_meeting["id"], facilitator["headers"]
    assert (
        client.post(f"/api/v1/meetings/{mid}/close", headers=headers).get_json()["status"]
        == "closed"
    )
    response = client.post(f"/api/v1/meetings/{mid}/start", headers=headers)
    assert response.status_code == 409 and error_code(response) == "invalid_transition"
    response = client.post(f"/api/v1/meetings/{mid}/start", json={"force": True}, headers=headers)
    assert error_code(response) == "unknown_field"


def test_contributions_list_in_seq_order(client, facilitator, live_meeting):

    token = join(client, live_meeting["join_code"])["token"]
    with client.application.app_context():
        db = client.application.extensions["pblapp.db"]
        attendance = ops.participation.attendance(db, token)
        for text in ("ett", "två", "tre"):
            ops.participation.post(db, attendance, {"client_id": str(uuid.uuid4()), "text": text})
    items = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=facilitator["headers"]
    ).get_json()
    assert [(c["seq"], c["text"]) for c in items] == [(1, "ett"), (2, "två"), (3, "tre")]
    assert set(items[0]) == {
        "id",
        "seq",
        "meeting_id",
        "client_id",
        "pseudonym",
        "display_name",
        "organization",
        "qtype",
        "text",
        "created_at",
        "hidden",
        "carry_forward",
        "agenda_step_id",
        "merged_into_id",
        "reactions",
        "flags",
        "flags_cleared",
        "status",
        "flag_spans",
        "moderation_reason",
    }
    assert items[0]["reactions"] == {"agree": 0, "disagree": 0, "build_on": 0}


def test_the_api_changes_a_contribution_like_the_console_and_refuses_bad_input_clearly(
    app, client, facilitator, live_meeting
):
    post = post_from_a_new_phone(app, client, live_meeting["join_code"], "Vad betyder dag 180?")
    url = f"/api/v1/meetings/{live_meeting['id']}/contributions/{post['id']}"
    headers = facilitator["headers"]
    changed = client.patch(url, json={"qtype": "value", "hidden": True}, headers=headers)
    assert changed.status_code == 200
    assert (changed.get_json()["qtype"], changed.get_json()["hidden"]) == ("value", True)
    for body, code in [
        ({"id": post["id"], "hidden": False}, "unknown_field"),
        ({"hidden": "yes"}, "invalid_hidden"),
        ({}, "nothing_to_change"),
        ({"qtype": "gossip"}, "invalid_qtype"),
    ]:
        answer = client.patch(url, json=body, headers=headers)
        assert answer.status_code == 400, body
        assert answer.get_json()["error"]["code"] == code
    missing = client.patch(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/999",
        json={"hidden": True},
        headers=headers,
    )
    assert missing.status_code == 404
    stored = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=headers
    ).get_json()
    assert [(c["qtype"], c["hidden"]) for c in stored] == [("value", True)]


def test_the_agenda_api_starts_edits_and_saves_steps(client, facilitator, live_meeting):
    headers, mid = facilitator["headers"], live_meeting["id"]
    agenda_url = f"/api/v1/meetings/{mid}/agenda"
    steps = client.get(agenda_url, headers=headers).get_json()["steps"]
    assert len(steps) == 7
    started = client.post(agenda_url, json={"action": "start"}, headers=headers).get_json()
    assert started["steps"][0]["running"] and started["server_time"].endswith("Z")
    moved = client.post(
        agenda_url, json={"action": "goto", "step_id": steps[3]["id"]}, headers=headers
    ).get_json()
    assert moved["current_step_id"] == steps[3]["id"]
    # Step 1 has begun, so it stays; the steps never started can go.
    kept = [{"id": steps[0]["id"]}, {"id": steps[3]["id"]}, {"title": "Paus"}]
    edited = client.put(agenda_url, json={"steps": kept}, headers=headers)
    assert edited.status_code == 200 and len(edited.get_json()["steps"]) == 3
    saved = client.post(f"{agenda_url}/save-for-group", headers=headers).get_json()
    assert [s["title"] for s in saved["steps"]] == [None, None, "Paus"]
    response = client.post(agenda_url, json={"action": "start", "speed": 2}, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "unknown_field"


def test_the_agenda_of_a_closed_meeting_cannot_be_edited(client, db, facilitator, live_meeting):
    mid = live_meeting["id"]
    client.post(f"/api/v1/meetings/{mid}/close", headers=facilitator["headers"])
    steps = [
        {"id": step["id"], "title": "Nytt namn"} for step in ops.agenda.state(db, mid)["steps"]
    ]
    answer = client.put(
        f"/api/v1/meetings/{mid}/agenda", json={"steps": steps}, headers=facilitator["headers"]
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "meeting_closed"
    assert all(step["title"] is None for step in ops.agenda.state(db, mid)["steps"])


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


def test_follow_ups_cannot_be_added_to_a_closed_meeting_and_the_answer_says_why(
    app, client, facilitator, live_meeting
):
    post = post_from_a_new_phone(app, client, live_meeting["join_code"], "Fråga till nästa gång?")
    mid = live_meeting["id"]
    close_meeting(client, facilitator, mid)
    base, headers = f"/api/v1/meetings/{mid}", facilitator["headers"]
    refused = [
        client.post(f"{base}/questions", json={"text": "Ny fråga"}, headers=headers),
        client.post(f"{base}/decisions", json={"text": "Vi beslutar"}, headers=headers),
        client.post(f"{base}/action-items", json={"what": "Ring", "who": "Bo"}, headers=headers),
        client.patch(
            f"{base}/contributions/{post['id']}", json={"carry_forward": True}, headers=headers
        ),
    ]
    for answer in refused:
        assert answer.status_code == 409, answer.get_data(as_text=True)
        assert answer.get_json()["error"]["code"] == "meeting_closed"
    followups = client.get(f"{base}/followups", headers=headers).get_json()
    assert followups["questions"] == followups["decisions"] == followups["action_items"] == []
