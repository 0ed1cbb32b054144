"""Taking part: join a meeting, post, and the posts read.

A post is stored once per ``client_id``: a phone that resends after a lost ack gets the
stored post back and nothing changes; one its author deleted (``ops.deletion``) stays
deleted.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import identifying, validation
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, Forbidden, Gone
from pblapp.domain.secrets import hash_token, new_token
from pblapp.domain.vocabulary import REACTION_KINDS, pseudonym
from pblapp.ops import consent, lookup

# A post's status (``contributions.status``): shown, waiting for approval, or rejected.
VISIBLE, PENDING, REJECTED = "visible", "pending", "rejected"
STATUSES: tuple[str, ...] = (VISIBLE, PENDING, REJECTED)


@dataclass(frozen=True)
class Attendance:
    """A participant present in one meeting: who the socket or phone page acts as."""

    id: int
    meeting_id: int
    group_id: int
    participant_id: int
    pseudonym: str
    display_name: str
    organization: str


CONTRIBUTION_SQL = """
    SELECT c.id, c.seq, c.meeting_id, c.client_id, p.pseudonym, p.display_name,
           c.organization, c.qtype, c.text, c.created_at, c.hidden, c.carry_forward,
           c.agenda_step_id, c.merged_into_id, c.flag_spans, c.flags_cleared, c.status,
           c.moderation_reason,
           (SELECT COUNT(*) FROM reactions r WHERE r.contribution_id = c.id
            AND r.kind = 'agree') AS agree,
           (SELECT COUNT(*) FROM reactions r WHERE r.contribution_id = c.id
            AND r.kind = 'disagree') AS disagree,
           (SELECT COUNT(*) FROM reactions r WHERE r.contribution_id = c.id
            AND r.kind = 'build_on') AS build_on
    FROM contributions c JOIN participants p ON p.id = c.participant_id
