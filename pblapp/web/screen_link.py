"""The screen link: a meeting's projector screen without a login, and the console's and the
API's ways to make, renew and revoke it.

``/s/<token>`` renders the same screen page as the facilitator's, read only, with the
screen audience's data (``pblapp.domain.access``); the starting point's image and the
timeline come from routes under the same token. An unknown, renewed or revoked token
answers a 404 page that says the link is not valid. Making and revoking a link is the
facilitator's (``watch_live``): the link shows what the facilitator's screen shows.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_babel import force_locale, gettext
from werkzeug.exceptions import HTTPException

from pblapp import ops
from pblapp.domain import access, timeline, validation
from pblapp.domain.errors import DomainError, NotFound
from pblapp.web import api, db, development, pages
from pblapp.web.api import api_user, json_body
from pblapp.web.auth import api_error, csrf, login_required
from pblapp.web.urls import screen_link_url

bp = Blueprint("screen_link", __name__)
api_bp = Blueprint("screen_link_api", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)
# The API's one error format, as in ``web.api``.
api_bp.register_error_handler(DomainError, api.domain_error)
api_bp.register_error_handler(HTTPException, api.http_error)


def _secret() -> str | bytes:
    return current_app.config["SECRET_KEY"]


def _private(response: Response) -> Response:
    """The token is in the address: keep it out of caches, referrers and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _opened(token: str) -> dict:
    """The meeting the token opens now, else the page that says the link is not valid."""
    opened = ops.screen_link.opened(db(), _secret(), token)
    if opened is None:
        page = render_template(
            "error.html",
            title=gettext("This screen link is no longer valid"),
            text=gettext(
                "Ask the facilitator for a new link, or open the screen from the console."
            ),
        )
        abort(_private(current_app.make_response((page, 404))))
    return ops.lookup.meeting_row(db(), opened[0])


@bp.get("/s/<token>")
def screen(token: str):
    meeting = _opened(token)
    page = pages.screen_page(
        meeting,
        ops.lookup.group_row(db(), meeting["group_id"]),
        screen_token=token,
        image_url=url_for("screen_link.starting_point_image", token=token),
        timeline_url=url_for("screen_link.timeline_svg", token=token),
    )
    return _private(current_app.make_response(page))


@bp.get("/s/<token>/starting-point/image")
def starting_point_image(token: str):
    image = ops.screen.starting_point_image(db(), _opened(token)["id"])
    if image is None:
        abort(404)
    data, mimetype = image
    return _private(current_app.response_class(data, mimetype=mimetype))


@bp.get("/s/<token>/timeline.svg")
def timeline_svg(token: str):
    group = ops.lookup.group_row(db(), _opened(token)["group_id"])
    with force_locale(group["language"]):
        meetings, labels = development.timeline_data(group, development._series_rows(group["id"]))
        body = timeline.render_svg(meetings, labels)
    response = Response(body, content_type="image/svg+xml; charset=utf-8")
    # Opened on its own, the file is a document: nothing in it may run.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return _private(response)


# -- the console's forms ----------------------------------------------------------------


def _facilitators_meeting(meeting_id: int) -> None:
    """The link shows the screen: only a facilitator who sees the meeting makes it."""
    if not access.may(g.user["role"], access.WATCH_LIVE):
        abort(403)
    try:
        ops.lookup.meeting(db(), g.user["id"], meeting_id)
    except NotFound:
        abort(404)


def _back_to_console(meeting_id: int):
    return redirect(url_for("pages.console", meeting_id=meeting_id) + "#screen-link")


@bp.post("/meetings/<int:meeting_id>/screen-link")
@login_required
def create(meeting_id: int):
    """Make the screen link, or a new one in place of the old."""
    _facilitators_meeting(meeting_id)
    ops.screen_link.create(db(), g.user["id"], meeting_id, _secret())
    return _back_to_console(meeting_id)


@bp.post("/meetings/<int:meeting_id>/screen-link/revoke")
@login_required
def revoke(meeting_id: int):
    _facilitators_meeting(meeting_id)
    ops.screen_link.revoke(db(), g.user["id"], meeting_id)
    return _back_to_console(meeting_id)


# -- the API ------------------------------------------------------------------------------


def _link_answer(token: str | None) -> dict:
    return {"screen_link": screen_link_url(token) if token else None}


def _api_facilitator(meeting_id: int):
    """A refusal for a caller who may not hold the link (a researcher), else ``None``;
    a meeting the caller cannot see is a 404 (``meeting_not_found``)."""
    ops.lookup.meeting(db(), g.user["id"], meeting_id)
    if not access.may(g.user["role"], access.WATCH_LIVE):
        return api_error("forbidden", "The screen link is the facilitator's.", 403)
    return None


@api_bp.get("/meetings/<int:meeting_id>/screen-link")
@api_user
def get_link(meeting_id: int):
    return _api_facilitator(meeting_id) or _link_answer(
        ops.screen_link.token(db(), _secret(), meeting_id)
    )


@api_bp.post("/meetings/<int:meeting_id>/screen-link")
@api_user
def create_link(meeting_id: int):
    """A new link; one made before stops working."""
    validation.require_object(json_body(optional=True), allowed=set())
    return _api_facilitator(meeting_id) or _link_answer(
        ops.screen_link.create(db(), g.user["id"], meeting_id, _secret())
    )


@api_bp.delete("/meetings/<int:meeting_id>/screen-link")
@api_user
def revoke_link(meeting_id: int):
    validation.require_object(json_body(optional=True), allowed=set())
    refusal = _api_facilitator(meeting_id)
    if refusal:
        return refusal
    ops.screen_link.revoke(db(), g.user["id"], meeting_id)
    return "", 204
