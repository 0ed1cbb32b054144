"""Research access over HTTP: the owner grants and revokes researchers on the group page and
through the API, and reads the audit log; a granted researcher reads, read-only."""

from urllib.parse import quote

import pytest

from helpers import PASSWORD, error_code, join, log_in
from pblapp import ops


def grants_url(group_id, username=None):
    base = f"/api/v1/groups/{group_id}/grants"
    return base if username is None else f"{base}/{quote(username)}"


def test_the_owner_grants_and_revokes_a_researcher_through_the_api(
    client, facilitator, researcher, live_meeting
):
    gid, headers = live_meeting["group_id"], facilitator["headers"]
    assert client.get("/api/v1/groups", headers=researcher["headers"]).get_json() == []
    answer = client.post(grants_url(gid), json={"username": researcher["name"]}, headers=headers)
    assert answer.status_code == 201
    assert answer.get_json()["username"] == researcher["name"]
    assert set(answer.get_json()) == {"username", "granted_at"}
    again = client.post(grants_url(gid), json={"username": researcher["name"]}, headers=headers)
    assert again.status_code == 200
    assert [g["username"] for g in client.get(grants_url(gid), headers=headers).get_json()] == [
        researcher["name"]
    ]
    seen = client.get("/api/v1/groups", headers=researcher["headers"]).get_json()
    assert [g["id"] for g in seen] == [gid]
    gone = client.delete(grants_url(gid, researcher["name"]), headers=headers)
    assert gone.status_code == 204 and gone.get_data() == b""
    assert client.get("/api/v1/groups", headers=researcher["headers"]).get_json() == []
    assert client.get(f"/api/v1/groups/{gid}", headers=researcher["headers"]).status_code == 404
    again = client.delete(grants_url(gid, researcher["name"]), headers=headers)
    assert (again.status_code, error_code(again)) == (404, "grant_not_found")


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"username": "Ingen Alls"}, 404, "user_not_found"),
        ({"username": "Handledare Hanna"}, 400, "not_a_researcher"),
        ({"username": ""}, 400, "invalid_username"),
        ({"username": ["Forskare Frida"]}, 400, "invalid_username"),
        ({}, 400, "missing_field"),
        ({"username": "Forskare Frida", "role": "x"}, 400, "unknown_field"),
        ("Forskare Frida", 400, "invalid_json"),
    ],
)
def test_a_grant_names_an_existing_researcher(
    client, facilitator, researcher, live_meeting, body, status, code
):
    answer = client.post(
        grants_url(live_meeting["group_id"]), json=body, headers=facilitator["headers"]
    )
    assert (answer.status_code, error_code(answer)) == (status, code)


def test_only_the_owner_manages_grants(app, client, db, facilitator, researcher, live_meeting):
    gid = live_meeting["group_id"]
    _, other_token = ops.accounts.create_user(db, "Annan Handledare", "facilitator", PASSWORD)
    other = {"Authorization": f"Bearer {other_token}"}
    for answer in (
        client.post(grants_url(gid), json={"username": researcher["name"]}, headers=other),
        client.get(grants_url(gid), headers=other),
        client.get(f"/api/v1/groups/{gid}/audit", headers=other),
    ):
        assert answer.status_code == 404
    ops.groups.grant(db, gid, researcher["id"])
    own = researcher["headers"]
    answer = client.post(grants_url(gid), json={"username": researcher["name"]}, headers=own)
    assert (answer.status_code, error_code(answer)) == (403, "forbidden")
    answer = client.delete(grants_url(gid, researcher["name"]), headers=own)
    assert (answer.status_code, error_code(answer)) == (403, "forbidden")
    for path in (grants_url(gid), f"/api/v1/groups/{gid}/audit"):
        answer = client.get(path, headers=own)
        assert (answer.status_code, error_code(answer)) == (403, "not_owner")


def test_the_owner_grants_and_revokes_on_the_group_page(
    client, facilitator, researcher, live_meeting
):
    gid = live_meeting["group_id"]
    log_in(client, facilitator)
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert 'data-testid="grant-form"' in page and 'data-testid="audit"' in page
    answer = client.post(f"/groups/{gid}/grants", data={"username": researcher["name"]})
    assert answer.status_code == 302 and answer.location.endswith(f"/groups/{gid}#grants")
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert 'data-testid="grant"' in page and researcher["name"] in page
    assert 'data-testid="revoke"' in page
    answer = client.post(f"/groups/{gid}/grants/revoke", data={"username": researcher["name"]})
    assert answer.status_code == 302
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert 'data-testid="grant"' not in page
    # The audit section lists both changes.
    assert page.count('data-testid="audit-entry"') == 2


def test_a_refused_grant_on_the_page_says_why_in_the_pages_language(
    client, facilitator, live_meeting
):
    gid = live_meeting["group_id"]
    log_in(client, facilitator)
    client.post(f"/groups/{gid}/grants", data={"username": "Ingen Alls"})
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert "Det finns ingen användare med det namnet." in page
    client.post(f"/groups/{gid}/grants?lang=en", data={"username": "Handledare Hanna"})
    page = client.get(f"/groups/{gid}?lang=en").get_data(as_text=True)
    assert "Only researcher accounts can be given access." in page


