"""Agenda templates and the server's step clock: timing, pause, overrun, editing."""

from datetime import UTC, datetime, timedelta

import pytest

from conftest import join
from pblapp import ops
from pblapp.domain import agenda
from pblapp.domain.errors import DomainError

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, monkeypatch):
        self.now = T0
        monkeypatch.setattr("pblapp.ops.agenda._now", lambda: self.now)

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def minutes(template):
    return [m for _, m in agenda.TEMPLATES[template]]


def test_the_pbl_cycle_fills_two_hours_in_the_steps_of_the_sources():
    assert sum(minutes("pbl-cycle")) == 120
    assert [k for k, _ in agenda.TEMPLATES["pbl-cycle"]][0] == "report-back"
    assert [k for k, _ in agenda.TEMPLATES["pbl-cycle"]][-1] == "evaluation"
    assert len(agenda.TEMPLATES["seven-jump"]) == 7
    assert [k for k, _ in agenda.TEMPLATES["focus-group"]] == [
        "opening",
        "introductory",
        "transition",
        "key-questions",
        "ending",
    ]
    assert agenda.TEMPLATES["free"] == ()


def test_a_new_meeting_gets_its_templates_steps(db, facilitator, live_meeting):
    steps = ops.agenda.state(db, live_meeting["id"])["steps"]
    assert [s["planned_seconds"] // 60 for s in steps] == minutes("pbl-cycle")
    assert all(not s["current"] and s["used_seconds"] == 0 for s in steps)


def test_the_clock_runs_pauses_and_resumes_on_server_time(db, facilitator, live_meeting, clock):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    clock.advance(minutes=5)
    first = ops.agenda.state(db, mid)["steps"][0]
    assert first["current"] and first["running"]
    assert first["used_seconds"] == 300 and first["remaining_seconds"] == 600
    ops.agenda.command(db, uid, mid, {"action": "pause"})
    clock.advance(minutes=30)  # a long coffee break does not count
    paused = ops.agenda.state(db, mid)["steps"][0]
    assert not paused["running"] and paused["used_seconds"] == 300
    ops.agenda.command(db, uid, mid, {"action": "start"})
    clock.advance(minutes=2)
    assert ops.agenda.state(db, mid)["steps"][0]["used_seconds"] == 420


def test_going_over_time_shows_as_overrun_and_blocks_nothing(
    client, db, facilitator, live_meeting, clock
):
    import uuid

    uid, mid = facilitator["id"], live_meeting["id"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    clock.advance(minutes=20)
    step = ops.agenda.state(db, mid)["steps"][0]
    assert step["overrun"] and step["remaining_seconds"] == -300
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    contribution, _ = ops.participation.post(
        db, attendance, {"client_id": str(uuid.uuid4()), "text": "Fortfarande steg 1"}
    )
    assert contribution["agenda_step_id"] == step["id"]
    state = ops.agenda.command(db, uid, mid, {"action": "next"})
    assert state["steps"][1]["current"] and state["steps"][1]["running"]


def test_each_step_logs_its_planned_and_actual_time(db, facilitator, live_meeting, clock):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    clock.advance(minutes=12, seconds=30)
    ops.agenda.command(db, uid, mid, {"action": "next"})
    clock.advance(minutes=3)
    ops.agenda.command(db, uid, mid, {"action": "pause"})
    events = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"].startswith("agenda.")
    ]
    assert [e["type"] for e in events] == [
        "agenda.step_started",
        "agenda.step_ended",
        "agenda.step_started",
        "agenda.paused",
    ]
    ended = events[1]["data"]
    assert ended["key"] == "report-back"
    assert ended["planned_seconds"] == 900 and ended["actual_seconds"] == 750
    assert events[3]["data"]["used_seconds"] == 180


def test_contributions_record_the_step_they_were_posted_in(
    client, db, facilitator, live_meeting, clock
):
    import uuid

    uid, mid = facilitator["id"], live_meeting["id"]
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])

    def post(text):
        return ops.participation.post(
            db, attendance, {"client_id": str(uuid.uuid4()), "text": text}
        )[0]

    before = post("före agendan")
    ops.agenda.command(db, uid, mid, {"action": "start"})
    first = post("steg 1")
    ops.agenda.command(db, uid, mid, {"action": "next"})
    second = post("steg 2")
    steps = ops.agenda.state(db, mid)["steps"]
    assert before["agenda_step_id"] is None
    assert first["agenda_step_id"] == steps[0]["id"]
    assert second["agenda_step_id"] == steps[1]["id"]


def test_steps_can_be_renamed_added_removed_reordered_and_retimed(db, facilitator, live_meeting):
    uid, mid = facilitator["id"], live_meeting["id"]
    steps = ops.agenda.state(db, mid)["steps"]
    new_order = [
        {"id": steps[1]["id"], "title": "Fallet Eva", "planned_minutes": 15},
        {"id": steps[0]["id"], "planned_minutes": 5},
        {"title": "Fika", "planned_minutes": 10},
    ]
    state = ops.agenda.edit(db, uid, mid, {"steps": new_order})
    assert [(s["key"], s["title"], s["planned_seconds"]) for s in state["steps"]] == [
        ("starting-point", "Fallet Eva", 900),
        ("report-back", None, 300),
        (None, "Fika", 600),
    ]
    event = ops.records.events(db, group_id=live_meeting["group_id"])[-1]
    assert event["type"] == "agenda.changed" and len(event["data"]["steps"]) == 3


