"""The end-of-meeting self-evaluation (självvärdering): its items and its rules.

Our own items, written for these groups: how safe it is to disagree, how clear the roles and
ways of working are, how much the group moves towards its goal, and the group-process goals
of the sources' goal document (taking responsibility for one's own learning, taking an
active part, assessing one's own and the group's work, fixing what does not work). Seven
statements on a 1–5 scale (1 = do not agree at all, 5 = fully agree) and one free text.
The texts live in ``pblapp.i18n`` (Swedish and English).

The group sees only aggregates, and only once at least ``THRESHOLD`` have answered, each
item only once that many answered it, so that no answer can be traced to a person in a small
group.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from pblapp.domain.errors import DomainError
from pblapp.domain.validation import is_text, require_object, text_field

SCALE_KEYS: tuple[str, ...] = (
    "safe_to_disagree",
    "roles_clear",
    "towards_goal",
    "own_learning",
    "active_part",
    "assessed_work",
    "fixed_problems",
)
TEXT_KEYS: tuple[str, ...] = ("change",)
ITEM_KEYS: tuple[str, ...] = SCALE_KEYS + TEXT_KEYS
SCALE_MIN, SCALE_MAX = 1, 5
TEXT_MAX = 2000
# Aggregates and free texts are shown once this many participants have answered.
THRESHOLD = 3


def item_kind(key: str) -> str:
    return "scale" if key in SCALE_KEYS else "text"


def validated_answers(payload: Any) -> dict[str, int | str]:
    """``{"answers": {key: 1..5 or text}}``: known keys only, whole numbers 1–5 on the scale
    items, a text of at most 2000 characters on the text item. Items may be left out, but
    not all of them; an empty text counts as left out."""
    require_object(payload, allowed={"answers"}, required={"answers"})
    answers = payload["answers"]
    if not isinstance(answers, dict):
        raise DomainError("invalid_answers", "answers is an object of item keys.")
    checked: dict[str, int | str] = {}
    for key, value in answers.items():
        if key not in ITEM_KEYS:
            raise DomainError("unknown_item", f"Unknown item: {str(key)[:40]}.")
        if key in SCALE_KEYS:
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not SCALE_MIN <= value <= SCALE_MAX
            ):
                raise DomainError("invalid_scale_value", f"{key} is a whole number from 1 to 5.")
            checked[key] = value
        else:
            if not is_text(value):
                raise DomainError("invalid_text", f"{key} is a text.")
            text = text_field(value, key, max_len=TEXT_MAX)
            if text:
                checked[key] = text
    if not checked:
        raise DomainError("answers_empty", "Answer at least one item.")
    return checked


def summary(answer_sets: Iterable[dict], *, shuffle: random.Random | None = None) -> dict:
    """What the group may see of the answers: ``n`` and, per item, the mean and the
    distribution over 1–5 (scale items) or the texts, unattributed and shuffled (the text
    item). An item shows only once at least ``THRESHOLD`` participants answered *that
    item* (and ``n`` is at least ``THRESHOLD``): one person's answer never stands alone."""
    answer_sets = list(answer_sets)
    n = len(answer_sets)
    items = []
    for key in SCALE_KEYS:
        values = [a[key] for a in answer_sets if key in a]
        item: dict[str, Any] = {"key": key, "kind": "scale", "mean": None, "distribution": None}
        if n >= THRESHOLD and len(values) >= THRESHOLD:
            item["mean"] = round(sum(values) / len(values), 2)
            item["distribution"] = [values.count(v) for v in range(SCALE_MIN, SCALE_MAX + 1)]
        items.append(item)
    for key in TEXT_KEYS:
        item = {"key": key, "kind": "text", "mean": None, "distribution": None}
        if n >= THRESHOLD:
            texts = [a[key] for a in answer_sets if key in a]
            if len(texts) < THRESHOLD:
                texts = []
            (shuffle or random.SystemRandom()).shuffle(texts)
            item["texts"] = texts
        items.append(item)
    return {"n": n, "items": items}


def means(summary_: dict) -> dict[str, float | None] | None:
    """The scale means of a :func:`summary`, or ``None`` while it is below the threshold."""
    if summary_["n"] < THRESHOLD:
        return None
    return {item["key"]: item["mean"] for item in summary_["items"] if item["kind"] == "scale"}
