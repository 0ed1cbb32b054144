"""Creating and editing a group by form and by API: a refusal says why, phones can always join."""

import json

from helpers import error_code, join, log_in
from pblapp import ops


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


def test_a_facilitator_creates_a_group_and_a_meeting_with_forms(client, facilitator, db):
    log_in(client, facilitator)
    response = client.post(
        "/groups",
        data={
            "name": "Fokusgrupp Jönköping",
            "kind": "focus",
            "planned_meetings": "1",
            "organizations": "FK Försäkringskassan\nLJ Landstinget",
            "consent_text": "",
            "goals": "",
        },
    )
    assert response.status_code == 302
    group = ops.lookup.groups(db, facilitator["id"])[0]
    assert group["organizations"] == [
        {"code": "FK", "name": "Försäkringskassan"},
        {"code": "LJ", "name": "Landstinget"},
    ]
    response = client.post(
        f"/groups/{group['id']}/meetings",
        data={"title": "Lyckade fall", "scheduled_at": "2026-03-02T13:00", "agenda": "focus-group"},
    )
    meeting = ops.meetings.in_group(db, facilitator["id"], group["id"])[0]
    assert response.location == f"/meetings/{meeting['id']}"
    # The form's local time is the meeting's time zone (Stockholm: UTC+1 in March).
    assert meeting["scheduled_at"] == "2026-03-02T12:00:00.000Z"
    page = client.get(response.location).get_data(as_text=True)
    assert meeting["join_code"] in page


def test_a_refused_new_group_comes_back_with_everything_typed(client, facilitator):
    log_in(client, facilitator)
    form = {
        "name": "Basgrupp Motala",
        "kind": "focus",
        "planned_meetings": "5",
        "language": "en",
        "organizations": "FK Försäkringskassan\nfk Också FK",
        "consent_text": "Jag samtycker till att mina inlägg används i forskningen.",
        "goals": "## Huvudmål\nBättre samverkan kring rehabkedjan.",
    }
    answer = client.post("/groups", data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Varje organisationskod får bara finnas en gång." in page
    for typed in ("Basgrupp Motala", "Jag samtycker till att mina inlägg", "## Huvudmål"):
        assert typed in page
    assert "fk Också FK" in page
    assert '<option value="focus" selected>' in page
    assert client.get("/api/v1/groups", headers=facilitator["headers"]).get_json() == []


def test_form_errors_speak_the_ui_language(client, facilitator):
    log_in(client, facilitator)
    response = client.post(
        "/groups",
        data={
            "name": "G",
            "kind": "pbl",
            "planned_meetings": "0",
            "organizations": "FK Försäkringskassan",
        },
        follow_redirects=True,
    )
    assert "Planerade möten är ett tal från 1 till 100." in response.get_data(as_text=True)
    response = client.post(
        "/groups?lang=en",
        data={"name": "G", "kind": "pbl", "organizations": "FK a\nfk b"},
        follow_redirects=True,
    )
    assert "Each organization code may appear once." in response.get_data(as_text=True)


def test_group_names_typed_with_markup_are_shown_as_text(client, facilitator):
    log_in(client, facilitator)
    client.post(
        "/groups",
        data={
            "name": "<script>alert(1)</script>",
            "kind": "pbl",
            "organizations": "FK Försäkringskassan",
        },
    )
    page = client.get("/groups").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_language_that_is_not_sv_or_en_is_refused_not_guessed(client, facilitator):
    for language in ("", 0, False, "de"):
        answer = client.post(
            "/api/v1/groups",
            json={"name": "G", "kind": "pbl", "language": language},
            headers=facilitator["headers"],
        )
        assert answer.status_code == 400, language
        assert answer.get_json()["error"]["code"] == "invalid_language"


def test_the_group_page_edits_goals_and_shows_them(client, db, facilitator, live_meeting):
    log_in(client, facilitator)
    gid = live_meeting["group_id"]
    response = client.post(
        f"/groups/{gid}/edit",
        data={
            "name": "Basgrupp Norrköping",
            "planned_meetings": "7",
            "language": "en",
            "organizations": "FK Försäkringskassan\nAF Arbetsförmedlingen",
            "consent_text": "Jag samtycker.",
            "goals": "## Huvudmål\n\nAtt *samverka*.",
        },
    )
    assert response.status_code == 302
    group = ops.lookup.group(db, facilitator["id"], gid)
    assert group["language"] == "en" and len(group["organizations"]) == 2
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert "<h2>Huvudmål</h2>" in page and "<em>samverka</em>" in page


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


def test_emptying_the_organisations_box_is_refused_and_the_group_still_works(
    client, facilitator, live_meeting
):
    log_in(client, facilitator)
    gid = live_meeting["group_id"]
    answer = client.post(
        f"/groups/{gid}/edit",
        data={"name": "Nytt namn", "organizations": "", "consent_text": "Nytt samtycke"},
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "Nytt namn" in page and "Nytt samtycke" in page
    group = client.get(f"/api/v1/groups/{gid}", headers=facilitator["headers"]).get_json()
    assert group["name"] == "Basgrupp Norrköping" and len(group["organizations"]) == 9
    assert client.get(f"/j/{live_meeting['join_code']}").status_code == 200


def test_null_in_a_group_patch_changes_nothing_and_phones_can_still_join(
    client, facilitator, live_meeting
):
    gid, headers = live_meeting["group_id"], facilitator["headers"]
    before = client.get(f"/api/v1/groups/{gid}", headers=headers).get_json()
    answer = client.patch(
        f"/api/v1/groups/{gid}",
        json={"organizations": None, "consent_text": None, "language": None},
        headers=headers,
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "nothing_to_change"
    renamed = client.patch(
        f"/api/v1/groups/{gid}", json={"name": "Ny", "organizations": None}, headers=headers
    ).get_json()
    assert renamed["organizations"] == before["organizations"]
    assert renamed["consent_text"] == before["consent_text"]
    join(client, live_meeting["join_code"])
    minutes = client.get(f"/api/v1/meetings/{live_meeting['id']}/minutes.md", headers=headers)
    assert minutes.status_code == 200


def test_a_group_with_a_saved_agenda_offers_it_for_new_meetings(
    client, db, facilitator, live_meeting
):
    log_in(client, facilitator)
    page = client.get(f"/groups/{live_meeting['group_id']}").get_data(as_text=True)
    assert 'value="group"' not in page
    ops.agenda.save_for_group(db, facilitator["id"], live_meeting["id"])
    page = client.get(f"/groups/{live_meeting['group_id']}").get_data(as_text=True)
    assert '<option value="group" selected>' in page
