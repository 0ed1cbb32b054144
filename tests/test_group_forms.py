"""Creating and editing a group: a refusal says why and keeps what was typed; null and
empty values never leave a group that phones cannot join."""

from conftest import PASSWORD, join
from pblapp import ops


def log_in(client, user):
    client.post("/", data={"name": user["name"], "password": PASSWORD})


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


def test_a_language_that_is_not_sv_or_en_is_refused_not_guessed(client, facilitator):
    for language in ("", 0, False, "de"):
        answer = client.post(
            "/api/v1/groups",
            json={"name": "G", "kind": "pbl", "language": language},
            headers=facilitator["headers"],
        )
        assert answer.status_code == 400, language
        assert answer.get_json()["error"]["code"] == "invalid_language"


def test_a_researcher_is_not_offered_forms_they_may_not_use(app, client):

    with app.app_context():
        researcher, _ = ops.accounts.create_user(
            app.extensions["pblapp.db"], "Rita", "researcher", PASSWORD
        )
    log_in(client, researcher)
    page = client.get("/groups").get_data(as_text=True)
    assert 'data-testid="new-group"' not in page
