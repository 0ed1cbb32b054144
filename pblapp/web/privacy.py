"""Consent, withdrawal, redaction and erasure over HTTP and the phone's socket.

API routes (``/api/v1/...``, JSON in and out, the API's one error format): the owner
redacts a contribution, records a withdrawal made in person, erases a participant; anyone
who sees a group reads its consent texts and each attendance's consent. They take an API
token, or the facilitator's logged-in browser (the console) with its CSRF token in the
``X-CSRFToken`` header.

Phone routes (``/j/<code>/...``, forms with the page's CSRF token): consent again to a
changed consent text, and withdraw after an "are you sure?". The phone's socket has the
same two as ``participant:consent`` and ``participant:withdraw``.
"""

from __future__ import annotations

import functools

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from pblapp import ops
from pblapp.domain import access, validation
from pblapp.domain import privacy as privacy_rules
from pblapp.domain.errors import DomainError
from pblapp.ops import consent, privacy
from pblapp.web import api, db
from pblapp.web.auth import api_caller_refusal, csrf

bp = Blueprint("privacy", __name__)
# API routes take a token (no cookie, so no CSRF) or check the header themselves; the phone's
# forms check theirs in the view, as the join form does.
csrf.exempt(bp)


@bp.errorhandler(DomainError)
def _refused(exc: DomainError):
    if request.path.startswith("/api/"):
        return api.domain_error(exc)
    return render_template("phone/message.html", error=exc), exc.status


def _csrf_ok(token: str | None) -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def staff_user(view):
    """An API token, or a logged-in browser that sends its page's CSRF token in the
    ``X-CSRFToken`` header; only a facilitator may change things (a researcher gets 403)."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        refusal = api_caller_refusal(access.CHANGE, login_may_change=True)
        if refusal:
            return refusal
        if (
            not g.bearer
            and request.method != "GET"
            and not _csrf_ok(request.headers.get("X-CSRFToken"))
        ):
            return api.error("csrf", "The page expired; reload it and try again.", 400)
        return view(**kwargs)

    return wrapped


def _empty_body() -> None:
    validation.require_object(api.json_body(optional=True), allowed=set())


@bp.post("/api/v1/meetings/<int:meeting_id>/contributions/<int:contribution_id>/redact")
@staff_user
def redact(meeting_id: int, contribution_id: int):
    """``{"replacement"?: str}`` → the contribution, its text now the replacement."""
    body = api.json_body(optional=True)
    contribution = privacy.redact(db(), g.user["id"], meeting_id, contribution_id, body)
    return access.contribution_for(access.audience_of(g.user["role"]), contribution)


@bp.post("/api/v1/groups/<int:group_id>/participants/<pseudonym>/withdraw")
@staff_user
def withdraw(group_id: int, pseudonym: str):
    _empty_body()
    return privacy.withdraw(db(), g.user["id"], group_id, pseudonym)


@bp.post("/api/v1/groups/<int:group_id>/participants/<pseudonym>/erase")
@staff_user
def erase(group_id: int, pseudonym: str):
    _empty_body()
    return privacy.erase(db(), g.user["id"], group_id, pseudonym)


@bp.post("/api/v1/meetings/<int:meeting_id>/participants/<pseudonym>/removal")
@staff_user
def remove_participant(meeting_id: int, pseudonym: str):
    """Take the participant out of the meeting (the twin of ``participant:remove``):
    ``{"removed": [...]}``, the meeting's removed participants."""
    _empty_body()
    return {"removed": ops.removal.remove(db(), g.user["id"], meeting_id, pseudonym)}


@bp.delete("/api/v1/meetings/<int:meeting_id>/participants/<pseudonym>/removal")
@staff_user
def readmit_participant(meeting_id: int, pseudonym: str):
    """Let a removed participant join again (the twin of ``participant:readmit``)."""
    _empty_body()
    return {"removed": ops.removal.readmit(db(), g.user["id"], meeting_id, pseudonym)}


@bp.get("/api/v1/groups/<int:group_id>/consent-texts")
@staff_user
def consent_texts(group_id: int):
    ops.lookup.group(db(), g.user["id"], group_id)
    return privacy.consent_texts(db(), group_id)


@bp.get("/api/v1/groups/<int:group_id>/consents")
@staff_user
def consents(group_id: int):
    ops.lookup.group(db(), g.user["id"], group_id)
    return privacy.consents(db(), group_id)


# -- the phone -----------------------------------------------------------------------------


def _attendance(code: str):
    """The meeting of a join code and this browser's attendance in it (or ``None``)."""
    meeting = ops.lookup.meeting_by_code(db(), code)
    token = session.get("attend", {}).get(str(meeting["id"]))
    attendance = ops.participation.attendance(db(), token)
    if attendance is None or attendance.meeting_id != meeting["id"]:
        return meeting, None
    return meeting, attendance


@bp.post("/j/<code>/consent")
def consent_again(code: str):
    """The phone's form: consent to the group's consent text as it is now."""
    meeting, attendance = _attendance(code)
    if attendance is None:
        return redirect(url_for("phone.join_page", code=meeting["join_code"]))
    if not _csrf_ok(request.form.get("csrf_token")):
        raise DomainError("csrf", "The form expired; please try again.")
    payload = {
        "consent": request.form.get("consent") == "on",
        "consent_version": request.form.get("consent_version", ""),
    }
    try:
        consent.give(db(), attendance, payload)
    except DomainError as exc:
        if exc.code not in ("consent_required", "consent_outdated"):
            raise
        # Not ticked, or the text changed again meanwhile: the page asks again.
    return redirect(url_for("phone.live", code=meeting["join_code"]))


@bp.post("/j/<code>/withdraw")
def withdraw_from_phone(code: str):
    """The phone's form, sent from the "are you sure?" step: withdraw from the research."""
    meeting, attendance = _attendance(code)
    if attendance is None:
        return redirect(url_for("phone.join_page", code=meeting["join_code"]))
    if not _csrf_ok(request.form.get("csrf_token")):
        raise DomainError("csrf", "The form expired; please try again.")
    privacy.withdraw_self(db(), attendance, {"confirm": request.form.get("confirm") == "yes"})
    # The token is void now; the rejoin key stays, so that this phone is refused as the
    # participant who withdrew rather than made a new one.
    session["attend"] = {
        key: value for key, value in session.get("attend", {}).items() if key != str(meeting["id"])
    }
    return render_template("phone/message.html", meeting=meeting, withdrawn=True)


@bp.app_template_global()
def consent_to_renew(attendance) -> dict | None:
    """For the phone's page: the consent text to consent to again before posting, or
    ``None``."""
    return consent.to_renew(db(), attendance.id) if attendance else None


@bp.app_template_global()
def consent_version_of(text: str | None) -> str:
    """For the join page: the version of the consent text it shows."""
    return privacy_rules.consent_version(text) or ""


@bp.app_template_global()
def owns_group(group_id: int) -> bool:
    """For the console: whether the logged-in user owns the group (may redact)."""
    user = g.get("user")
    if user is None:
        return False
    try:
        ops.lookup.owned_group(db(), user["id"], group_id)
    except DomainError:
        return False
    return True
