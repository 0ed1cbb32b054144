"""The group's phase, meeting by meeting: the indicators read from the record, the
suggestion (stored when the meeting closes, logged as ``phase.suggested``), and the
facilitator's decision with a note (``phase.decided``). The rules are in
``pblapp.domain.indicators`` and ``pblapp.domain.phases`` (docs/phases.md).

Evidence is stored as ``(key, params)`` pairs; the web layer and the minutes turn it into
sentences in the group's language.
"""

from __future__ import annotations

import json
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import contributions as contribution_rules
from pblapp.domain import indicators as indicator_rules
from pblapp.domain import phases as phase_suggestion
from pblapp.domain import selfeval
from pblapp.domain.access import FACILITATOR, SYSTEM
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError
from pblapp.domain.validation import require_object, text_field
from pblapp.domain.vocabulary import PHASES, REACTION_KINDS
from pblapp.ops import agenda, followups, lookup, participation, records

NOTE_MAX = 2000


def record(db: Database, meeting_id: int) -> dict:
    """One meeting's record as the indicators read it (see ``domain.indicators``), without
    its withdrawn participants: not their posts, reactions, answers or presence, nor the
    reactions to their posts."""
    meeting = lookup.meeting_row(db, meeting_id)
    group = lookup.group_row(db, meeting["group_id"])
    withdrawn = records.withdrawn_pseudonyms(db, meeting["group_id"])
    visible = [
        c
        for c in participation.contributions(db, meeting_id, include_hidden=False)
        if c["pseudonym"] not in withdrawn
    ]
    folded = contribution_rules.folded(visible)
    carried = [q for q in followups.read(db, meeting_id)["questions"] if q["carried_from_earlier"]]
    summary = selfeval.summary(_answer_sets(db, meeting_id))
    return {
        "number": meeting["number"],
        "planned_meetings": group["planned_meetings"],
        "posts": [
            {"participant": c["pseudonym"], "organization": c["organization"], "qtype": c["qtype"]}
            for c in visible
            if c["id"] not in folded
        ],
        "attendees": [
            {"participant": row["pseudonym"], "organization": row["organization"]}
            for row in db.query(
                "SELECT p.pseudonym, a.organization FROM attendances a "
                "JOIN participants p ON p.id = a.participant_id WHERE a.meeting_id = ? "
                "AND p.withdrawn_at IS NULL ORDER BY p.number",
                [meeting_id],
            )
        ],
        "reactions": _reaction_totals(db, meeting_id),
        "carried_in": len(carried),
        "carried_answered": sum(q["status"] == "answered" for q in carried),
        "agenda": [
            {
                "planned_seconds": step["planned_seconds"],
                "used_seconds": step["used_seconds"],
                "started": step["started_at"] is not None,
            }
            for step in agenda.state(db, meeting_id)["steps"]
        ],
        "self_evaluation": {"n": summary["n"], "means": selfeval.means(summary)},
    }


def _answer_sets(db: Database, meeting_id: int) -> list[dict]:
    """The self-evaluation's answers of the participants who have not withdrawn."""
    rows = db.query(
        "SELECT s.answers FROM self_evaluation_answers s "
        "JOIN participants p ON p.id = s.participant_id "
        "WHERE s.meeting_id = ? AND p.withdrawn_at IS NULL ORDER BY s.answered_at",
        [meeting_id],
    )
    return [json.loads(row["answers"]) for row in rows]


def _reaction_totals(db: Database, meeting_id: int) -> dict[str, int]:
    """A meeting's reactions by kind on posts that are not hidden, neither given by a
    withdrawn participant nor to one's post."""
    found = dict.fromkeys(REACTION_KINDS, 0)
    for row in db.query(
        "SELECT r.kind, COUNT(*) AS n FROM reactions r "
        "JOIN contributions c ON c.id = r.contribution_id "
        "JOIN participants author ON author.id = c.participant_id "
        "JOIN participants giver ON giver.id = r.participant_id "
        "WHERE r.meeting_id = ? AND c.hidden = 0 AND author.withdrawn_at IS NULL "
        "AND giver.withdrawn_at IS NULL GROUP BY r.kind",
        [meeting_id],
    ):
        found[row["kind"]] = row["n"]
    return found


def _previous_meeting(db: Database, meeting: dict) -> dict | None:
    row = db.query_one(
        "SELECT id FROM meetings WHERE group_id = ? AND number < ? AND status != 'planned' "
        "ORDER BY number DESC LIMIT 1",
        [meeting["group_id"], meeting["number"]],
    )
    return lookup.meeting_row(db, row["id"]) if row else None


