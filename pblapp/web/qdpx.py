"""The REFI-QDA project of a group: ``GET /api/v1/groups/<gid>/export.qdpx``.

The project is put together in ``pblapp.domain.qdpx`` from what ``ops.records.qdpx_facts``
reads, each meeting's phase (``ops.phases.series``) and its minutes in Markdown, with the
names in the group's language. ``qdpx_bytes`` is the same file for the group's
``archive.zip``.
"""

from __future__ import annotations

from flask import Blueprint, Response, g
from flask_babel import force_locale, gettext
from werkzeug.exceptions import HTTPException

from pblapp.domain import qdpx
from pblapp.domain.clock import local_time
from pblapp.domain.errors import DomainError
from pblapp.domain.vocabulary import PHASES, QUESTION_TYPES
from pblapp.effects import minutes
from pblapp.i18n import (
    PHASE_LABELS,
    QUESTION_TYPE_DEFINITIONS,
    QUESTION_TYPE_LABELS,
    minutes_labels,
)
from pblapp.ops import groups, lookup, phases, records
from pblapp.web import db, off_loop, research
from pblapp.web.api import api_user, domain_error, http_error

bp = Blueprint("qdpx", __name__)
# Refusals in the API's one error format, as under /api/v1 everywhere.
bp.register_error_handler(DomainError, domain_error)
bp.register_error_handler(HTTPException, http_error)

MIMETYPE = "application/zip"


@bp.get("/api/v1/groups/<int:group_id>/export.qdpx")
@api_user
def export_qdpx(group_id: int):
    lookup.group(db(), g.user["id"], group_id)
    body = off_loop(qdpx_bytes, group_id)
    # Written before the file is sent: no download goes unrecorded.
    research.record_download(group_id)
    response = Response(body, content_type=MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="group-{group_id}.qdpx"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def qdpx_bytes(group_id: int) -> bytes:
    """The ``.qdpx`` of a group, for whoever the caller has found may have it (this checks
    no access and records no download)."""
    database = db()
    facts = records.qdpx_facts(database, group_id)
    language = facts["group"]["language"]
    zone = groups.timezone(database, group_id)
    by_meeting = {
        item["meeting"]["id"]: item["phase"] for item in phases.series(database, group_id)
    }
    meetings = []
    for meeting in facts["meetings"]:
        # The research copy: pseudonyms only, whatever the group's minutes_names says,
        # and nothing a withdrawn participant wrote, even where the group's own minutes
        # keep it.
        markdown = minutes.minutes_file(
            database,
            meeting["id"],
            "md",
            zone,
            None,
            for_research=True,
            leave_out=set(facts["withdrawn_pseudonyms"]),
        )
        day = meeting["started_at"] or meeting["scheduled_at"] or meeting["created_at"]
        meetings.append(
            {
                **meeting,
                "date": local_time(day, zone)[0],
                "phase": _phase(by_meeting.get(meeting["id"])),
                "minutes": markdown,
            }
        )
    project = {**facts, "meetings": meetings}
    with force_locale(language):
        labels = _labels()
        # Each meeting's note is named as its record is titled: notes or minutes.
        labels["minutes"] = minutes_labels()["record_titles"][facts["group"]["record_kind"]]
    return qdpx.qdpx(project, labels)


def _phase(phase: dict | None) -> dict | None:
    """The decided phase, else the suggestion marked as one; ``None`` without either."""
    if phase and phase.get("decided"):
        return {"key": phase["decided"], "decided": True}
    if phase and phase.get("suggested"):
        return {"key": phase["suggested"], "decided": False}
    return None


def _labels() -> dict:
    """The project's names and descriptions in the current language."""
    return {
        "question_types": gettext("Question types"),
        "question_types_description": gettext(
            "The question type of each post, as its author or the facilitator tagged it. "
            "Untagged posts are selections without a code."
        ),
        "qtypes": {key: str(QUESTION_TYPE_LABELS[key]) for key in QUESTION_TYPES},
        "qtype_descriptions": {key: str(QUESTION_TYPE_DEFINITIONS[key]) for key in QUESTION_TYPES},
        "phases": {key: str(PHASE_LABELS[key]) for key in PHASES},
        "decided": gettext("decided by the facilitator"),
        "suggested": gettext("suggested by the app, not yet confirmed"),
        "organization": gettext("Organization"),
        "meeting_number": gettext("Meeting number"),
        "meeting_date": gettext("Meeting date"),
        "phase": gettext("Phase"),
        "phase_status": gettext("Phase status"),
        "meeting": gettext("Meeting %(n)s"),
        "description": gettext(
            "Exported from pblapp. One text source per meeting, one line per post: "
            "pseudonym, organisation, text. Each post is a selection coded with its "
            "question type; each pseudonym is a case; the minutes of each meeting are a note."
        ),
    }
