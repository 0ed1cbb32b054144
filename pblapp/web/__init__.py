"""The web layer: HTTP views (``api``, ``pages``, ``phone``, ``auth``) and Socket.IO
handlers (``sockets``). Each checks who is asking (``pblapp.domain.access``), calls the
operations (``pblapp.ops``) and answers."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from pblapp.db import Database


def db() -> Database:
    """The app's database, made once by ``create_app``."""
    return current_app.extensions["pblapp.db"]


T = TypeVar("T")


def off_loop(fn: Callable[..., T], *args) -> T:
    """``fn(*args)`` in a worker thread when serving with gevent, for work that takes long
    (the minutes of a long meeting, a group's archive): the live loop then goes on between
    its steps (Python lets it in every few milliseconds) instead of waiting for the whole
    of it. It runs with this request's context; it must not write to the database (a
    change waits on the loop's own locks), so a download is recorded before. Without
    gevent (tests, ``create_app``), it runs here."""
    if current_app.config["SOCKETIO_ASYNC_MODE"] != "gevent":
        return fn(*args)
    import gevent

    context = contextvars.copy_context()
    return gevent.get_hub().threadpool.apply(context.run, (fn, *args))
