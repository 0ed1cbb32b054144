"""Taking part: join a meeting, post, and what the facilitator does with the posts
(re-tag, hide, carry to the next meeting, merge duplicates).

A post is stored once per ``client_id``: a phone that resends after a lost ack gets the
stored post back and nothing changes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import validation
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, Gone, NotFound
from pblapp.domain.secrets import hash_token, new_token
from pblapp.domain.vocabulary import REACTION_KINDS, pseudonym
from pblapp.ops import followups, lookup


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
           c.agenda_step_id, c.merged_into_id,
           (SELECT COUNT(*) FROM reactions r WHERE r.contribution_id = c.id
            AND r.kind = 'agree') AS agree,
           (SELECT COUNT(*) FROM reactions r WHERE r.contribution_id = c.id
            AND r.kind = 'disagree') AS disagree,
           (SELECT COUNT(*) FROM reactions r WHERE r.contribution_id = c.id
            AND r.kind = 'build_on') AS build_on
    FROM contributions c JOIN participants p ON p.id = c.participant_id
"""


def contribution_object(row: sqlite3.Row | dict) -> dict:
    """The contribution object of INTERFACE.md."""
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
    }


def join(
    db: Database, join_code: str, payload: Any, *, rejoin_secret: str | None = None
) -> tuple[dict, str, str]:
    """Join a meeting by its code.

    Returns the participant, a new participant token for this meeting, and the
    rejoin secret the browser keeps so that it is the same participant (same
    pseudonym) at the group's later meetings.
    """
    meeting = lookup.meeting_by_code(db, join_code)
    if meeting["status"] == "closed":
        raise Gone("meeting_closed", "This meeting has ended.")
    group = lookup.group_row(db, meeting["group_id"])
    data = validation.join(
        payload,
        organization_codes=[org["code"] for org in group["organizations"]],
        consent_required=bool(group["consent_text"].strip()),
    )
    token = new_token()

    def write(change: Change) -> tuple[dict, str]:
        now = utc_now()
        participant = None
        if rejoin_secret:
            participant = change.db.execute(
                "SELECT * FROM participants WHERE rejoin_hash = ? AND group_id = ?",
                [hash_token(rejoin_secret), group["id"]],
            ).fetchone()
        secret = rejoin_secret if participant else new_token()
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
                "UPDATE participants SET display_name = ?, organization = ? WHERE id = ?",
                [data["display_name"], data["organization"], participant_id],
            )
        existing = change.db.execute(
            "SELECT id FROM attendances WHERE meeting_id = ? AND participant_id = ?",
            [meeting["id"], participant_id],
        ).fetchone()
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
        change.record(
            "participant.joined",
            actor=name,
            group_id=group["id"],
            meeting_id=meeting["id"],
            organization=data["organization"],
            consent=data["consent"],
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


def returning_participant(db: Database, group_id: int, rejoin_secret: str | None) -> dict | None:
    """The participant a browser was at this group's earlier meetings, if any."""
    if not rejoin_secret:
        return None
    row = db.query_one(
        "SELECT pseudonym, display_name, organization FROM participants "
        "WHERE rejoin_hash = ? AND group_id = ?",
        [hash_token(rejoin_secret), group_id],
    )
    return dict(row) if row else None


def attendance(db: Database, token: str | None) -> Attendance | None:
    """Who a participant token belongs to, or ``None``."""
    if not token:
        return None
    row = db.query_one(
        "SELECT a.id, a.meeting_id, m.group_id, a.participant_id, p.pseudonym, "
        "p.display_name, a.organization FROM attendances a "
        "JOIN participants p ON p.id = a.participant_id "
        "JOIN meetings m ON m.id = a.meeting_id WHERE a.token_hash = ?",
        [hash_token(token)],
    )
    return Attendance(**dict(row)) if row else None


# -- contributions ----------------------------------------------------------------


def contributions(
    db: Database, meeting_id: int, *, since_seq: int = 0, include_hidden: bool = True
) -> list[dict]:
    sql = CONTRIBUTION_SQL + " WHERE c.meeting_id = ? AND c.seq > ?"
    if not include_hidden:
        sql += " AND c.hidden = 0"
    rows = db.query(sql + " ORDER BY c.seq", [meeting_id, since_seq])
    return [contribution_object(row) for row in rows]


def post(db: Database, attendance: Attendance, payload: Any) -> tuple[dict, bool]:
    """Store a participant's contribution once per ``client_id``.

    Returns the contribution and whether it is new. A retry with a known
    ``client_id`` returns the stored contribution and changes nothing.
    """
    data = validation.new_contribution(payload)

    def write(change: Change) -> tuple[int, bool]:
        meeting = change.db.execute(
            "SELECT status, current_step_id FROM meetings WHERE id = ?",
            [attendance.meeting_id],
        ).fetchone()
        status = meeting["status"]
        existing = change.db.execute(
            "SELECT id, participant_id FROM contributions WHERE meeting_id = ? AND client_id = ?",
            [attendance.meeting_id, data["client_id"]],
        ).fetchone()
        if existing:
            if existing["participant_id"] != attendance.participant_id:
                raise Conflict("client_id_taken", "This client_id belongs to another post.")
            return existing["id"], False
        if status != "live":
            raise Conflict(
                "meeting_not_live",
                "The meeting has not started yet."
                if status == "planned"
                else "The meeting has ended.",
            )
        seq = change.db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM contributions WHERE meeting_id = ?",
            [attendance.meeting_id],
        ).fetchone()[0]
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
                "hidden": 0,
                "carry_forward": 0,
                "created_at": utc_now(),
                "agenda_step_id": meeting["current_step_id"],
            },
        )
        change.record(
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
        )
        return contribution_id, True

    (contribution_id, created), _ = db.change(write)
    return contribution(db, contribution_id), created