"""


def contribution_object(row: sqlite3.Row | dict) -> dict:
    """The contribution object of INTERFACE.md. ``flag_spans`` (``[[kind, start, end]]``,
    code point offsets into ``text``) and ``moderation_reason`` are the console's:
    ``access.contribution_for`` takes them from every other audience."""
    spans = json.loads(row["flag_spans"])
    return {
        "id": row["id"],
        "seq": row["seq"],
        "meeting_id": row["meeting_id"],
        "client_id": row["client_id"],
        "pseudonym": row["pseudonym"],
        "display_name": row["display_name"],
        "organization": row["organization"],
        "qtype": row["qtype"],
        "text": row["text"],
        "created_at": row["created_at"],
        "hidden": bool(row["hidden"]),
        "carry_forward": bool(row["carry_forward"]),
        "agenda_step_id": row["agenda_step_id"],
        "merged_into_id": row["merged_into_id"],
        "reactions": {kind: row[kind] for kind in REACTION_KINDS},
        "flags": identifying.kinds(identifying.Finding(*span) for span in spans),
        "flags_cleared": bool(row["flags_cleared"]),
        "status": row["status"],
        "flag_spans": spans,
        "moderation_reason": row["moderation_reason"],
    }


def join(
    db: Database, join_code: str, payload: Any, *, rejoin_secret: str | None = None
) -> tuple[dict, str, str]:
    """Join a meeting by its code.

    Returns the participant, a new participant token for this meeting, and the
    rejoin secret the browser keeps so that it is the same participant (same
    pseudonym) at the group's later meetings; a JSON client sends instead ``"token"``,
    a participant token of an earlier join. A returning participant keeps the organisation
    of their first join (the one sent is not used); a merged pseudonym joins as the one
    it was merged into.
    """
    meeting = lookup.meeting_by_code(db, join_code)
    if meeting["status"] == "closed":
        raise Gone("meeting_closed", "This meeting has ended.")
    group = lookup.group_row(db, meeting["group_id"])
    earlier_token = None
    if isinstance(payload, dict) and "token" in payload:
        payload = dict(payload)
        earlier_token = payload.pop("token")
        if not isinstance(earlier_token, str) or not earlier_token:
            raise DomainError("invalid_token", "token is the participant token of a join.")
    returning = _returning(db, group["id"], rejoin_secret, earlier_token)
    if earlier_token is not None and returning is None:
        raise DomainError(
            "unknown_participant_token", "This token belongs to no participant of this group."
        )
    codes = [org["code"] for org in group["organizations"]]
    if returning is not None and isinstance(payload, dict):
        payload = {
            "display_name": returning["display_name"],
            **payload,
            "organization": returning["organization"],
        }
        codes.append(returning["organization"])
    data = validation.join(
        payload,
        organization_codes=codes,
        consent_required=bool(group["consent_text"].strip()),
    )
    token = new_token()

    def write(change: Change) -> tuple[dict, str]:
        now = utc_now()
        participant = returning
        version = consent.at_join(change, group, participant, data, now)
        secret = rejoin_secret if participant and rejoin_secret else new_token()
        if participant is None:
            number = change.db.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM participants WHERE group_id = ?",
                [group["id"]],
            ).fetchone()[0]
            participant_id = change.insert(
                "participants",
                {
                    "group_id": group["id"],
                    "number": number,
                    "pseudonym": pseudonym(number),
                    "display_name": data["display_name"],
                    "organization": data["organization"],
                    "rejoin_hash": hash_token(secret),
                    "created_at": now,
                },
            )
            name = pseudonym(number)
            rejoined = False
        else:
            participant_id = participant["id"]
            name = participant["pseudonym"]
            rejoined = True
            change.db.execute(
                "UPDATE participants SET display_name = ? WHERE id = ?",
                [data["display_name"], participant_id],
            )
        existing = change.db.execute(
            "SELECT id, removed_at FROM attendances WHERE meeting_id = ? AND participant_id = ?",
            [meeting["id"], participant_id],
        ).fetchone()
        if existing and existing["removed_at"] is not None:
            raise Forbidden(
                "participant_removed", "The facilitator has removed you from this meeting."
            )
        consented_at = now if data["consent"] else None
        if existing:
            change.db.execute(
                "UPDATE attendances SET token_hash = ?, organization = ?, "
                "consented_at = COALESCE(?, consented_at) WHERE id = ?",
                [hash_token(token), data["organization"], consented_at, existing["id"]],
            )
        else:
            change.db["attendances"].insert(
                {
                    "meeting_id": meeting["id"],
                    "participant_id": participant_id,
                    "organization": data["organization"],
                    "token_hash": hash_token(token),
                    "consented_at": consented_at,
                    "joined_at": now,
                }
            )
        consent.keep_version(change, meeting["id"], participant_id, version)
        change.record(
            "participant.joined",
            actor=name,
            group_id=group["id"],
            meeting_id=meeting["id"],
            organization=data["organization"],
            consent=data["consent"],
            consent_version=version,
            rejoined=rejoined,
        )
        return (
            {
                "pseudonym": name,
                "display_name": data["display_name"],
                "organization": data["organization"],
            },
            secret,
        )

    (participant, secret), _ = db.change(write)
    return participant, token, secret


def _returning(
    db: Database, group_id: int, rejoin_secret: str | None, token: str | None
) -> dict | None:
    """The group's participant a browser's rejoin secret or an earlier participant token
    names, after any merge (``id``, ``pseudonym``, ``display_name``, ``organization``)."""
    if token:
        key, which = token, "p.id = (SELECT participant_id FROM attendances WHERE token_hash = ?)"
    elif rejoin_secret:
        key, which = rejoin_secret, "p.rejoin_hash = ?"
    else:
        return None
    row = db.query_one(
        "SELECT t.id, t.pseudonym, t.display_name, t.organization FROM participants p "
        f"JOIN participants t ON t.id = COALESCE(p.merged_into_id, p.id) WHERE {which} "
        "AND p.group_id = ?",
        [hash_token(key), group_id],
    )
    return dict(row) if row else None


def returning_participant(db: Database, group_id: int, rejoin_secret: str | None) -> dict | None:
    """The participant a browser was at this group's earlier meetings, if any."""
    found = _returning(db, group_id, rejoin_secret, None)
    return (
        {key: found[key] for key in ("pseudonym", "display_name", "organization")}
        if found
        else None
    )


def attendance(db: Database, token: str | None) -> Attendance | None:
    """Who a participant token belongs to, or ``None`` (also for a removed participant's)."""
    if not token:
        return None
    row = db.query_one(
        "SELECT a.id, a.meeting_id, m.group_id, a.participant_id, p.pseudonym, "
        "p.display_name, a.organization FROM attendances a "
        "JOIN participants p ON p.id = a.participant_id "
        "JOIN meetings m ON m.id = a.meeting_id WHERE a.token_hash = ? AND a.removed_at IS NULL",
        [hash_token(token)],
    )
    return Attendance(**dict(row)) if row else None


