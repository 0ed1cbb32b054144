"""The account page of a logged-in facilitator or researcher: change the password, and
list, make and revoke API tokens.

A new API token is shown once, in the answer to the form that made it (never in a flash
message: the session cookie is signed, not encrypted). Changing the password ends the
user's other browser logins; revoking a token ends what it opened. Either way this
process's sockets that the ended login or token let in are disconnected at once.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext

from pblapp import ops
from pblapp.domain.clock import local_time
from pblapp.domain.errors import DomainError, NotFound
from pblapp.i18n import error_message
from pblapp.web import db
from pblapp.web.auth import guessing_refusal, login_required
from pblapp.web.socket_ends import end_stale_sockets

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(*, status: int = 200, error: str | None = None, new_token: str | None = None):
    """The account page, with a refused form's message or a token made just now."""
    zone = current_app.config["TIMEZONE"]

    def when(moment: str | None) -> str:
        return " ".join(local_time(moment, zone)) if moment else ""

    tokens = [
        {**token, "created": when(token["created_at"]), "used": when(token["last_used_at"])}
        for token in ops.accounts.api_tokens(db(), g.user["id"])
    ]
    page = render_template("account/index.html", tokens=tokens, error=error, new_token=new_token)
    # A page with a token in it stays out of every cache, the browser's back button too.
    return page, status, {"Cache-Control": "no-store"}


@bp.get("")
@login_required
def index():
    return _page()


@bp.post("/password")
@login_required
def change_password():
    refusal = guessing_refusal(g.user["name"])
    if refusal:
        return _page(status=429, error=refusal)
    new = request.form.get("new_password", "")
    if new != request.form.get("new_password2", ""):
        return _page(status=400, error=gettext("The two new passwords differ."))
    try:
        ended = ops.accounts.change_password(
            db(),
            g.user["id"],
            request.form.get("current_password", ""),
            new,
            keep_login=session.get("login"),
        )
    except DomainError as exc:
        if exc.code == "wrong_password":
            # A browser left logged in must not become a way to guess the password.
            ops.accounts.record_login_failure(db(), request.remote_addr or "-", g.user["name"])
        return _page(status=400, error=error_message(exc))
    current_app.logger.info(
        "User %s changed their password; %d other logins ended.", g.user["id"], ended
    )
    end_stale_sockets()
    flash(gettext("Your password is changed. You are logged out everywhere else."))
    return redirect(url_for("account.index"))


@bp.post("/tokens")
@login_required
def create_token():
    try:
        _, token = ops.accounts.create_api_token(db(), g.user["id"], request.form.get("label", ""))
    except DomainError as exc:
        return _page(status=400, error=error_message(exc))
    return _page(new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    try:
        ops.accounts.revoke_api_token(db(), g.user["id"], token_id)
    except NotFound:
        flash(gettext("That API token was revoked already."), "error")
    else:
        end_stale_sockets()
        flash(gettext("The API token is revoked. It opens nothing any more."))
    return redirect(url_for("account.index") + "#tokens")
