"""Allowed hosts: a request whose ``Host`` names another site is refused.

A page on another site can make a browser in the meeting room send requests here, by
pointing its own name at this machine's address (DNS rebinding); the browser then sends
that name as ``Host``. So only the names this server is known by are served: the host of
``--public-url``, the machine itself (``localhost``, ``127.0.0.1``, ``::1``), the LAN address
that the join URL shows, and each ``--allowed-host``. The check wraps the whole WSGI app,
Socket.IO included, and compares host names only (the port is ignored).
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from pblapp import netinfo

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
# How often (seconds) an unknown address is checked against the machine's current LAN
# address, which can change while the server runs (a new Wi-Fi lease).
LAN_REFRESH_SECONDS = 30.0


def hostname(host: str | None) -> str | None:
    """The host name in a ``Host`` header (or a bare name), lower-case, without its port,
    IPv6 brackets or a trailing dot; ``None`` when it is empty or malformed."""
    if not host:
        return None
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        if end == -1 or host[end + 1 :] and not _is_port(host[end + 1 :]):
            return None
        try:
            return str(ipaddress.IPv6Address(host[1:end]))
        except ValueError:
            return None
    if host.count(":") > 1:  # a bare IPv6 address, as in --allowed-host ::1
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            return None
    name, colon, port = host.partition(":")
    if colon and not _is_port(colon + port):
        return None
    name = name.removesuffix(".")
    if not name or not all(ch.isalnum() or ch in "-._" for ch in name) or not name.isascii():
        return None
    return name


def _is_port(text: str) -> bool:
    return text.startswith(":") and text[1:].isdigit() and len(text) <= 6


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed_names(public_url: str | None, extra: Iterable[str] = ()) -> set[str]:
    """The host names served: ``public_url``'s, the machine's own, and ``extra``."""
    names = set(LOCAL_NAMES)
    if public_url:
        names.add(hostname(urlsplit(public_url).netloc.rpartition("@")[2]) or "")
    names.update(hostname(name) or "" for name in extra)
    names.discard("")
    return names


class AllowedHosts:
    """WSGI middleware: answers 400 ``host_not_allowed`` unless the request's host is in
    ``names`` or is the machine's current LAN address."""

    def __init__(
        self,
        app,
        names: Iterable[str],
        lan_address: Callable[[], str | None] = netinfo.lan_address,
    ):
        self.app = app
        self.names = {hostname(name) or "" for name in names} - {""}
        self._lan_address = lan_address
        self._lan = lan_address()
        self._lan_checked = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        name = hostname(environ.get("HTTP_HOST"))
        if name is not None and (name in self.names or self._is_lan(name)):
            return self.app(environ, start_response)
        body = json.dumps(
            {
                "error": {
                    "code": "host_not_allowed",
                    "message": "This server does not answer to that host name. Use the "
                    "address the projector shows, or ask the facilitator to start the server "
                    "with --allowed-host for this name.",
                }
            }
        ).encode()
        start_response(
            "400 Bad Request",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Connection", "close"),
            ],
        )
        return [body]

    def _is_lan(self, name: str) -> bool:
        """Whether ``name`` is the LAN address, looked up again at most every
        ``LAN_REFRESH_SECONDS`` (only for addresses: a name never is one)."""
        if not _is_address(name):
            return False
        if name == self._lan:
            return True
        with self._lock:
            if time.monotonic() - self._lan_checked >= LAN_REFRESH_SECONDS:
                self._lan = self._lan_address()
                self._lan_checked = time.monotonic()
            return name == self._lan