def test_the_current_step_cannot_be_removed(db, facilitator, live_meeting):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    rest = [{"id": s["id"]} for s in ops.agenda.state(db, mid)["steps"][1:]]
    with pytest.raises(DomainError) as caught:
        ops.agenda.edit(db, uid, mid, {"steps": rest})
    assert caught.value.code == "step_is_current"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"steps": [{"title": "x" * 121}]}, "title_too_long"),
        ({"steps": [{"title": "Paus", "planned_minutes": -1}]}, "invalid_planned_minutes"),
        ({"steps": [{"title": "Paus", "planned_minutes": 481}]}, "invalid_planned_minutes"),
        ({"steps": [{"planned_minutes": 5}]}, "title_empty"),
        ({"steps": [{"id": 9999}]}, "step_not_found"),
        ({"steps": [{"title": "a", "colour": "red"}]}, "unknown_field"),
        ({"steps": "none"}, "invalid_steps"),
    ],
)
def test_bad_agenda_edits_are_refused_with_a_code(db, facilitator, live_meeting, payload, code):
    with pytest.raises(DomainError) as caught:
        ops.agenda.edit(db, facilitator["id"], live_meeting["id"], payload)
    assert caught.value.code == code


def test_a_group_saves_its_agenda_for_its_next_meetings(db, facilitator, live_meeting):
    uid, mid = facilitator["id"], live_meeting["id"]
    first = ops.agenda.state(db, mid)["steps"][0]
    ops.agenda.edit(
        db,
        uid,
        mid,
        {
            "steps": [
                {"id": first["id"], "title": "Återkoppling", "planned_minutes": 20},
                {"title": "Fallet", "planned_minutes": 40},
            ]
        },
    )
    ops.agenda.save_for_group(db, uid, mid)
    nxt = ops.meetings.create(db, uid, live_meeting["group_id"], {"agenda": "group"})
    steps = ops.agenda.state(db, nxt["id"])["steps"]
    assert [(s["key"], s["title"], s["planned_seconds"]) for s in steps] == [
        ("report-back", "Återkoppling", 1200),
        (None, "Fallet", 2400),
    ]


def test_a_free_agenda_starts_empty_and_the_facilitator_adds_steps(db, facilitator, live_meeting):
    uid = facilitator["id"]
    meeting = ops.meetings.create(db, uid, live_meeting["group_id"], {"agenda": "free"})
    assert ops.agenda.state(db, meeting["id"])["steps"] == []
    with pytest.raises(DomainError) as caught:
        ops.agenda.command(db, uid, meeting["id"], {"action": "start"})
    assert caught.value.code == "agenda_empty"


def test_the_agenda_api_starts_edits_and_saves_steps(client, facilitator, live_meeting):
    headers, mid = facilitator["headers"], live_meeting["id"]
    agenda_url = f"/api/v1/meetings/{mid}/agenda"
    steps = client.get(agenda_url, headers=headers).get_json()["steps"]
    assert len(steps) == 7
    started = client.post(agenda_url, json={"action": "start"}, headers=headers).get_json()
    assert started["steps"][0]["running"] and started["server_time"].endswith("Z")
    moved = client.post(
        agenda_url, json={"action": "goto", "step_id": steps[3]["id"]}, headers=headers
    ).get_json()
    assert moved["current_step_id"] == steps[3]["id"]
    # Step 1 has begun, so it stays; the steps never started can go.
    kept = [{"id": steps[0]["id"]}, {"id": steps[3]["id"]}, {"title": "Paus"}]
    edited = client.put(agenda_url, json={"steps": kept}, headers=headers)
    assert edited.status_code == 200 and len(edited.get_json()["steps"]) == 3
    saved = client.post(f"{agenda_url}/save-for-group", headers=headers).get_json()
    assert [s["title"] for s in saved["steps"]] == [None, None, "Paus"]
    response = client.post(agenda_url, json={"action": "start", "speed": 2}, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "unknown_field"


def test_a_step_that_has_begun_cannot_be_removed_so_posts_keep_their_step(
    app, client, db, facilitator, live_meeting
):
    uid, mid = facilitator["id"], live_meeting["id"]
    steps = ops.agenda.state(db, mid)["steps"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    token = join(client, live_meeting["join_code"])["token"]
    phone = app.extensions["socketio"].test_client(app, auth={"token": token})
    posted = phone.emit(
        "contribution:add",
        {"client_id": "7f0c8a52-43a9-4b0e-9d0c-5a8e4c1d2b3f", "text": "Vad är dag 180?"},
        callback=True,
    )["contribution"]
    ops.agenda.command(db, uid, mid, {"action": "next"})
    without_first = [{"id": step["id"]} for step in steps[1:]]
    with pytest.raises(DomainError) as caught:
        ops.agenda.edit(db, uid, mid, {"steps": without_first})
    assert caught.value.code == "step_has_begun"
    assert len(ops.agenda.state(db, mid)["steps"]) == 7
    stored = ops.participation.contributions(db, mid)[0]
    assert stored["id"] == posted["id"] and stored["agenda_step_id"] == steps[0]["id"]


def test_the_agenda_of_a_closed_meeting_cannot_be_edited(client, db, facilitator, live_meeting):
    mid = live_meeting["id"]
    client.post(f"/api/v1/meetings/{mid}/close", headers=facilitator["headers"])
    steps = [
        {"id": step["id"], "title": "Nytt namn"} for step in ops.agenda.state(db, mid)["steps"]
    ]
    answer = client.put(
        f"/api/v1/meetings/{mid}/agenda", json={"steps": steps}, headers=facilitator["headers"]
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "meeting_closed"
    assert all(step["title"] is None for step in ops.agenda.state(db, mid)["steps"])
