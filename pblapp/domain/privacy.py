"""Consent versions, withdrawal, redaction and retention: the rules, without the database.

A consent text's version is the SHA-256 of its exact text. A withdrawn participant's texts
are deleted or kept for the group's own minutes, as the group's ``withdrawal_policy`` says.
A redaction replaces a text everywhere it is stored, earlier events included. Retention
says when a group's names and its name-to-pseudonym key are due for purge.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from pblapp.domain.clock import parse_utc

DELETE = "delete"
KEEP_FOR_MINUTES = "keep_for_minutes"
WITHDRAWAL_POLICIES: tuple[str, ...] = (DELETE, KEEP_FOR_MINUTES)

# What stands in the database where a text was removed. The minutes show their own
# placeholder, in their language, for a withdrawn participant's post.
REDACTED = "[redacted]"
WITHDRAWN = "[withdrawn]"

# Why a contribution's text is no longer the participant's (``contributions.text_removed``).
REMOVED_BY_REDACTION = "redacted"
REMOVED_BY_WITHDRAWAL = "withdrawn"
# The author deleted the post: its row stays, empty, so that its id, seq and client_id are
# never used again (``contributions.deleted_at``).
REMOVED_BY_DELETION = "deleted"

RETENTION_DAYS_MAX = 36500
REPLACEMENT_MAX = 200


def consent_version(text: str | None) -> str | None:
    """The version of a consent text: the SHA-256 (hex) of its exact UTF-8 bytes, or
    ``None`` when the group has no consent text (nothing to consent to)."""
    if not text or not text.strip():
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replace_texts(value: Any, old: str, new: str, keys: frozenset[str]) -> tuple[Any, int]:
    """``value`` (an event's data) with every string under one of ``keys``, at any depth,
    that equals ``old`` replaced by ``new``; and how many were replaced. Only whole values
    are replaced, so that a short text ("ja") cannot damage others that contain it."""
    if isinstance(value, dict):
        count = 0
        result = {}
        for key, item in value.items():
            if key in keys and item == old:
                result[key] = new
                count += 1
            else:
                result[key], found = replace_texts(item, old, new, keys)
                count += found
        return result, count
    if isinstance(value, list):
        items = [replace_texts(item, old, new, keys) for item in value]
        return [item for item, _ in items], sum(found for _, found in items)
    return value, 0


def without_free_texts(answers: dict, placeholder: str) -> dict:
    """Self-evaluation answers with every written answer replaced (the scales stay)."""
    return {key: placeholder if isinstance(value, str) else value for key, value in answers.items()}


def purge_due(
    last_closed_at: str | None, retention_days: int | None, now: datetime
) -> datetime | None:
    """When a group's data became due for purge, if they are due at ``now``: retention
    days after its last meeting closed. ``None`` when the group keeps its data (no
    retention set), has not closed a meeting, or is not due yet."""
    if retention_days is None or not last_closed_at:
        return None
    due = parse_utc(last_closed_at) + timedelta(days=retention_days)
    return due if due <= now else None
