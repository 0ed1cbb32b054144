"""The privacy guard over Socket.IO and HTTP: a post with a personnummer, a phone number,
an e-mail address or a roster name carries its flags; the console gets the words, the
screen and the other phones get the flagged part masked until the facilitator clears the
flags; a phone can ask before sending (``contribution:check``); one click redacts only the
flagged part."""

import uuid

import pytest

from helpers import (
    close_meeting,
    events,
    join,
    moderator_socket,
    next_meeting,
    page_config,
    participant_socket,
    post,
    posts_received,
    sio,
)
from pblapp import ops
from pblapp.domain.identifying import MASK

PERSONNUMMER = "811218-9876"  # a valid check digit
TEXT = f"Klienten har personnummer {PERSONNUMMER} och bor i Motala."


@pytest.fixture
def room(app, client, facilitator, live_meeting):
    """The console, the projector screen, the author's phone and another phone."""
    mid = live_meeting["id"]
    console = moderator_socket(app, facilitator, mid)
    screen = sio(app, auth={"api_token": facilitator["token"], "meeting_id": mid, "view": "screen"})
    author = participant_socket(app, client, live_meeting["join_code"], "Anna Berg", "FK")
    other = participant_socket(app, client, live_meeting["join_code"], "Bertil", "AF")
    for socket in (console, screen, author, other):
        socket.get_received()
    return console, screen, author, other


def test_a_flagged_post_carries_its_flags_and_the_screen_gets_the_masked_text(room):
    console, screen, author, other = room
    ack = post(author, TEXT, "meaning")
    assert ack["ok"] and ack["contribution"]["flags"] == ["personnummer"]
    assert ack["contribution"]["flags_cleared"] is False
    assert ack["contribution"]["status"] == "visible"
    [on_console] = events(console, "contribution:added")
    assert on_console["text"] == TEXT and on_console["flags"] == ["personnummer"]
    assert on_console["flag_spans"] == [["personnummer", 26, 37]]
    [on_screen] = events(screen, "contribution:added")
    assert on_screen["text"] == f"Klienten har personnummer {MASK} och bor i Motala."
    assert on_screen["flags"] == ["personnummer"] and "flag_spans" not in on_screen
    shown_to_other = posts_received(other)
    assert [c["text"] for c in shown_to_other] == [on_screen["text"]]
    assert PERSONNUMMER not in str(shown_to_other)


def test_a_wrong_check_digit_and_an_amount_are_not_flagged(room):
    console, _screen, author, _other = room
    ack = post(author, "Beslut 811218-9875 gav 12 500 kr i månaden från 2024-03-15.")
    assert ack["contribution"]["flags"] == []


def test_a_name_on_the_roster_is_flagged_even_in_lower_case(room):
    console, screen, author, _other = room
    post(author, "Jag pratade med bertil om ärendet.")
    [on_screen] = events(screen, "contribution:added")
    assert on_screen["flags"] == ["name"]
    assert on_screen["text"] == f"Jag pratade med {MASK} om ärendet."


def test_replay_to_the_screen_and_to_another_phone_is_masked_and_the_author_keeps_the_words(
    app, client, facilitator, live_meeting
):
    token = join(client, live_meeting["join_code"], "Anna", "FK")["token"]
    post(sio(app, auth={"token": token}), TEXT)
    mid = live_meeting["id"]
    screen = sio(app, auth={"meeting_id": mid, "api_token": facilitator["token"], "view": "screen"})
    [replayed] = events(screen, "contribution:added")
    assert MASK in replayed["text"] and PERSONNUMMER not in replayed["text"]
    newcomer = participant_socket(app, client, live_meeting["join_code"], "Cecilia", "FK")
    assert [c["text"] for c in events(newcomer, "contribution:added")] == [replayed["text"]]
    # The author's phone, reloaded, has the words it wrote.
    [own] = events(sio(app, auth={"token": token}), "contribution:added")
    assert own["text"] == TEXT


