"""The phone's side over HTTP: joining by form or JSON, consent, and the phone's page."""

import pytest

from helpers import error_code, join


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


def test_the_join_page_asks_for_consent_when_the_group_has_a_consent_text(client, live_meeting):
    page = client.get(f"/j/{live_meeting['join_code']}").get_data(as_text=True)
    assert "Jag samtycker till att mina inlägg används i forskningen." in page
    assert 'data-testid="consent"' in page
    response = client.post(
        f"/j/{live_meeting['join_code']}?lang=en",
        data={"display_name": "Anna", "organization": "FK"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "You must consent before you can take part." in page
    assert 'value="Anna"' in page


def test_unknown_and_closed_meetings_get_a_clear_page(client, facilitator, live_meeting):
    response = client.get("/j/ZZZZZZ?lang=en")
    assert response.status_code == 404
    assert "No meeting has this code" in response.get_data(as_text=True)
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    response = client.get(f"/j/{live_meeting['join_code']}?lang=en")
    assert response.status_code == 410
    assert "This meeting has ended" in response.get_data(as_text=True)


def test_a_phone_that_joined_goes_straight_back_to_its_page(client, live_meeting):
    code = live_meeting["join_code"]
    response = client.post(
        f"/j/{code.lower()}", data={"display_name": "Anna", "organization": "FK", "consent": "on"}
    )
    assert response.location == f"/j/{code}/live"
    assert client.get(f"/j/{code}").location == f"/j/{code}/live"
    page = client.get(f"/j/{code}/live").get_data(as_text=True)
    assert "P01" in page and 'data-testid="send"' in page
    for key in ("encyclopedic", "meaning", "relational", "value", "solution"):
        assert f'data-testid="qtype-{key}"' in page
    other_phone = client.application.test_client()
    assert other_phone.get(f"/j/{code}/live").location == f"/j/{code}"


def test_a_json_join_then_page_join_use_separate_identities(client, live_meeting):
    join(client, live_meeting["join_code"], "Anna")
    client.post(
        f"/j/{live_meeting['join_code']}",
        data={"display_name": "Bo", "organization": "AF", "consent": "on"},
    )
    page = client.get(f"/j/{live_meeting['join_code']}/live").get_data(as_text=True)
    assert "P02" in page


def test_the_phone_page_explains_every_question_type_in_the_ui_language(client, live_meeting):
    code = live_meeting["join_code"]
    client.post(f"/j/{code}", data={"display_name": "Anna", "organization": "FK", "consent": "on"})
    english = client.get(f"/j/{code}/live?lang=en").get_data(as_text=True)
    assert "Facts, definitions, how a rule works." in english
    swedish = client.get(f"/j/{code}/live?lang=sv").get_data(as_text=True)
    assert "Encyklopedisk" in swedish


def test_participants_read_the_groups_goals_on_their_phone(client, facilitator):
    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={
            "name": "G",
            "kind": "pbl",
            "goals": "**Huvudmål:** att <em>gemensamt</em> utveckla<script>bad()</script>",
        },
        headers=headers,
    ).get_json()
    meeting = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={}, headers=headers
    ).get_json()
    client.post(f"/j/{meeting['join_code']}", data={"display_name": "A", "organization": "FK"})
    page = client.get(f"/j/{meeting['join_code']}/live").get_data(as_text=True)
    assert "<strong>Huvudmål:</strong>" in page
    assert "bad()" not in page
