"""The OpenAPI 3.1 description of the JSON API, served at ``GET /api/v1/openapi.json``.

It is written here by hand, from ``docs/protocol.md``, as a Python dict: every route under
``/api/v1`` with its path parameters, its request body (the fields, their types and their
limits, taken from the same constants the validation uses) and its answers. A test holds
it to the app's routes, both ways, and ``schemathesis`` sends generated requests from it to
a real server. It is public (no token needed) and holds no secret: no token, no address of
this server, nothing of any group.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint

from pblapp.domain import identifying, validation
from pblapp.domain.agenda import STEP_KEY_MAX, STEP_MINUTES_MAX, STEP_TITLE_MAX
from pblapp.domain.cases import CODE_MAX, OUTCOMES, PERSPECTIVES
from pblapp.domain.privacy import REPLACEMENT_MAX, RETENTION_DAYS_MAX, WITHDRAWAL_POLICIES
from pblapp.domain.validation import ID_MAX
from pblapp.domain.vocabulary import GROUP_KINDS, PHASES, QUESTION_TYPES
from pblapp.ops.agenda import NOTES_MAX
from pblapp.ops.decisions import WHO_MAX
from pblapp.ops.followups import FOLLOWUP_TEXT_MAX
from pblapp.ops.identities import PSEUDONYM_MAX
from pblapp.ops.minutes_versions import ADJUSTERS_MAX
from pblapp.ops.participation import STATUSES
from pblapp.ops.phases import NOTE_MAX
from pblapp.ops.screen import SCREEN_SWITCHES, STARTING_POINT_MAX

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

PREFIX = "/api/v1"
JSON = "application/json"
# What every error answer looks like (docs/protocol.md, Errors).
ERROR_STATUSES = {
    "400": "The request is wrong: a field, a body, a query parameter.",
    "401": "No API token, or not a valid one.",
    "403": "The caller may not do this (a researcher's change; not the group's owner).",
    "404": "No such group, meeting or object that the caller may see.",
    "405": "The path takes other methods (also for an id in the path larger than 2^63-1).",
    "409": "Not in this state (a closed meeting, a merged participant, …).",
    "413": "The body is larger than the server takes (6 MiB; an image over 5 MB).",
    "415": "An image that is not PNG, JPEG or WebP.",
    "507": "The server's disk is full: nothing was stored.",
}

MEDIA = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
    "svg": "image/svg+xml",
    "md": "text/markdown",
    "html": "text/html",
    "ics": "text/calendar",
}


# -- schema helpers --------------------------------------------------------------------------


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _text(max_length: int, min_length: int = 0, nullable: bool = False) -> dict:
    """A text field; its length is counted after trimming, so a minimum is a minimum of
    visible characters."""
    schema: dict[str, Any] = {"type": ["string", "null"] if nullable else "string"}
    schema["maxLength"] = max_length
    if min_length:
        schema["minLength"] = min_length
    return schema


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _int(minimum: int = 1, maximum: int = ID_MAX, nullable: bool = False) -> dict:
    return {
        "type": ["integer", "null"] if nullable else "integer",
        "minimum": minimum,
        "maximum": maximum,
    }


def _enum(values, nullable: bool = False) -> dict:
    values = list(values)
    return {"enum": [*values, None] if nullable else values}


def _bool() -> dict:
    return {"type": "boolean"}


def _object(
    properties: dict, required: tuple[str, ...] = (), *, closed: bool = True, **extra
) -> dict:
    """An object. A request body is ``closed``: the server refuses unknown fields."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    schema.update(extra)
    return schema


def _answer(fields: dict, required: tuple[str, ...] | None = None) -> dict:
    """An object the server answers: these fields (all of them, unless ``required``
    says which), and it may add more in a later version."""
    return _object(fields, tuple(fields) if required is None else required, closed=False)


