"""Research files beyond ``log.csv`` and ``log.jsonl``, and case stories.

Downloads (``/api/v1``; each recorded in the group's audit log): ``log.xlsx`` and
``participants.csv`` per meeting and per group; the group's ``codebook.csv``, case stories
(``cases.csv``, ``cases-summary.csv``), content-analysis sheet (``.csv``, ``.xlsx``) and
``archive.zip``. Case stories are marked and coded through ``/api/v1/groups/<gid>/cases``
(an API token, or the console's session with its CSRF token) and from the group page's
forms. Coding is research work: facilitators and researchers may do it
(``access.CODE``), in the groups they see.
"""

from __future__ import annotations

import functools

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from pblapp import ops
from pblapp.domain import access, exports
from pblapp.domain.errors import DomainError, NotFound
from pblapp.i18n import CASE_OUTCOME_LABELS, CASE_PERSPECTIVE_LABELS, LANGUAGES, error_message
from pblapp.web import api, db, off_loop, research_files, research_rows
from pblapp.web.api import api_user, error, json_body, visible_meeting
from pblapp.web.auth import READ_METHODS, api_caller_refusal, csrf, login_required
from pblapp.web.research import record_download

bp = Blueprint("exports", __name__)
# The API routes take API tokens; a browser's session proves itself with the CSRF token
# (checked in ``coder`` and in the forms' routes).
csrf.exempt(bp)
bp.register_error_handler(DomainError, api.domain_error)

API = "/api/v1"
CSV = "text/csv; charset=utf-8"


def _download(group_id: int, body: str | bytes, mimetype: str, filename: str) -> Response:
    """A file to send; the download goes into the group's audit log first."""
    record_download(group_id)
    response = Response(body, content_type=mimetype)
    disposition = "inline" if mimetype == CSV else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _group(group_id: int) -> dict:
    return ops.lookup.group(db(), g.user["id"], group_id)


# -- downloads ------------------------------------------------------------------------


@bp.get(f"{API}/groups/<int:group_id>/log.xlsx")
@api_user
def group_xlsx(group_id: int):
    _group(group_id)
    body = research_files.log_xlsx(research_rows.log_rows(group_id))
    return _download(group_id, body, research_files.XLSX, f"group-{group_id}-log.xlsx")


@bp.get(f"{API}/meetings/<int:meeting_id>/log.xlsx")
@api_user
def meeting_xlsx(meeting_id: int):
    group_id = visible_meeting(meeting_id)["group_id"]
    body = research_files.log_xlsx(research_rows.log_rows(group_id, meeting_id))
    return _download(group_id, body, research_files.XLSX, f"meeting-{meeting_id}-log.xlsx")


@bp.get(f"{API}/groups/<int:group_id>/participants.csv")
@api_user
def group_participants(group_id: int):
    _group(group_id)
    body = exports.participants_csv(research_rows.participant_rows(group_id))
    return _download(group_id, body, CSV, f"group-{group_id}-participants.csv")


@bp.get(f"{API}/meetings/<int:meeting_id>/participants.csv")
@api_user
def meeting_participants(meeting_id: int):
    group_id = visible_meeting(meeting_id)["group_id"]
    body = exports.participants_csv(research_rows.participant_rows(group_id, meeting_id))
    return _download(group_id, body, CSV, f"meeting-{meeting_id}-participants.csv")


@bp.get(f"{API}/groups/<int:group_id>/codebook.csv")
@api_user
def codebook(group_id: int):
    _group(group_id)
    return _download(group_id, research_files.codebook_csv(), CSV, "codebook.csv")


@bp.get(f"{API}/groups/<int:group_id>/content-analysis.<any(csv, xlsx):fmt>")
@api_user
def content_analysis(group_id: int, fmt: str):
    group = _group(group_id)
    asked = request.args.get("lang")
    language = asked if asked in LANGUAGES else group["language"]
    body = research_files.content_analysis(research_rows.log_rows(group_id), language, fmt)
    mimetype = CSV if fmt == "csv" else research_files.XLSX
    return _download(group_id, body, mimetype, f"group-{group_id}-content-analysis.{fmt}")


@bp.get(f"{API}/groups/<int:group_id>/cases.csv")
@api_user
def cases_csv(group_id: int):
    _group(group_id)
    body = exports.cases_csv(research_rows.research_cases(group_id))
    return _download(group_id, body, CSV, f"group-{group_id}-cases.csv")


@bp.get(f"{API}/groups/<int:group_id>/cases-summary.csv")
@api_user
def cases_summary(group_id: int):
    group = _group(group_id)
    body = research_files.cases_summary_csv(group, research_rows.research_cases(group_id))
    return _download(group_id, body, CSV, f"group-{group_id}-cases-summary.csv")