def test_clearing_the_flags_shows_the_words_on_the_screen_and_approving_does_not(room):
    console, screen, author, _other = room
    contribution = post(author, "Ring mig på 070-123 45 67.")["contribution"]
    screen.get_received()
    ack = console.emit(
        "contribution:update", {"id": contribution["id"], "approved": True}, callback=True
    )
    assert ack["ok"] and ack["contribution"]["flags_cleared"] is False
    ack = console.emit(
        "contribution:update", {"id": contribution["id"], "clear_flags": True}, callback=True
    )
    assert ack["ok"] and ack["contribution"]["flags_cleared"] is True
    assert ack["contribution"]["flags"] == ["phone"]
    [updated] = events(screen, "contribution:updated")
    assert updated["text"] == "Ring mig på 070-123 45 67."


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"clear_flags": False}, "invalid_clear_flags"),
        ({"clear_flags": "yes"}, "invalid_clear_flags"),
        ({"approved": "yes"}, "invalid_approved"),
        ({"reason": "Namn"}, "reason_without_rejection"),
        ({"approved": False, "reason": "x" * 201}, "reason_too_long"),
        ({"approved": False, "reason": 5}, "invalid_reason"),
    ],
)
def test_bad_guard_changes_get_a_clear_answer_and_change_nothing(room, payload, code):
    console, _screen, author, _other = room
    contribution = post(author, TEXT)["contribution"]
    ack = console.emit("contribution:update", {"id": contribution["id"], **payload}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code
    again = console.emit(
        "contribution:update", {"id": contribution["id"], "qtype": "value"}, callback=True
    )
    assert again["contribution"]["flags_cleared"] is False
    assert again["contribution"]["status"] == "visible"


def test_a_phone_asks_before_sending_and_gets_utf16_offsets(room):
    _console, _screen, author, _other = room
    text = "🙂 Mejla anna.berg@example.se eller Anna"
    ack = author.emit("contribution:check", {"text": f"  {text}  "}, callback=True)
    assert ack["ok"] and ack["text"] == text
    assert [(f["kind"], f["text"]) for f in ack["findings"]] == [
        ("email", "anna.berg@example.se"),
        ("name", "Anna"),
    ]
    email = ack["findings"][0]
    # The emoji is two UTF-16 units: JavaScript's slice(start, end) gives the address.
    units = text.encode("utf-16-le")
    assert units[email["start"] * 2 : email["end"] * 2].decode("utf-16-le") == email["text"]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"text": ""}, "text_empty"),
        ({"text": "x" * 2001}, "text_too_long"),
        ({"text": 12}, "invalid_text"),
        ({}, "missing_field"),
        ({"text": "hej", "more": 1}, "unknown_field"),
    ],
)
def test_a_bad_check_gets_a_clear_answer(room, payload, code):
    _console, _screen, author, _other = room
    ack = author.emit("contribution:check", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code


def test_checking_stores_and_broadcasts_nothing(room, client, facilitator, live_meeting):
    console, _screen, author, _other = room
    assert author.emit("contribution:check", {"text": TEXT}, callback=True)["ok"]
    assert console.get_received() == []
    listed = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=facilitator["headers"]
    ).get_json()
    assert listed == []


def test_redacting_only_the_flagged_part_keeps_the_rest(
    app, client, facilitator, live_meeting, room
):
    console, screen, author, _other = room
    contribution = post(author, TEXT)["contribution"]
    screen.get_received()
    answer = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{contribution['id']}/redact",
        json={"only_flagged": True},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 200, answer.get_json()
    redacted = answer.get_json()
    assert redacted["text"] == "Klienten har personnummer [redacted] och bor i Motala."
    assert redacted["flags"] == []
    [on_screen] = events(screen, "contribution:updated")
    assert on_screen["text"] == redacted["text"]
    # A post with nothing flagged has nothing to redact this way.
    again = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{contribution['id']}/redact",
        json={"only_flagged": True},
        headers=facilitator["headers"],
    )
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "nothing_flagged")


def test_the_owner_reads_the_words_and_a_researcher_reads_them_masked(
    app, client, facilitator, researcher, live_meeting, room
):
    _console, _screen, author, _other = room
    post(author, TEXT)
    url = f"/api/v1/meetings/{live_meeting['id']}/contributions"
    [own] = client.get(url, headers=facilitator["headers"]).get_json()
    assert own["text"] == TEXT
    client.post(
        f"/api/v1/groups/{live_meeting['group_id']}/grants",
        json={"username": researcher["name"]},
        headers=facilitator["headers"],
    )
    [seen] = client.get(url, headers=researcher["headers"]).get_json()
    assert seen["text"] == f"Klienten har personnummer {MASK} och bor i Motala."
    assert seen["flags"] == ["personnummer"] and "flag_spans" not in seen


def test_join_and_post_from_a_new_phone_is_checked_against_the_whole_roster(
    app, client, facilitator, live_meeting
):
    join(client, live_meeting["join_code"], "Åsa Öberg", "AF")
    phone = participant_socket(app, client, live_meeting["join_code"], "David", "FK")
    ack = post(phone, "Åsas synpunkt och ÅSA ÖBERG själv")
    assert ack["contribution"]["flags"] == ["name"]
    [stored] = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=facilitator["headers"]
    ).get_json()
    assert stored["flag_spans"] == [["name", 0, 4], ["name", 18, 27]]