def contribution(db: Database, contribution_id: int) -> dict:
    row = db.query_one(CONTRIBUTION_SQL + " WHERE c.id = ?", [contribution_id])
    return contribution_object(row)


def moderate(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """A facilitator re-tags, hides or marks a contribution "take to next meeting"."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    data = validation.contribution_update(payload)
    if "carry_forward" in data["changes"] and meeting["status"] == "closed":
        raise Conflict(
            "meeting_closed",
            "The meeting has ended; add the question at the group's next meeting.",
        )

    def write(change: Change) -> None:
        row = change.db.execute(
            "SELECT * FROM contributions WHERE id = ? AND meeting_id = ?",
            [data["id"], meeting_id],
        ).fetchone()
        if row is None:
            raise NotFound("contribution_not_found", "No such contribution in this meeting.")
        changed = {}
        for column, new in data["changes"].items():
            old = row[column] if column == "qtype" else bool(row[column])
            if old != new:
                changed[column] = {"old": old, "new": new}
        if not changed:
            return
        assignments = ", ".join(f"{column} = ?" for column in changed)
        values = [
            int(v["new"]) if isinstance(v["new"], bool) else v["new"] for v in changed.values()
        ]
        change.db.execute(
            f"UPDATE contributions SET {assignments}, updated_at = ? WHERE id = ?",
            [*values, utc_now(), row["id"]],
        )
        change.record_in(
            meeting,
            "contribution.updated",
            actor=FACILITATOR,
            contribution_id=row["id"],
            changes=changed,
        )
        if "carry_forward" in changed:
            followups.carry_contribution(change, meeting, row, changed["carry_forward"]["new"])

    db.change(write)
    return contribution(db, data["id"])


def merge(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """``{"id", "into": id|null}``: show ``id`` as a duplicate of ``into`` (or undo).

    Both texts stay in the record and the exports; the screen shows only ``into``.
    """
    meeting = lookup.meeting(db, user_id, meeting_id)
    validation.require_object(payload, allowed={"id", "into"}, required={"id", "into"})
    source, target = payload["id"], payload["into"]
    for value, field in ((source, "id"), (target, "into")):
        if value is not None:
            validation.record_id(value, field)
    if source is None:
        raise DomainError("invalid_id", "id is a contribution id.")
    if source == target:
        raise DomainError("merge_into_itself", "A contribution cannot merge into itself.")

    def write(change: Change) -> None:
        rows = {
            row["id"]: row
            for row in change.db.execute(
                "SELECT id, merged_into_id FROM contributions "
                "WHERE meeting_id = ? AND id IN (?, ?)",
                [meeting_id, source, target if target is not None else source],
            ).fetchall()
        }
        if source not in rows or (target is not None and target not in rows):
            raise NotFound("contribution_not_found", "No such contribution here.")
        if target is not None and rows[target]["merged_into_id"] is not None:
            raise Conflict("target_is_merged", "Merge into the contribution it was merged into.")
        old = rows[source]["merged_into_id"]
        if old == target:
            return
        change.db.execute(
            "UPDATE contributions SET merged_into_id = ? WHERE id = ?", [target, source]
        )
        if target is not None:
            # Duplicates merged into this one now point at the new target too.
            change.db.execute(
                "UPDATE contributions SET merged_into_id = ? WHERE merged_into_id = ?",
                [target, source],
            )
        change.record(
            "contribution.merged" if target is not None else "contribution.unmerged",
            actor=FACILITATOR,
            group_id=meeting["group_id"],
            meeting_id=meeting_id,
            contribution_id=source,
            into=target,
            previous=old,
        )

    db.change(write)
    return contribution(db, source)
