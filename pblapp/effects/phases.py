"""Keeps a closed meeting's stored phase suggestion true to its record: when the
facilitator re-tags, hides or merges posts after the close, the suggestion and its
indicators are computed again and logged (``phase.suggested``), so that ``meetings.csv``,
the timeline and the minutes match ``log.csv``."""

from __future__ import annotations

import logging

from pblapp.db import Database, Event
from pblapp.ops import lookup, phases

log = logging.getLogger(__name__)
# Events that change what a suggestion is computed from.
INPUT_EVENTS = frozenset({"contribution.updated", "contribution.merged", "contribution.unmerged"})


class SuggestionAfterClose:
    """Subscriber: recompute the suggestion of a closed meeting whose posts changed."""

    def __init__(self, db: Database):
        self.db = db

    def __call__(self, events: list[Event]) -> None:
        meeting_ids = dict.fromkeys(
            e.meeting_id for e in events if e.type in INPUT_EVENTS and e.meeting_id
        )
        for meeting_id in meeting_ids:
            try:
                if lookup.meeting_row(self.db, meeting_id)["status"] == "closed":
                    phases.suggest_at_close(self.db, meeting_id)
            except Exception:
                log.exception("Could not recompute the phase of meeting %s", meeting_id)