def test_a_carried_question_quoting_a_flagged_post_is_masked_outside_the_console(
    app, client, db, facilitator, live_meeting, room
):
    console, _screen, author, _other = room
    contribution = post(author, TEXT)["contribution"]
    ack = console.emit(
        "contribution:update", {"id": contribution["id"], "carry_forward": True}, callback=True
    )
    assert ack["ok"]
    close_meeting(client, facilitator, live_meeting["id"])
    following = next_meeting(db, facilitator, live_meeting["group_id"])
    auth = {"api_token": facilitator["token"], "meeting_id": following["id"]}
    [on_screen] = events(sio(app, auth={**auth, "view": "screen"}), "followups:state")
    assert [q["text"] for q in on_screen["questions"]] == [
        f"Klienten har personnummer {MASK} och bor i Motala."
    ]
    [on_console] = events(sio(app, auth=auth), "followups:state")
    assert [q["text"] for q in on_console["questions"]] == [TEXT]
    minutes = client.get(
        f"/api/v1/meetings/{following['id']}/minutes.md", headers=facilitator["headers"]
    ).get_data(as_text=True)
    notice = client.get(
        f"/meetings/{following['id']}/notice.html", headers=facilitator["headers"]
    ).get_data(as_text=True)
    for paper in (minutes, notice):
        assert PERSONNUMMER not in paper


def test_the_authors_ack_has_their_words_but_not_the_consoles_notes(room):
    console, _screen, author, _other = room
    client_id = str(uuid.uuid4())
    ack = post(author, TEXT, client_id=client_id)
    assert ack["contribution"]["text"] == TEXT
    assert ack["contribution"]["flags"] == ["personnummer"]
    assert "flag_spans" not in ack["contribution"]
    assert "moderation_reason" not in ack["contribution"]


def test_a_full_redaction_after_approval_leaves_no_trace_in_the_kept_versions(
    app, client, facilitator, live_meeting, room
):
    _console, _screen, author, _other = room
    contribution = post(author, TEXT)["contribution"]
    mid, headers = live_meeting["id"], facilitator["headers"]
    close_meeting(client, facilitator, mid)
    approved = client.post(
        f"/api/v1/meetings/{mid}/minutes/approve", json={"adjusters": ["Bo"]}, headers=headers
    )
    assert approved.status_code == 200
    before = client.get(f"/api/v1/meetings/{mid}/minutes.md?version=1", headers=headers)
    assert "Klienten har personnummer" in before.get_data(as_text=True)
    client.post(
        f"/api/v1/meetings/{mid}/contributions/{contribution['id']}/redact",
        json={},
        headers=headers,
    )
    for version in (1, 2):
        kept = client.get(f"/api/v1/meetings/{mid}/minutes.md?version={version}", headers=headers)
        assert "Klienten har personnummer" not in kept.get_data(as_text=True), version


def test_a_name_that_joined_after_the_last_post_is_flagged_in_the_next(
    app, client, db, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"], "David", "FK")
    assert post(phone, "Första inlägget")["contribution"]["flags"] == []
    join(client, live_meeting["join_code"], "Zlatan Öst", "AF")
    assert post(phone, "Zlatan sa samma sak")["contribution"]["flags"] == ["name"]
    # A name changed (an erasure makes it the pseudonym) is read again too.
    db.change(
        lambda change: change.db.execute(
            "UPDATE participants SET display_name = 'Yrsa' WHERE display_name = 'David'"
        )
    )
    assert post(phone, "Yrsa och David")["contribution"]["flags"] == ["name"]
    [stored] = [c for c in ops.participation.contributions(db, live_meeting["id"]) if c["seq"] == 3]
    assert stored["flag_spans"] == [["name", 0, 4]]


def test_the_phone_page_waits_for_the_guards_answer_as_long_as_the_server_says(
    app, client, live_meeting
):
    code = live_meeting["join_code"]
    client.post(f"/j/{code}", data={"display_name": "Anna", "organization": "FK", "consent": "on"})

    def waits() -> int:
        page = client.get(f"/j/{code}/live").get_data(as_text=True)
        return page_config(page)["privacyCheckMs"]

    assert waits() == 1000
    app.config["PRIVACY_CHECK_WAIT"] = 2.5
    assert waits() == 2500
