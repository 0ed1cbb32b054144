"""The record of a meeting and a group, read for research and for the minutes: the event
log, one export row per contribution, and the facts of a meeting the minutes start from.

No display names leave this module for research: rows and events carry pseudonyms only.
A withdrawn participant is left out of ``log.csv`` and ``log.jsonl``: their contributions,
and every event of theirs or about their posts (``participant.withdrawn`` and
``participant.erased`` stay, so that the log says that it happened). So is a post its author
deleted, with every event about it but ``contribution.deleted``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pblapp.db import Database, Event
from pblapp.domain import identifying
from pblapp.domain.access import text_as_shown
from pblapp.domain.agenda import step_title
from pblapp.domain.clock import local_time
from pblapp.domain.errors import NotFound
from pblapp.domain.exports import local_iso

# A meeting's day in every research file: the day it started, else its planned day (else
# the day it was made), in the group's time zone; the minutes use the same.
MEETING_AT = "COALESCE(m.started_at, m.scheduled_at, m.created_at) AS meeting_at"

# Kept in the log when the participant they name has withdrawn: that it happened, no text.
WITHDRAWAL_EVENTS = frozenset({"participant.withdrawn", "participant.erased"})


def events(db: Database, *, group_id: int, meeting_id: int | None = None) -> list[dict]:
    """The event log of a group, or of one of its meetings, in log order (``log.jsonl``),
    without the events of withdrawn participants and those about their posts."""
    if meeting_id is None:
        rows = db.query("SELECT * FROM events WHERE group_id = ? ORDER BY seq", [group_id])
    else:
        rows = db.query("SELECT * FROM events WHERE meeting_id = ? ORDER BY seq", [meeting_id])
    scope = withdrawn_scope(db, group_id)
    deleted = _deleted_scope(db, group_id)
    flagged = _flagged(db, group_id)
    return [
        _masked(event, flagged)
        for event in _events(rows)
        if (event["type"] in WITHDRAWAL_EVENTS or not _about_withdrawn(event, scope))
        and not _about_deleted(event, deleted)
    ]


def _flagged(db: Database, group_id: int) -> dict[int, dict]:
    """The group's posts whose flags the facilitator has not cleared: id → the post's
    ``text`` and ``flag_spans``."""
    rows = db.query(
        "SELECT c.id, c.text, c.flag_spans FROM contributions c "
        "JOIN meetings m ON m.id = c.meeting_id "
        "WHERE m.group_id = ? AND c.flag_spans != '[]' AND c.flags_cleared = 0",
        [group_id],
    )
    return {row["id"]: dict(row) for row in rows}


def _masked(event: dict, flagged: dict[int, dict]) -> dict:
    """An event with a flagged post's words (``contribution.added``'s ``text``) masked as
    every research file masks them."""
    post = flagged.get(event["data"].get("contribution_id"))
    text = event["data"].get("text")
    if post is None or not isinstance(text, str):
        return event
    if text == post["text"]:
        shown = text_as_shown(text, post)
    else:
        # Not the post's words as they are now: what the detectors find in these is masked.
        shown = identifying.masked(text, identifying.find(text))
    return {**event, "data": {**event["data"], "text": shown}}


def deleted_ids(db: Database, group_id: int) -> set[int]:
    """The group's posts that their authors deleted."""
    rows = db.query(
        "SELECT c.id FROM contributions c JOIN meetings m ON m.id = c.meeting_id "
        "WHERE m.group_id = ? AND c.deleted_at IS NOT NULL",
        [group_id],
    )
    return {row["id"] for row in rows}


def _deleted_scope(db: Database, group_id: int) -> dict[str, set]:
    return {"contributions": deleted_ids(db, group_id), "questions": set(), "cases": set()}


def _about_deleted(event: dict, scope: dict[str, set]) -> bool:
    """Whether an event is about a deleted post (its own ``contribution.deleted`` aside),
    or about the question or case story that went with it. The log is read in order, so
    the event that made a question or story comes before those that name only its id."""
    data = event["data"]
    if event["type"] == "contribution.deleted":
        return False
    if data.get("contribution_id") in scope["contributions"]:
        for key, kind in (("question_id", "questions"), ("case_id", "cases")):
            if data.get(key) is not None:
                scope[kind].add(data[key])
        return True
    return data.get("question_id") in scope["questions"] or data.get("case_id") in scope["cases"]


def _about_withdrawn(event: dict, scope: dict[str, set]) -> bool:
    data = event["data"]
    return (
        event["actor"] in scope["pseudonyms"]
        or data.get("contribution_id") in scope["contributions"]
        or data.get("question_id") in scope["questions"]
    )


