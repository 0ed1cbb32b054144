"""The screen link: a meeting's projector screen without a login. The facilitator makes,
renews and revokes it (console forms and API); it opens the screen page and a read-only
socket; renewing or revoking ends the old one at once; the token is stored nowhere."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import template_rendered
from flask_socketio import ConnectionRefusedError

from helpers import PASSWORD, error_code, log_in, participant_socket, png, post, sio
from pblapp import ops
from pblapp.web import sockets

PUBLIC = "http://192.168.1.20:5000"


def link_url(meeting_id) -> str:
    return f"/api/v1/meetings/{meeting_id}/screen-link"


def make_link(client, facilitator, meeting_id) -> str:
    """A new screen link through the API; returns its token."""
    answer = client.post(link_url(meeting_id), headers=facilitator["headers"])
    assert answer.status_code == 200
    url = answer.get_json()["screen_link"]
    assert url.startswith(f"{PUBLIC}/s/")
    return url.rsplit("/", 1)[1]


@contextmanager
def rendered(app):
    """The templates rendered meanwhile, with their context."""
    seen = []

    def record(sender, template, context, **extra):
        seen.append((template.name, context))

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def refusal_code(app, auth) -> str:
    """The code a socket connection with ``auth`` is refused with."""
    with app.test_request_context():
        with pytest.raises(ConnectionRefusedError) as refused:
            sockets._authenticate(auth)
    return refused.value.error_args["data"]["code"]


def test_a_screen_link_opens_the_screen_page_without_a_login(
    app, client, facilitator, live_meeting
):
    token = make_link(client, facilitator, live_meeting["id"])
    stranger = app.test_client()
    with rendered(app) as seen:
        page = stranger.get(f"/s/{token}")
    assert page.status_code == 200
    assert live_meeting["join_code"] in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    [(name, context)] = seen
    assert name == "meetings/screen.html"
    assert context["screen_token"] == token and context["can_command"] is False
    assert context["image_url"] == f"/s/{token}/starting-point/image"
    assert context["timeline_url"] == f"/s/{token}/timeline.svg"
    assert context["short_join_url"] == f"{PUBLIC}/j"
    # The facilitator's own screen commands, and loads its files with the login.
    log_in(client, facilitator)
    with rendered(app) as seen:
        assert client.get(f"/meetings/{live_meeting['id']}/screen").status_code == 200
    context = seen[0][1]
    assert context["screen_token"] is None and context["can_command"] is True
    assert context["image_url"] == f"/meetings/{live_meeting['id']}/starting-point/image"


def test_the_screen_links_files_are_the_starting_point_image_and_the_timeline(
    app, client, db, facilitator, live_meeting
):
    mid = live_meeting["id"]
    token = make_link(client, facilitator, mid)
    stranger = app.test_client()
    assert stranger.get(f"/s/{token}/starting-point/image").status_code == 404
    ops.screen.set_starting_point_image(db, facilitator["id"], mid, png())
    image = stranger.get(f"/s/{token}/starting-point/image")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.get_data() == png()
    timeline = stranger.get(f"/s/{token}/timeline.svg")
    assert timeline.status_code == 200 and timeline.get_data(as_text=True).startswith("<svg")
    client.delete(link_url(mid), headers=facilitator["headers"])
    for path in ("starting-point/image", "timeline.svg"):
        assert stranger.get(f"/s/{token}/{path}").status_code == 404


def test_the_console_makes_renews_and_revokes_the_link_and_shows_it(
    app, client, facilitator, live_meeting
):
    mid = live_meeting["id"]
    log_in(client, facilitator)
    with rendered(app) as seen:
        client.get(f"/meetings/{mid}")
    assert seen[0][1]["screen_link"] is None
    made = client.post(f"/meetings/{mid}/screen-link")
    assert made.status_code == 302 and made.location.endswith(f"/meetings/{mid}#screen-link")
    with rendered(app) as seen:
        client.get(f"/meetings/{mid}")
    first = seen[0][1]["screen_link"]
    assert first.startswith(f"{PUBLIC}/s/{mid}.")
    # The console shows the same link every time it loads.
    with rendered(app) as seen:
        client.get(f"/meetings/{mid}")
    assert seen[0][1]["screen_link"] == first
    client.post(f"/meetings/{mid}/screen-link")
    with rendered(app) as seen:
        client.get(f"/meetings/{mid}")
    second = seen[0][1]["screen_link"]
    assert second != first
    assert app.test_client().get(first.removeprefix(PUBLIC)).status_code == 404
    assert app.test_client().get(second.removeprefix(PUBLIC)).status_code == 200
    revoked = client.post(f"/meetings/{mid}/screen-link/revoke")
    assert revoked.status_code == 302 and f"/meetings/{mid}" in revoked.location
    with rendered(app) as seen:
        client.get(f"/meetings/{mid}")
    assert seen[0][1]["screen_link"] is None
    gone = app.test_client().get(second.removeprefix(PUBLIC))
    assert gone.status_code == 404
    assert "Den här skärmlänken gäller inte längre" in gone.get_data(as_text=True)


def test_the_api_reads_makes_and_revokes_the_link(client, facilitator, live_meeting):
    mid, headers = live_meeting["id"], facilitator["headers"]
    assert client.get(link_url(mid), headers=headers).get_json() == {"screen_link": None}
    token = make_link(client, facilitator, mid)
    assert client.get(link_url(mid), headers=headers).get_json() == {
        "screen_link": f"{PUBLIC}/s/{token}"
    }
    answer = client.post(link_url(mid), json={"x": 1}, headers=headers)
    assert answer.status_code == 400 and error_code(answer) == "unknown_field"
    deleted = client.delete(link_url(mid), headers=headers)
    assert deleted.status_code == 204 and deleted.get_data() == b""
    assert client.get(link_url(mid), headers=headers).get_json() == {"screen_link": None}
    # Revoking when there is no link is no error.
    assert client.delete(link_url(mid), headers=headers).status_code == 204


def test_only_a_facilitator_who_sees_the_meeting_holds_its_link(
    app, client, facilitator, researcher, live_meeting
):
    mid, gid = live_meeting["id"], live_meeting["group_id"]
    client.post(
        f"/api/v1/groups/{gid}/grants",
        json={"username": researcher["name"]},
        headers=facilitator["headers"],
    )
    for method in ("get", "post", "delete"):
        answer = getattr(client, method)(link_url(mid), headers=researcher["headers"])
        assert answer.status_code == 403 and error_code(answer) == "forbidden", method
    other, token = ops.accounts.create_user(
        app.extensions["pblapp.db"], "Handledare Hugo", "facilitator", PASSWORD
    )
    answer = client.get(link_url(mid), headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404 and error_code(answer) == "meeting_not_found"
    browser = app.test_client()
    log_in(browser, {**other, "name": "Handledare Hugo"})
    assert browser.post(f"/meetings/{mid}/screen-link").status_code == 404
    log_in(browser, researcher)
    assert browser.post(f"/meetings/{mid}/screen-link").status_code == 403
    assert browser.post(f"/meetings/{mid}/screen-link/revoke").status_code == 403
    assert client.get(link_url(mid), headers=facilitator["headers"]).get_json() == {
        "screen_link": None
    }


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "9" + token,
        lambda token: token.split(".")[1],
        lambda token: token + "x",
        lambda token: "x" * 200,
    ],
)
def test_a_token_that_is_not_the_current_one_opens_nothing(
    app, client, facilitator, live_meeting, mangle
):
    token = make_link(client, facilitator, live_meeting["id"])
    wrong = mangle(token)
    assert app.test_client().get(f"/s/{wrong}").status_code == 404
    assert refusal_code(app, {"screen_token": wrong}) == "invalid_screen_token"
    assert refusal_code(app, {"screen_token": 12}) == "invalid_screen_token"


def test_a_screen_link_socket_sees_the_screen_and_may_send_nothing(
    app, client, facilitator, live_meeting
):
    token = make_link(client, facilitator, live_meeting["id"])
    phone = participant_socket(app, client, live_meeting["join_code"])
    contribution = post(phone, "Vad innebär dag 180?")["contribution"]
    screen = sio(app, auth={"screen_token": token, "since_seq": 0})
    assert screen.is_connected()
    names = [e["name"] for e in screen.get_received()]
    assert names == [
        "meeting:state",
        "agenda:state",
        "followups:state",
        "screen:state",
        "self_evaluation:state",
        "contribution:added",
    ]
    for event, payload in (
        ("screen:command", {"author_display": "none"}),
        ("contribution:update", {"id": contribution["id"], "hidden": True}),
        ("contribution:add", {"client_id": "0" * 32, "text": "Hej"}),
        ("contribution:delete", {"id": contribution["id"]}),
        ("reaction:set", {"contribution_id": contribution["id"], "kind": "agree"}),
        ("agenda:command", {"action": "next"}),
    ):
        answer = screen.emit(event, payload, callback=True)
        assert answer["ok"] is False and answer["error"]["code"] == "forbidden", event
    assert ops.screen.author_display(app.extensions["pblapp.db"], live_meeting["id"]) == "name"
    # What happens in the room reaches it.
    post(phone, "Och dag 365?")
    assert [e["name"] for e in screen.get_received()][:1] == ["contribution:added"]


def test_renewing_or_revoking_the_link_disconnects_the_screens_opened_with_it(
    app, client, facilitator, live_meeting
):
    mid = live_meeting["id"]
    old = make_link(client, facilitator, mid)
    old_screen = sio(app, auth={"screen_token": old})
    facilitators_screen = sio(
        app, auth={"api_token": facilitator["token"], "meeting_id": mid, "view": "screen"}
    )
    new = make_link(client, facilitator, mid)
    assert new != old
    assert not old_screen.is_connected()
    assert refusal_code(app, {"screen_token": old}) == "invalid_screen_token"
    new_screen = sio(app, auth={"screen_token": new})
    assert new_screen.is_connected() and facilitators_screen.is_connected()
    log_in(client, facilitator)
    client.post(f"/meetings/{mid}/screen-link/revoke")
    assert not new_screen.is_connected()
    assert facilitators_screen.is_connected()
    assert not sio(app, auth={"screen_token": new}).is_connected()


def test_the_token_is_stored_nowhere_and_the_log_says_who_made_and_ended_the_link(
    app, client, facilitator, live_meeting
):
    mid, headers = live_meeting["id"], facilitator["headers"]
    first = make_link(client, facilitator, mid)
    second = make_link(client, facilitator, mid)
    client.delete(link_url(mid), headers=headers)
    data_dir = Path(app.config["DATA_DIR"])
    for path in data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for token in (first, second):
                assert token.encode() not in data, path
                assert token.split(".")[1].encode() not in data, path
    log = client.get(f"/api/v1/meetings/{mid}/log.jsonl", headers=headers).get_data(as_text=True)
    assert first not in log and second not in log
    link_events = [
        (e["type"], e["actor"], e["data"])
        for e in ops.records.events(app.extensions["pblapp.db"], group_id=live_meeting["group_id"])
        if e["type"].startswith("screen_link.")
    ]
    uid = facilitator["id"]
    assert link_events == [
        ("screen_link.created", "facilitator", {"user_id": uid, "renewed": False}),
        ("screen_link.created", "facilitator", {"user_id": uid, "renewed": True}),
        ("screen_link.revoked", "facilitator", {"user_id": uid}),
    ]


def test_a_new_secret_key_ends_every_screen_link(app, client, facilitator, live_meeting):
    token = make_link(client, facilitator, live_meeting["id"])
    app.config["SECRET_KEY"] = "another key"
    assert app.test_client().get(f"/s/{token}").status_code == 404
