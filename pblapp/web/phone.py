"""The participant's phone: type the code (or scan it), join the meeting, then post.

A browser keeps two things in its (signed, long-lived) session cookie: the participant
token of each meeting it joined, and per group a rejoin secret, so that the same phone is
the same participant, with the same pseudonym, at the group's later meetings.
"""

from __future__ import annotations

import math

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from pblapp import ops
from pblapp.domain import rate_limit
from pblapp.domain.errors import DomainError
from pblapp.domain.secrets import normalize_join_code
from pblapp.i18n import REACTION_LABELS, error_messages, self_evaluation_items
from pblapp.web import db
from pblapp.web.auth import csrf

bp = Blueprint("phone", __name__)


def _stored_token(meeting_id: int) -> str | None:
    return session.get("attend", {}).get(str(meeting_id))


def _rejoin_secret(group_id: int) -> str | None:
    return session.get("members", {}).get(str(group_id))


# Longer than any code with spaces and dashes typed between its characters.
TYPED_CODE_MAX = 40


def _code_page(typed: str = "", error: str | None = None, status: int = 200):
    """The page with one input for the code; a wrong code is shown again as typed."""
    return render_template("phone/code.html", typed=typed[:TYPED_CODE_MAX], error=error), status


def _unknown_code(typed: str):
    return _code_page(
        typed,
        gettext("No meeting has this code. Check the code on the screen and try again."),
        404,
    )


def _page_for_error(exc: DomainError, meeting: dict | None = None, typed: str = "", **context):
    if exc.code == "unknown_join_code":
        return _unknown_code(typed)
    template = "phone/join.html" if meeting and exc.status == 400 else "phone/message.html"
    return render_template(template, error=exc, meeting=meeting, **context), exc.status


def _loopback(address: str) -> bool:
    return address == "::1" or address.startswith("127.")


def _looks_up_a_code() -> bool:
    """Whether the request names a join code: every ``/j/<code>…`` route (a wrong code
    answers differently from a right one on each), and ``/j?code=``."""
    if "code" in (request.view_args or {}):
        return True
    return request.endpoint == "phone.code_page" and request.args.get("code") is not None


@bp.before_app_request
def limit_code_lookups():
    """Requests that name a join code are limited per address (``rate_limit.JOINS``), so
    that codes cannot be guessed by the thousand. The machine itself (a benchmark, a test,
    a proxy on it) is not limited, unless the server runs behind a proxy (``PROXY``): then
    the address is the one the proxy forwarded."""
    if not _looks_up_a_code():
        return None
    address = request.remote_addr or "-"
    if _loopback(address) and not current_app.config.get("PROXY"):
        return None
    buckets = current_app.extensions["pblapp.buckets"]
    wait = buckets.take("joins", address, rate_limit.JOINS)
    if wait is None:
        return None
    seconds = math.ceil(wait)
    refusal = DomainError(
        "join_rate_limited", f"Too many joins from this address: try again in {seconds} s.", 429
    )
    if request.is_json:
        answer = {"error": {**refusal.as_dict(), "code": "rate_limited", "retry_after": wait}}
        response = current_app.make_response((answer, 429))
    else:
        response = current_app.make_response(
            (render_template("phone/message.html", error=refusal), 429)
        )
    response.headers["Retry-After"] = str(seconds)
    return response


def _join_context(meeting: dict) -> dict:
    group = ops.groups.for_joining(db(), meeting["group_id"])
    return {
        "meeting": meeting,
        "group": group,
        "returning": ops.participation.returning_participant(
            db(), group["id"], _rejoin_secret(group["id"])
        ),
    }