def withdrawn_scope(db: Database, group_id: int) -> dict[str, set]:
    """What of a group is its withdrawn participants': their ``pseudonyms``, their
    ``contributions`` (ids) and the ``questions`` (ids) made from those."""
    rows = db.query(
        "SELECT p.pseudonym, c.id AS contribution_id, q.id AS question_id "
        "FROM participants p LEFT JOIN contributions c ON c.participant_id = p.id "
        "LEFT JOIN questions q ON q.contribution_id = c.id "
        "WHERE p.group_id = ? AND p.withdrawn_at IS NOT NULL",
        [group_id],
    )
    return {
        "pseudonyms": {row["pseudonym"] for row in rows},
        "contributions": {row["contribution_id"] for row in rows} - {None},
        "questions": {row["question_id"] for row in rows} - {None},
    }


def _events(rows) -> list[dict]:
    return [
        Event(
            type=row["type"],
            actor=row["actor"],
            group_id=row["group_id"],
            meeting_id=row["meeting_id"],
            data=json.loads(row["data"]),
            seq=row["seq"],
            at=row["at"],
        ).as_dict()
        for row in rows
    ]


def export_rows(
    db: Database,
    *,
    group_id: int,
    meeting_id: int | None = None,
    zone: str = "UTC",
    step_labels: Mapping[str, str] | None = None,
) -> list[dict]:
    """Rows for ``log.csv``: every contribution, hidden ones included, no names. Dates and
    local times are in the group's time zone (``zone`` only for a group without one), so
    that ``meeting_date`` is the minutes' date; ``agenda_step`` is the step's own title,
    else its label in ``step_labels`` (the group's language), else its key."""
    zone = group_zone(db, group_id, zone)
    sql = (
        "SELECT g.id AS group_id, g.name AS group_name, m.number AS meeting_number, "
        # The minutes' date: the day the meeting started, else its scheduled day.
        f"{MEETING_AT}, "
        "c.id AS contribution_id, c.seq, c.created_at, p.pseudonym, c.organization, "
        "c.qtype AS question_type, c.text, c.hidden, c.carry_forward, "
        "c.merged_into_id AS merged_into, s.key AS step_key, s.title AS step_title, "
        "c.status, c.flag_spans, c.flags_cleared "
        "FROM contributions c JOIN meetings m ON m.id = c.meeting_id "
        "JOIN groups g ON g.id = m.group_id JOIN participants p ON p.id = c.participant_id "
        "LEFT JOIN agenda_steps s ON s.id = c.agenda_step_id "
        # A withdrawn participant's posts are no research data; a deleted post is none.
        "WHERE g.id = ? AND p.withdrawn_at IS NULL AND c.deleted_at IS NULL"
    )
    params: list[Any] = [group_id]
    if meeting_id is not None:
        sql += " AND m.id = ?"
        params.append(meeting_id)
    rows = db.query(sql + " ORDER BY m.number, c.seq", params)
    history = qtype_history(db, group_id=group_id, meeting_id=meeting_id)
    result = []
    for row in rows:
        item = dict(row)
        item["meeting_date"] = local_time(item.pop("meeting_at"), zone)[0]
        item["hidden"] = bool(item["hidden"])
        item["carry_forward"] = bool(item["carry_forward"])
        first, retags = history.get(item["contribution_id"], (item["question_type"], 0))
        item["original_question_type"], item["retag_count"] = first, retags
        step = {"key": item.pop("step_key"), "title": item.pop("step_title")}
        item["agenda_step"] = step_title(step if any(step.values()) else None, step_labels or {})
        item["created_at_local"] = local_iso(item["created_at"], zone)
        _guarded(item)
        result.append(item)
    return result


def _guarded(item: dict) -> None:
    """A row as research files show it: what the privacy guard found masked until the
    facilitator cleared the flags, and the flags' kinds (``;``-separated) and whether they
    were cleared beside it."""
    item["text"] = text_as_shown(item["text"], item)
    spans = json.loads(item.pop("flag_spans"))
    item["flags_cleared"] = bool(item["flags_cleared"])
    item["flags"] = ";".join(identifying.kinds(identifying.Finding(*span) for span in spans))


def group_zone(db: Database, group_id: int, fallback: str = "UTC") -> str:
    """The group's time zone (an IANA name), else ``fallback``."""
    row = db.query_one("SELECT timezone FROM groups WHERE id = ?", [group_id])
    return (row["timezone"] if row else None) or fallback


