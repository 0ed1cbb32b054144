"""Behaviour found missing in review: roles, the clock at close, partial agenda edits, hidden
text kept from phones, the participant cookie on sockets, and settings from the environment."""

import os
import subprocess
import sys
import uuid

import pytest

from conftest import PASSWORD, ROOT, join
from pblapp import create_app, ops


@pytest.fixture
def researcher(app):

    with app.app_context():
        user, token = ops.accounts.create_user(
            app.extensions["pblapp.db"], "Forskare Frida", "researcher", PASSWORD
        )
    return {**user, "token": token, "headers": {"Authorization": f"Bearer {token}"}}


def test_a_researcher_may_read_but_not_change(app, client, researcher):
    response = client.post(
        "/api/v1/groups", json={"name": "G", "kind": "pbl"}, headers=researcher["headers"]
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/groups", headers=researcher["headers"]).status_code == 200
    client.post("/", data={"name": researcher["name"], "password": PASSWORD})
    assert client.post("/groups", data={"name": "G", "kind": "pbl"}).status_code == 403


def test_a_researcher_with_access_gets_no_live_view(app, db, researcher, live_meeting):
    db.change(
        lambda change: change.db["group_grants"].insert(
            {
                "group_id": live_meeting["group_id"],
                "user_id": researcher["id"],
                "role": "researcher",
            }
        )
    )
    watcher = app.extensions["socketio"].test_client(
        app, auth={"api_token": researcher["token"], "meeting_id": live_meeting["id"]}
    )
    assert not watcher.is_connected()


def test_closing_a_meeting_stops_the_agenda_clock(client, db, facilitator, live_meeting):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    client.post(f"/api/v1/meetings/{mid}/close", headers=facilitator["headers"])
    agenda = ops.agenda.state(db, mid)
    assert agenda["current_step_id"] is None and not agenda["running"]
    used = agenda["steps"][0]["used_seconds"]
    assert ops.agenda.state(db, mid)["steps"][0]["used_seconds"] == used
    ended = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "agenda.step_ended"
    ]
    assert len(ended) == 1


def test_an_agenda_edit_keeps_what_it_leaves_out(db, facilitator, live_meeting):
    uid, mid = facilitator["id"], live_meeting["id"]
    steps = ops.agenda.state(db, mid)["steps"]
    ops.agenda.edit(
        db,
        uid,
        mid,
        {"steps": [{"id": steps[0]["id"], "title": "Egen titel", "planned_minutes": 7}]},
    )
    ops.agenda.edit(db, uid, mid, {"steps": [{"id": steps[0]["id"]}]})
    step = ops.agenda.state(db, mid)["steps"][0]
    assert (step["title"], step["planned_seconds"]) == ("Egen titel", 420)


def test_phones_learn_a_post_was_hidden_but_not_what_it_said(
    app, client, facilitator, live_meeting
):
    socketio = app.extensions["socketio"]
    phone = socketio.test_client(
        app, auth={"token": join(client, live_meeting["join_code"])["token"]}
    )
    moderator = socketio.test_client(
        app, auth={"api_token": facilitator["token"], "meeting_id": live_meeting["id"]}
    )
    post = phone.emit(
        "contribution:add",
        {"client_id": str(uuid.uuid4()), "text": "Klienten Eva Ek, 19520101", "qtype": None},
        callback=True,
    )["contribution"]
    phone.get_received()
    moderator.get_received()
    moderator.emit("contribution:update", {"id": post["id"], "hidden": True}, callback=True)
    to_phone = [e["args"][0] for e in phone.get_received() if e["name"] == "contribution:updated"]
    to_staff = [
        e["args"][0] for e in moderator.get_received() if e["name"] == "contribution:updated"
    ]
    assert to_phone == [{**post, "hidden": True, "text": "", "display_name": ""}]
    assert to_staff[0]["text"] == "Klienten Eva Ek, 19520101"


