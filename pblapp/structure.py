"""The structure of a meeting: its agenda and the agenda's clock.

Mixed into :class:`pblapp.service.Service`; the same rule holds here: each change writes its
rows and its events in one transaction, then publishes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pblapp.db import Change
from pblapp.domain import agenda as agenda_domain
from pblapp.domain import images, validation
from pblapp.domain.clock import format_utc
from pblapp.domain.errors import Conflict, DomainError, NotFound
from pblapp.domain.markup import markdown_to_html
from pblapp.domain.validation import require_object

FACILITATOR = "facilitator"
STARTING_POINT_MAX = 20000
STEP_KEY_MAX = 60
# The screen's switches and the meetings columns that keep them.
SCREEN_SWITCHES = {
    "hide_contributions": "screen_hides_contributions",
    "show_goals": "screen_shows_goals",
    "show_starting_point": "screen_shows_starting_point",
    "show_carried_questions": "screen_shows_carried",
}


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
    }


def _validated_steps(payload: Any) -> list[dict]:
    """``{"steps": [{"id"?, "key"?, "title"?, "planned_minutes"?}]}`` in the new order.

    An existing step keeps whatever the payload leaves out; a new one needs a title (or a
    template key) and gets 10 minutes unless told otherwise.
    """
    require_object(payload, allowed={"steps"}, required={"steps"})
    steps = payload["steps"]
    if not isinstance(steps, list) or len(steps) > 30:
        raise DomainError("invalid_steps", "steps must be a list of at most 30 steps.")
    result = []
    for step in steps:
        require_object(step, allowed={"id", "key", "title", "planned_minutes"})
        step_id = step.get("id")
        if step_id is not None:
            step_id = validation.record_id(step_id, "step_id")
        title = step.get("title")
        if title is not None:
            title = (
                validation.text_field(title, "title", max_len=agenda_domain.STEP_TITLE_MAX) or None
            )
        key = step.get("key")
        if key is not None and (not validation.is_text(key) or len(key) > STEP_KEY_MAX):
            raise DomainError("invalid_key", f"A step key is a string of {STEP_KEY_MAX} at most.")
        if title is None and key is None and step_id is None:
            raise DomainError("title_empty", "A new step needs a title.")
        checked = {"id": step_id, "key": key}
        if "title" in step or step_id is None:
            checked["title"] = title
        if "planned_minutes" in step or step_id is None:
            minutes = step.get("planned_minutes", 10)
            if (
                isinstance(minutes, bool)
                or not isinstance(minutes, int | float)
                or not 0 <= minutes <= agenda_domain.STEP_MINUTES_MAX
            ):
                raise DomainError("invalid_planned_minutes", "planned_minutes is 0 to 480.")
            checked["planned_seconds"] = round(minutes * 60)
        result.append(checked)
    return result


class StructureOperations:
    """Agenda operations; expects ``self.db``, ``self.publish`` and ``self.meeting``."""

    # -- reading ------------------------------------------------------------------------

    def agenda(self, meeting_id: int, now: datetime | None = None) -> dict:
        """The agenda with every step's clock at ``now`` (the server's time)."""
        now = now or _now()
        with self.db.reader() as conn:
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

    def has_group_agenda(self, group_id: int) -> bool:
        """Whether the group saved its own agenda (usable as agenda ``"group"``)."""
        return (
            self.db.query_one("SELECT 1 FROM group_agendas WHERE group_id = ?", [group_id])
            is not None
        )

    def _publish_agenda(self, meeting_id: int) -> dict:
        state = self.agenda(meeting_id)
        self.publish("agenda:state", state, meeting_id)
        return state

    # -- writing ------------------------------------------------------------------------

    def _insert_template_steps(self, change: Change, group_id: int, meeting_id: int, template):
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

    def _stop_agenda_clock(self, change: Change, meeting: dict) -> None:
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

    def agenda_command(self, user_id: int, meeting_id: int, payload: Any) -> dict:
        """``{"action": "start"|"pause"|"next"|"goto", "step_id"?}`` from the facilitator.

        ``start`` starts the first step, or resumes a paused one; ``next`` ends the current
        step and starts the following one; ``goto`` moves to any step (back too).
        """
        meeting = self.meeting(user_id, meeting_id)
        require_object(payload, allowed={"action", "step_id"}, required={"action"})
        action = payload["action"]
        if action not in {"start", "pause", "next", "goto"}:
            raise DomainError("invalid_action", "action is start, pause, next or goto.")
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

        self.db.change(write)
        return self._publish_agenda(meeting_id)

    def edit_agenda(self, user_id: int, meeting_id: int, payload: Any) -> dict:
        """Rename, add, remove, reorder and re-time steps: the full list in its new order."""
        meeting = self.meeting(user_id, meeting_id)
        steps = _validated_steps(payload)
        if meeting["status"] == "closed":
            raise Conflict(
                "meeting_closed", "The meeting has ended; its agenda is part of its record."
            )

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

        self.db.change(write)
        return self._publish_agenda(meeting_id)

    def save_group_agenda(self, user_id: int, meeting_id: int) -> dict:
        """Keep this meeting's steps as the group's own template (agenda ``"group"``)."""
        meeting = self.meeting(user_id, meeting_id)

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

        steps, _ = self.db.change(write)
        return {"group_id": meeting["group_id"], "steps": steps}


class ScreenOperations:
    """The projector's live tools: pin one contribution, merge duplicates, hide all posts,
    show the group's goals. Expects ``self.db``, ``self.publish``, ``self.meeting``."""

    def screen_state(self, meeting_id: int) -> dict:
        row = self.db.query_one(
            "SELECT pinned_contribution_id, screen_hides_contributions, screen_shows_goals, "
            "screen_shows_starting_point, screen_shows_carried, "
            "(SELECT goals FROM groups WHERE groups.id = meetings.group_id) AS goals, "
            "starting_point, starting_point_image FROM meetings WHERE id = ?",
            [meeting_id],
        )
        if row is None:
            raise NotFound("meeting_not_found", "No such meeting.")
        return {
            "meeting_id": meeting_id,
            "pinned_contribution_id": row["pinned_contribution_id"],
            "hide_contributions": bool(row["screen_hides_contributions"]),
            "show_goals": bool(row["screen_shows_goals"]),
            "show_starting_point": bool(row["screen_shows_starting_point"]),
            "show_carried_questions": bool(row["screen_shows_carried"]),
            # The group's goals, cleaned, so that a change reaches an open screen and phones.
            "goals_html": markdown_to_html(row["goals"] or ""),
            "starting_point": row["starting_point"] or "",
            "starting_point_html": markdown_to_html(row["starting_point"] or ""),
            "starting_point_image": row["starting_point_image"],
        }

    def _publish_screen(self, meeting_id: int) -> dict:
        state = self.screen_state(meeting_id)
        self.publish("screen:state", state, meeting_id)
        return state

    def screen_command(self, user_id: int, meeting_id: int, payload: Any) -> dict:
        """``{"pin"?: id|null, "hide_contributions"?, "show_goals"?, "show_starting_point"?,
        "show_carried_questions"?: bool}``."""
        meeting = self.meeting(user_id, meeting_id)
        require_object(payload, allowed={"pin", *SCREEN_SWITCHES})
        updates: dict[str, Any] = {}
        if "pin" in payload:
            pin = payload["pin"]
            if pin is not None:
                pin = validation.record_id(pin, "pin")
            updates["pinned_contribution_id"] = pin
        for field, column in SCREEN_SWITCHES.items():
            if field in payload:
                if not isinstance(payload[field], bool):
                    raise DomainError(f"invalid_{field}", f"{field} must be true or false.")
                updates[column] = int(payload[field])
        if not updates:
            raise DomainError("nothing_to_change", "Give pin or one of the screen switches.")

        def write(change: Change) -> None:
            pin = updates.get("pinned_contribution_id")
            if pin is not None:
                found = change.db.execute(
                    "SELECT 1 FROM contributions WHERE id = ? AND meeting_id = ?",
                    [pin, meeting_id],
                ).fetchone()
                if not found:
                    raise NotFound("contribution_not_found", "No such contribution here.")
            assignments = ", ".join(f"{column} = ?" for column in updates)
            change.db.execute(
                f"UPDATE meetings SET {assignments} WHERE id = ?",
                [*updates.values(), meeting_id],
            )
            change.record_in(
                meeting,
                "screen.changed",
                actor=FACILITATOR,
                **{key: payload[key] for key in payload},
            )

        self.db.change(write)
        return self._publish_screen(meeting_id)

    def merge_contribution(self, user_id: int, meeting_id: int, payload: Any) -> dict:
        """``{"id", "into": id|null}``: show ``id`` as a duplicate of ``into`` (or undo).

        Both texts stay in the record and the exports; the screen shows only ``into``.
        """
        meeting = self.meeting(user_id, meeting_id)
        require_object(payload, allowed={"id", "into"}, required={"id", "into"})
        source, target = payload["id"], payload["into"]
        for value, field in ((source, "id"), (target, "into")):
            if value is not None:
                validation.record_id(value, field)
        if source is None:
            raise DomainError("invalid_id", "id is a contribution id.")
        if source == target:
            raise DomainError("merge_into_itself", "A contribution cannot merge into itself.")

        def write(change: Change) -> None:
            rows = {
                row["id"]: row
                for row in change.db.execute(
                    "SELECT id, merged_into_id FROM contributions "
                    "WHERE meeting_id = ? AND id IN (?, ?)",
                    [meeting_id, source, target if target is not None else source],
                ).fetchall()
            }
            if source not in rows or (target is not None and target not in rows):
                raise NotFound("contribution_not_found", "No such contribution here.")
            if target is not None and rows[target]["merged_into_id"] is not None:
                raise Conflict(
                    "target_is_merged", "Merge into the contribution it was merged into."
                )
            old = rows[source]["merged_into_id"]
            if old == target:
                return
            change.db.execute(
                "UPDATE contributions SET merged_into_id = ? WHERE id = ?", [target, source]
            )
            if target is not None:
                # Duplicates merged into this one now point at the new target too.
                change.db.execute(
                    "UPDATE contributions SET merged_into_id = ? WHERE merged_into_id = ?",
                    [target, source],
                )
            change.record(
                "contribution.merged" if target is not None else "contribution.unmerged",
                actor=FACILITATOR,
                group_id=meeting["group_id"],
                meeting_id=meeting_id,
                contribution_id=source,
                into=target,
                previous=old,
            )

        before = {c["id"]: c["merged_into_id"] for c in self.contributions(meeting_id)}
        self.db.change(write)
        for contribution in self.contributions(meeting_id):
            moved = before.get(contribution["id"]) != contribution["merged_into_id"]
            if moved or contribution["id"] == target:
                self.publish("contribution:updated", contribution, meeting_id)
        self.publish("meeting:state", self.meeting_state(meeting_id), meeting_id)
        self.minutes_changed(meeting_id, meeting)
        return self._contribution(source)