@bp.get(f"{API}/groups/<int:group_id>/archive.zip")
@api_user
def archive(group_id: int):
    group = _group(group_id)
    meetings = ops.meetings.in_group(db(), g.user["id"], group_id)
    body = off_loop(research_files.archive_bytes, group, meetings)
    return _download(group_id, body, "application/zip", f"group-{group_id}-archive.zip")


# -- case stories over the API ----------------------------------------------------------


def _csrf_refusal():
    """A browser session changes things only with the page's CSRF token (``X-CSRFToken``)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    try:
        csrf.protect()
    except CSRFError:
        return error("csrf", "The page's form token is missing or expired; reload the page.", 400)
    return None


def coder(view):
    """An API token, or a logged-in browser (with its CSRF token for a change); a change
    needs the right to code (``access.CODE``), which researchers have too."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        refusal = api_caller_refusal(access.CODE, login_may_change=True)
        if refusal:
            return refusal
        if request.method not in READ_METHODS and not g.bearer and (refusal := _csrf_refusal()):
            return refusal
        return view(**kwargs)

    return wrapped


def _shown(group_id: int, case_id: int) -> dict:
    """A case story as the research files show it."""
    for case in research_rows.research_cases(group_id):
        if case["id"] == case_id:
            return case
    raise NotFound("case_not_found", "No such case story in this group.")


@bp.get(f"{API}/groups/<int:group_id>/cases")
@coder
def list_cases(group_id: int):
    _group(group_id)
    return research_rows.research_cases(group_id)


@bp.post(f"{API}/groups/<int:group_id>/cases")
@coder
def add_case(group_id: int):
    case = ops.cases.add(db(), g.user, group_id, json_body())
    return _shown(group_id, case["id"]), 201


@bp.patch(f"{API}/groups/<int:group_id>/cases/<int:case_id>")
@coder
def update_case(group_id: int, case_id: int):
    ops.cases.update(db(), g.user, group_id, case_id, json_body())
    return _shown(group_id, case_id)


@bp.delete(f"{API}/groups/<int:group_id>/cases/<int:case_id>")
@coder
def remove_case(group_id: int, case_id: int):
    ops.cases.remove(db(), g.user, group_id, case_id)
    return "", 204


# -- case stories from the group page ---------------------------------------------------

CODING_FORM_FIELDS = ("outcome", "organization", "problem", "decisive_factor", "perspective")


def _form_id(value: str):
    """A number typed in a form; anything else goes on as typed, for a clear refusal."""
    try:
        return int(value)
    except ValueError:
        return value


def _coding_from_form(form, *, keep_empty: bool) -> dict:
    fields = {field: form.get(field, "").strip() for field in CODING_FORM_FIELDS}
    return {k: v or None for k, v in fields.items() if keep_empty or v}


def _page_change(group_id: int, change) -> Response:
    """Run a change from a form of the group page; say how it went there."""
    if not access.may(g.user["role"], access.CODE):
        abort(403)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    try:
        change()
    except NotFound as exc:
        if exc.code == "group_not_found":
            abort(404)
        flash(error_message(exc), "error")
    except DomainError as exc:
        flash(error_message(exc), "error")
    else:
        flash(gettext("The case stories are saved."))
    return redirect(url_for("pages.group", group_id=group_id) + "#case-stories")


@bp.post("/groups/<int:group_id>/cases")
@login_required
def add_case_from_page(group_id: int):
    form = request.form
    if form.get("contribution_id", "").strip():
        payload = {"contribution_id": _form_id(form["contribution_id"].strip())}
    else:
        payload = {"text": form.get("text", ""), "meeting_id": _form_id(form.get("meeting_id", ""))}
    payload.update(_coding_from_form(form, keep_empty=False))
    return _page_change(group_id, lambda: ops.cases.add(db(), g.user, group_id, payload))


@bp.post("/groups/<int:group_id>/cases/<int:case_id>")
@login_required
def update_case_from_page(group_id: int, case_id: int):
    payload = _coding_from_form(request.form, keep_empty=True)
    if "text" in request.form:
        payload["text"] = request.form["text"]
    return _page_change(
        group_id, lambda: ops.cases.update(db(), g.user, group_id, case_id, payload)
    )


@bp.post("/groups/<int:group_id>/cases/<int:case_id>/remove")
@login_required
def remove_case_from_page(group_id: int, case_id: int):
    return _page_change(group_id, lambda: ops.cases.remove(db(), g.user, group_id, case_id))


def _marked_as_cases(group_id: int) -> list[int]:
    """The group's posts that are case stories already, for the console to show."""
    return [
        c["contribution_id"] for c in ops.cases.in_group(db(), group_id) if c["contribution_id"]
    ]


@bp.app_context_processor
def case_story_context():
    """What ``groups/_downloads.html`` and the console show of the case stories."""
    return {
        "case_stories": research_rows.research_cases,
        "marked_as_cases": _marked_as_cases,
        "case_outcome_labels": CASE_OUTCOME_LABELS,
        "case_perspective_labels": CASE_PERSPECTIVE_LABELS,
    }
