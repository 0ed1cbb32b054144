"""JSON API under ``/api/v1``: API-token auth, JSON in and out, one error format."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from functools import partial

from flask import Blueprint, Response, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException

from pblapp import ops
from pblapp.domain import access, exports, validation
from pblapp.domain.errors import DomainError
from pblapp.effects import minutes
from pblapp.i18n import LANGUAGES, error_page_text
from pblapp.web import db, off_loop, research_rows
from pblapp.web.auth import api_caller_refusal, api_error, csrf
from pblapp.web.research import record_download
from pblapp.web.urls import join_url, screen_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


error = api_error


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error(exc.code, exc.message, exc.status)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    code = (exc.name or "error").lower().replace(" ", "_")
    return (*error(code, exc.description or exc.name, exc.code or 500), _allow(exc))


def _allow(exc: HTTPException) -> dict:
    """A 405 says which methods the route takes (``Allow``), as HTTP asks."""
    methods = getattr(exc, "valid_methods", None)
    return {"Allow": ", ".join(methods)} if methods else {}


def api_user(view):
    """A bearer API token, or (for reading only) a logged-in browser session."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        return api_caller_refusal() or view(**kwargs)

    return wrapped


def json_body(*, optional: bool = False) -> dict:
    """The request's JSON object; an empty body counts as ``{}`` where ``optional``."""
    if optional and not request.get_data():
        return {}
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any real body
        payload = None
    if payload is None:
        raise DomainError("invalid_json", "The body must be a JSON object.")
    if not isinstance(payload, dict):
        raise DomainError("invalid_payload", "The body must be a JSON object.")
    return payload


def visible_meeting(meeting_id: int) -> dict:
    """The meeting, once the caller is known to see it (else a 404)."""
    return ops.lookup.meeting(db(), g.user["id"], meeting_id)


def meeting_answer(meeting: dict) -> dict:
    return {
        **meeting,
        "join_url": join_url(meeting["join_code"]),
        "screen_url": screen_url(meeting["id"]),
    }


@bp.post("/groups")
@api_user
def create_group():
    zone = current_app.config["TIMEZONE"]
    group = ops.groups.create(db(), g.user["id"], json_body(), default_timezone=zone)
    return group, 201


@bp.get("/groups")
@api_user
def list_groups():
    return ops.lookup.groups(db(), g.user["id"])


@bp.get("/groups/<int:group_id>")
@api_user
def get_group(group_id: int):
    group = ops.lookup.group(db(), g.user["id"], group_id)
    meetings = [_for_caller(m) for m in ops.meetings.in_group(db(), g.user["id"], group_id)]
    return {**group, "meetings": meetings}


def _for_caller(meeting: dict) -> dict:
    """A meeting as the caller's audience gets it (a researcher: no join code)."""
    return access.meeting_for(access.audience_of(g.user["role"]), meeting)


@bp.patch("/groups/<int:group_id>")
@api_user
def update_group(group_id: int):
    return ops.groups.update(db(), g.user["id"], group_id, json_body())


@bp.post("/groups/<int:group_id>/meetings")
@api_user
def create_meeting(group_id: int):
    meeting = ops.meetings.create(db(), g.user["id"], group_id, json_body(optional=True))
    return meeting_answer(meeting), 201


@bp.post("/meetings/<int:meeting_id>/start")
@api_user
def start_meeting(meeting_id: int):
    validation.require_object(json_body(optional=True), allowed=set())
    return meeting_answer(ops.meetings.start(db(), g.user["id"], meeting_id))


@bp.post("/meetings/<int:meeting_id>/close")
@api_user
def close_meeting(meeting_id: int):
    validation.require_object(json_body(optional=True), allowed=set())
    return meeting_answer(ops.meetings.close(db(), g.user["id"], meeting_id))


@bp.get("/meetings/<int:meeting_id>")
@api_user
def get_meeting(meeting_id: int):
    visible_meeting(meeting_id)
    return _for_caller(ops.meetings.state(db(), meeting_id))


@bp.patch("/meetings/<int:meeting_id>")
@api_user
def update_meeting(meeting_id: int):
    return meeting_answer(ops.meetings.update(db(), g.user["id"], meeting_id, json_body()))