# -- contributions ----------------------------------------------------------------


def contributions(
    db: Database, meeting_id: int, *, since_seq: int = 0, include_hidden: bool = True
) -> list[dict]:
    """The meeting's posts in ``seq`` order; never one its author deleted."""
    sql = CONTRIBUTION_SQL + " WHERE c.meeting_id = ? AND c.seq > ? AND c.deleted_at IS NULL"
    if not include_hidden:
        sql += " AND c.hidden = 0"
    rows = db.query(sql + " ORDER BY c.seq", [meeting_id, since_seq])
    return [contribution_object(row) for row in rows]


def contributions_by_id(db: Database, ids: list[int]) -> list[dict]:
    """The posts ``ids`` that their authors have not deleted, in ``seq`` order."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    sql = CONTRIBUTION_SQL + f" WHERE c.id IN ({marks}) AND c.deleted_at IS NULL ORDER BY c.seq"
    return [contribution_object(row) for row in db.query(sql, list(ids))]


def hidden_up_to(db: Database, meeting_id: int, seq: int) -> list[dict]:
    """The meeting's hidden posts up to ``seq``: what a page that had them must now hide;
    and the ones approved or rejected up to ``seq``, which a page may have missed (a screen
    gets an approved post only once it is approved, however long after its seq)."""
    sql = CONTRIBUTION_SQL + (
        " WHERE c.meeting_id = ? AND c.seq <= ? AND (c.hidden = 1 OR c.moderated_at IS NOT NULL)"
        " AND c.deleted_at IS NULL"
    )
    return [
        contribution_object(row) for row in db.query(sql + " ORDER BY c.seq", [meeting_id, seq])
    ]


def post(db: Database, attendance: Attendance, payload: Any) -> tuple[dict, bool]:
    """Store a participant's contribution once per ``client_id``.

    Returns the contribution and whether it is new. A retry with a known
    ``client_id`` returns the stored contribution and changes nothing.
    """
    data = validation.new_contribution(payload)
    # The privacy guard checks before the write, so that the writer's transaction stays
    # short, with the roster as last read; the write looks again only if the roster has
    # moved since (a join, a new name), so no post is checked against an old roster.
    version, names = _kept_roster(db, attendance.group_id)
    spans = _spans(data["text"], names)

    def write(change: Change) -> tuple[dict | int, bool]:
        nonlocal spans
        # One statement for the meeting, the post this client_id may already have made,
        # and the next seq.
        meeting = change.db.execute(
            "SELECT m.status, m.current_step_id, m.premoderation, g.roster_version,"
            " (SELECT COALESCE(MAX(seq), 0) + 1 FROM contributions WHERE meeting_id = m.id)"
            " AS next_seq, e.id AS existing_id, e.participant_id AS existing_author,"
            " e.deleted_at AS existing_deleted_at"
            " FROM meetings m JOIN groups g ON g.id = m.group_id LEFT JOIN contributions e"
            " ON e.meeting_id = m.id AND e.client_id = ? WHERE m.id = ?",
            [data["client_id"], attendance.meeting_id],
        ).fetchone()
        status = meeting["status"]
        if meeting["existing_id"] is not None:
            if meeting["existing_author"] != attendance.participant_id:
                raise Conflict("client_id_taken", "This client_id belongs to another post.")
            if meeting["existing_deleted_at"] is not None:
                # A phone that sends a deleted post again does not bring it back.
                raise Gone("contribution_deleted", "You deleted this post.")
            return meeting["existing_id"], False
        consent.check_may_post(change, attendance.id)
        if status != "live":
            raise Conflict(
                "meeting_not_live",
                "The meeting has not started yet."
                if status == "planned"
                else "The meeting has ended.",
            )
        if meeting["roster_version"] != version:
            roster = _roster_at(
                db,
                attendance.group_id,
                meeting["roster_version"],
                lambda sql, params: change.db.execute(sql, params).fetchall(),
            )
            spans = _spans(data["text"], roster)
        pending = bool(meeting["premoderation"])
        seq = meeting["next_seq"]
        contribution_id = change.insert(
            "contributions",
            {
                "meeting_id": attendance.meeting_id,
                "seq": seq,
                "participant_id": attendance.participant_id,
                "client_id": data["client_id"],
                "organization": attendance.organization,
                "text": data["text"],
                "qtype": data["qtype"],
                # Waiting for approval, it is hidden like a hidden post until approved.
                "hidden": int(pending),
                "carry_forward": 0,
                "created_at": utc_now(),
                "agenda_step_id": meeting["current_step_id"],
                "flag_spans": json.dumps(spans),
                "status": PENDING if pending else VISIBLE,
            },
        )
        added = change.record(
            "contribution.added",
            actor=attendance.pseudonym,
            group_id=attendance.group_id,
            meeting_id=attendance.meeting_id,
            contribution_id=contribution_id,
            seq=seq,
            client_id=data["client_id"],
            organization=attendance.organization,
            qtype=data["qtype"],
            text=data["text"],
            agenda_step_id=meeting["current_step_id"],
            flags=[span[0] for span in spans],
            status=PENDING if pending else VISIBLE,
        )
        row = {
            **change.db.execute(
                "SELECT * FROM contributions WHERE id = ?", [contribution_id]
            ).fetchone(),
            "pseudonym": attendance.pseudonym,
            "display_name": attendance.display_name,
            **dict.fromkeys(REACTION_KINDS, 0),
        }
        added.written = contribution_object(row)
        return added.written, True

    (stored, created), _ = db.change(write)
    # A new post as written (no one has reacted yet); a known one as it is now.
    return (stored if created else contribution(db, stored)), created


# The names of each group's roster as last read, by (database file, group): (roster version,
# names). A plenary's thousand names are read once, not once a post.
_ROSTERS: dict[tuple[str, int], tuple[int, list[str]]] = {}


def roster_names(db: Database, group_id: int) -> list[str]:
    """The names the privacy guard looks for in a group's posts: every display name on its
    roster (withdrawn and erased participants' too, while their names are stored) and each
    one's first name. Read again only when ``groups.roster_version`` moved (a join, a new
    name, an erasure)."""
    found = db.query_one("SELECT roster_version FROM groups WHERE id = ?", [group_id])
    version = found["roster_version"] if found else -1
    return _roster_at(db, group_id, version, db.query)


def _roster_at(db: Database, group_id: int, version: int, query) -> list[str]:
    """The roster's names at ``version``: as kept, or read with ``query(sql, params)``
    (a reader's, or a writer's inside its transaction) and kept."""
    key = _roster_key(db, group_id)
    kept = _ROSTERS.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    rows = query(
        "SELECT display_name FROM participants WHERE group_id = ? AND display_name != ''",
        [group_id],
    )
    names = identifying.roster_names(row["display_name"] for row in rows)
    _ROSTERS[key] = (version, names)
    return names


def _kept_roster(db: Database, group_id: int) -> tuple[int, list[str]]:
    """The roster as last read, with its version, without asking the database again (it
    is read once if it never was)."""
    kept = _ROSTERS.get(_roster_key(db, group_id))
    if kept is None:
        roster_names(db, group_id)
        kept = _ROSTERS[_roster_key(db, group_id)]
    return kept


def _roster_key(db: Database, group_id: int) -> tuple[str, int]:
    """Where a group's roster is kept in ``_ROSTERS``: per database file and group."""
    return (str(db.path), group_id)