def meeting_facts(db: Database, meeting_id: int) -> dict:
    """What the minutes say of a meeting besides its posts and follow-ups: the meeting row
    with its group's name, kind, plan, organisations, language and time zone
    (``timezone``), the facilitator's name,
    and who attended (``attendance``: ``[(organization code, pseudonym)]`` in joining
    order; ``present``: the same as rows with ``display_name`` and ``joined_at``;
    ``roster``: the group's participants up to this meeting, not withdrawn, erased or
    merged). ``withdrawn_posts``: the ids of the group's contributions whose words the
    minutes replace with a placeholder: a withdrawn participant's, unless the group keeps
    them for its minutes (``keep_for_minutes``) and they are still stored."""
    row = db.query_one(
        "SELECT m.*, g.name AS group_name, g.kind, g.planned_meetings, g.organizations, "
        "g.language, g.withdrawal_policy, g.timezone, u.name AS facilitator FROM meetings m "
        "JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = g.owner_id "
        "WHERE m.id = ?",
        [meeting_id],
    )
    if row is None:
        raise NotFound("meeting_not_found", "No such meeting.")
    facts = dict(row)
    facts["organizations"] = json.loads(row["organizations"])
    # Who was there, with when their attendance began (late arrivals), and the roster:
    # everyone who joined or was added to this or an earlier meeting of the group, not
    # withdrawn, erased or merged into another pseudonym (the absent are the rest of it).
    facts["present"] = [
        dict(r)
        for r in db.query(
            "SELECT p.id, a.organization, p.pseudonym, p.display_name, a.joined_at "
            "FROM attendances a JOIN participants p ON p.id = a.participant_id "
            "WHERE a.meeting_id = ? ORDER BY p.number",
            [meeting_id],
        )
    ]
    facts["attendance"] = [(r["organization"], r["pseudonym"]) for r in facts["present"]]
    facts["roster"] = [
        dict(r)
        for r in db.query(
            "SELECT p.id, p.organization, p.pseudonym, p.display_name FROM participants p "
            "WHERE p.group_id = ? AND p.withdrawn_at IS NULL AND p.erased_at IS NULL "
            "AND p.merged_into_id IS NULL AND EXISTS (SELECT 1 FROM attendances a "
            "JOIN meetings m ON m.id = a.meeting_id WHERE a.participant_id = p.id "
            "AND m.group_id = p.group_id AND m.number <= ?) ORDER BY p.number",
            [facts["group_id"], facts["number"]],
        )
    ]
    facts["withdrawn_posts"] = {
        r["id"]
        for r in db.query(
            "SELECT c.id FROM contributions c JOIN participants p ON p.id = c.participant_id "
            "WHERE p.group_id = ? AND p.withdrawn_at IS NOT NULL "
            "AND (? != 'keep_for_minutes' OR c.text_removed = 'withdrawn')",
            [facts["group_id"], facts["withdrawal_policy"]],
        )
    }
    return facts


def withdrawn_ids(db: Database, group_id: int) -> set[int]:
    """The participants of a group who withdrew: their contributions, reactions and
    self-evaluation answers are left out of every research export."""
    rows = db.query(
        "SELECT id FROM participants WHERE group_id = ? AND withdrawn_at IS NOT NULL", [group_id]
    )
    return {row["id"] for row in rows}


def qdpx_facts(db: Database, group_id: int) -> dict:
    """What the REFI-QDA project of a group (``export.qdpx``) is made of, no names: the
    group; its meetings that have started, each with its visible contributions in ``seq``
    order (merged duplicates too); and its participants (pseudonym and organisation; not a
    pseudonym merged into another).
    Withdrawn participants (:func:`withdrawn_ids`) and their contributions are left out;
    their pseudonyms are listed in ``withdrawn_pseudonyms``."""
    group = db.query_one(
        "SELECT id, name, language, organizations, created_at, record_kind FROM groups "
        "WHERE id = ?",
        [group_id],
    )
    if group is None:
        raise NotFound("group_not_found", "No such group.")
    withdrawn = withdrawn_ids(db, group_id)
    # A pseudonym merged into another (``ops.identities``) has nothing left of its own.
    people = db.query(
        "SELECT id, pseudonym, organization, created_at FROM participants "
        "WHERE group_id = ? AND merged_into_id IS NULL ORDER BY number",
        [group_id],
    )
    meetings = [
        {**dict(row), "contributions": []}
        for row in db.query(
            "SELECT id, number, title, status, scheduled_at, started_at, closed_at, created_at "
            "FROM meetings WHERE group_id = ? AND status != 'planned' ORDER BY number",
            [group_id],
        )
    ]
    by_id = {meeting["id"]: meeting for meeting in meetings}
    rows = db.query(
        "SELECT c.id, c.meeting_id, c.seq, c.participant_id, p.pseudonym, "
        "COALESCE(c.organization, p.organization) AS organization, c.qtype, c.text, "
        "c.created_at, c.updated_at, c.flag_spans, c.flags_cleared FROM contributions c "
        "JOIN meetings m ON m.id = c.meeting_id JOIN participants p ON p.id = c.participant_id "
        "WHERE m.group_id = ? AND c.hidden = 0 AND c.deleted_at IS NULL "
        "ORDER BY m.number, c.seq",
        [group_id],
    )
    for row in rows:
        if row["participant_id"] not in withdrawn and row["meeting_id"] in by_id:
            post = dict(row)
            # What the privacy guard found stays masked, as in every research file.
            post["text"] = text_as_shown(post["text"], post)
            del post["flag_spans"], post["flags_cleared"]
            by_id[row["meeting_id"]]["contributions"].append(post)
    return {
        "group": {
            "id": group["id"],
            "name": group["name"],
            "language": group["language"] or "sv",
            "organizations": json.loads(group["organizations"]),
            "created_at": group["created_at"],
            "record_kind": group["record_kind"] or "notes",
        },
        "meetings": meetings,
        "participants": [dict(p) for p in people if p["id"] not in withdrawn],
        "withdrawn_pseudonyms": [p["pseudonym"] for p in people if p["id"] in withdrawn],
    }


