"""What a projector screen receives: the screen audience, for the facilitator's screen
(``view: "screen"``) and a screen link alike. No hidden post's text, the author only as
the facilitator chose to show it (``author_display``), of the follow-ups only the carried
questions; and a change of the choice reaches an open screen without a reload."""

import pytest
from test_screen_link import refusal_code

from helpers import error_code, events, join, moderator_socket, participant_socket, post, sio
from pblapp import ops


def screen_link(client, facilitator, meeting_id) -> str:
    answer = client.post(
        f"/api/v1/meetings/{meeting_id}/screen-link", headers=facilitator["headers"]
    )
    return answer.get_json()["screen_link"].rsplit("/", 1)[1]


@pytest.fixture
def screens(app, client, facilitator, live_meeting):
    """The facilitator's screen and a screen link's, both connected."""
    mid = live_meeting["id"]
    own = sio(app, auth={"api_token": facilitator["token"], "meeting_id": mid, "view": "screen"})
    linked = sio(app, auth={"screen_token": screen_link(client, facilitator, mid)})
    assert own.is_connected() and linked.is_connected()
    return own, linked


def authors(contributions) -> list[tuple[str, str]]:
    return [(c["display_name"], c["pseudonym"]) for c in contributions]


def test_a_screen_shows_the_authors_name_by_default_and_never_the_pseudonym_with_it(
    app, client, live_meeting, screens
):
    phone = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    for screen in screens:
        screen.get_received()
    post(phone, "Vad innebär dag 180?")
    for screen in screens:
        assert authors(events(screen, "contribution:added")) == [("Anna", "")]
    # On connect too.
    replayed = events(
        sio(app, auth={"screen_token": screen_link_token(app, live_meeting)}), "contribution:added"
    )
    assert authors(replayed) == [("Anna", "")]


def screen_link_token(app, live_meeting) -> str:
    db = app.extensions["pblapp.db"]
    return ops.screen_link.token(db, app.config["SECRET_KEY"], live_meeting["id"])


def test_switching_the_author_display_sends_every_post_again_as_the_screen_now_names_it(
    app, client, facilitator, live_meeting, screens
):
    own, linked = screens
    anna = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    bertil = participant_socket(app, client, live_meeting["join_code"], "Bertil", "AF")
    post(anna, "Vad innebär dag 180?")
    post(bertil, "Vem kallar till avstämningsmöte?")
    console = moderator_socket(app, facilitator, live_meeting["id"])
    for socket in (own, linked, anna, console):
        socket.get_received()

    # The facilitator's screen commands it (a keyboard shortcut).
    answer = own.emit("screen:command", {"author_display": "pseudonym"}, callback=True)
    assert answer["ok"] and answer["screen"]["author_display"] == "pseudonym"
    for screen in (own, linked):
        received = screen.get_received()
        names = [e["name"] for e in received]
        assert names == ["contribution:updated", "contribution:updated", "screen:state"]
        assert authors(e["args"][0] for e in received[:2]) == [("", "P01"), ("", "P02")]
        assert received[2]["args"][0]["author_display"] == "pseudonym"
    # The console and the phones have the same posts as before: nothing new for them.
    assert [e["name"] for e in console.get_received()] == ["screen:state"]
    assert [e["name"] for e in anna.get_received()] == ["screen:state"]

    client.post(
        f"/api/v1/meetings/{live_meeting['id']}/screen",
        json={"author_display": "none"},
        headers=facilitator["headers"],
    )
    assert authors(events(linked, "contribution:updated")) == [("", ""), ("", "")]
    ops.screen.command(
        app.extensions["pblapp.db"],
        facilitator["id"],
        live_meeting["id"],
        {"author_display": "name"},
    )
    assert authors(events(linked, "contribution:updated")) == [("Anna", ""), ("Bertil", "")]
    # A new post and a fresh screen follow the choice.
    ops.screen.command(
        app.extensions["pblapp.db"],
        facilitator["id"],
        live_meeting["id"],
        {"author_display": "none"},
    )
    linked.get_received()
    post(anna, "Och dag 365?")
    assert authors(events(linked, "contribution:added")) == [("", "")]
    fresh = sio(app, auth={"screen_token": screen_link_token(app, live_meeting)})
    received = fresh.get_received()
    [state] = [e["args"][0] for e in received if e["name"] == "screen:state"]
    assert state["author_display"] == "none"
    assert (
        authors(e["args"][0] for e in received if e["name"] == "contribution:added")
        == [("", "")] * 3
    )


