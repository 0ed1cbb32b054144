"""The notice (kallelse) of a meeting, under ``/api/v1`` like the minutes' files:
``GET /meetings/<mid>/notice.html``, ``.docx`` and ``.ics``.

The caller is the minutes' (an API token, or a logged-in browser); each download is
recorded in the audit log; the language is the group's unless ``?lang=`` asks for another.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_babel import force_locale, gettext

from pblapp import ops
from pblapp.domain import access
from pblapp.domain import notice as notice_domain
from pblapp.domain.errors import Conflict, DomainError
from pblapp.effects import minutes
from pblapp.i18n import LANGUAGES, minutes_labels
from pblapp.web import db
from pblapp.web.api import api_user
from pblapp.web.auth import api_error, csrf
from pblapp.web.research import record_download

bp = Blueprint("notice", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ics": "text/calendar; charset=utf-8",
}


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return api_error(exc.code, exc.message, exc.status)


def notice_labels() -> dict:
    """What the notice says besides what people typed, in the current language."""
    return {
        **minutes_labels(),
        "notice": gettext("Notice of meeting"),
        "date_not_set": gettext("Not set yet"),
        "clock": gettext("Clock"),
        "agenda_item": gettext("Agenda item"),
        "planned_time": gettext("Planned time"),
        "n_minutes": gettext("{n} min"),
        "from": gettext("From"),
        "open_action_items": gettext("Open action items"),
        "questions_to_prepare": gettext("Questions to prepare"),
    }


def _notice(meeting: dict, group: dict) -> dict:
    """The notice's data, read as the minutes read the record, in the current language."""
    database = db()
    zone = group.get("timezone") or current_app.config["TIMEZONE"]
    facts = ops.records.meeting_facts(database, meeting["id"])
    hidden = set(facts["withdrawn_posts"])
    # A paper for the group: a flagged post's words masked where a question quotes it.
    follow = ops.followups.read(database, meeting["id"], masked=True)
    if access.audience_of(g.user["role"]) == access.RESEARCH:
        hidden |= ops.records.withdrawn_scope(database, meeting["group_id"])["contributions"]
    else:
        # The group's own paper: names for pseudonyms if the group chose names in its minutes.
        follow = minutes.followups_with_names(database, meeting["group_id"], follow)
    meetings = ops.meetings.in_group(database, g.user["id"], meeting["group_id"])
    return notice_domain.assemble(
        facts,
        ops.agenda.state(database, meeting["id"])["steps"],
        follow,
        notice_domain.starts_at(meeting, meetings),
        zone,
        hidden,
        gettext("[withdrawn]"),
    )


@bp.get("/meetings/<int:meeting_id>/notice.<any(html, docx, ics):fmt>")
@api_user
def notice_file(meeting_id: int, fmt: str):
    meeting = ops.lookup.meeting(db(), g.user["id"], meeting_id)
    group = ops.lookup.group(db(), g.user["id"], meeting["group_id"])
    asked = request.args.get("lang")
    language = asked if asked in LANGUAGES else group["language"]
    with force_locale(language):
        notice = {**_notice(meeting, group), "language": language}
        if fmt == "ics" and notice["start"] is None:
            raise Conflict("no_date", "The meeting has no date yet; set scheduled_at first.")
        record_download(meeting["group_id"])
        labels = notice_labels()
        if fmt == "html":
            body = render_template(
                "notice/notice.html",
                n=notice,
                labels=labels,
                title=notice_domain.title(notice, labels),
                header=notice_domain.header_rows(notice, labels),
                agenda_rows=notice_domain.agenda_rows(notice, labels),
                action_rows=notice_domain.action_rows(notice, labels),
                question_lines=notice_domain.question_lines(notice, labels),
            )
        elif fmt == "docx":
            body = notice_domain.render_docx(notice, labels)
        else:
            host = urlsplit(current_app.config.get("PUBLIC_URL") or "").hostname
            body = notice_domain.render_ics(notice, labels, host or "pblapp")
    response = Response(body, content_type=TYPES[fmt])
    disposition = "inline" if fmt == "html" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="notice-{meeting_id}.{fmt}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if fmt == "html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response
