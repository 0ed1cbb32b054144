"""Case stories (fallberättelser): the coding scheme the source studies used, and the checks
for a new story and for a change to one.

A story is marked on a contribution, or typed after the meeting with the meeting it belongs
to. It is coded by its outcome, the narrator's organisation, the basic problem, the decisive
factor and the perspective it is told from. Every coding field may stay empty until coded.
"""

from __future__ import annotations

from typing import Any

from pblapp.domain.errors import DomainError
from pblapp.domain.validation import TEXT_MAX, record_id, require_object, text_field

OUTCOMES: tuple[str, ...] = ("successful", "failed", "mixed", "unclear")
PERSPECTIVES: tuple[str, ...] = ("client", "professional")
# The coding fields, in the order the exports show them.
CODING_FIELDS: tuple[str, ...] = (
    "outcome",
    "organization",
    "problem",
    "decisive_factor",
    "perspective",
)
CODE_MAX = 500


def _choice(value: Any, field: str, choices: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in choices:
        raise DomainError(f"invalid_{field}", f"{field} must be one of {', '.join(choices)}.")
    return value


def _coding(payload: dict, organization_codes: list[str]) -> dict:
    """The coding fields present in ``payload``, checked; an empty string counts as none."""
    coded: dict[str, str | None] = {}
    if "outcome" in payload:
        coded["outcome"] = _choice(payload["outcome"], "outcome", OUTCOMES)
    if "perspective" in payload:
        coded["perspective"] = _choice(payload["perspective"], "perspective", PERSPECTIVES)
    if "organization" in payload:
        coded["organization"] = _choice(
            payload["organization"], "organization", tuple(organization_codes)
        )
    for field in ("problem", "decisive_factor"):
        if field in payload:
            value = payload[field]
            coded[field] = (
                None if value is None else text_field(value, field, max_len=CODE_MAX) or None
            )
    return coded


def new_case(payload: Any, *, organization_codes: list[str]) -> dict:
    """``{"contribution_id"}`` or ``{"text", "meeting_id"}``, with any coding fields."""
    require_object(payload, allowed={"contribution_id", "text", "meeting_id", *CODING_FIELDS})
    if "contribution_id" in payload and ("text" in payload or "meeting_id" in payload):
        raise DomainError(
            "contribution_or_text",
            "Mark a contribution (contribution_id) or type a story (text, meeting_id), not both.",
        )
    data: dict[str, Any] = {"contribution_id": None, "text": None, "meeting_id": None}
    if "contribution_id" in payload:
        data["contribution_id"] = record_id(payload["contribution_id"], "contribution_id")
    elif "text" in payload:
        if "meeting_id" not in payload:
            raise DomainError("missing_field", "Missing field: meeting_id.")
        data["text"] = text_field(payload["text"], "text", max_len=TEXT_MAX, min_len=1)
        data["meeting_id"] = record_id(payload["meeting_id"], "meeting_id")
    else:
        raise DomainError("missing_field", "Missing field: contribution_id (or text).")
    return {**data, **_coding(payload, organization_codes)}


def case_update(payload: Any, *, organization_codes: list[str]) -> dict:
    """A change to a story's coding, or to a typed story's text: only the fields given."""
    require_object(payload, allowed={"text", *CODING_FIELDS})
    if not payload:
        raise DomainError("nothing_to_change", "Send at least one field to change.")
    data = _coding(payload, organization_codes)
    if "text" in payload:
        data["text"] = text_field(payload["text"], "text", max_len=TEXT_MAX, min_len=1)
    return data