# -- research files beyond log.csv and log.jsonl (participants.csv, the archive) -----------


def qtype_history(
    db: Database, *, group_id: int, meeting_id: int | None = None
) -> dict[int, tuple[str | None, int]]:
    """For each contribution: the question type it was posted with, and how many times the
    facilitator changed its type since (from ``contribution.added`` and
    ``contribution.updated`` in the log)."""
    sql = (
        "SELECT type, json_extract(data, '$.contribution_id') AS contribution_id, "
        "json_extract(data, '$.qtype') AS qtype, "
        "json_type(data, '$.changes.qtype') IS NOT NULL AS retagged "
        "FROM events WHERE type IN ('contribution.added', 'contribution.updated') AND "
    )
    if meeting_id is None:
        rows = db.query(sql + "group_id = ? ORDER BY seq", [group_id])
    else:
        rows = db.query(sql + "meeting_id = ? ORDER BY seq", [meeting_id])
    history: dict[int, tuple[str | None, int]] = {}
    for row in rows:
        if row["type"] == "contribution.added":
            history[row["contribution_id"]] = (row["qtype"], 0)
        elif row["retagged"] and row["contribution_id"] in history:
            first, count = history[row["contribution_id"]]
            history[row["contribution_id"]] = (first, count + 1)
    return history


def withdrawn_pseudonyms(db: Database, group_id: int) -> set[str]:
    """The pseudonyms of the participants of :func:`withdrawn_ids`."""
    rows = db.query(
        "SELECT pseudonym FROM participants WHERE group_id = ? AND withdrawn_at IS NOT NULL",
        [group_id],
    )
    return {row["pseudonym"] for row in rows}


def _consent_column(db: Database) -> str | None:
    """The attendance's consent version, where the schema has one (``consent_hash``)."""
    columns = {row["name"] for row in db.query("PRAGMA table_info(attendances)")}
    return "consent_hash" if "consent_hash" in columns else None


def participant_rows(
    db: Database, *, group_id: int, meeting_id: int | None = None, zone: str = "UTC"
) -> list[dict]:
    """Rows for ``participants.csv``: one per pseudonym and meeting attended (organisation
    given at that meeting, when they joined it, the consent version), no names. A withdrawn
    participant has no attendance rows, only one row that says so. ``meeting_date`` is in
    the group's time zone (``zone`` only for a group without one)."""
    zone = group_zone(db, group_id, zone)
    consent = _consent_column(db)
    sql = (
        "SELECT m.group_id, m.number AS meeting_number, "
        f"{MEETING_AT}, p.pseudonym, "
        "a.organization, a.joined_at, "
        + (f"a.{consent}" if consent else "NULL")
        + " AS consent_version, p.withdrawn_at IS NOT NULL AS withdrawn "
        "FROM attendances a JOIN meetings m ON m.id = a.meeting_id "
        "JOIN participants p ON p.id = a.participant_id WHERE m.group_id = ?"
    )
    params: list[Any] = [group_id]
    if meeting_id is not None:
        sql += " AND m.id = ?"
        params.append(meeting_id)
    rows = db.query(sql + " ORDER BY m.number, p.number", params)
    result, withdrawn_seen = [], set()
    for row in rows:
        item = dict(row)
        item["meeting_date"] = local_time(item.pop("meeting_at"), zone)[0]
        item["withdrawn"] = bool(item["withdrawn"])
        if item["withdrawn"]:
            withdrawn_seen.add(item["pseudonym"])
            continue
        result.append(item)
    for name in sorted(withdrawn_seen, key=lambda p: (len(p), p)):
        result.append(
            {
                "group_id": group_id,
                "meeting_number": None,
                "meeting_date": None,
                "pseudonym": name,
                "organization": None,
                "joined_at": None,
                "consent_version": None,
                "withdrawn": True,
            }
        )
    return result


def schema_version(db: Database) -> int:
    """The database schema's version (``PRAGMA user_version``: the last migration run)."""
    return db.query_one("PRAGMA user_version")[0]