@bp.get("/j", strict_slashes=False)
def code_page():
    """``/j`` asks for the code; ``/j?code=wjk g4b`` leads to that meeting's ``/j/WJKG4B``."""
    typed = request.args.get("code")
    if typed is None:
        return _code_page()
    code = normalize_join_code(typed)
    if not code:
        return _code_page(typed, gettext("Type the code shown on the screen."), 400)
    if len(typed) > TYPED_CODE_MAX:
        return _unknown_code(typed)
    try:
        meeting = ops.lookup.meeting_by_code(db(), code)
    except DomainError:
        return _unknown_code(typed)
    # A closed meeting's code leads on too: /j/<code> says it has ended (410).
    return redirect(url_for("phone.join_page", code=meeting["join_code"]))


@bp.get("/join")
def join_alias():
    """The longer address some people type; the page lives at ``/j``."""
    code = request.args.get("code")
    return redirect(url_for("phone.code_page", code=code) if code else url_for("phone.code_page"))


@bp.get("/j/<code>")
def join_page(code: str):
    try:
        meeting = ops.lookup.meeting_by_code(db(), code)
    except DomainError as exc:
        return _page_for_error(exc, typed=code)
    if meeting["status"] == "closed":
        return render_template("phone/message.html", meeting=meeting, closed=True), 410
    attendance = ops.participation.attendance(db(), _stored_token(meeting["id"]))
    if attendance and attendance.meeting_id == meeting["id"]:
        return redirect(url_for("phone.live", code=meeting["join_code"]))
    return render_template("phone/join.html", **_join_context(meeting))


@bp.post("/j/<code>")
@csrf.exempt
def join(code: str):
    """JSON clients get the token in the answer; browsers get a cookie and a redirect."""
    wants_json = request.is_json
    if wants_json:
        payload = request.get_json(silent=True)
    else:
        # A JSON body cannot be sent cross-site without CORS, so only forms need the token.
        try:
            if current_app.config.get("WTF_CSRF_ENABLED", True):
                validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            return _page_for_error(DomainError("csrf", "The form expired; please try again."))
        payload = {
            "display_name": request.form.get("display_name", ""),
            "organization": request.form.get("organization", ""),
            "consent": request.form.get("consent") == "on",
        }
        # The version of the text the page showed: a text changed meanwhile is refused
        # (``consent_outdated``), never consented to unseen.
        if request.form.get("consent_version"):
            payload["consent_version"] = request.form["consent_version"]
    meeting = None
    try:
        meeting = ops.lookup.meeting_by_code(db(), code)
        rejoin = None if wants_json else _rejoin_secret(meeting["group_id"])
        participant, token, secret = ops.participation.join(
            db(), code, payload, rejoin_secret=rejoin
        )
    except DomainError as exc:
        if wants_json:
            return {"error": exc.as_dict()}, exc.status
        if meeting and exc.status == 400:
            return render_template(
                "phone/join.html", error=exc, form=payload, **_join_context(meeting)
            ), 400
        return _page_for_error(exc, typed=code)
    if wants_json:
        return {"participant": participant, "token": token}
    session.permanent = True
    session["attend"] = {**session.get("attend", {}), str(meeting["id"]): token}
    session["members"] = {**session.get("members", {}), str(meeting["group_id"]): secret}
    return redirect(url_for("phone.live", code=meeting["join_code"]))


@bp.get("/j/<code>/live")
def live(code: str):
    try:
        meeting = ops.lookup.meeting_by_code(db(), code)
    except DomainError as exc:
        return _page_for_error(exc, typed=code)
    token = _stored_token(meeting["id"])
    attendance = ops.participation.attendance(db(), token)
    if attendance is None or attendance.meeting_id != meeting["id"]:
        return redirect(url_for("phone.join_page", code=meeting["join_code"]))
    # Deleting one's own post is refused as not_found when it is not theirs (any more).
    messages = {**error_messages(), "not_found": gettext("This post is not yours, or it is gone.")}
    return render_template(
        "phone/live.html",
        meeting=meeting,
        group=ops.groups.for_joining(db(), meeting["group_id"]),
        attendance=attendance,
        token=token,
        messages=messages,
        group_goals=ops.groups.goals(db(), meeting["group_id"]),
        self_evaluation=self_evaluation_items(),
        reactions=REACTION_LABELS,
    )
