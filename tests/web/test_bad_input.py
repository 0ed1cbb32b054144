"""Input no real client sends but a broken or hostile one might: a clear refusal with a code."""

import json

import pytest

from helpers import error_code, join, participant_socket, post, sio
from pblapp import ops


@pytest.fixture
def phone(app, client, live_meeting):
    return participant_socket(app, client, live_meeting["join_code"])


def test_half_an_emoji_is_refused_as_invalid_text_and_earlier_posts_stay(
    app, client, facilitator, live_meeting, phone
):
    assert post(phone, "Vad gäller dag 180?")["ok"]
    answer = post(phone, "trasig \ud83d emoji")
    assert answer["ok"] is False and answer["error"]["code"] == "invalid_text"
    api = client.post(
        "/api/v1/groups", json={"name": "x\ud800y", "kind": "pbl"}, headers=facilitator["headers"]
    )
    assert api.status_code == 400 and error_code(api) == "invalid_name"
    joined = client.post(
        f"/j/{live_meeting['join_code']}",
        json={"display_name": "x\ud800", "organization": "FK", "consent": True},
    )
    assert joined.status_code == 400 and error_code(joined) == "invalid_display_name"
    stored = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=facilitator["headers"]
    ).get_json()
    assert [c["text"] for c in stored] == ["Vad gäller dag 180?"]


def test_a_post_of_only_invisible_characters_is_empty(phone):
    answer = post(phone, "\u200b\u200b \ufeff")
    assert answer["ok"] is False and answer["error"]["code"] == "text_empty"
    assert post(phone, "Ja\u200b!")["ok"]  # an invisible character inside a text is kept


def test_ids_too_large_for_the_database_are_not_found_or_invalid_never_a_server_error(
    app, client, facilitator, live_meeting
):
    headers, mid, huge = facilitator["headers"], live_meeting["id"], 2**70
    for path in (f"/api/v1/meetings/{huge}", f"/api/v1/groups/{huge}/log.csv"):
        assert client.get(path, headers=headers).status_code == 404, path
    pin = client.post(f"/api/v1/meetings/{mid}/screen", json={"pin": huge}, headers=headers)
    assert pin.status_code == 400 and error_code(pin) == "invalid_pin"
    merge = client.post(
        f"/api/v1/meetings/{mid}/contributions/1/merge", json={"into": huge}, headers=headers
    )
    assert merge.status_code == 400 and error_code(merge) == "invalid_into"
    question = client.patch(
        f"/api/v1/meetings/{mid}/questions/{huge}", json={"status": "open"}, headers=headers
    )
    assert question.status_code == 404
    steps = client.put(
        f"/api/v1/meetings/{mid}/agenda", json={"steps": [{"id": huge}]}, headers=headers
    )
    assert steps.status_code == 400 and error_code(steps) == "invalid_step_id"


def test_a_socket_connection_with_numbers_out_of_range_is_refused(
    app, client, facilitator, live_meeting
):
    token = join(client, live_meeting["join_code"])["token"]
    for auth in (
        {"token": token, "since_seq": 2**70},
        {"api_token": facilitator["token"], "meeting_id": 2**70},
    ):
        assert not sio(app, auth=auth).is_connected(), auth
    assert sio(app, auth={"token": token, "since_seq": 2**63 - 1}).is_connected()