@pytest.mark.parametrize("value", ["names", "", None, True, ["name"]])
def test_an_author_display_that_is_not_one_of_the_three_is_refused(
    client, facilitator, live_meeting, screens, value
):
    own, _ = screens
    answer = own.emit("screen:command", {"author_display": value}, callback=True)
    assert answer["error"]["code"] == "invalid_author_display"
    response = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/screen",
        json={"author_display": value},
        headers=facilitator["headers"],
    )
    assert response.status_code == 400 and error_code(response) == "invalid_author_display"
    state = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/screen", headers=facilitator["headers"]
    ).get_json()
    assert state["author_display"] == "name"


def test_a_screen_learns_a_post_was_hidden_but_never_its_text(
    app, client, facilitator, live_meeting, screens
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    contribution = post(phone, "Klienten heter Kalle")["contribution"]
    console = moderator_socket(app, facilitator, live_meeting["id"])
    for screen in screens:
        screen.get_received()
    console.emit("contribution:update", {"id": contribution["id"], "hidden": True}, callback=True)
    for screen in screens:
        [hidden] = events(screen, "contribution:updated")
        assert hidden["hidden"] is True and hidden["text"] == ""
    token = screen_link_token(app, live_meeting)
    for auth in (
        {"screen_token": token},
        {"api_token": facilitator["token"], "meeting_id": live_meeting["id"], "view": "screen"},
    ):
        [replayed] = events(sio(app, auth=auth), "contribution:added")
        assert replayed["hidden"] is True and replayed["text"] == ""
    # Switching the author display sends it again, still without its text.
    ops.screen.command(
        app.extensions["pblapp.db"],
        facilitator["id"],
        live_meeting["id"],
        {"author_display": "none"},
    )
    [again] = events(screens[1], "contribution:updated")
    assert again["text"] == ""
    # The console keeps it.
    [kept] = events(moderator_socket(app, facilitator, live_meeting["id"]), "contribution:added")
    assert kept["text"] == "Klienten heter Kalle"


def test_a_screen_gets_of_the_follow_ups_only_the_carried_questions(
    app, client, db, facilitator, live_meeting
):
    uid, gid = facilitator["id"], live_meeting["group_id"]
    phone = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    carried = post(phone, "Hur fungerar samordningen?")["contribution"]
    ops.moderation.moderate(
        db, uid, live_meeting["id"], {"id": carried["id"], "carry_forward": True}
    )
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    meeting = ops.meetings.create(db, uid, gid, {})
    ops.meetings.start(db, uid, meeting["id"])
    ops.followups.add_question(db, uid, meeting["id"], {"text": "En ny fråga", "owner": None})
    screen = sio(app, auth={"screen_token": screen_link(client, facilitator, meeting["id"])})
    [followups] = events(screen, "followups:state")
    assert [(q["text"], q["author"]) for q in followups["questions"]] == [
        ("Hur fungerar samordningen?", None)
    ]
    ops.decisions.add_decision(db, uid, meeting["id"], {"text": "Vi bjuder in AF"})
    [followups] = events(screen, "followups:state")
    assert followups["decisions"] == [] and len(followups["questions"]) == 1
    console = moderator_socket(app, facilitator, meeting["id"])
    [full] = events(console, "followups:state")
    assert len(full["questions"]) == 2 and len(full["decisions"]) == 1


def test_a_screen_sees_reaction_counts_and_the_self_evaluation_summary(
    app, client, db, facilitator, live_meeting, screens
):
    _, linked = screens
    anna = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    bertil = participant_socket(app, client, live_meeting["join_code"], "Bertil", "AF")
    contribution = post(anna, "Vad innebär dag 180?")["contribution"]
    linked.get_received()
    bertil.emit(
        "reaction:set", {"contribution_id": contribution["id"], "kind": "agree"}, callback=True
    )
    [counted] = events(linked, "contribution:updated")
    assert counted["reactions"]["agree"] == 1
    ops.selfeval.open_(db, facilitator["id"], live_meeting["id"])
    [state] = events(linked, "self_evaluation:state")
    assert "items" in state


def test_a_view_that_is_neither_console_nor_screen_is_refused(app, facilitator, live_meeting):
    auth = {"api_token": facilitator["token"], "meeting_id": live_meeting["id"], "view": "wall"}
    assert not sio(app, auth=auth).is_connected()
    assert refusal_code(app, auth) == "invalid_view"
    # A phone's token is a phone whatever view it asks for.
    token = join(app.test_client(), live_meeting["join_code"])["token"]
    phone = sio(app, auth={"token": token, "view": "screen"})
    assert "items" not in events(phone, "self_evaluation:state")[0]
