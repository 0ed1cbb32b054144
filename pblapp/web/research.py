"""Research access and stable identities: the owner grants and revokes researchers (on the
group page and through the API), reads the audit log, merges pseudonyms, records attendance
without a phone and corrects a participant's organisation. And :func:`record_download`,
which every route that sends a log or an export calls.

Everything here but :func:`record_download` is the group owner's own (``access.MANAGE``,
checked by ``ops.lookup.owned_group``): someone who cannot see the group gets 404, a user
it was granted to (a researcher) 403 ``not_owner`` (a researcher's change, 403 ``forbidden``
first).

``web.api`` imports this module for :func:`record_download`, so this one cannot import
``web.api``: its API routes are declared with :func:`api_route`, which takes the caller as
``web.api.api_user`` does and answers in the API's error format (a test holds the two to the
same answers).
"""

from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext

from pblapp import ops
from pblapp.domain import validation
from pblapp.domain.clock import local_time
from pblapp.domain.errors import DomainError, Forbidden, NotFound
from pblapp.i18n import error_message
from pblapp.web import db
from pblapp.web.auth import api_caller_refusal, api_error, csrf, login_required

bp = Blueprint("research", __name__)

API = "/api/v1"
# How many audit entries the group page shows; the API gives them all.
AUDIT_ON_PAGE = 50


def record_download(group_id: int) -> None:
    """Record that the current request's user downloads one of the group's logs or exports
    (``path``: the request's path and query). Call it once the caller is known to see the
    group and before answering: a download that cannot be recorded is not sent."""
    path = request.full_path[:-1] if request.full_path.endswith("?") else request.full_path
    ops.audit.record_download(db(), group_id, g.user, path)


# -- the API ---------------------------------------------------------------------------


def api_route(rule: str, **options):
    """Declare ``/api/v1<rule>``: a bearer API token (or, for reading, a browser's login),
    a researcher may only read, and refusals in the API's error format."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            refusal = api_caller_refusal()
            if refusal:
                return refusal
            try:
                return view(**kwargs)
            except DomainError as exc:
                return api_error(exc.code, exc.message, exc.status)

        # An API token is never sent by a browser on its own: no CSRF token needed.
        bp.route(API + rule, **options)(csrf.exempt(wrapped))
        return wrapped

    return decorate


def _json_object() -> dict:
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any real body
        payload = None
    if not isinstance(payload, dict):
        raise DomainError("invalid_json", "The body must be a JSON object.")
    return payload


@api_route("/groups/<int:group_id>/grants", methods=["GET"])
def list_grants(group_id: int):
    ops.lookup.owned_group(db(), g.user["id"], group_id)
    return ops.groups.grants(db(), group_id)


@api_route("/groups/<int:group_id>/grants", methods=["POST"])
def add_grant(group_id: int):
    body = validation.require_object(_json_object(), allowed={"username"}, required={"username"})
    grant, created = ops.groups.grant_by_name(
        db(), group_id, body["username"], by=g.user, path=request.path
    )
    return grant, 201 if created else 200


@api_route("/groups/<int:group_id>/grants/<path:username>", methods=["DELETE"])
def delete_grant(group_id: int, username: str):
    ops.groups.revoke_by_name(db(), group_id, username, by=g.user, path=request.path)
    return "", 204


@api_route("/groups/<int:group_id>/audit", methods=["GET"])
def audit_log(group_id: int):
    return ops.audit.entries(db(), g.user["id"], group_id)


@api_route("/groups/<int:group_id>/participants", methods=["GET"])
def list_participants(group_id: int):
    return ops.identities.participants(db(), g.user["id"], group_id)


@api_route("/groups/<int:group_id>/participants/<pseudonym>", methods=["PATCH"])
def update_participant(group_id: int, pseudonym: str):
    return ops.identities.update(db(), g.user["id"], group_id, pseudonym, _json_object())


@api_route("/groups/<int:group_id>/participants/<pseudonym>/merge", methods=["POST"])
def merge_participant(group_id: int, pseudonym: str):
    return ops.identities.merge(db(), g.user["id"], group_id, pseudonym, _json_object())


@api_route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
def add_attendance(meeting_id: int):
    return ops.identities.add_attendance(db(), g.user["id"], meeting_id, _json_object()), 201


# -- the group page ------------------------------------------------------------------------


def group_page_context(group_id: int) -> dict:
    """What the group page shows its owner besides the group: the researchers it is granted
    to and the newest audit entries. ``owns`` is false (and the rest empty) for anyone
    else, a granted researcher included."""
    try:
        audit = ops.audit.entries(db(), g.user["id"], group_id)
    except (Forbidden, NotFound):
        return {"owns": False, "grants": [], "audit": [], "audit_total": 0}
    zone = ops.groups.timezone(db(), group_id)
    return {
        "owns": True,
        "grants": ops.groups.grants(db(), group_id),
        "audit": [
            {**entry, "when": " ".join(local_time(entry["at"], zone))}
            for entry in audit[:AUDIT_ON_PAGE]
        ],
        "audit_total": len(audit),
    }


def _owner_form(group_id: int, change) -> str | None:
    """Run ``change`` for the group page's form; an error's message in the UI language."""
    try:
        change()
    except NotFound as exc:
        if exc.code == "group_not_found":
            abort(404)
        return error_message(exc)
    except Forbidden:
        abort(403)
    except DomainError as exc:
        return error_message(exc)
    return None


@bp.post("/groups/<int:group_id>/grants")
@login_required
def grant_form(group_id: int):
    username = request.form.get("username", "").strip()
    problem = _owner_form(
        group_id,
        lambda: ops.groups.grant_by_name(db(), group_id, username, by=g.user, path=request.path),
    )
    if problem:
        flash(problem, "error")
    else:
        flash(gettext("%(name)s may now read this group's logs and exports.", name=username))
    return redirect(url_for("pages.group", group_id=group_id) + "#grants")


@bp.post("/groups/<int:group_id>/grants/revoke")
@login_required
def revoke_form(group_id: int):
    username = request.form.get("username", "")
    problem = _owner_form(
        group_id,
        lambda: ops.groups.revoke_by_name(db(), group_id, username, by=g.user, path=request.path),
    )
    if problem:
        flash(problem, "error")
    else:
        flash(gettext("%(name)s no longer has access to this group.", name=username))
    return redirect(url_for("pages.group", group_id=group_id) + "#grants")
