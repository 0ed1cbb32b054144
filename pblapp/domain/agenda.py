"""Agenda templates and step timing, in plain Python.

A meeting's agenda is a list of steps, each with a planned time box. One step at a time is
current; its clock runs or is paused. The server is the only clock: a step's used time is
what it had used before, plus the time since it last started running. Every screen computes
"remaining" from the same server values, so every screen agrees, and a reload agrees too.
Going over time is shown, never enforced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pblapp.domain import validation
from pblapp.domain.clock import parse_utc
from pblapp.domain.errors import DomainError
from pblapp.domain.validation import require_object

MINUTE = 60

# (step key, planned minutes). Step titles are labels in the UI language; see pblapp.i18n.
TEMPLATES: dict[str, tuple[tuple[str, int], ...]] = {
    # Silén's problem-processing model as the source groups used it: 2 hours.
    "pbl-cycle": (
        ("report-back", 15),
        ("starting-point", 10),
        ("what-do-we-see", 15),
        ("problem-formulation", 15),
        ("know-need-to-know", 25),
        ("learning-goals", 20),
        ("evaluation", 20),
    ),
    # Maastricht seven jump; self-study happens between meetings, so it has no time here.
    "seven-jump": (
        ("clarify-terms", 10),
        ("define-problem", 10),
        ("brainstorm", 20),
        ("structure", 20),
        ("learning-objectives", 15),
        ("self-study", 0),
        ("report-back-synthesise", 30),
    ),
    # Krueger's questioning route for a focus group.
    "focus-group": (
        ("opening", 5),
        ("introductory", 10),
        ("transition", 10),
        ("key-questions", 50),
        ("ending", 15),
    ),
    "free": (),
}

STEP_TITLE_MAX = 120
STEP_MINUTES_MAX = 8 * 60
STEP_KEY_MAX = 60

# Steps during which the screen shows the starting point, or the questions the group
# carried from earlier meetings, without the facilitator switching them on.
STARTING_POINT_STEPS = frozenset({"starting-point", "clarify-terms"})
REPORT_BACK_STEPS = frozenset({"report-back", "report-back-synthesise"})


def shows_starting_point(key: str | None) -> bool:
    return key in STARTING_POINT_STEPS


def shows_carried_questions(key: str | None) -> bool:
    return key in REPORT_BACK_STEPS


def step_title(step: dict | None, step_labels: dict, before_agenda: str = "") -> str:
    """A step's own title if the facilitator gave one, else its template's label in the
    reader's language; ``before_agenda`` names the time before the first step (``None``)."""
    if step is None:
        return before_agenda
    key = step.get("key") or ""
    return step.get("title") or str(step_labels.get(key, key))


def template_steps(template: str) -> list[dict]:
    """The steps of a template as rows to store: key, planned seconds, no title of its own."""
    return [
        {"key": key, "title": None, "planned_seconds": minutes * MINUTE}
        for key, minutes in TEMPLATES[template]
    ]


@dataclass(frozen=True)
class StepClock:
    """What a step's clock shows at a moment."""

    used_seconds: float
    remaining_seconds: float
    overrun: bool


def step_clock(
    planned_seconds: int,
    elapsed_seconds: float,
    running_since: str | None,
    now: datetime,
) -> StepClock:
    """Used and remaining time of a step; ``running_since`` is set while its clock runs."""
    used = elapsed_seconds
    if running_since:
        used += max(0.0, (now - parse_utc(running_since)).total_seconds())
    remaining = planned_seconds - used
    return StepClock(used_seconds=used, remaining_seconds=remaining, overrun=remaining < 0)


def elapsed_after_pause(elapsed_seconds: float, running_since: str | None, now: datetime) -> float:
    """The step's used time once its clock stops at ``now``."""
    return step_clock(0, elapsed_seconds, running_since, now).used_seconds


def validated_steps(payload: Any) -> list[dict]:
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
            title = validation.text_field(title, "title", max_len=STEP_TITLE_MAX) or None
        key = step.get("key")
        if key is not None:
            # Shown as the step's label when it has no title: stored like every other text.
            try:
                key = validation.text_field(key, "key", max_len=STEP_KEY_MAX)
            except DomainError:
                raise DomainError(
                    "invalid_key", f"A step key is a string of {STEP_KEY_MAX} at most."
                ) from None
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
                or not 0 <= minutes <= STEP_MINUTES_MAX
            ):
                raise DomainError("invalid_planned_minutes", "planned_minutes is 0 to 480.")
            checked["planned_seconds"] = round(minutes * 60)
        result.append(checked)
    return result
