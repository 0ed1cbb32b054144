"""The group's development over the JSON API: the self-evaluation, the phase of each
meeting, ``meetings.csv`` and the timeline (``/api/v1``, as in INTERFACE.md v2)."""

from __future__ import annotations

from flask import Blueprint, Response, g
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException

from pblapp import ops
from pblapp.domain import exports, timeline, validation
from pblapp.domain.clock import local_time
from pblapp.domain.errors import DomainError
from pblapp.i18n import (
    PHASE_LABELS,
    QUESTION_TYPE_LABELS,
    evidence_in_words,
    evidence_texts,
    self_evaluation_items,
)
from pblapp.web import api, db
from pblapp.web.api import api_user, json_body, visible_meeting
from pblapp.web.auth import csrf
from pblapp.web.research import record_download

bp = Blueprint("development", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
# The API's one error format, as in ``web.api``.
bp.register_error_handler(DomainError, api.domain_error)
bp.register_error_handler(HTTPException, api.http_error)


def phase_answer(phase: dict, language: str) -> dict:
    """The phase object with its evidence in words, in ``language`` (the group's)."""
    with force_locale(language):
        return {**phase, "evidence": evidence_in_words(phase["evidence"])}


def group_language(group_id: int) -> str:
    return ops.lookup.group_row(db(), group_id)["language"]


@bp.post("/meetings/<int:meeting_id>/self-evaluation")
@api_user
def open_self_evaluation(meeting_id: int):
    validation.require_object(json_body(optional=True), allowed=set())
    state = ops.selfeval.open_(db(), g.user["id"], meeting_id)
    return {"status": state["status"], "items": self_evaluation_items()}


@bp.get("/meetings/<int:meeting_id>/self-evaluation")
@api_user
def get_self_evaluation(meeting_id: int):
    visible_meeting(meeting_id)
    return ops.selfeval.state(db(), meeting_id)


@bp.get("/meetings/<int:meeting_id>/phase")
@api_user
def get_phase(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    return phase_answer(ops.phases.read(db(), meeting_id), group_language(meeting["group_id"]))


@bp.post("/meetings/<int:meeting_id>/phase")
@api_user
def decide_phase(meeting_id: int):
    phase = ops.phases.decide(db(), g.user["id"], meeting_id, json_body())
    meeting = visible_meeting(meeting_id)
    return phase_answer(phase, group_language(meeting["group_id"]))


def _series_rows(group_id: int) -> list[dict]:
    """One row per meeting for the timeline and meetings.csv, dates in local time."""
    zone = ops.groups.timezone(db(), group_id)
    rows = []
    for item in ops.phases.series(db(), group_id):
        meeting, phase = item["meeting"], item["phase"]
        moment = meeting["started_at"] or meeting["scheduled_at"]
        rows.append(
            {
                "number": meeting["number"],
                "date": local_time(moment, zone)[0],
                "status": meeting["status"],
                "suggested": phase["suggested"] if phase else None,
                "decided": phase["decided"] if phase else None,
                "indicators": phase["indicators"] if phase else {},
            }
        )
    return rows


@bp.get("/groups/<int:group_id>/meetings.csv")
@api_user
def meetings_csv(group_id: int):
    ops.lookup.group(db(), g.user["id"], group_id)
    record_download(group_id)
    body = exports.meetings_csv(_series_rows(group_id))
    response = Response(body, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="group-{group_id}-meetings.csv"'
    return response


@bp.get("/groups/<int:group_id>/timeline.svg")
@api_user
def timeline_svg(group_id: int):
    group = ops.lookup.group(db(), g.user["id"], group_id)
    with force_locale(group["language"]):
        meetings, labels = timeline_data(group, _series_rows(group_id))
        body = timeline.render_svg(meetings, labels)
    response = Response(body, content_type="image/svg+xml; charset=utf-8")
    # Opened on its own, the file is a document: nothing in it may run.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "no-store"
    return response


def timeline_data(group: dict, rows: list[dict]) -> tuple[list[dict], dict]:
    """The timeline's meetings (the planned ones too) and labels, in the current language."""
    from flask_babel import gettext

    meetings = [
        {
            "number": row["number"],
            "date": row["date"],
            "decided": row["decided"],
            "suggested": row["suggested"],
            "mix": exports.mix_of(row["indicators"]),
            "gini": row["indicators"].get("participation_gini"),
            "planned": row["status"] == "planned",
        }
        for row in rows
    ]
    for number in range(len(meetings) + 1, (group["planned_meetings"] or 0) + 1):
        meetings.append(
            {
                "number": number,
                "date": "",
                "decided": None,
                "suggested": None,
                "mix": None,
                "gini": None,
                "planned": True,
            }
        )
    labels = {
        "title": gettext("The group's development: %(name)s", name=group["name"]),
        "desc": gettext(
            "For each meeting: the group's phase (decided, or suggested by the app), the mix "
            "of question types, and how evenly the participants took part."
        ),
        "meeting": gettext("Meeting"),
        "phase": gettext("Phase"),
        "suggested": gettext("suggested"),
        "mix": gettext("Question types"),
        "balance": gettext("Participation balance"),
        "phases": {key: str(label) for key, label in PHASE_LABELS.items()},
        "qtypes": {key: str(label) for key, label in QUESTION_TYPE_LABELS.items()},
        "decimal_mark": evidence_texts()["decimal_mark"],
    }
    return meetings, labels
