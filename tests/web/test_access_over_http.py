"""Who may see and change what, by API, page or socket: no account, others, researchers."""

import pytest

from helpers import PASSWORD, log_in, moderator_socket, participant_socket, post, sio
from pblapp import ops


def test_nothing_but_login_and_joining_is_reachable_without_an_account(client, live_meeting):
    for path in (
        "/groups",
        f"/groups/{live_meeting['group_id']}",
        f"/meetings/{live_meeting['id']}",
        f"/meetings/{live_meeting['id']}/screen",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/?next="), path
    assert client.get(f"/j/{live_meeting['join_code']}").status_code == 200


@pytest.mark.parametrize("other_owns_a_group", [False, True])
def test_a_user_sees_only_their_own_groups(
    app, client, facilitator, live_meeting, other_owns_a_group
):

    with app.app_context():
        _, other_token = ops.accounts.create_user(
            app.extensions["pblapp.db"], "Annan Handledare", "facilitator", "annat långt lösen"
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


def test_a_facilitator_cannot_watch_another_users_meeting(app, db, live_meeting):
    user, token = ops.accounts.create_user(db, "Annan", "facilitator", "annat långt lösen")
    ops.groups.create(db, user["id"], {"name": "Egen", "kind": "pbl"})
    client = sio(app, auth={"api_token": token, "meeting_id": live_meeting["id"]})
    assert not client.is_connected()


def test_a_researcher_may_read_but_not_change(app, client, researcher):
    response = client.post(
        "/api/v1/groups", json={"name": "G", "kind": "pbl"}, headers=researcher["headers"]
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/groups", headers=researcher["headers"]).status_code == 200
    log_in(client, researcher)
    assert client.post("/groups", data={"name": "G", "kind": "pbl"}).status_code == 403


def test_a_researcher_may_make_head_requests(client, researcher):
    assert client.head("/api/v1/groups", headers=researcher["headers"]).status_code == 200


def test_a_researcher_is_not_offered_forms_they_may_not_use(app, client):

    with app.app_context():
        researcher, _ = ops.accounts.create_user(
            app.extensions["pblapp.db"], "Rita", "researcher", PASSWORD
        )
    log_in(client, researcher)
    page = client.get("/groups").get_data(as_text=True)
    assert 'data-testid="new-group"' not in page


def test_a_researcher_reads_minutes_and_logs_but_not_the_live_pages_or_the_join_code(
    app, client, db, live_meeting
):
    """The console and the screen pair names with pseudonyms and show the join code."""
    researcher, token = ops.accounts.create_user(db, "Rita", "researcher", PASSWORD)
    ops.groups.grant(db, live_meeting["group_id"], researcher["id"])
    headers = {"Authorization": f"Bearer {token}"}
    meeting = client.get(f"/api/v1/meetings/{live_meeting['id']}", headers=headers).get_json()
    assert meeting["id"] == live_meeting["id"] and "join_code" not in meeting
    group = client.get(f"/api/v1/groups/{live_meeting['group_id']}", headers=headers).get_json()
    assert all("join_code" not in m for m in group["meetings"])
    log_in(client, researcher)
    for path in (f"/meetings/{live_meeting['id']}", f"/meetings/{live_meeting['id']}/screen"):
        assert client.get(path).status_code == 403, path
    page = client.get(f"/groups/{live_meeting['group_id']}").get_data(as_text=True)
    assert f"/api/v1/meetings/{live_meeting['id']}/minutes.html" in page
    assert live_meeting["join_code"] not in page


def test_a_researcher_with_access_gets_no_live_view(app, db, researcher, live_meeting):
    ops.groups.grant(db, live_meeting["group_id"], researcher["id"])
    watcher = moderator_socket(app, researcher, live_meeting["id"])
    assert not watcher.is_connected()


def test_a_researcher_does_not_get_the_key_between_names_and_pseudonyms(
    app, client, db, facilitator, live_meeting
):
    """PRODUCT.md: the key between names and pseudonyms is visible to the facilitator only.
    A researcher with access to the group reads contributions (API and socket) with both."""
    user, token = ops.accounts.create_user(db, "Forskare Frida", "researcher", PASSWORD)
    ops.groups.grant(db, live_meeting["group_id"], user["id"])
    phone = participant_socket(app, client, live_meeting["join_code"], "Anna Andersson")
    assert post(phone, "Vad innebär dag 180?")["ok"]
    listed = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert [c["pseudonym"] for c in listed] == ["P01"]
    assert all("Anna" not in (c.get("display_name") or "") for c in listed)
    # The live view, which shows names, is the facilitator's only.
    watcher = sio(app, auth={"api_token": token, "meeting_id": live_meeting["id"]})
    assert not watcher.is_connected()
