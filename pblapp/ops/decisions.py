"""Decisions and action items ("vem gör vad och när"), recorded live in a meeting.

A decision notes the agenda step it was made in. An action item stays on the list of every
later meeting of the group until it is done. Each change answers with the meeting's whole
follow-up state (``ops.followups.read``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import DomainError, NotFound
from pblapp.domain.validation import require_object
from pblapp.ops import followups

ACTION_STATUSES = ("open", "done")
WHO_MAX = 120


def _due(value: Any) -> str | None:
    """A due date as ``YYYY-MM-DD``, or none."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise DomainError("invalid_due", "due is a date, YYYY-MM-DD.")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise DomainError("invalid_due", "due is a date, YYYY-MM-DD.") from None


def add_decision(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """A decision, recorded live: ``{"text"}``; it notes the current agenda step."""
    require_object(payload, allowed={"text"}, required={"text"})
    text = followups.checked_text(payload["text"], "text")

    def write(change: Change, meeting: dict) -> None:
        step_id = change.db.execute(
            "SELECT current_step_id FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()["current_step_id"]
        decision_id = change.insert(
            "decisions",
            {
                "meeting_id": meeting_id,
                "agenda_step_id": step_id,
                "text": text,
                "created_at": utc_now(),
            },
        )
        change.record_in(
            meeting,
            "decision.added",
            actor=FACILITATOR,
            decision_id=decision_id,
            text=text,
            agenda_step_id=step_id,
        )

    return followups.change_open_meeting(db, user_id, meeting_id, write)


def add_action_item(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """Who does what by when: ``{"what", "who", "due"?}``; it notes the current agenda step."""
    require_object(payload, allowed={"what", "who", "due"}, required={"what", "who"})
    what = followups.checked_text(payload["what"], "what")
    who = followups.checked_text(payload["who"], "who", WHO_MAX)
    due = _due(payload.get("due"))

    def write(change: Change, meeting: dict) -> None:
        # Like a decision, it notes the agenda step it was agreed in (the minutes put it there).
        step_id = change.db.execute(
            "SELECT current_step_id FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()["current_step_id"]
        action_id = change.insert(
            "action_items",
            {
                "group_id": meeting["group_id"],
                "meeting_id": meeting_id,
                "agenda_step_id": step_id,
                "what": what,
                "who": who,
                "due": due,
                "status": "open",
                "created_at": utc_now(),
            },
        )
        change.record_in(
            meeting,
            "action_item.added",
            actor=FACILITATOR,
            action_item_id=action_id,
            what=what,
            who=who,
            due=due,
            agenda_step_id=step_id,
        )

    return followups.change_open_meeting(db, user_id, meeting_id, write)


def update_action_item(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """``{"id", "status": "open"|"done"}``."""
    require_object(payload, allowed={"id", "status"}, required={"id", "status"})
    action_id = followups.record_id(payload)
    if payload["status"] not in ACTION_STATUSES:
        raise DomainError("invalid_status", "status is open or done.")

    def write(change: Change, meeting: dict) -> None:
        row = change.db.execute(
            "SELECT * FROM action_items WHERE id = ? AND group_id = ?",
            [action_id, meeting["group_id"]],
        ).fetchone()
        if row is None:
            raise NotFound("action_item_not_found", "No such action item in this group.")
        if row["status"] == payload["status"]:
            return
        change.db["action_items"].update(
            action_id,
            {
                "status": payload["status"],
                "done_meeting_id": meeting_id if payload["status"] == "done" else None,
                "updated_at": utc_now(),
            },
        )
        change.record_in(
            meeting,
            "action_item.updated",
            actor=FACILITATOR,
            action_item_id=action_id,
            changes={"status": {"old": row["status"], "new": payload["status"]}},
        )

    return followups.change_open_meeting(db, user_id, meeting_id, write)