def test_a_researcher_has_no_grant_or_audit_forms_and_cannot_post_them(
    client, db, researcher, live_meeting
):
    gid = live_meeting["group_id"]
    ops.groups.grant(db, gid, researcher["id"])
    log_in(client, researcher)
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert 'data-testid="grant-form"' not in page and 'data-testid="audit"' not in page
    assert client.post(f"/groups/{gid}/grants", data={"username": "x"}).status_code == 403
    assert client.post(f"/groups/{gid}/grants/revoke", data={"username": "x"}).status_code == 403
    listing = client.get("/groups").get_data(as_text=True)
    assert 'data-testid="research-intro"' in listing
    assert live_meeting["group"]["name"] in listing


def test_someone_who_cannot_see_the_group_gets_404_from_its_forms(client, db, live_meeting):
    user, _ = ops.accounts.create_user(db, "Annan", "facilitator", PASSWORD)
    log_in(client, user)
    gid = live_meeting["group_id"]
    assert client.post(f"/groups/{gid}/grants", data={"username": "x"}).status_code == 404


def test_every_download_and_grant_change_is_in_the_owners_audit_log_newest_first(
    client, facilitator, researcher, live_meeting
):
    gid, mid, headers = live_meeting["group_id"], live_meeting["id"], facilitator["headers"]
    client.post(grants_url(gid), json={"username": researcher["name"]}, headers=headers)
    assert (
        client.get(f"/api/v1/groups/{gid}/log.csv", headers=researcher["headers"]).status_code
        == 200
    )
    client.get(f"/api/v1/meetings/{mid}/minutes.md?lang=en", headers=headers)
    client.delete(grants_url(gid, researcher["name"]), headers=headers)
    entries = client.get(f"/api/v1/groups/{gid}/audit", headers=headers).get_json()
    assert [(e["user"], e["action"], e["path"]) for e in entries] == [
        (facilitator["name"], "revoke", f"/api/v1/groups/{gid}/grants/{researcher['name']}"),
        (facilitator["name"], "download", f"/api/v1/meetings/{mid}/minutes.md?lang=en"),
        (researcher["name"], "download", f"/api/v1/groups/{gid}/log.csv"),
        (facilitator["name"], "grant", grants_url(gid)),
    ]
    assert all(set(e) == {"at", "user", "action", "path", "researcher"} for e in entries)
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)


def test_a_refused_download_is_not_audited(client, db, facilitator, researcher, live_meeting):
    gid = live_meeting["group_id"]
    assert (
        client.get(f"/api/v1/groups/{gid}/log.csv", headers=researcher["headers"]).status_code
        == 404
    )
    assert ops.audit.entries(db, facilitator["id"], gid) == []


def test_the_research_routes_take_the_caller_as_the_api_does(client, facilitator, live_meeting):
    gid = live_meeting["group_id"]
    for path in (f"/api/v1/groups/{gid}", grants_url(gid)):
        answer = client.get(path, headers={"Authorization": "Bearer nope"})
        assert (answer.status_code, error_code(answer)) == (401, "invalid_token")
        answer = client.get(path)
        assert (answer.status_code, error_code(answer)) == (401, "unauthorized")
    answer = client.post(grants_url(gid), json={"username": "x"})
    assert (answer.status_code, error_code(answer)) == (401, "unauthorized")
    log_in(client, facilitator)
    # A browser's login reads, but does not change (no API token, no CSRF token).
    assert client.get(grants_url(gid)).status_code == 200
    answer = client.post(grants_url(gid), json={"username": "x"})
    assert (answer.status_code, error_code(answer)) == (401, "unauthorized")
    answer = client.put(grants_url(gid), headers=facilitator["headers"])
    assert answer.status_code == 405 and error_code(answer) == "method_not_allowed"


def test_a_json_joiner_is_no_researcher(client, live_meeting, facilitator):
    """A participant token opens no API route."""
    token = join(client, live_meeting["join_code"])["token"]
    answer = client.get(
        grants_url(live_meeting["group_id"]), headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 401


def test_with_csrf_checks_on_the_api_takes_its_token_and_the_form_its_csrf_token(tmp_path):
    from pblapp import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "csrf"), "SECRET_KEY": "k"})
    db = app.extensions["pblapp.db"]
    owner, token = ops.accounts.create_user(db, "Hanna", "facilitator", PASSWORD)
    ops.accounts.create_user(db, "Rut", "researcher", PASSWORD)
    gid = ops.groups.create(db, owner["id"], {"name": "G", "kind": "pbl"})["id"]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(grants_url(gid), json={"username": "Rut"}, headers=headers).status_code == 201
    )
    assert client.delete(grants_url(gid, "Rut"), headers=headers).status_code == 204
    # A form without the page's CSRF token is refused before anything else.
    assert client.post(f"/groups/{gid}/grants", data={"username": "Rut"}).status_code == 400
    assert ops.groups.grants(db, gid) == []


def test_a_researcher_without_groups_is_told_how_to_get_one(client, researcher):
    log_in(client, researcher)
    page = client.get("/groups").get_data(as_text=True)
    assert "Be en grupps handledare att ge ditt användarnamn tillgång." in page