def test_a_phone_may_connect_with_its_participant_cookie(app, client, live_meeting):
    code = live_meeting["join_code"]
    client.post(f"/j/{code}", data={"display_name": "Anna", "organization": "FK", "consent": "on"})
    phone = app.extensions["socketio"].test_client(
        app, auth={"meeting_id": live_meeting["id"]}, flask_test_client=client
    )
    assert phone.is_connected()
    ack = phone.emit(
        "contribution:add", {"client_id": str(uuid.uuid4()), "text": "Hej"}, callback=True
    )
    assert ack["ok"] and ack["contribution"]["pseudonym"] == "P01"


def test_follow_up_texts_are_normalised_like_every_other_text(db, facilitator, live_meeting):
    state = ops.decisions.add_decision(
        db, facilitator["id"], live_meeting["id"], {"text": "  rad ett\r\nrad två  "}
    )
    assert state["decisions"][0]["text"] == "rad ett\nrad två"
    from pblapp.domain.errors import DomainError

    with pytest.raises(DomainError) as caught:
        ops.decisions.add_decision(db, facilitator["id"], live_meeting["id"], {"text": "a\x00b"})
    assert caught.value.code == "invalid_text"


def test_the_data_dir_can_come_from_the_environment(tmp_path):
    data_dir = tmp_path / "from-env"
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "create-user", "Hanna", "--role", "facilitator"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PBLAPP_DATA_DIR": str(data_dir)},
    )
    assert result.returncode == 0, result.stderr
    assert (data_dir / "pblapp.sqlite3").exists()


def test_an_unknown_time_zone_falls_back_to_utc(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "TIMEZONE": "Mars/Olympus"})
    assert app.config["TIMEZONE"] == "UTC"


def test_exports_name_their_charset_once(client, facilitator, live_meeting):
    response = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/log.csv", headers=facilitator["headers"]
    )
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_the_api_serves_the_starting_point_image(client, facilitator, live_meeting):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    base = f"/api/v1/meetings/{live_meeting['id']}/starting-point/image"
    assert client.get(base, headers=facilitator["headers"]).status_code == 404
    client.put(base, data=png, headers=facilitator["headers"])
    response = client.get(base, headers=facilitator["headers"])
    assert response.data == png and response.mimetype == "image/png"


def test_phones_get_no_follow_ups_which_may_quote_a_hidden_post(
    app, client, facilitator, live_meeting
):
    socketio = app.extensions["socketio"]
    phone = socketio.test_client(
        app, auth={"token": join(client, live_meeting["join_code"])["token"]}
    )
    moderator = socketio.test_client(
        app, auth={"api_token": facilitator["token"], "meeting_id": live_meeting["id"]}
    )
    post = phone.emit(
        "contribution:add", {"client_id": str(uuid.uuid4()), "text": "Eva Ek"}, callback=True
    )["contribution"]
    phone.get_received()
    moderator.emit(
        "contribution:update",
        {"id": post["id"], "hidden": True, "carry_forward": True},
        callback=True,
    )
    assert "Eva Ek" not in str(phone.get_received())
    assert "Eva Ek" in str(moderator.get_received())


def test_a_researcher_may_make_head_requests(client, researcher):
    assert client.head("/api/v1/groups", headers=researcher["headers"]).status_code == 200


def test_agenda_step_titles_are_normalised_like_other_texts(db, facilitator, live_meeting):
    state = ops.agenda.edit(
        db, facilitator["id"], live_meeting["id"], {"steps": [{"title": "  Fika\r\nkort  "}]}
    )
    assert state["steps"][0]["title"] == "Fika\nkort"
    from pblapp.domain.errors import DomainError

    with pytest.raises(DomainError) as caught:
        ops.agenda.edit(db, facilitator["id"], live_meeting["id"], {"steps": [{"title": "a\x00b"}]})
    assert caught.value.code == "invalid_title"


def test_a_closed_meetings_follow_ups_are_its_record_and_cannot_change(
    client, db, facilitator, live_meeting
):
    from pblapp.domain.errors import DomainError

    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    with pytest.raises(DomainError) as caught:
        ops.decisions.add_decision(db, facilitator["id"], live_meeting["id"], {"text": "Efteråt"})
    assert caught.value.code == "meeting_closed"