class StartingPointOperations:
    """The meeting's starting point (utgångspunkt): Markdown text and an optional image.

    Expects ``self.db``, ``self.publish``, ``self.meeting`` and ``self.files_dir``.
    """

    def set_starting_point(self, user_id: int, meeting_id: int, payload: Any) -> dict:
        """``{"text": markdown}``; an empty text clears it."""
        meeting = self.meeting(user_id, meeting_id)
        require_object(payload, allowed={"text"}, required={"text"})
        text = validation.text_field(payload["text"], "text", max_len=STARTING_POINT_MAX)

        def write(change: Change) -> None:
            change.db.execute(
                "UPDATE meetings SET starting_point = ? WHERE id = ?", [text, meeting_id]
            )
            change.record_in(
                meeting,
                "starting_point.changed",
                actor=FACILITATOR,
                text=text,
            )

        self.db.change(write)
        state = self._publish_screen(meeting_id)
        self.minutes_changed(meeting_id, meeting)
        return state

    def set_starting_point_image(self, user_id: int, meeting_id: int, data: bytes | None) -> dict:
        """Store a PNG, JPEG or WebP image (checked by content, at most 5 MB); ``None``
        removes the image."""
        meeting = self.meeting(user_id, meeting_id)
        old = self.db.query_one(
            "SELECT starting_point_image FROM meetings WHERE id = ?", [meeting_id]
        )["starting_point_image"]
        name = None
        if data is not None:
            kind = images.image_kind(data)
            name = f"meeting-{meeting_id}-{images.digest(data)[:16]}.{kind}"
            self.files_dir.mkdir(parents=True, exist_ok=True)
            (self.files_dir / name).write_bytes(data)

        def write(change: Change) -> None:
            change.db.execute(
                "UPDATE meetings SET starting_point_image = ? WHERE id = ?", [name, meeting_id]
            )
            change.record_in(
                meeting,
                "starting_point.image_changed",
                actor=FACILITATOR,
                image=name,
                bytes=len(data) if data is not None else 0,
            )

        self.db.change(write)
        if old and old != name:
            # Only this meeting used it (the name holds the meeting's id); the minutes on
            # disk keep their own copy.
            (self.files_dir / old).unlink(missing_ok=True)
        state = self._publish_screen(meeting_id)
        self.minutes_changed(meeting_id, meeting)
        return state

    def starting_point_image(self, meeting_id: int) -> tuple[bytes, str] | None:
        """The image's bytes and MIME type, or ``None``."""
        row = self.db.query_one(
            "SELECT starting_point_image FROM meetings WHERE id = ?", [meeting_id]
        )
        if row is None or not row["starting_point_image"]:
            return None
        name = row["starting_point_image"]
        return (self.files_dir / name).read_bytes(), images.MIME_TYPES[name.rsplit(".", 1)[1]]