def _spans(text: str, names: list[str]) -> list[list]:
    """What the detectors find in ``text``, as stored: ``[[kind, start, end]]``."""
    return [[f.kind, f.start, f.end] for f in identifying.find(text, names)]


def findings(db: Database, group_id: int, text: str) -> list[identifying.Finding]:
    """What the detectors find in ``text``, with the group's roster names."""
    return identifying.find(text, roster_names(db, group_id))


def check(db: Database, attendance: Attendance, payload: Any) -> dict:
    """``contribution:check {"text"}``: what the privacy guard would flag in a post not yet
    sent, for the phone's warning. Offsets are in UTF-16 code units, as JavaScript counts;
    nothing is stored or logged."""
    validation.require_object(payload, allowed={"text"}, required={"text"})
    text = validation.contribution_text(payload["text"])
    found = []
    for finding in findings(db, attendance.group_id, text):
        start, end = identifying.utf16_span(text, finding)
        found.append(
            {
                "kind": finding.kind,
                "start": start,
                "end": end,
                "text": text[finding.start : finding.end],
            }
        )
    # The text as the server will store it (trimmed), which the offsets count in.
    return {"text": text, "findings": found}


def contribution(db: Database, contribution_id: int) -> dict:
    row = db.query_one(CONTRIBUTION_SQL + " WHERE c.id = ?", [contribution_id])
    return contribution_object(row)
