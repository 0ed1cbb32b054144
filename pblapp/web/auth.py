"""Facilitator accounts: log in, log out, and the one-time setup of the first account."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
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
from flask_wtf.csrf import CSRFProtect

from pblapp import ops
from pblapp.domain import access
from pblapp.domain.clock import format_utc
from pblapp.domain.errors import DomainError
from pblapp.i18n import error_message
from pblapp.web import db
from pblapp.web.socket_ends import end_stale_sockets

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    csrf.init_app(app)

    @app.before_request
    def load_user():
        g.user = session_user()

    @app.context_processor
    def access_context():
        # Templates ask the access rules too: {% if may("change") %} shows a form.
        return {
            "may": lambda action: g.get("user") is not None and access.may(g.user["role"], action)
        }


def session_user() -> dict | None:
    """The user this browser is logged in as: the login must still be open on the server,
    so a cookie kept from before a logout opens nothing, and it must have been used within
    the session lifetime (``SESSION_HOURS``). This request counts as a use."""
    login_id = session.get("login")
    if not isinstance(login_id, str):
        return None
    hours = current_app.config["SESSION_HOURS"]
    return ops.accounts.login_user(db(), login_id, hours, touch=True)


READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def api_caller_refusal(
    action: str = access.CHANGE, *, login_may_change: bool = False
) -> tuple[dict, int] | None:
    """Who calls the JSON API, set as ``g.user``: a bearer API token, or a logged-in
    browser (for reading; for changing too where ``login_may_change``, the caller then
    checks the page's CSRF token). A change needs ``action``. Returns the refusal in the
    API's error format, or ``None``; ``g.bearer`` says whether a token was sent."""
    header = request.headers.get("Authorization", "")
    g.bearer = header.startswith("Bearer ")
    writing = request.method not in READ_METHODS
    if g.bearer:
        user = ops.accounts.user_for_api_token(db(), header[len("Bearer ") :].strip())
        if user is None:
            return api_error("invalid_token", "The API token is not valid.", 401)
        g.user = user
    elif g.get("user") is None or (writing and not login_may_change):
        return api_error("unauthorized", "Send 'Authorization: Bearer <API token>'.", 401)
    if writing and not access.may(g.user["role"], action):
        message = (
            "Only a facilitator may change things."
            if action == access.CHANGE
            else "Only a facilitator or a researcher may do that."
        )
        return api_error("forbidden", message, 403)
    return None


def api_error(code: str, message: str, status: int) -> tuple[dict, int]:
    """An answer in the JSON API's one error format."""
    return {"error": {"code": code, "message": message}}, status


def login_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(**kwargs)

    return wrapped


def _log_in(user: dict) -> None:
    session.clear()
    session.permanent = True
    session["login"] = ops.accounts.start_login(db(), user["id"])


def _safe_next(target: str | None) -> str:
    """A path on this site to go to after logging in; anything else goes to the groups.

    Browsers and Werkzeug drop tabs and newlines and read a backslash as a slash, so
    ``/\t/evil.example`` would leave the site: such characters are refused outright.
    """
    if (
        target
        and target.startswith("/")
        and not any(ch in target for ch in "\\\t\r\n ")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("pages.groups")


# Guessing passwords: after this many wrong ones from one address within the window, that
# address waits out the window. Counted in the database (``login_failures``), so every
# server process sees the same count and a restart does not reset it.
FAILED_LOGINS_MAX = 10
FAILED_LOGINS_WINDOW = 15 * 60
# And after this many for one account name, from any addresses, that account waits. It is
# above what two addresses can reach (each stops at FAILED_LOGINS_MAX), so that one person
# in the room (one address, or two with a phone's mobile data) cannot lock the facilitator
# out before the meeting, while a guess spread over many addresses still gets no more than
# this many tries per window.
FAILED_LOGINS_PER_ACCOUNT_MAX = 3 * FAILED_LOGINS_MAX


def _window_start() -> str:
    """The earliest time of a failure that still counts (stored times compare as text)."""
    return format_utc(datetime.now(UTC) - timedelta(seconds=FAILED_LOGINS_WINDOW))


def guessing_refusal(name: str) -> str | None:
    """Why a password for ``name`` from this address may not be tried now (in the UI
    language), or ``None``. Unknown names are counted as known ones are, so a refusal
    tells nothing about which names exist."""
    address = request.remote_addr or "-"
    by_address, by_name = ops.accounts.login_failure_counts(db(), address, name, _window_start())
    if by_address >= FAILED_LOGINS_MAX:
        return gettext("Too many wrong passwords from this computer. Wait 15 minutes.")
    if by_name >= FAILED_LOGINS_PER_ACCOUNT_MAX:
        return gettext("Too many wrong passwords for this account. Wait 15 minutes.")
    return None


@bp.route("/", methods=["GET", "POST"])
def login():
    if g.user and request.method == "GET":
        return redirect(url_for("pages.groups"))
    if request.method == "GET":
        return render_template("auth/login.html", error=None)
    address = request.remote_addr or "-"
    name = request.form.get("name", "")
    refusal = guessing_refusal(name)
    if refusal:
        return render_template("auth/login.html", error=refusal), 429
    user = ops.accounts.authenticate(db(), name, request.form.get("password", ""))
    if user:
        ops.accounts.forget_login_failures(db(), address)
        _log_in(user)
        return redirect(_safe_next(request.args.get("next")))
    ops.accounts.record_login_failure(db(), address, name)
    return render_template("auth/login.html", error=gettext("Wrong name or password.")), 401


@bp.post("/logout")
def logout():
    login_id = session.pop("login", None)
    if isinstance(login_id, str):
        ops.accounts.end_login(db(), login_id)
        end_stale_sockets()  # the console's socket was let in with this login: it ends too
    return redirect(url_for("auth.login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str):
    if not ops.accounts.setup_token_valid(db(), token):
        title = gettext("This setup link cannot be used")
        text = gettext(
            "It has been used already, or the server has made a new one since. "
            "Log in, or ask whoever runs the server for the link it printed last."
        )
        return render_template("error.html", title=title, text=text), 404
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("password2", ""):
            error = gettext("The two passwords differ.")
        else:
            try:
                user = ops.accounts.use_setup_token(
                    db(), token, request.form.get("name", ""), password
                )
            except DomainError as exc:
                error = error_message(exc)
            else:
                _log_in(user)
                flash(gettext("Welcome! Your facilitator account is ready."))
                return redirect(url_for("pages.groups"))
    # A refused form keeps the name typed; the passwords are typed again.
    name = request.form.get("name", "")
    return render_template("auth/setup.html", error=error, name=name), 400 if error else 200
