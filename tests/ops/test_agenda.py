"""The agenda operations and the server's step clock: timing, pause, overrun, editing, the end."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from helpers import join, participant_socket, planned_minutes, post
from pblapp import ops
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


def test_a_new_meeting_gets_its_templates_steps(db, facilitator, live_meeting):
    steps = ops.agenda.state(db, live_meeting["id"])["steps"]
    assert [s["planned_seconds"] // 60 for s in steps] == planned_minutes("pbl-cycle")
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


def test_a_step_that_has_begun_cannot_be_removed_so_posts_keep_their_step(
    app, client, db, facilitator, live_meeting
):
    uid, mid = facilitator["id"], live_meeting["id"]
    steps = ops.agenda.state(db, mid)["steps"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    phone = participant_socket(app, client, live_meeting["join_code"])
    posted = post(phone, "Vad är dag 180?", client_id="7f0c8a52-43a9-4b0e-9d0c-5a8e4c1d2b3f")[
        "contribution"
    ]
    ops.agenda.command(db, uid, mid, {"action": "next"})
    without_first = [{"id": step["id"]} for step in steps[1:]]
    with pytest.raises(DomainError) as caught:
        ops.agenda.edit(db, uid, mid, {"steps": without_first})
    assert caught.value.code == "step_has_begun"
    assert len(ops.agenda.state(db, mid)["steps"]) == 7
    stored = ops.participation.contributions(db, mid)[0]
    assert stored["id"] == posted["id"] and stored["agenda_step_id"] == steps[0]["id"]


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


def test_agenda_step_titles_are_normalised_like_other_texts(db, facilitator, live_meeting):
    state = ops.agenda.edit(
        db, facilitator["id"], live_meeting["id"], {"steps": [{"title": "  Fika\r\nkort  "}]}
    )
    assert state["steps"][0]["title"] == "Fika\nkort"
    with pytest.raises(DomainError) as caught:
        ops.agenda.edit(db, facilitator["id"], live_meeting["id"], {"steps": [{"title": "a\x00b"}]})
    assert caught.value.code == "invalid_title"


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


def test_next_after_the_last_step_does_not_restart_the_first_steps_clock(
    db, facilitator, live_meeting
):
    """A second click on "Next" at the end of the agenda (a double click) reopens step 1 and
    its clock runs on, adding time to it in the minutes."""
    uid, mid = facilitator["id"], live_meeting["id"]
    steps = ops.agenda.state(db, mid)["steps"]
    ops.agenda.command(db, uid, mid, {"action": "start"})  # step 1
    ops.agenda.command(db, uid, mid, {"action": "goto", "step_id": steps[-1]["id"]})
    ops.agenda.command(db, uid, mid, {"action": "next"})  # the last step ends
    after_end = ops.agenda.state(db, mid)
    assert after_end["current_step_id"] is None
    state = ops.agenda.command(db, uid, mid, {"action": "next"})
    assert state["current_step_id"] is None
    assert not state["running"]


def test_next_at_the_end_starts_nothing_even_when_two_steps_ended_in_the_same_millisecond(
    db, facilitator, live_meeting, monkeypatch
):
    from datetime import UTC, datetime

    import pblapp.ops.agenda

    frozen = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(pblapp.ops.agenda, "_now", lambda: frozen)
    uid, mid = facilitator["id"], live_meeting["id"]
    steps = ops.agenda.state(db, mid)["steps"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    ops.agenda.command(db, uid, mid, {"action": "goto", "step_id": steps[-1]["id"]})
    ops.agenda.command(db, uid, mid, {"action": "next"})
    state = ops.agenda.command(db, uid, mid, {"action": "next"})
    assert state["current_step_id"] is None