def test_json_nested_too_deep_and_impossible_dates_get_a_clear_refusal(client, facilitator):
    deep = '{"name": "a", "kind": "pbl", "goals": ' + "[" * 100_000 + "]" * 100_000 + "}"
    answer = client.post(
        "/api/v1/groups",
        data=deep,
        headers={**facilitator["headers"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and error_code(answer) == "invalid_json"
    group = client.post(
        "/api/v1/groups", json={"name": "G", "kind": "pbl"}, headers=facilitator["headers"]
    ).get_json()
    for moment in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        meeting = client.post(
            f"/api/v1/groups/{group['id']}/meetings",
            data=json.dumps({"scheduled_at": moment}),
            headers={**facilitator["headers"], "Content-Type": "application/json"},
        )
        assert meeting.status_code == 400 and error_code(meeting) == "invalid_scheduled_at"


def test_an_unknown_event_is_answered_so_the_caller_does_not_wait(phone):
    answer = phone.emit("contribution:erase", {"id": 1}, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "unknown_event"


def test_an_agenda_step_key_has_a_length_limit(client, facilitator, live_meeting):
    answer = client.put(
        f"/api/v1/meetings/{live_meeting['id']}/agenda",
        json={"steps": [{"key": "k" * 61}]},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 400 and error_code(answer) == "invalid_key"


def test_half_an_emoji_in_an_owner_a_step_key_or_a_token_is_refused_with_a_code(
    app, client, db, facilitator, live_meeting
):
    mid, headers = live_meeting["id"], facilitator["headers"]
    ops.followups.add_question(db, facilitator["id"], mid, {"text": "Vem?"})
    qid = ops.followups.read(db, mid)["questions"][0]["id"]
    for owner in ({"pseudonym": "\ud800"}, {"organization": "\ud800"}, "P01"):
        answer = client.patch(
            f"/api/v1/meetings/{mid}/questions/{qid}", json={"owner": owner}, headers=headers
        )
        assert answer.status_code == 400 and error_code(answer) == "invalid_owner", owner
    both = {"pseudonym": "P01", "organization": "FK"}
    answer = client.patch(
        f"/api/v1/meetings/{mid}/questions/{qid}", json={"owner": both}, headers=headers
    )
    assert answer.status_code == 400 and error_code(answer) == "invalid_owner"
    key = client.put(
        f"/api/v1/meetings/{mid}/agenda", json={"steps": [{"key": "\ud800"}]}, headers=headers
    )
    assert key.status_code == 400 and error_code(key) == "invalid_key"
    for auth in ({"token": "\ud800"}, {"api_token": "\ud800", "meeting_id": mid}):
        assert not sio(app, auth=auth).is_connected()


def test_a_405_says_which_methods_the_route_takes(client, facilitator):
    api = client.delete("/api/v1/groups", headers=facilitator["headers"])
    page = client.delete("/groups")
    for answer in (api, page):
        assert answer.status_code == 405
        assert "GET" in answer.headers["Allow"]


def test_a_meeting_time_outside_the_years_2000_to_2100_is_refused_and_nothing_breaks(
    client, facilitator
):
    headers = facilitator["headers"]
    group = client.post("/api/v1/groups", json={"name": "G", "kind": "pbl"}, headers=headers)
    gid = group.get_json()["id"]
    for moment in ("0999-06-01T10:00:00Z", "1999-12-31T23:59:59Z", "2101-01-01T00:00:00Z"):
        answer = client.post(
            f"/api/v1/groups/{gid}/meetings", json={"scheduled_at": moment}, headers=headers
        )
        assert answer.status_code == 400 and error_code(answer) == "invalid_scheduled_at"
        assert "2000" in answer.get_json()["error"]["message"]
    meeting = client.post(
        f"/api/v1/groups/{gid}/meetings",
        json={"scheduled_at": "2000-01-01T00:00:00Z"},
        headers=headers,
    ).get_json()
    changed = client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"next_meeting_at": "0999-06-01T10:00:00Z"},
        headers=headers,
    )
    assert changed.status_code == 400 and error_code(changed) == "invalid_next_meeting_at"
    assert (
        "next_meeting_at must be in the years 2000 to 2100"
        in changed.get_json()["error"]["message"]
    )
    # The meeting runs and closes, and its minutes and notice come out.
    for step in ("start", "close"):
        assert (
            client.post(f"/api/v1/meetings/{meeting['id']}/{step}", headers=headers).status_code
            == 200
        )
    for path in ("minutes.md", "notice.ics"):
        assert (
            client.get(f"/api/v1/meetings/{meeting['id']}/{path}", headers=headers).status_code
            == 200
        )
