"""URLs that leave the server: the ones phones open and people share."""

from flask import current_app, request

from pblapp.netinfo import base_url


def public_base() -> str:
    """``--public-url`` if given, else this machine's LAN address and port."""
    port = current_app.config.get("SERVER_PORT")
    if port is None and request:
        port = request.host.rpartition(":")[2] if ":" in request.host else None
    return base_url(
        current_app.config.get("PUBLIC_URL"),
        port,
        request.host if request else None,
        scheme=current_app.config["PREFERRED_URL_SCHEME"],
    )


def join_url(join_code: str) -> str:
    return f"{public_base()}/j/{join_code}"


def short_join_url() -> str:
    """The code page's address, short enough to type: the screen shows it by the code."""
    return f"{public_base()}/j"


def screen_link_url(token: str) -> str:
    """A meeting's screen link: its projector screen, without a login."""
    return f"{public_base()}/s/{token}"


def screen_url(meeting_id: int) -> str:
    return f"{public_base()}/meetings/{meeting_id}/screen"
