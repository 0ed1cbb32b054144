"""A meeting's agenda and its clock: start, pause, next, go to a step; edit the steps;
keep them as the group's own agenda; write notes under a step for the minutes.

The server is the only clock (see ``pblapp.domain.agenda``): every step records when it
started and ended and how long it ran, and each change is logged with planned and actual
times.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import agenda as agenda_domain
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import format_utc
from pblapp.domain.errors import Conflict, DomainError, NotFound
from pblapp.domain.validation import record_id, require_object, text_field
from pblapp.ops import lookup


def _now() -> datetime:
    return datetime.now(UTC)


def _step_object(row, current_step_id: int | None, running_since: str | None, now: datetime):
    running = row["id"] == current_step_id and running_since is not None
    clock = agenda_domain.step_clock(
        row["planned_seconds"],
        row["elapsed_seconds"] or 0.0,
        running_since if running else None,
        now,
    )
    return {
        "id": row["id"],
        "position": row["position"],
        "key": row["key"],
        "title": row["title"],
        "planned_seconds": row["planned_seconds"],
        "used_seconds": round(clock.used_seconds, 3),
        "remaining_seconds": round(clock.remaining_seconds, 3),
        "overrun": clock.overrun,
        "current": row["id"] == current_step_id,
        "running": running,
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        # What was written down under the item, for the group's own minutes: the console's
        # only (``access.agenda_for``).
        "notes": row["notes"],
        # The screen shows these by itself during this step.
        "shows_starting_point": agenda_domain.shows_starting_point(row["key"]),
        "shows_carried_questions": agenda_domain.shows_carried_questions(row["key"]),
    }


# -- reading ------------------------------------------------------------------------


def state(db: Database, meeting_id: int, now: datetime | None = None) -> dict:
    """The agenda with every step's clock at ``now`` (the server's time)."""
    now = now or _now()
    with db.reader() as conn:
        meeting = conn.execute(
            "SELECT current_step_id, step_running_since FROM meetings WHERE id = ?",
            [meeting_id],
        ).fetchone()
        rows = conn.execute(
            "SELECT * FROM agenda_steps WHERE meeting_id = ? ORDER BY position", [meeting_id]
        ).fetchall()
    steps = [
        _step_object(row, meeting["current_step_id"], meeting["step_running_since"], now)
        for row in rows
    ]
    return {
        "meeting_id": meeting_id,
        "server_time": format_utc(now),
        "current_step_id": meeting["current_step_id"],
        "running": meeting["step_running_since"] is not None,
        "steps": steps,
    }


def insert_template_steps(change: Change, group_id: int, meeting_id: int, template):
    if template == "group":
        saved = change.db.execute(
            "SELECT steps FROM group_agendas WHERE group_id = ?", [group_id]
        ).fetchone()
        if saved is None:
            raise DomainError("no_group_agenda", "This group has no saved agenda yet.")
        steps = json.loads(saved["steps"])
    else:
        steps = agenda_domain.template_steps(template)
    for position, step in enumerate(steps, start=1):
        change.db["agenda_steps"].insert(
            {
                "meeting_id": meeting_id,
                "position": position,
                "key": step.get("key"),
                "title": step.get("title"),
                "planned_seconds": step["planned_seconds"],
                "elapsed_seconds": 0.0,
            }
        )


def stop_clock(change: Change, meeting: dict) -> None:
    """End the current step when the meeting closes, so its time stops counting."""
    row = change.db.execute(
        "SELECT current_step_id, step_running_since FROM meetings WHERE id = ?",
        [meeting["id"]],
    ).fetchone()
    if row["current_step_id"] is None:
        return
    step = change.db.execute(
        "SELECT * FROM agenda_steps WHERE id = ?", [row["current_step_id"]]
    ).fetchone()
    now = _now()
    used = agenda_domain.elapsed_after_pause(
        step["elapsed_seconds"] or 0.0, row["step_running_since"], now
    )
    change.db.execute(
        "UPDATE agenda_steps SET elapsed_seconds = ?, ended_at = ? WHERE id = ?",
        [used, format_utc(now), step["id"]],
    )
    change.db.execute(
        "UPDATE meetings SET current_step_id = NULL, step_running_since = NULL WHERE id = ?",
        [meeting["id"]],
    )
    change.record_in(
        meeting,
        "agenda.step_ended",
        actor=FACILITATOR,
        step_id=step["id"],
        key=step["key"],
        title=step["title"],
        planned_seconds=step["planned_seconds"],
        actual_seconds=round(used, 3),
    )


def command(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """``{"action": "start"|"pause"|"next"|"goto", "step_id"?}`` from the facilitator.

    ``start`` starts the first step, or resumes a paused one; ``next`` ends the current
    step and starts the following one; ``goto`` moves to any step (back too).
    """
    meeting = lookup.meeting(db, user_id, meeting_id)
    require_object(payload, allowed={"action", "step_id"}, required={"action"})
    action = payload["action"]
    # A list or an object is no action (and no set holds it): refused, not a server error.
    if not isinstance(action, str) or action not in {"start", "pause", "next", "goto"}:
        raise DomainError("invalid_action", "action is start, pause, next or goto.")
    if payload.get("step_id") is not None:
        record_id(payload["step_id"], "step_id")
    if meeting["status"] == "closed":
        raise Conflict("meeting_closed", "The meeting has ended.")

    def write(change: Change) -> None:
        now = _now()
        stamp = format_utc(now)
        row = change.db.execute(
            "SELECT current_step_id, step_running_since FROM meetings WHERE id = ?",
            [meeting_id],
        ).fetchone()
        steps = change.db.execute(
            "SELECT * FROM agenda_steps WHERE meeting_id = ? ORDER BY position", [meeting_id]
        ).fetchall()
        by_id = {step["id"]: step for step in steps}
        current = by_id.get(row["current_step_id"])
        running_since = row["step_running_since"]

        def log(event_type: str, step, **data):
            change.record(
                event_type,
                actor=FACILITATOR,
                group_id=meeting["group_id"],
                meeting_id=meeting_id,
                step_id=step["id"],
                key=step["key"],
                title=step["title"],
                **data,
            )

        def stop_current(ended: bool) -> None:
            used = agenda_domain.elapsed_after_pause(
                current["elapsed_seconds"] or 0.0, running_since, now
            )
            change.db.execute(
                "UPDATE agenda_steps SET elapsed_seconds = ?, ended_at = ? WHERE id = ?",
                [used, stamp if ended else current["ended_at"], current["id"]],
            )
            if ended:
                log(
                    "agenda.step_ended",
                    current,
                    planned_seconds=current["planned_seconds"],
                    actual_seconds=round(used, 3),
                )
            else:
                log("agenda.paused", current, used_seconds=round(used, 3))

        def run(step) -> None:
            change.db.execute(
                "UPDATE meetings SET current_step_id = ?, step_running_since = ? WHERE id = ?",
                [step["id"] if step else None, stamp if step else None, meeting_id],
            )
            if step is None:
                return
            if step["started_at"] is None:
                change.db.execute(
                    "UPDATE agenda_steps SET started_at = ?, ended_at = NULL WHERE id = ?",
                    [stamp, step["id"]],
                )
                log("agenda.step_started", step, planned_seconds=step["planned_seconds"])
            else:
                change.db.execute(
                    "UPDATE agenda_steps SET ended_at = NULL WHERE id = ?", [step["id"]]
                )
                log("agenda.resumed", step, used_seconds=round(step["elapsed_seconds"], 3))

        if action == "start":
            if current is not None and running_since is not None:
                return
            if not steps:
                raise Conflict("agenda_empty", "The agenda has no steps yet.")
            target = current or next((s for s in steps if s["ended_at"] is None), None)
            if target is None:
                raise Conflict("agenda_done", "Every step has been done.")
            run(target)
        elif action == "pause":
            if current is None or running_since is None:
                return
            stop_current(ended=False)
            change.db.execute(
                "UPDATE meetings SET step_running_since = NULL WHERE id = ?", [meeting_id]
            )
        else:
            if action == "next":
                if current is None:
                    # Nothing current: the first step if the agenda has not begun, else
                    # the step after the one that ended last (none at the end).
                    done = [s for s in steps if s["ended_at"]]
                    if not done:
                        target = steps[0] if steps else None
                    else:
                        # Two steps can end in the same millisecond (a quick
                        # double click): then the later one in the agenda ended last.
                        last = max(done, key=lambda s: (s["ended_at"], s["position"]))
                        later = [s for s in steps if s["position"] > last["position"]]
                        target = later[0] if later else None
                else:
                    later = [s for s in steps if s["position"] > current["position"]]
                    target = later[0] if later else None
            else:
                target = by_id.get(payload.get("step_id"))
                if target is None:
                    raise NotFound("step_not_found", "No such step in this meeting.")
            if current is not None:
                stop_current(ended=True)
            run(target)

    db.change(write)
    return state(db, meeting_id)


def edit(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """Rename, add, remove, reorder and re-time steps: the full list in its new order."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    steps = agenda_domain.validated_steps(payload)
    if meeting["status"] == "closed":
        raise Conflict("meeting_closed", "The meeting has ended; its agenda is part of its record.")

    def write(change: Change) -> None:
        existing = {
            row["id"]: row
            for row in change.db.execute(
                "SELECT * FROM agenda_steps WHERE meeting_id = ?", [meeting_id]
            ).fetchall()
        }
        current_id = change.db.execute(
            "SELECT current_step_id FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()["current_step_id"]
        kept = {step["id"] for step in steps if step["id"] is not None}
        unknown = kept - set(existing)
        if unknown:
            raise NotFound("step_not_found", "No such step in this meeting.")
        if current_id is not None and current_id not in kept:
            raise Conflict("step_is_current", "The current step cannot be removed.")
        for step_id in set(existing) - kept:
            # The record says which step a post or a decision was made in, and how long
            # each step took: a step that has begun stays.
            begun = (
                existing[step_id]["started_at"] is not None
                or change.db.execute(
                    "SELECT 1 FROM contributions WHERE agenda_step_id = ? UNION ALL "
                    "SELECT 1 FROM decisions WHERE agenda_step_id = ? LIMIT 1",
                    [step_id, step_id],
                ).fetchone()
            )
            if begun:
                raise Conflict(
                    "step_has_begun",
                    "A step that has begun stays in the record; rename or re-time it.",
                )
            change.db.execute("DELETE FROM agenda_steps WHERE id = ?", [step_id])
        for position, step in enumerate(steps, start=1):
            if step["id"] is None:
                change.db["agenda_steps"].insert(
                    {
                        "meeting_id": meeting_id,
                        "position": position,
                        "key": step["key"],
                        "title": step["title"],
                        "planned_seconds": step["planned_seconds"],
                        "elapsed_seconds": 0.0,
                    }
                )
            else:
                old = existing[step["id"]]
                change.db.execute(
                    "UPDATE agenda_steps SET position = ?, title = ?, planned_seconds = ? "
                    "WHERE id = ?",
                    [
                        position,
                        step["title"] if "title" in step else old["title"],
                        step.get("planned_seconds", old["planned_seconds"]),
                        step["id"],
                    ],
                )
        after = change.db.execute(
            "SELECT id, key, title, planned_seconds FROM agenda_steps "
            "WHERE meeting_id = ? ORDER BY position",
            [meeting_id],
        ).fetchall()
        change.record_in(
            meeting,
            "agenda.changed",
            actor=FACILITATOR,
            steps=[dict(row) for row in after],
        )

    db.change(write)
    return state(db, meeting_id)


NOTES_MAX = 10_000


def set_notes(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """``{"step_id", "notes"}``: what was said under an agenda item, in the facilitator's or
    secretary's words (0–10,000 characters; ``""`` clears them). Allowed before, during and
    after the meeting: notes are often written up once it has closed, and then they change
    the minutes like any change after the close. The log records that the notes changed
    and their length, never the words (they may name people)."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    require_object(payload, allowed={"step_id", "notes"}, required={"step_id", "notes"})
    step_id = record_id(payload["step_id"], "step_id")
    notes = text_field(payload["notes"], "notes", max_len=NOTES_MAX)

    def write(change: Change) -> None:
        step = change.db.execute(
            "SELECT * FROM agenda_steps WHERE id = ? AND meeting_id = ?", [step_id, meeting_id]
        ).fetchone()
        if step is None:
            raise NotFound("step_not_found", "No such step in this meeting.")
        if step["notes"] == notes:
            return
        change.db.execute("UPDATE agenda_steps SET notes = ? WHERE id = ?", [notes, step_id])
        change.record_in(
            meeting,
            "agenda.notes_changed",
            actor=FACILITATOR,
            step_id=step_id,
            key=step["key"],
            title=step["title"],
            length=len(notes),
        )

    db.change(write)
    return state(db, meeting_id)


def save_for_group(db: Database, user_id: int, meeting_id: int) -> dict:
    """Keep this meeting's steps as the group's own template (agenda ``"group"``)."""
    meeting = lookup.meeting(db, user_id, meeting_id)

    def write(change: Change) -> list[dict]:
        steps = [
            {
                "key": row["key"],
                "title": row["title"],
                "planned_seconds": row["planned_seconds"],
            }
            for row in change.db.execute(
                "SELECT * FROM agenda_steps WHERE meeting_id = ? ORDER BY position",
                [meeting_id],
            ).fetchall()
        ]
        change.db["group_agendas"].upsert(
            {
                "group_id": meeting["group_id"],
                "steps": json.dumps(steps, ensure_ascii=False),
                "saved_at": format_utc(_now()),
            },
            pk="group_id",
        )
        change.record_in(
            meeting,
            "agenda.saved_for_group",
            actor=FACILITATOR,
            steps=steps,
        )
        return steps

    steps, _ = db.change(write)
    return {"group_id": meeting["group_id"], "steps": steps}