def _stored(db: Database, meeting_id: int) -> dict | None:
    row = db.query_one("SELECT * FROM phases WHERE meeting_id = ?", [meeting_id])
    return dict(row) if row else None


def phase_of(db: Database, meeting_id: int) -> str | None:
    """The phase a meeting ended in: decided, else suggested at its close."""
    stored = _stored(db, meeting_id)
    return (stored["decided"] or stored["suggested"]) if stored else None


def compute(db: Database, meeting_id: int) -> dict:
    """The suggestion for a meeting as its record stands now: ``{"suggested",
    "confidence", "evidence": [[key, params]], "indicators"}``."""
    meeting = lookup.meeting_row(db, meeting_id)
    previous = _previous_meeting(db, meeting)
    values = indicator_rules.meeting_indicators(
        record(db, meeting_id), record(db, previous["id"]) if previous else None
    )
    planned = lookup.group_row(db, meeting["group_id"])["planned_meetings"]
    suggestion = phase_suggestion.suggest(
        values,
        phase_of(db, previous["id"]) if previous else None,
        # The last planned meeting, not every one after it.
        bool(planned) and meeting["number"] == planned,
    )
    return {
        "suggested": suggestion["suggested"],
        "confidence": suggestion["confidence"],
        "evidence": [[key, params] for key, params in suggestion["evidence"]],
        "indicators": values,
    }


def read(db: Database, meeting_id: int) -> dict:
    """The phase object of ``GET /meetings/<mid>/phase``, evidence still as ``[key,
    params]``: the suggestion stored at the close, or one computed now while the meeting
    runs; the decision and its note if the facilitator made one."""
    stored = _stored(db, meeting_id)
    if stored and stored["suggested"]:
        found = {
            "suggested": stored["suggested"],
            "confidence": stored["confidence"],
            "evidence": json.loads(stored["evidence"]),
            "indicators": json.loads(stored["indicators"]),
        }
    else:
        found = compute(db, meeting_id)
    return {
        "meeting_id": meeting_id,
        **found,
        "decided": stored["decided"] if stored else None,
        "note": stored["note"] if stored else None,
        "decided_at": stored["decided_at"] if stored else None,
    }


def suggest_at_close(db: Database, meeting_id: int) -> None:
    """Store and log the suggestion once the meeting has closed (``phase.suggested``), and
    again when moderation after the close changes what it is computed from (re-tags,
    hides, merges), so that the stored indicators match the exports."""
    meeting = lookup.meeting_row(db, meeting_id)
    suggestion = compute(db, meeting_id)

    def write(change: Change) -> None:
        change.db["phases"].upsert(
            {
                "meeting_id": meeting_id,
                "suggested": suggestion["suggested"],
                "confidence": suggestion["confidence"],
                "evidence": json.dumps(suggestion["evidence"], ensure_ascii=False),
                "indicators": json.dumps(suggestion["indicators"]),
                "suggested_at": utc_now(),
            },
            pk="meeting_id",
        )
        change.record_in(meeting, "phase.suggested", actor=SYSTEM, **suggestion)

    db.change(write)


def decide(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """``{"phase": key, "note"?: text}``: the facilitator confirms the suggestion or
    chooses another phase, during or after the meeting."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    require_object(payload, allowed={"phase", "note"}, required={"phase"})
    if meeting["status"] == "planned":
        raise Conflict("meeting_not_started", "A phase is decided during or after a meeting.")
    phase = payload["phase"]
    if phase not in PHASES:
        raise DomainError("invalid_phase", "phase is one of " + ", ".join(PHASES) + ".")
    note = payload.get("note")
    note = text_field(note, "note", max_len=NOTE_MAX) or None if note is not None else None
    suggested = read(db, meeting_id)["suggested"]

    def write(change: Change) -> None:
        change.db["phases"].upsert(
            {"meeting_id": meeting_id, "decided": phase, "note": note, "decided_at": utc_now()},
            pk="meeting_id",
        )
        change.record_in(
            meeting,
            "phase.decided",
            actor=FACILITATOR,
            phase=phase,
            note=note,
            suggested=suggested,
        )

    db.change(write)
    return read(db, meeting_id)


def series(db: Database, group_id: int) -> list[dict]:
    """Every meeting of a group with its phase and indicators, for the timeline and
    ``meetings.csv``: ``{"meeting": meeting, "phase": phase object | None}``; a meeting
    still planned has no phase."""
    rows = db.query("SELECT id FROM meetings WHERE group_id = ? ORDER BY number", [group_id])
    found = []
    for row in rows:
        meeting = lookup.meeting_row(db, row["id"])
        phase = read(db, meeting["id"]) if meeting["status"] != "planned" else None
        found.append({"meeting": meeting, "phase": phase})
    return found
