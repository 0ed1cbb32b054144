"""The web layer: HTTP views (``api``, ``pages``, ``phone``, ``auth``) and Socket.IO
handlers (``sockets``). Each checks who is asking (``pblapp.domain.access``), calls the
operations (``pblapp.ops``) and answers."""

from __future__ import annotations

from flask import current_app

from pblapp.db import Database


def db() -> Database:
    """The app's database, made once by ``create_app``."""
    return current_app.extensions["pblapp.db"]
