"""The JSON API: token auth, one error format, strict bodies, and users see their own groups."""

import pytest

from conftest import join
from pblapp import ops


def error_code(response) -> str:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return body["error"]["code"]


def test_healthz_answers_without_auth(client):
    assert client.get("/healthz").get_json() == {"ok": True}


def test_a_missing_or_wrong_token_is_refused(client, facilitator):
    assert error_code(client.get("/api/v1/groups")) == "unauthorized"
    response = client.get("/api/v1/groups", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and error_code(response) == "invalid_token"


def test_creating_a_group_applies_the_default_organizations(client, facilitator):
    response = client.post(
        "/api/v1/groups", json={"name": "Motala", "kind": "focus"}, headers=facilitator["headers"]
    )
    assert response.status_code == 201
    group = response.get_json()
    assert [o["code"] for o in group["organizations"]] == [
        "FK",
        "AF",
        "AG",
        "AT",
        "RS",
        "Psyk",
        "Soc",
        "LJ",
        "Annan",
    ]
    assert client.get("/api/v1/groups", headers=facilitator["headers"]).get_json() == [group]


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


@pytest.mark.parametrize("other_owns_a_group", [False, True])
def test_a_user_sees_only_their_own_groups(
    app, client, facilitator, live_meeting, other_owns_a_group
):

    with app.app_context():
        _, other_token = ops.accounts.create_user(
            app.extensions["pblapp.db"], "Annan Handledare", "facilitator", "password1"
        )
    other = {"Authorization": f"Bearer {other_token}"}
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    own = []
    if other_owns_a_group:
        own = [
            client.post(
                "/api/v1/groups", json={"name": "Egen", "kind": "pbl"}, headers=other
            ).get_json()
        ]
    assert client.get("/api/v1/groups", headers=other).get_json() == own
    for path in (
        f"/groups/{gid}",
        f"/meetings/{mid}",
        f"/meetings/{mid}/contributions",
        f"/meetings/{mid}/minutes.md",
        f"/meetings/{mid}/log.csv",
        f"/groups/{gid}/log.jsonl",
    ):
        response = client.get("/api/v1" + path, headers=other)
        assert response.status_code == 404, path
    response = client.post(f"/api/v1/meetings/{mid}/close", headers=other)
    assert response.status_code == 404
    response = client.post(f"/api/v1/groups/{gid}/meetings", json={}, headers=other)
    assert response.status_code == 404
    for path in (
        f"/meetings/{mid}/agenda",
        f"/meetings/{mid}/followups",
        f"/meetings/{mid}/screen",
    ):
        assert client.get("/api/v1" + path, headers=other).status_code == 404, path
    response = client.post(f"/api/v1/meetings/{mid}/decisions", json={"text": "x"}, headers=other)
    assert response.status_code == 404
    assert (
        client.get(f"/api/v1/meetings/{mid}", headers=facilitator["headers"]).get_json()["status"]
        == "live"
    )


def test_a_meeting_in_a_group_that_does_not_exist_is_a_404(client, facilitator):
    response = client.post("/api/v1/groups/999/meetings", json={}, headers=facilitator["headers"])
    assert response.status_code == 404


def test_unknown_api_paths_answer_in_the_error_format(client, facilitator):
    response = client.get("/api/v1/nothing-here", headers=facilitator["headers"])
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_json_join_answers_the_participant_and_a_token(client, live_meeting):
    body = join(client, live_meeting["join_code"].lower(), "Anna", "RS")
    assert body["participant"] == {"pseudonym": "P01", "display_name": "Anna", "organization": "RS"}
    assert len(body["token"]) > 30


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"display_name": "Anna", "organization": "FK"}, 400, "consent_required"),
        ({"display_name": "", "organization": "FK", "consent": True}, 400, "display_name_empty"),
        (
            {"display_name": "Anna", "organization": "NASA", "consent": True},
            400,
            "invalid_organization",
        ),
        (
            {"display_name": "Anna", "organization": "FK", "consent": True, "x": 1},
            400,
            "unknown_field",
        ),
    ],
)
def test_json_join_refuses_bad_forms(client, live_meeting, form, status, code):
    response = client.post(f"/j/{live_meeting['join_code']}", json=form)
    assert response.status_code == status and error_code(response) == code


def test_json_join_to_an_unknown_or_closed_meeting(client, facilitator, live_meeting):
    form = {"display_name": "Anna", "organization": "FK", "consent": True}
    response = client.post("/j/ZZZZZZ", json=form)
    assert response.status_code == 404 and error_code(response) == "unknown_join_code"
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    response = client.post(f"/j/{live_meeting['join_code']}", json=form)
    assert response.status_code == 410 and error_code(response) == "meeting_closed"


def test_contributions_list_in_seq_order(client, facilitator, live_meeting):
    import uuid

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
    }


def test_a_facilitator_edits_a_groups_goals_and_consent_and_the_log_keeps_both(
    client, facilitator, live_meeting
):
    gid, headers = live_meeting["group_id"], facilitator["headers"]
    response = client.patch(
        f"/api/v1/groups/{gid}",
        headers=headers,
        json={"goals": "**Mål:** samverka", "consent_text": "Ny text"},
    )
    assert response.status_code == 200
    group = response.get_json()
    assert group["goals"] == "**Mål:** samverka" and group["consent_text"] == "Ny text"
    import json

    events = [
        json.loads(line)
        for line in client.get(f"/api/v1/groups/{gid}/log.jsonl", headers=headers)
        .get_data(as_text=True)
        .splitlines()
    ]
    update = events[-1]
    assert update["type"] == "group.updated"
    assert update["data"]["changes"]["consent_text"]["old"].startswith("Jag samtycker")
    for body, code in (
        ({"kind": "focus"}, "unknown_field"),
        ({}, "nothing_to_change"),
        ({"planned_meetings": 0}, "invalid_planned_meetings"),
        ({"language": "de"}, "invalid_language"),
    ):
        response = client.patch(f"/api/v1/groups/{gid}", headers=headers, json=body)
        assert response.status_code == 400 and error_code(response) == code