@bp.get("/meetings/<int:meeting_id>/contributions")
@api_user
def list_contributions(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    audience = access.audience_of(g.user["role"])
    hidden_from_research = _withdrawn_for(audience, meeting["group_id"])["contributions"]
    return [
        access.contribution_for(audience, c)
        for c in ops.participation.contributions(db(), meeting_id)
        if c["id"] not in hidden_from_research
    ]


def _withdrawn_for(audience: str, group_id: int) -> dict[str, set]:
    """What a researcher never gets: withdrawn participants' posts and the questions made
    from them (the group's own pages keep them under ``keep_for_minutes``)."""
    if audience != access.RESEARCH:
        return {"contributions": set(), "questions": set()}
    return ops.records.withdrawn_scope(db(), group_id)


@bp.get("/meetings/<int:meeting_id>/agenda")
@api_user
def get_agenda(meeting_id: int):
    visible_meeting(meeting_id)
    audience = access.audience_of(g.user["role"])
    return access.agenda_for(audience, ops.agenda.state(db(), meeting_id))


@bp.post("/meetings/<int:meeting_id>/agenda")
@api_user
def command_agenda(meeting_id: int):
    return ops.agenda.command(db(), g.user["id"], meeting_id, json_body())


@bp.put("/meetings/<int:meeting_id>/agenda")
@api_user
def edit_agenda(meeting_id: int):
    return ops.agenda.edit(db(), g.user["id"], meeting_id, json_body())


@bp.put("/meetings/<int:meeting_id>/agenda/<int:step_id>/notes")
@api_user
def set_agenda_notes(meeting_id: int, step_id: int):
    payload = json_body()
    validation.require_object(payload, allowed={"notes"}, required={"notes"})
    return ops.agenda.set_notes(
        db(), g.user["id"], meeting_id, {"step_id": step_id, "notes": payload["notes"]}
    )


@bp.post("/meetings/<int:meeting_id>/agenda/save-for-group")
@api_user
def save_agenda_for_group(meeting_id: int):
    validation.require_object(json_body(optional=True), allowed=set())
    return ops.agenda.save_for_group(db(), g.user["id"], meeting_id)


@bp.get("/meetings/<int:meeting_id>/followups")
@api_user
def get_followups(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    audience = access.audience_of(g.user["role"])
    followups = ops.followups.read(db(), meeting_id, masked=audience == access.RESEARCH)
    withdrawn = _withdrawn_for(audience, meeting["group_id"])
    questions = [q for q in followups["questions"] if q["id"] not in withdrawn["questions"]]
    return {**followups, "questions": questions}


def _with_path_id(item_id: int) -> dict:
    body = json_body()
    if "id" in body:
        raise DomainError("unknown_field", "Unknown field: id (it is in the path).")
    return {**body, "id": item_id}


@bp.post("/meetings/<int:meeting_id>/questions")
@api_user
def add_question(meeting_id: int):
    return ops.followups.add_question(db(), g.user["id"], meeting_id, json_body()), 201


@bp.patch("/meetings/<int:meeting_id>/questions/<int:question_id>")
@api_user
def update_question(meeting_id: int, question_id: int):
    return ops.followups.update_question(db(), g.user["id"], meeting_id, _with_path_id(question_id))


@bp.post("/meetings/<int:meeting_id>/decisions")
@api_user
def add_decision(meeting_id: int):
    return ops.decisions.add_decision(db(), g.user["id"], meeting_id, json_body()), 201


@bp.post("/meetings/<int:meeting_id>/action-items")
@api_user
def add_action_item(meeting_id: int):
    return ops.decisions.add_action_item(db(), g.user["id"], meeting_id, json_body()), 201


@bp.patch("/meetings/<int:meeting_id>/action-items/<int:item_id>")
@api_user
def update_action_item(meeting_id: int, item_id: int):
    return ops.decisions.update_action_item(db(), g.user["id"], meeting_id, _with_path_id(item_id))


@bp.get("/meetings/<int:meeting_id>/screen")
@api_user
def get_screen(meeting_id: int):
    visible_meeting(meeting_id)
    return ops.screen.state(db(), meeting_id)


@bp.post("/meetings/<int:meeting_id>/screen")
@api_user
def command_screen(meeting_id: int):
    return ops.screen.command(db(), g.user["id"], meeting_id, json_body())


@bp.patch("/meetings/<int:meeting_id>/contributions/<int:contribution_id>")
@api_user
def update_contribution(meeting_id: int, contribution_id: int):
    """The API's ``contribution:update``: re-tag, hide, or mark "take to next meeting"."""
    return ops.moderation.moderate(db(), g.user["id"], meeting_id, _with_path_id(contribution_id))


@bp.post("/meetings/<int:meeting_id>/contributions/<int:contribution_id>/merge")
@api_user
def merge_contribution(meeting_id: int, contribution_id: int):
    return ops.moderation.merge(db(), g.user["id"], meeting_id, _with_path_id(contribution_id))


@bp.put("/meetings/<int:meeting_id>/starting-point")
@api_user
def set_starting_point(meeting_id: int):
    return ops.screen.set_starting_point(db(), g.user["id"], meeting_id, json_body())


@bp.put("/meetings/<int:meeting_id>/starting-point/image")
@api_user
def set_starting_point_image(meeting_id: int):
    """The image as the raw body, or as a multipart field named ``image``."""
    upload = request.files.get("image")
    data = upload.read() if upload else request.get_data()
    if not data:
        raise DomainError("image_missing", "Send the image as the body or as field 'image'.")
    return ops.screen.set_starting_point_image(db(), g.user["id"], meeting_id, data)


@bp.delete("/meetings/<int:meeting_id>/starting-point/image")
@api_user
def delete_starting_point_image(meeting_id: int):
    return ops.screen.set_starting_point_image(db(), g.user["id"], meeting_id, None)


def _download(body: str | bytes | Iterable[str], mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


MINUTES_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@bp.get("/meetings/<int:meeting_id>/minutes.<any(md, html, docx):fmt>")
@api_user
def minutes_file(meeting_id: int, fmt: str):
    record_download(visible_meeting(meeting_id)["group_id"])
    asked = request.args.get("lang")
    version = request.args.get("version")
    if version is not None and not (version.isascii() and version.isdigit() and len(version) < 10):
        return error("invalid_version", "version is a whole number.", 400)
    body = off_loop(
        lambda: minutes.minutes_file(
            db(),
            meeting_id,
            fmt,
            ops.groups.meeting_timezone(db(), meeting_id),
            asked if asked in LANGUAGES else None,
            for_research=access.audience_of(g.user["role"]) == access.RESEARCH,
            version=int(version) if version is not None else None,
        )
    )
    response = _download(body, MINUTES_TYPES[fmt], f"minutes-{meeting_id}.{fmt}")
    if fmt == "html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
        )
    if fmt == "docx":
        response.headers["Content-Disposition"] = (
            f'attachment; filename="minutes-{meeting_id}.docx"'
        )
    return response


def _csv(read_rows: Callable[[], list[dict]], filename: str) -> Response:
    """Streamed in pieces of 500 rows, read and written in one worker thread
    (``off_loop``)."""
    chunks = off_loop(lambda: list(exports.contributions_csv_chunks(read_rows())))
    return _download(chunks, "text/csv; charset=utf-8", filename)


@bp.get("/meetings/<int:meeting_id>/starting-point/image")
@api_user
def get_starting_point_image(meeting_id: int):
    visible_meeting(meeting_id)
    image = ops.screen.starting_point_image(db(), meeting_id)
    if image is None:
        raise DomainError("no_image", "This meeting has no starting-point image.", status=404)
    data, mimetype = image
    return _download(data, mimetype, f"starting-point-{meeting_id}")


def _jsonl(read_events: Callable[[], list[dict]], filename: str) -> Response:
    """Streamed, as :func:`_csv`."""
    chunks = off_loop(lambda: list(exports.events_jsonl_chunks(read_events())))
    return _download(chunks, "application/x-ndjson; charset=utf-8", filename)


@bp.get("/meetings/<int:meeting_id>/log.csv")
@api_user
def meeting_csv(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    record_download(meeting["group_id"])
    # In the group's time zone and language, without withdrawn participants.
    rows = partial(research_rows.log_rows, meeting["group_id"], meeting_id)
    return _csv(rows, f"meeting-{meeting_id}-log.csv")


@bp.get("/meetings/<int:meeting_id>/log.jsonl")
@api_user
def meeting_jsonl(meeting_id: int):
    meeting = visible_meeting(meeting_id)
    record_download(meeting["group_id"])
    events = partial(ops.records.events, db(), group_id=meeting["group_id"], meeting_id=meeting_id)
    return _jsonl(events, f"meeting-{meeting_id}-log.jsonl")


@bp.get("/groups/<int:group_id>/log.csv")
@api_user
def group_csv(group_id: int):
    ops.lookup.group(db(), g.user["id"], group_id)
    record_download(group_id)
    return _csv(partial(research_rows.log_rows, group_id), f"group-{group_id}-log.csv")


@bp.get("/groups/<int:group_id>/log.jsonl")
@api_user
def group_jsonl(group_id: int):
    ops.lookup.group(db(), g.user["id"], group_id)
    record_download(group_id)
    events = partial(ops.records.events, db(), group_id=group_id)
    return _jsonl(events, f"group-{group_id}-log.jsonl")


def init_app(app) -> None:
    """Errors outside a route's own handling: in the API's error format under ``/api/``,
    else as a page in the UI language (never the server's bare English page)."""

    @app.errorhandler(HTTPException)
    def fallback(exc: HTTPException):
        if request.path.startswith(bp.url_prefix + "/"):
            return http_error(exc)
        if exc.code is None or exc.code < 400:
            return exc
        title, text = error_page_text(exc.code)
        return render_template("error.html", title=title, text=text), exc.code, _allow(exc)
