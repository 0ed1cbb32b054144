"""pblapp: live base-group (PBL) and focus-group meetings.

``create_app`` builds the Flask app over a data directory holding the SQLite database.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from pblapp.buckets import buckets_for
from pblapp.db import Database
from pblapp.domain.markup import markdown_to_html
from pblapp.domain.validation import ID_MAX
from pblapp.ops.accounts import DEFAULT_SESSION_HOURS

SESSION_HOURS_MAX = 366 * 24


def _secret_key(data_dir: Path) -> str:
    """``PBLAPP_SECRET_KEY``, else a key generated once and kept in the data dir (0600)."""
    if os.environ.get("PBLAPP_SECRET_KEY"):
        return os.environ["PBLAPP_SECRET_KEY"]
    path = data_dir / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _session_hours(app: Flask, value) -> float:
    """The session lifetime in hours: a positive number of at most a year; anything else
    is warned about and the default (12) is used."""
    try:
        hours = float(value)
    except (TypeError, ValueError):
        hours = -1.0
    if not 0 < hours <= SESSION_HOURS_MAX:
        app.logger.warning(
            "Session lifetime %r is not a number of hours from 0 to %d; using %g.",
            value,
            SESSION_HOURS_MAX,
            DEFAULT_SESSION_HOURS,
        )
        return DEFAULT_SESSION_HOURS
    return hours


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes, limited to what SQLite can store."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=os.environ.get("PBLAPP_DATA_DIR", str(Path.cwd() / "sessions")),
        PUBLIC_URL=os.environ.get("PBLAPP_PUBLIC_URL") or None,
        SERVER_PORT=None,
        TIMEZONE=os.environ.get("PBLAPP_TIMEZONE", "Europe/Stockholm"),
        SOCKETIO_ASYNC_MODE="threading",
        MESSAGE_QUEUE=None,
        # Seconds between two sends of a meeting's counts to its console and screens
        # during a burst of posts (effects.throttle); 0 sends after every change.
        LIVE_STATE_INTERVAL=0.25,
        # Seconds between two batches of new posts to the phones that take them in batches
        # (the phone page): the first post after a quiet second goes at once.
        PHONE_BATCH_INTERVAL=1.0,
        # Seconds a phone waits for the privacy guard's answer (contribution:check) before
        # it sends the post anyway; the server checks every post again.
        PRIVACY_CHECK_WAIT=float(os.environ.get("PBLAPP_PRIVACY_CHECK_WAIT", "1.0")),
        # Token buckets on each participant's socket events (domain.rate_limit). Off only
        # with PBLAPP_PARTICIPANT_RATE_LIMITS=0, for a test that fires posts from one
        # phone to measure something else.
        PARTICIPANT_RATE_LIMITS=os.environ.get("PBLAPP_PARTICIPANT_RATE_LIMITS", "1") != "0",
        BABEL_DEFAULT_LOCALE="sv",
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # Hours without a request after which a browser login ends, on the server too
        # (ops.accounts.login_user); the login cookie lasts as long, renewed by each request.
        SESSION_HOURS=os.environ.get("PBLAPP_SESSION_HOURS") or DEFAULT_SESSION_HOURS,
        # Room for a 5 MB image upload; every other body has its own, smaller limits.
        MAX_CONTENT_LENGTH=6 * 1024 * 1024,
        # Behind a reverse proxy (run.py --proxy): the X-Forwarded-For, -Proto and -Host
        # of one hop are trusted, for the client's address, HTTPS and the host name.
        PROXY=False,
        # Host names besides the public URL's, localhost and the LAN address (run.py
        # --allowed-host). None turns the Host check off: for an app made in-process (the
        # tests, whose client says "localhost"); the served app always checks.
        ALLOWED_HOSTS=None,
    )
    if test_config:
        app.config.update(test_config)
    data_dir = Path(app.config["DATA_DIR"]).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["DATA_DIR"] = str(data_dir)
    try:
        ZoneInfo(app.config["TIMEZONE"])
    except (KeyError, ValueError):
        app.logger.warning("Unknown time zone %r; using UTC.", app.config["TIMEZONE"])
        app.config["TIMEZONE"] = "UTC"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(data_dir)
    app.config["SESSION_HOURS"] = _session_hours(app, app.config["SESSION_HOURS"])
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_HOURS"])

    from pblapp import i18n
    from pblapp.effects.live import LiveFanOut
    from pblapp.effects.minutes import MinutesOnDisk
    from pblapp.effects.phases import SuggestionAfterClose
    from pblapp.web import (
        account,
        api,
        auth,
        development,
        exports,
        minutes_versions,
        notice,
        openapi,
        pages,
        payloads,
        phone,
        privacy,
        qdpx,
        research,
        screen_link,
        sockets,
    )
    from pblapp.web.cookies import SessionCookies
    from pblapp.web.hosts import AllowedHosts, allowed_names

    # An id in a path that SQLite cannot hold is no meeting or group: a 404, never a 500.
    app.url_map.converters["int"] = IdConverter

    database = Database(data_dir / "pblapp.sqlite3")
    app.extensions["pblapp.db"] = database
    # The rate limits' buckets: in Redis when the processes share the rooms through it.
    app.extensions["pblapp.buckets"] = buckets_for(app.config["MESSAGE_QUEUE"])

    i18n.init_app(app)
    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(phone.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(development.bp)
    app.register_blueprint(research.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(qdpx.bp)
    app.register_blueprint(screen_link.bp)
    app.register_blueprint(screen_link.api_bp)
    app.register_blueprint(notice.bp)
    app.register_blueprint(minutes_versions.bp)
    app.register_blueprint(openapi.bp)
    api.init_app(app)
    socketio = sockets.init_app(app)
    payloads.init_app(app, socketio)
    app.session_interface = SessionCookies()
    # Around everything, Socket.IO's middleware included (which init_app put in place):
    # the proxy's headers are read first, so the Host check sees the browser's host name.
    if app.config["ALLOWED_HOSTS"] is not None:
        names = allowed_names(app.config["PUBLIC_URL"], app.config["ALLOWED_HOSTS"])
        app.wsgi_app = AllowedHosts(app.wsgi_app, names)
    if app.config["PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    # What follows a committed change: the live rooms first, then the minutes on disk, then
    # a closed meeting's phase suggestion (whose own change rewrites the minutes again).
    def later(delay: float, fn) -> None:
        def run() -> None:
            socketio.sleep(delay)
            fn()

        socketio.start_background_task(run)

    database.subscribe(
        LiveFanOut(
            database,
            lambda name, payload, room: socketio.emit(name, payload, to=room),
            interval=app.config["LIVE_STATE_INTERVAL"],
            batch_interval=app.config["PHONE_BATCH_INTERVAL"],
            later=later,
            # Under gevent, lets the frames already queued leave (a greenlet switch).
            pause=lambda: socketio.sleep(0),
        )
    )
    database.subscribe(MinutesOnDisk(app, database))
    database.subscribe(SuggestionAfterClose(database))

    # Facilitators' Markdown (goals, starting point), cleaned to safe HTML.
    app.add_template_filter(lambda text: Markup(markdown_to_html(text)), "markdown")

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    app.after_request(_security_headers)
    return app


def _security_headers(response):
    """Defence in depth for every page: nothing but our own scripts, styles and sockets runs,
    and no other site may frame a page (a screen or console in a frame could be clicked
    through). A response that set its own policy (the minutes) keeps it."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'",
        )
    return response
