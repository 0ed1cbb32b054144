"""Facilitator pages: groups, meetings, the live console and the projector screen."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from pblapp import ops
from pblapp.domain import access, timeline
from pblapp.domain.clock import local_time
from pblapp.domain.errors import DomainError, NotFound
from pblapp.domain.vocabulary import DEFAULT_ORGANIZATIONS
from pblapp.i18n import error_message, error_messages
from pblapp.web import db, development, research
from pblapp.web.auth import login_required
from pblapp.web.urls import join_url, screen_link_url, short_join_url

bp = Blueprint("pages", __name__)


@bp.before_request
def facilitators_change_things():
    """Researchers may read; only facilitators change groups and meetings."""
    if (
        request.method == "POST"
        and g.user is not None
        and not access.may(g.user["role"], access.CHANGE)
    ):
        abort(403)


def _organizations_from_text(text: str) -> list[dict]:
    """One organization per line: a code, a space, then its name."""
    organizations = []
    for line in text.splitlines():
        if not line.strip():
            continue
        code, _, name = line.strip().partition(" ")
        organizations.append({"code": code, "name": name.strip() or code})
    return organizations


def _group_form(form) -> dict:
    """The fields the new-group and edit-group forms share, as the API takes them."""
    payload = {
        "name": form.get("name", ""),
        "organizations": _organizations_from_text(form.get("organizations", "")),
        "consent_text": form.get("consent_text", ""),
        "goals": form.get("goals", ""),
        "language": form.get("language") or "sv",
    }
    if form.get("planned_meetings", "").strip():
        try:
            payload["planned_meetings"] = int(form["planned_meetings"])
        except ValueError:
            payload["planned_meetings"] = form["planned_meetings"]
    # Retention and the withdrawal policy (docs/protocol.md): empty keeps the data.
    retention = form.get("retention_days", "").strip()
    try:
        payload["retention_days"] = int(retention) if retention else None
    except ValueError:
        payload["retention_days"] = retention  # validation answers with a clear message
    payload["withdrawal_policy"] = form.get("withdrawal_policy") or "delete"
    if form.get("timezone"):
        payload["timezone"] = form["timezone"]
    # Empty: as the kind of group suggests (notes; a protocol for a reference group).
    if form.get("record_kind"):
        payload["record_kind"] = form["record_kind"]
    # A checkbox: names or pseudonyms in the group's own minutes.
    payload["minutes_names"] = form.get("minutes_names") == "1"
    return payload


# The time zones the group forms offer, besides the group's own (docs/protocol.md).
COMMON_TIMEZONES = (
    "Europe/Stockholm",
    "Europe/Helsinki",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/London",
    "Europe/Berlin",
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def _timezone_choices(current: str | None) -> list[str]:
    """The zones a group form offers: the common ones, and ``current`` (the group's own,
    the app's default or what was typed) first if it is not among them."""
    current = current or current_app.config["TIMEZONE"]
    return list(COMMON_TIMEZONES) if current in COMMON_TIMEZONES else [current, *COMMON_TIMEZONES]


def _local_time_to_iso(value: str | None, zone: str) -> str | None:
    """A browser's ``datetime-local`` value has no zone: it means the meeting's local time,
    in its group's time zone ``zone``."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # validation answers with a clear message
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.isoformat()


def _iso_to_local_time(moment: str | None, zone: str) -> str:
    """A stored UTC time as a ``datetime-local`` value in the time zone ``zone``."""
    if not moment:
        return ""
    return "T".join(local_time(moment, zone))


def _qr_svg(url: str) -> Markup:
    """The join URL as an inline SVG QR code (the SVG is made here, from our own URL)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return Markup(svg[svg.index("<svg") :])


def _facilitator_only() -> None:
    """The console and the screen show names with pseudonyms and the join code: the
    facilitator's. A researcher reads the minutes and the logs from the group's page."""
    if not access.may(g.user["role"], access.WATCH_LIVE):
        abort(403)


def _meeting_or_404(meeting_id: int) -> dict:
    try:
        return ops.lookup.meeting(db(), g.user["id"], meeting_id)
    except NotFound:
        abort(404)


@bp.get("/groups")
@login_required
def groups(draft=None, status: int = 200):
    """The groups, and a form for a new one (``draft``: what was typed, after a refusal)."""
    default_orgs = "\n".join(f"{o['code']} {o['name']}" for o in DEFAULT_ORGANIZATIONS)
    page = render_template(
        "groups/list.html",
        groups=ops.lookup.groups(db(), g.user["id"]),
        default_orgs=default_orgs,
        draft=draft or {},
        timezones=_timezone_choices((draft or {}).get("timezone")),
        default_timezone=current_app.config["TIMEZONE"],
    )
    return page, status


@bp.post("/groups")
@login_required
def create_group():
    payload = {**_group_form(request.form), "kind": request.form.get("kind", "")}
    # An empty box means the default list here; when editing, it is refused.
    payload["organizations"] = payload["organizations"] or None
    try:
        group = ops.groups.create(
            db(), g.user["id"], payload, default_timezone=current_app.config["TIMEZONE"]
        )
    except DomainError as exc:
        # Show the form again with everything typed, and say what is wrong.
        flash(error_message(exc), "error")
        return groups(draft=request.form, status=400)
    return redirect(url_for("pages.group", group_id=group["id"]))


@bp.get("/groups/<int:group_id>")
@login_required
def group(group_id: int, draft=None, status: int = 200):
    try:
        group = ops.lookup.group(db(), g.user["id"], group_id)
    except NotFound:
        abort(404)
    # The timeline's facts as a table (in the page's language), and how often the app's
    # suggestion and the facilitator's decision agreed.
    timeline_meetings, timeline_labels = development.timeline_data(
        group, development._series_rows(group_id)
    )
    decided = [
        item["phase"]
        for item in ops.phases.series(db(), group_id)
        if item["phase"] and item["phase"]["decided"] and item["phase"]["suggested"]
    ]
    page = render_template(
        "groups/detail.html",
        group=group,
        meetings=ops.meetings.in_group(db(), g.user["id"], group_id),
        has_group_agenda=ops.groups.has_own_agenda(db(), group_id),
        draft=draft,
        timezones=_timezone_choices((draft or {}).get("timezone") or group["timezone"]),
        timeline_rows=timeline.text_table(timeline_meetings, timeline_labels),
        phases_agreed=sum(phase["decided"] == phase["suggested"] for phase in decided),
        phases_decided=len(decided),
        # The owner's own sections: who may read the group, and who downloaded what.
        **research.group_page_context(group_id),
    )
    return page, status


@bp.post("/groups/<int:group_id>/edit")
@login_required
def edit_group(group_id: int):
    try:
        ops.groups.update(db(), g.user["id"], group_id, _group_form(request.form))
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(error_message(exc), "error")
        return group(group_id=group_id, draft=request.form, status=400)
    return redirect(url_for("pages.group", group_id=group_id))


@bp.post("/groups/<int:group_id>/meetings")
@login_required
def create_meeting(group_id: int):
    form = request.form
    payload = {
        "title": form.get("title", ""),
        "scheduled_at": _local_time_to_iso(
            form.get("scheduled_at"), ops.groups.timezone(db(), group_id)
        ),
        "agenda": form.get("agenda") or None,
    }
    try:
        meeting = ops.meetings.create(db(), g.user["id"], group_id, payload)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(error_message(exc), "error")
        return redirect(url_for("pages.group", group_id=group_id))
    return redirect(url_for("pages.console", meeting_id=meeting["id"]))


@bp.get("/meetings/<int:meeting_id>")
@login_required
def console(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    _facilitator_only()
    zone = ops.groups.timezone(db(), meeting["group_id"])
    return render_template(
        "meetings/console.html",
        next_meeting_local=_iso_to_local_time(meeting["next_meeting_at"], zone),
        scheduled_local=_iso_to_local_time(meeting["scheduled_at"], zone),
        meeting=meeting,
        group=ops.lookup.group(db(), g.user["id"], meeting["group_id"]),
        state=ops.meetings.state(db(), meeting_id),
        screen=ops.screen.state(db(), meeting_id),
        join_url=join_url(meeting["join_code"]),
        messages=error_messages(),
        screen_link=_screen_link(meeting_id),
    )


def _screen_link(meeting_id: int) -> str | None:
    """The full address of the meeting's screen link, or ``None`` when it has none."""
    token = ops.screen_link.token(db(), current_app.config["SECRET_KEY"], meeting_id)
    return screen_link_url(token) if token else None


@bp.post("/meetings/<int:meeting_id>/<any(start, close):action>")
@login_required
def change_status(meeting_id: int, action: str):
    try:
        if action == "start":
            ops.meetings.start(db(), g.user["id"], meeting_id)
        else:
            ops.meetings.close(db(), g.user["id"], meeting_id)
            flash(gettext("The meeting is closed. The minutes are ready."))
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(error_message(exc), "error")
    return redirect(url_for("pages.console", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/details")
@login_required
def meeting_details(meeting_id: int):
    """Title, date and time, place, the next meeting's time, a protocol's secretary and
    adjusters, and whether the minutes carry the appendix of posts; the times typed are in
    the group's time zone."""
    zone = ops.groups.meeting_timezone(db(), meeting_id)
    details = {
        "place": request.form.get("place", ""),
        "next_meeting_at": _local_time_to_iso(request.form.get("next_meeting_at"), zone),
    }
    if "title" in request.form:
        details["title"] = request.form["title"]
    if "scheduled_at" in request.form:
        details["scheduled_at"] = _local_time_to_iso(request.form["scheduled_at"], zone)
    # A protocol's secretary and adjusters; the appendix checkbox (unchecked sends nothing).
    if "secretary" in request.form:
        details["secretary"] = request.form["secretary"]
    if "adjusters" in request.form:
        details["adjusters"] = [a for a in request.form.getlist("adjusters") if a.strip()]
    if "minutes_appendix_shown" in request.form:
        details["minutes_appendix"] = "minutes_appendix" in request.form
    try:
        ops.meetings.update(db(), g.user["id"], meeting_id, details)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(error_message(exc), "error")
    return redirect(url_for("pages.console", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/starting-point")
@login_required
def starting_point(meeting_id: int):
    """The console's form: Markdown text, and an image to add, replace or remove."""
    try:
        ops.screen.set_starting_point(
            db(), g.user["id"], meeting_id, {"text": request.form.get("text", "")}
        )
        upload = request.files.get("image")
        if upload and upload.filename:
            ops.screen.set_starting_point_image(db(), g.user["id"], meeting_id, upload.read())
        elif request.form.get("remove_image"):
            ops.screen.set_starting_point_image(db(), g.user["id"], meeting_id, None)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(error_message(exc), "error")
    return redirect(url_for("pages.console", meeting_id=meeting_id) + "#starting-point")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    """A body over the server's limit (a camera photo, say): say so in the UI language and
    go back to the meeting, rather than an error page in English."""
    flash(error_messages()["image_too_large"], "error")
    meeting_id = (request.view_args or {}).get("meeting_id")
    if meeting_id is None:
        return redirect(url_for("pages.groups"))
    return redirect(url_for("pages.console", meeting_id=meeting_id) + "#starting-point")


@bp.get("/meetings/<int:meeting_id>/starting-point/image")
@login_required
def starting_point_image(meeting_id: int):
    _meeting_or_404(meeting_id)
    image = ops.screen.starting_point_image(db(), meeting_id)
    if image is None:
        abort(404)
    data, mimetype = image
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.get("/meetings/<int:meeting_id>/screen")
@login_required
def screen(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    _facilitator_only()
    return screen_page(
        meeting,
        ops.lookup.group(db(), g.user["id"], meeting["group_id"]),
        screen_token=None,
        image_url=url_for("pages.starting_point_image", meeting_id=meeting_id),
        timeline_url=url_for("development.timeline_svg", group_id=meeting["group_id"]),
    )


def screen_page(meeting: dict, group: dict, *, screen_token, image_url, timeline_url) -> str:
    """The projector screen: for the facilitator (``screen_token`` ``None``; they may
    command it from its keys) or for a screen link (read only). ``image_url`` and
    ``timeline_url`` are where this page loads the starting point's image and the
    timeline from."""
    url = join_url(meeting["join_code"])
    return render_template(
        "meetings/screen.html",
        meeting=meeting,
        group=group,
        screen=ops.screen.state(db(), meeting["id"]),
        state=ops.meetings.state(db(), meeting["id"]),
        join_url=url,
        short_join_url=short_join_url(),
        qr_svg=_qr_svg(url),
        screen_token=screen_token,
        can_command=screen_token is None,
        image_url=image_url,
        timeline_url=timeline_url,
    )