def _list(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


TIME = {"type": "string", "format": "date-time"}
TIME_OR_NULL = {"type": ["string", "null"]}
ID = _int()
EMPTY_BODY = _object({}, maxProperties=0)

# -- request bodies ----------------------------------------------------------------------------

ORGANIZATION = _object(
    {
        "code": {
            "type": "string",
            "minLength": 1,
            "maxLength": validation.ORG_CODE_MAX,
            "pattern": "^[A-Za-z0-9ÅÄÖÆØåäöæø_-]+$",
        },
        "name": _text(validation.ORG_NAME_MAX, 1),
    },
    ("code", "name"),
)
GROUP_FIELDS = {
    "name": _text(validation.GROUP_NAME_MAX, 1),
    "organizations": _nullable(
        _list(ORGANIZATION, minItems=1, maxItems=validation.ORGANIZATIONS_MAX)
    ),
    "planned_meetings": _int(1, validation.PLANNED_MEETINGS_MAX, nullable=True),
    "consent_text": _text(validation.CONSENT_TEXT_MAX, nullable=True),
    "goals": _text(validation.GOALS_MAX, nullable=True),
    "language": _enum(("sv", "en"), nullable=True),
    "retention_days": _int(0, RETENTION_DAYS_MAX, nullable=True),
    "withdrawal_policy": _enum(WITHDRAWAL_POLICIES, nullable=True),
    "timezone": {"type": ["string", "null"], "maxLength": 64, "examples": ["Europe/Stockholm"]},
    "record_kind": _enum(validation.RECORD_KINDS, nullable=True),
    "minutes_names": {"type": ["boolean", "null"]},
}
NEW_GROUP = _object(
    {"kind": _enum(GROUP_KINDS), **GROUP_FIELDS},
    ("name", "kind"),
    examples=[{"name": "Basgrupp Motala", "kind": "pbl", "planned_meetings": 7}],
)
GROUP_CHANGES = _object(GROUP_FIELDS, minProperties=1)
DATE_TIME_TEXT = {
    "type": ["string", "null"],
    "maxLength": 64,
    "description": "ISO 8601; years 2000 to 2100; without an offset it is UTC; '' is none",
    "examples": ["2026-03-02T13:00:00+01:00"],
}
NEW_MEETING = _object(
    {
        "title": _text(validation.TITLE_MAX, nullable=True),
        "scheduled_at": DATE_TIME_TEXT,
        "agenda": _enum(("pbl-cycle", "seven-jump", "focus-group", "free", "group", ""), True),
    }
)
MEETING_CHANGES = _object(
    {
        "title": _text(validation.TITLE_MAX, nullable=True),
        "place": _text(validation.PLACE_MAX, nullable=True),
        "scheduled_at": DATE_TIME_TEXT,
        "next_meeting_at": DATE_TIME_TEXT,
        "secretary": _text(validation.PERSON_NAME_MAX, nullable=True),
        "adjusters": _nullable(_list(_text(validation.PERSON_NAME_MAX, 1), maxItems=ADJUSTERS_MAX)),
        "minutes_appendix": _bool(),
        "premoderation": _bool(),
    },
    minProperties=1,
)
QTYPE = _enum(QUESTION_TYPES, nullable=True)
CONTRIBUTION_CHANGES = _object(
    {
        "qtype": QTYPE,
        "hidden": _bool(),
        "carry_forward": _bool(),
        # The privacy guard and pre-moderation: approve or reject a waiting post (a reason
        # only with a rejection), mark the flags as checked.
        "approved": _bool(),
        "reason": _text(validation.MODERATION_REASON_MAX),
        "clear_flags": {"const": True},
    },
    minProperties=1,
    dependentSchemas={
        "reason": {"properties": {"approved": {"const": False}}, "required": ["approved"]}
    },
)
OWNER = {
    "anyOf": [
        {"type": "null"},
        _object({"pseudonym": _text(PSEUDONYM_MAX, 1)}, ("pseudonym",)),
        _object({"organization": _text(validation.ORG_CODE_MAX, 1)}, ("organization",)),
        _object({}, maxProperties=0),
    ]
}
STEP = _object(
    {
        "id": ID,
        "key": _text(STEP_KEY_MAX, nullable=True),
        "title": _text(STEP_TITLE_MAX, nullable=True),
        "planned_minutes": {"type": "number", "minimum": 0, "maximum": STEP_MINUTES_MAX},
    }
)
CODING = {
    "outcome": _enum((*OUTCOMES, ""), nullable=True),
    "organization": _text(validation.ORG_CODE_MAX, nullable=True),
    "problem": _text(CODE_MAX, nullable=True),
    "decisive_factor": _text(CODE_MAX, nullable=True),
    "perspective": _enum((*PERSPECTIVES, ""), nullable=True),
}
NEW_CASE = {
    "oneOf": [
        _object({"contribution_id": ID, **CODING}, ("contribution_id",)),
        _object(
            {"text": _text(validation.TEXT_MAX, 1), "meeting_id": ID, **CODING},
            ("text", "meeting_id"),
        ),
    ]
}
CASE_CHANGES = _object({"text": _text(validation.TEXT_MAX, 1), **CODING}, minProperties=1)
ATTENDANCE = {
    "oneOf": [
        _object(
            {
                "display_name": _text(validation.DISPLAY_NAME_MAX, 1),
                "organization": _text(validation.ORG_CODE_MAX, 1),
                "consent": _bool(),
            },
            ("display_name", "organization"),
        ),
        _object({"pseudonym": _text(PSEUDONYM_MAX, 1), "consent": _bool()}, ("pseudonym",)),
    ]
}

# -- answers -----------------------------------------------------------------------------------

COUNTS = _answer({key: {"type": "integer", "minimum": 0} for key in (*QUESTION_TYPES, "untagged")})
SCHEMAS: dict[str, dict] = {
    "Error": _object(
        {
            "error": _answer(
                {
                    "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                    "message": {"type": "string"},
                }
            )
        },
        ("error",),
    ),
    "Organization": _answer({"code": {"type": "string"}, "name": {"type": "string"}}),
    "Group": _answer(
        {
            "id": ID,
            "name": {"type": "string"},
            "kind": _enum(GROUP_KINDS),
            "organizations": _list(_ref("Organization")),
            "planned_meetings": _int(1, validation.PLANNED_MEETINGS_MAX, nullable=True),
            "consent_text": {"type": "string"},
            "goals": {"type": "string"},
            "language": _enum(("sv", "en")),
            "timezone": {"type": "string"},
            "record_kind": _enum(validation.RECORD_KINDS),
            "minutes_names": _bool(),
            "retention_days": _int(0, RETENTION_DAYS_MAX, nullable=True),
            "withdrawal_policy": _enum(WITHDRAWAL_POLICIES),
            "created_at": TIME,
        }
    ),
    "Meeting": _answer(
        {
            "id": ID,
            "group_id": ID,
            "number": ID,
            "title": {"type": "string"},
            "status": _enum(("planned", "live", "closed")),
            "join_code": {"type": "string"},
            "scheduled_at": TIME_OR_NULL,
            "join_url": {"type": "string"},
            "screen_url": {"type": "string"},
        },
        ("id", "group_id", "number", "status"),
    ),
    "GroupWithMeetings": {"allOf": [_ref("Group"), _answer({"meetings": _list(_ref("Meeting"))})]},
    "MeetingState": _answer(
        {
            "id": ID,
            "group_id": ID,
            "number": ID,
            "status": _enum(("planned", "live", "closed")),
            "participants": {"type": "integer", "minimum": 0},
            "counts": COUNTS,
            "last_seq": {"type": "integer", "minimum": 0},
            "premoderation": _bool(),
        }
    ),
    "Contribution": _answer(
        {
            "id": ID,
            "seq": ID,
            "meeting_id": ID,
            "client_id": {"type": "string"},
            "pseudonym": {"type": "string"},
            "display_name": {"type": "string"},
            "organization": {"type": "string"},
            "qtype": QTYPE,
            "text": {"type": "string"},
            "created_at": TIME,
            "hidden": _bool(),
            "carry_forward": _bool(),
            "agenda_step_id": _int(nullable=True),
            "merged_into_id": _int(nullable=True),
            "flags": _list(_enum(identifying.KINDS)),
            "flags_cleared": _bool(),
            "status": _enum(STATUSES),
            # A facilitator's only: where the guard found something, why a post was rejected.
            "flag_spans": _list({"type": "array"}),
            "moderation_reason": {"type": "string"},
        },
        (
            "id",
            "seq",
            "meeting_id",
            "client_id",
            "pseudonym",
            "display_name",
            "organization",
            "qtype",
            "text",
            "created_at",
            "hidden",
            "carry_forward",
            "agenda_step_id",
            "merged_into_id",
            "flags",
            "flags_cleared",
            "status",
        ),
    ),
    "AgendaState": _answer(
        {
            "meeting_id": ID,
            "current_step_id": _int(nullable=True),
            "running": _bool(),
            "steps": _list(_answer({"id": ID, "position": ID}, ("id",))),
        }
    ),
    "GroupAgenda": _answer({"group_id": ID, "steps": _list({"type": "object"})}),
    "Followups": _answer(
        {
            "meeting_id": ID,
            "questions": _list(_answer({"id": ID, "text": {"type": "string"}})),
            "decisions": _list(_answer({"id": ID, "text": {"type": "string"}})),
            "action_items": _list(_answer({"id": ID, "what": {"type": "string"}})),
        }
    ),
    "ScreenState": _answer(
        {
            "meeting_id": ID,
            "pinned_contribution_id": _int(nullable=True),
            "author_display": _enum(("name", "pseudonym", "none")),
            **{switch: _bool() for switch in ("hide_contributions", "show_goals")},
        }
    ),
    "ScreenLink": _answer({"screen_link": {"type": ["string", "null"]}}),
    "SelfEvaluationOpened": _answer(
        {"status": {"const": "open"}, "items": _list(_answer({"key": {"type": "string"}}))}
    ),
    "SelfEvaluation": _answer(
        {
            "meeting_id": ID,
            "status": _enum(("not_open", "open", "closed")),
            "n": {"type": "integer", "minimum": 0},
            "items": _list(_answer({"key": {"type": "string"}}, ("key",))),
        }
    ),
    "Phase": _answer(
        {
            "meeting_id": ID,
            "suggested": _enum(PHASES, nullable=True),
            "decided": _enum(PHASES, nullable=True),
            "evidence": _list({"type": "string"}),
        },
        ("meeting_id", "suggested", "decided"),
    ),
    "Case": _answer(
        {
            "id": ID,
            "group_id": ID,
            "meeting_id": ID,
            "source": _enum(("contribution", "typed")),
            "text": {"type": "string"},
        }
    ),
    "Grant": _answer({"username": {"type": "string"}, "granted_at": TIME}),
    "AuditEntry": _answer(
        {
            "at": TIME,
            "user": {"type": "string"},
            "action": _enum(("download", "grant", "revoke")),
            "path": {"type": "string"},
        }
    ),
    "Participant": _answer(
        {
            "pseudonym": {"type": "string"},
            "display_name": {"type": "string"},
            "organization": {"type": "string"},
        },
        ("pseudonym",),
    ),
    "Withdrawal": _answer(
        {"pseudonym": {"type": "string"}, "withdrawn_at": TIME_OR_NULL}, ("pseudonym",)
    ),
    "Removed": _answer(
        {"removed": _list(_answer({"pseudonym": {"type": "string"}, "removed_at": TIME}))}
    ),
    "ConsentText": _answer({"hash": {"type": "string"}, "text": {"type": "string"}}),
    "Consent": _answer({"pseudonym": {"type": "string"}}),
    "Approval": _answer({"version": ID, "approved_at": TIME}),
    "MinutesVersion": _answer(
        {"version": ID, "approved_at": TIME_OR_NULL, "note": {"type": ["string", "null"]}}
    ),
}


# -- operations --------------------------------------------------------------------------------

PATH_PARAMETERS = {
    "group_id": ID,
    "meeting_id": ID,
    "contribution_id": ID,
    "case_id": ID,
    "question_id": ID,
    "item_id": ID,
    "step_id": ID,
    "pseudonym": {"type": "string", "minLength": 1, "maxLength": 40, "examples": ["P01"]},
    "username": {"type": "string", "minLength": 1, "maxLength": 80},
}
LANG = {"name": "lang", "in": "query", "schema": _enum(("sv", "en"))}
VERSION = {"name": "version", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]+$"}}


def _op(
    summary: str,
    tag: str,
    *,
    ok: str = "200",
    answer: dict | None = None,
    media: str = JSON,
    body: dict | None = None,
    body_optional: bool = False,
    query: tuple[dict, ...] = (),
) -> dict:
    """One operation: its answer on success (``answer`` in ``media``; none for 204), its
    body, and the errors every route may give."""
    responses: dict[str, Any] = {}
    if ok == "204":
        responses[ok] = {"description": "Done; no body."}
    else:
        schema = answer if answer is not None else {}
        responses[ok] = {"description": "Done.", "content": {media: {"schema": schema}}}
    for status in ERROR_STATUSES:
        responses[status] = {"$ref": f"#/components/responses/Error{status}"}
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if body is not None:
        operation["requestBody"] = {
            "required": not body_optional,
            "content": {JSON: {"schema": body}},
        }
    if query:
        operation["parameters"] = list(query)
    return operation


def _empty(summary: str, tag: str, **kwargs) -> dict:
    """A change that takes no body, or ``{}``."""
    return _op(summary, tag, body=EMPTY_BODY, body_optional=True, **kwargs)


def _download(summary: str, kind: str, tag: str = "research files", **kwargs) -> dict:
    return _op(summary, tag, answer={"type": "string"}, media=MEDIA[kind], **kwargs)


def _many(name: str) -> dict:
    return _list(_ref(name))


G, M = "/groups/{group_id}", "/meetings/{meeting_id}"
IMAGE = {"type": "string", "contentMediaType": "image/*"}

PATHS: dict[str, dict[str, dict]] = {
    "/openapi.json": {
        "get": {
            **_op("This description", "meta", answer={"type": "object"}),
            "security": [],
        }
    },
    "/groups": {
        "get": _op("The caller's groups: owned or granted", "groups", answer=_many("Group")),
        "post": _op("Make a group", "groups", ok="201", answer=_ref("Group"), body=NEW_GROUP),
    },
    G: {
        "get": _op("A group and its meetings", "groups", answer=_ref("GroupWithMeetings")),
        "patch": _op("Change a group", "groups", answer=_ref("Group"), body=GROUP_CHANGES),
    },
    f"{G}/meetings": {
        "post": _op(
            "Make the group's next meeting",
            "meetings",
            ok="201",
            answer=_ref("Meeting"),
            body=NEW_MEETING,
            body_optional=True,
        )
    },
    f"{G}/log.csv": {"get": _download("The group's contributions", "csv")},
    f"{G}/log.jsonl": {"get": _download("The group's event log", "jsonl")},
    f"{G}/log.xlsx": {"get": _download("The group's contributions as a workbook", "xlsx")},
    f"{G}/meetings.csv": {"get": _download("One row per meeting", "csv", "development")},
    f"{G}/timeline.svg": {"get": _download("The group's timeline", "svg", "development")},
    f"{G}/participants.csv": {"get": _download("Pseudonyms and attendance", "csv")},
    f"{G}/codebook.csv": {"get": _download("The question types", "csv")},
    f"{G}/content-analysis.csv": {
        "get": _download("The content-analysis sheet", "csv", query=(LANG,))
    },
    f"{G}/content-analysis.xlsx": {
        "get": _download("The content-analysis sheet", "xlsx", query=(LANG,))
    },
    f"{G}/cases.csv": {"get": _download("The case stories", "csv")},
    f"{G}/cases-summary.csv": {"get": _download("Case stories counted", "csv")},
    f"{G}/export.qdpx": {"get": _download("The REFI-QDA project", "zip")},
    f"{G}/archive.zip": {"get": _download("Every research file of the group", "zip")},
    f"{G}/consent-texts": {
        "get": _op("Consent texts consented to", "privacy", answer=_many("ConsentText"))
    },
    f"{G}/consents": {"get": _op("Each attendance's consent", "privacy", answer=_many("Consent"))},
    f"{G}/cases": {
        "get": _op("The case stories", "case stories", answer=_many("Case")),
        "post": _op(
            "Mark or type a case story",
            "case stories",
            ok="201",
            answer=_ref("Case"),
            body=NEW_CASE,
        ),
    },
    f"{G}/cases/{{case_id}}": {
        "patch": _op("Code a case story", "case stories", answer=_ref("Case"), body=CASE_CHANGES),
        "delete": _op("Remove a case story", "case stories", ok="204"),
    },
    f"{G}/grants": {
        "get": _op(
            "Researchers the group is granted to (owner)", "research", answer=_many("Grant")
        ),
        "post": _op(
            "Grant the group to a researcher (owner)",
            "research",
            ok="201",
            answer=_ref("Grant"),
            body=_object({"username": _text(80, 1)}, ("username",)),
        ),
    },
    f"{G}/grants/{{username}}": {
        "delete": _op("Revoke a researcher's access (owner)", "research", ok="204")
    },
    f"{G}/audit": {
        "get": _op("Downloads and grant changes (owner)", "research", answer=_many("AuditEntry"))
    },
    f"{G}/participants": {
        "get": _op(
            "The key of names and pseudonyms (owner)", "research", answer=_many("Participant")
        )
    },
    f"{G}/participants/{{pseudonym}}": {
        "patch": _op(
            "Correct a participant's organisation (owner)",
            "research",
            answer=_ref("Participant"),
            body=_object({"organization": _text(validation.ORG_CODE_MAX, 1)}, ("organization",)),
        )
    },
    f"{G}/participants/{{pseudonym}}/merge": {
        "post": _op(
            "Merge two pseudonyms of one person (owner)",
            "research",
            answer=_ref("Participant"),
            body=_object({"into": _text(PSEUDONYM_MAX, 1)}, ("into",)),
        )
    },
    f"{G}/participants/{{pseudonym}}/withdraw": {
        "post": _empty(
            "Record a withdrawal made in person (owner)", "privacy", answer=_ref("Withdrawal")
        )
    },
    f"{G}/participants/{{pseudonym}}/erase": {
        "post": _empty("Erase one participant's data (owner)", "privacy", answer=_ref("Withdrawal"))
    },
    M: {
        "get": _op("A meeting's state", "meetings", answer=_ref("MeetingState")),
        "patch": _op(
            "Change a meeting's details", "meetings", answer=_ref("Meeting"), body=MEETING_CHANGES
        ),
    },
    f"{M}/start": {"post": _empty("Start the meeting", "meetings", answer=_ref("Meeting"))},
    f"{M}/close": {"post": _empty("Close the meeting", "meetings", answer=_ref("Meeting"))},
    f"{M}/contributions": {
        "get": _op(
            "The meeting's contributions, in seq order",
            "contributions",
            answer=_many("Contribution"),
        )
    },
    f"{M}/contributions/{{contribution_id}}": {
        "patch": _op(
            "Re-tag, hide or carry forward",
            "contributions",
            answer=_ref("Contribution"),
            body=CONTRIBUTION_CHANGES,
        )
    },
    f"{M}/contributions/{{contribution_id}}/merge": {
        "post": _op(
            "Mark as a duplicate of another (or undo)",
            "contributions",
            answer=_ref("Contribution"),
            body=_object({"into": _int(nullable=True)}, ("into",)),
        )
    },
    f"{M}/contributions/{{contribution_id}}/redact": {
        "post": _op(
            "Replace a contribution's text everywhere (owner)",
            "privacy",
            answer=_ref("Contribution"),
            body=_object(
                {"replacement": _text(REPLACEMENT_MAX, 1, nullable=True), "only_flagged": _bool()}
            ),
            body_optional=True,
        )
    },
    f"{M}/agenda": {
        "get": _op("The agenda", "agenda", answer=_ref("AgendaState")),
        "post": _op(
            "Start, pause, next, go to a step",
            "agenda",
            answer=_ref("AgendaState"),
            body=_object(
                {"action": _enum(("start", "pause", "next", "goto")), "step_id": ID}, ("action",)
            ),
        ),
        "put": _op(
            "Edit the steps",
            "agenda",
            answer=_ref("AgendaState"),
            body=_object({"steps": _list(STEP, maxItems=30)}, ("steps",)),
        ),
    },
    f"{M}/agenda/{{step_id}}/notes": {
        "put": _op(
            "Notes under an agenda item",
            "agenda",
            answer=_ref("AgendaState"),
            body=_object({"notes": _text(NOTES_MAX)}, ("notes",)),
        )
    },
    f"{M}/agenda/save-for-group": {
        "post": _empty("Keep this agenda as the group's own", "agenda", answer=_ref("GroupAgenda"))
    },
    f"{M}/followups": {
        "get": _op("Questions, decisions, action items", "follow-ups", answer=_ref("Followups"))
    },
    f"{M}/questions": {
        "post": _op(
            "A question for next time",
            "follow-ups",
            ok="201",
            answer=_ref("Followups"),
            body=_object({"text": _text(FOLLOWUP_TEXT_MAX, 1), "owner": OWNER}, ("text",)),
        )
    },
    f"{M}/questions/{{question_id}}": {
        "patch": _op(
            "Change a question",
            "follow-ups",
            answer=_ref("Followups"),
            body=_object(
                {
                    "status": _enum(("open", "answered", "deferred")),
                    "text": _text(FOLLOWUP_TEXT_MAX, 1),
                    "owner": OWNER,
                }
            ),
        )
    },
    f"{M}/decisions": {
        "post": _op(
            "Record a decision",
            "follow-ups",
            ok="201",
            answer=_ref("Followups"),
            body=_object({"text": _text(FOLLOWUP_TEXT_MAX, 1)}, ("text",)),
        )
    },
    f"{M}/action-items": {
        "post": _op(
            "Record an action item",
            "follow-ups",
            ok="201",
            answer=_ref("Followups"),
            body=_object(
                {
                    "what": _text(FOLLOWUP_TEXT_MAX, 1),
                    "who": _text(WHO_MAX, 1),
                    "due": {
                        "type": ["string", "null"],
                        "maxLength": 32,
                        "examples": ["2026-03-16"],
                    },
                },
                ("what", "who"),
            ),
        )
    },
    f"{M}/action-items/{{item_id}}": {
        "patch": _op(
            "Mark an action item done or open",
            "follow-ups",
            answer=_ref("Followups"),
            body=_object({"status": _enum(("open", "done"))}, ("status",)),
        )
    },
    f"{M}/screen": {
        "get": _op("What the projector screen shows", "screen", answer=_ref("ScreenState")),
        "post": _op(
            "Change what the screen shows",
            "screen",
            answer=_ref("ScreenState"),
            body=_object(
                {
                    "pin": _int(nullable=True),
                    "author_display": _enum(("name", "pseudonym", "none")),
                    **{switch: _bool() for switch in sorted(SCREEN_SWITCHES)},
                },
                minProperties=1,
            ),
        ),
    },
    f"{M}/screen-link": {
        "get": _op("The screen link (facilitator)", "screen", answer=_ref("ScreenLink")),
        "post": _empty("Make or renew the screen link", "screen", answer=_ref("ScreenLink")),
        "delete": {**_empty("Revoke the screen link", "screen", ok="204")},
    },
    f"{M}/starting-point": {
        "put": _op(
            "The starting point's text (Markdown)",
            "screen",
            answer=_ref("ScreenState"),
            body=_object({"text": _text(STARTING_POINT_MAX)}, ("text",)),
        )
    },
    f"{M}/starting-point/image": {
        "get": _op("The starting point's image", "screen", answer=IMAGE, media="image/*"),
        "put": {
            **_op("Set the starting point's image", "screen", answer=_ref("ScreenState")),
            "requestBody": {
                "required": True,
                "content": {
                    "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}},
                    "image/jpeg": {"schema": {"type": "string", "contentMediaType": "image/jpeg"}},
                    "image/webp": {"schema": {"type": "string", "contentMediaType": "image/webp"}},
                    "multipart/form-data": {
                        "schema": _object({"image": IMAGE}, ("image",)),
                    },
                },
            },
        },
        "delete": _op("Remove the starting point's image", "screen", answer=_ref("ScreenState")),
    },
    f"{M}/attendance": {
        "post": _op(
            "Record someone present without a phone (owner)",
            "research",
            ok="201",
            answer=_ref("Participant"),
            body=ATTENDANCE,
        )
    },
    f"{M}/participants/{{pseudonym}}/removal": {
        "post": _empty(
            "Remove a participant from the meeting", "participants", answer=_ref("Removed")
        ),
        "delete": _empty(
            "Let a removed participant back in", "participants", answer=_ref("Removed")
        ),
    },
    f"{M}/self-evaluation": {
        "get": _op("The self-evaluation's state", "development", answer=_ref("SelfEvaluation")),
        "post": _empty(
            "Open the self-evaluation", "development", answer=_ref("SelfEvaluationOpened")
        ),
    },
    f"{M}/phase": {
        "get": _op("The suggested and decided phase", "development", answer=_ref("Phase")),
        "post": _op(
            "Decide the group's phase",
            "development",
            answer=_ref("Phase"),
            body=_object(
                {"phase": _enum(PHASES), "note": _text(NOTE_MAX, nullable=True)}, ("phase",)
            ),
        ),
    },
    **{
        f"{M}/minutes.{fmt}": {
            "get": _download("The minutes", fmt, "minutes", query=(LANG, VERSION))
        }
        for fmt in ("md", "html", "docx")
    },
    f"{M}/minutes/approve": {
        "post": _op(
            "Approve the minutes of a closed meeting (owner)",
            "minutes",
            answer=_ref("Approval"),
            body=_object(
                {
                    "adjusters": _list(
                        _text(validation.PERSON_NAME_MAX, 1), minItems=1, maxItems=ADJUSTERS_MAX
                    )
                },
                ("adjusters",),
            ),
        )
    },
    f"{M}/minutes/versions": {
        "get": _op("The approved versions", "minutes", answer=_many("MinutesVersion"))
    },
    **{
        f"{M}/notice.{fmt}": {"get": _download("The notice", fmt, "minutes", query=(LANG,))}
        for fmt in ("html", "docx", "ics")
    },
    f"{M}/log.csv": {"get": _download("The meeting's contributions", "csv")},
    f"{M}/log.jsonl": {"get": _download("The meeting's event log", "jsonl")},
    f"{M}/log.xlsx": {"get": _download("The meeting's contributions as a workbook", "xlsx")},
    f"{M}/participants.csv": {"get": _download("Pseudonyms and attendance", "csv")},
}


def _with_path_parameters(path: str, item: dict) -> dict:
    """The path's ``{name}`` parameters, declared once for all its operations."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    if not names:
        return item
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]}
        for name in names
    ]
    return {"parameters": parameters, **item}


@functools.cache
def document() -> dict:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pblapp JSON API",
            "version": "1",
            "description": (
                "The JSON API of a pblapp server: groups, meetings, their record and the "
                "research files. Every route but this description takes "
                "'Authorization: Bearer <API token>'. Errors answer "
                '{"error": {"code", "message"}}; unknown fields in a body are refused. '
                "docs/protocol.md describes each route in words; joining a meeting and the "
                "live Socket.IO protocol are there too (they are not JSON API routes)."
            ),
        },
        "servers": [{"url": PREFIX}],
        "security": [{"apiToken": []}],
        "paths": {path: _with_path_parameters(path, item) for path, item in PATHS.items()},
        "components": {
            "schemas": SCHEMAS,
            "responses": {
                f"Error{status}": {
                    "description": text,
                    "content": {JSON: {"schema": _ref("Error")}},
                }
                for status, text in ERROR_STATUSES.items()
            },
            "securitySchemes": {
                "apiToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A user's API token (run.py create-user, or the account page).",
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    """The description, for anyone: it tells how to call the API, nothing about its data."""
    return document()
