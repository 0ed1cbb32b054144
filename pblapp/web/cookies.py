"""The session cookie (the login, and a phone's participant token) is ``Secure`` whenever
the browser's connection is HTTPS, so that it never crosses the network in clear text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface

# How long a phone's cookie (its participant tokens and the groups' rejoin secrets) lasts:
# the same phone must come back as the same participant at the group's later meetings,
# weeks apart. A login's cookie lasts the session lifetime instead (SESSION_HOURS).
PHONE_COOKIE_LIFETIME = timedelta(days=180)


class SessionCookies(SecureCookieSessionInterface):
    """``Secure`` when ``SESSION_COOKIE_SECURE`` says so (the server serves TLS itself, or
    its public URL is https), and also for a request that came over HTTPS: directly, or
    through a proxy that said so (``--proxy``, ``X-Forwarded-Proto: https``). A plain
    HTTP request gets no ``Secure`` cookie then, since the browser would drop it."""

    def get_cookie_secure(self, app) -> bool:
        if app.config["SESSION_COOKIE_SECURE"]:
            return True
        return has_request_context() and request.is_secure

    def get_expiration_time(self, app, session) -> datetime | None:
        """A cookie with a login lasts the session lifetime, renewed by each request; any
        other (a phone's) lasts :data:`PHONE_COOKIE_LIFETIME`."""
        if not session.permanent:
            return None
        login = "login" in session
        lifetime = app.permanent_session_lifetime if login else PHONE_COOKIE_LIFETIME
        return datetime.now(UTC) + lifetime
