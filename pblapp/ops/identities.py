"""Stable identities in a group, the owner's own work (``lookup.owned_group``): merge two
pseudonyms of one person, record someone without a phone as present, and correct a
participant's organisation.

**Merging moves the rows.** After ``P05`` is merged into ``P01``, every attendance,
contribution, reaction and self-evaluation answer of ``P05`` belongs to ``P01`` (and takes
``P01``'s organisation), so that every export and the minutes, which read these tables,
count them as ``P01``'s without knowing of merges. ``P05``'s participant row stays, with
``merged_into_id``: its pseudonym is not given again, its phone's cookie and tokens lead
to ``P01``, and it cannot be merged or used again. The event log is not touched: its
events keep the pseudonym they were recorded with, and ``participant.merged`` says how to
read them (:func:`merged_pseudonyms` does that for an export that wants it).

Where both had a row that can exist once per person (both present at one meeting, both
answered one self-evaluation, both reacted to one post), the later one is kept (the
attendance: the earlier joining time, and consent if either gave it). A reaction that
becomes one to one's own post is dropped, as such a reaction is refused.

A merge or an organisation change waits until the participant's meetings have closed
(``participant_in_open_meeting``): a connected phone keeps acting as the participant, with
the organisation, it connected as. A change to what a closed meeting's indicators are
computed from computes its phase suggestion again (``phase.suggested``), which also writes
its minutes on disk again (``effects.minutes`` follows that event).
"""

from __future__ import annotations

import logging
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import validation
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, NotFound
from pblapp.domain.secrets import hash_token, new_token
from pblapp.domain.vocabulary import pseudonym as pseudonym_of
from pblapp.ops import consent, lookup, phases

log = logging.getLogger(__name__)

# Every column that names a participant. A merge moves each of them; a test checks that the
# schema has no other, so a new table that refers to participants must be added here.
PARTICIPANT_COLUMNS: frozenset[tuple[str, str]] = frozenset(
    {
        ("attendances", "participant_id"),
        ("contributions", "participant_id"),
        ("reactions", "participant_id"),
        ("self_evaluation_answers", "participant_id"),
        ("questions", "owner_participant_id"),
    }
)
PSEUDONYM_MAX = 20


def participant_object(row) -> dict:
    """A participant as the group's owner sees it (with the display name: the key)."""
    return {
        "pseudonym": row["pseudonym"],
        "display_name": row["display_name"],
        "organization": row["organization"],
        "merged_into": row["merged_into"],
    }


_PARTICIPANT_SQL = (
    "SELECT p.*, t.pseudonym AS merged_into FROM participants p "
    "LEFT JOIN participants t ON t.id = p.merged_into_id"
)


def participants(db: Database, user_id: int, group_id: int) -> list[dict]:
    """The group's participants in pseudonym order, for its owner only."""
    lookup.owned_group(db, user_id, group_id)
    rows = db.query(_PARTICIPANT_SQL + " WHERE p.group_id = ? ORDER BY p.number", [group_id])
    return [participant_object(row) for row in rows]


def merged_pseudonyms(db: Database, group_id: int) -> dict[str, str]:
    """``{"P05": "P01"}``: each merged pseudonym of the group and the one it now counts as,
    for exports that read the event log (whose events keep the pseudonym as recorded)."""
    rows = db.query(
        "SELECT p.pseudonym, t.pseudonym AS into_ FROM participants p "
        "JOIN participants t ON t.id = p.merged_into_id WHERE p.group_id = ?",
        [group_id],
    )
    return {row["pseudonym"]: row["into_"] for row in rows}


def _pseudonym(value: Any, field: str = "pseudonym") -> str:
    return validation.text_field(value, field, max_len=PSEUDONYM_MAX, min_len=1).upper()


def _participant(change: Change, group_id: int, pseudonym: str):
    row = change.db.execute(
        "SELECT * FROM participants WHERE group_id = ? AND pseudonym = ?", [group_id, pseudonym]
    ).fetchone()
    if row is None:
        raise NotFound("participant_not_found", f"No participant {pseudonym} in this group.")
    return row


def _not_merged(row, code: str = "participant_merged") -> None:
    if row["merged_into_id"] is not None:
        raise Conflict(code, f"{row['pseudonym']} was merged into another pseudonym.")


def _not_in_open_meeting(change: Change, row) -> None:
    """A phone connected to an open meeting acts as the participant it connected as, with
    that organisation, until it reconnects: so who is who changes between meetings."""
    if change.db.execute(
        "SELECT 1 FROM attendances a JOIN meetings m ON m.id = a.meeting_id "
        "WHERE a.participant_id = ? AND m.status != 'closed'",
        [row["id"]],
    ).fetchone():
        raise Conflict(
            "participant_in_open_meeting",
            f"{row['pseudonym']} takes part in a meeting that has not closed; "
            "do this after it closes.",
        )


def _closed_meetings_again(db: Database, meeting_ids) -> None:
    """Compute the phase suggestion of each closed meeting among ``meeting_ids`` again: a
    change of who is who changes its participation indicators (and its minutes)."""
    for meeting_id in sorted(set(meeting_ids)):
        try:
            if lookup.meeting_row(db, meeting_id)["status"] == "closed":
                phases.suggest_at_close(db, meeting_id)
        except Exception:  # the change itself has been made; the suggestion can wait
            log.exception("Could not recompute the phase of meeting %s", meeting_id)


# -- merge --------------------------------------------------------------------------------


def merge(db: Database, user_id: int, group_id: int, pseudonym: Any, payload: Any) -> dict:
    """``{"into": pseudonym}``: ``pseudonym`` is the same person as ``into``; from now on
    all of it counts as ``into``'s. Returns ``into``'s participant."""
    lookup.owned_group(db, user_id, group_id)
    validation.require_object(payload, allowed={"into"}, required={"into"})
    source_name, target_name = _pseudonym(pseudonym), _pseudonym(payload["into"], "into")

    def write(change: Change) -> list[int]:
        source = _participant(change, group_id, source_name)
        target = _participant(change, group_id, target_name)
        if source["id"] == target["id"]:
            raise DomainError("merge_into_itself", "A pseudonym cannot be merged into itself.")
        _not_merged(source)
        _not_merged(target, "into_is_merged")
        _not_in_open_meeting(change, source)
        if (source["withdrawn_at"] is None) != (target["withdrawn_at"] is None):
            raise Conflict(
                "withdrawal_mismatch",
                "One of the two has withdrawn; record the withdrawal for the other first.",
            )
        meeting_ids = _move_rows(change, source["id"], target)
        change.db.execute(
            "UPDATE participants SET merged_into_id = ? WHERE id = ? OR merged_into_id = ?",
            [target["id"], source["id"], source["id"]],
        )
        change.record(
            "participant.merged",
            actor=FACILITATOR,
            group_id=group_id,
            pseudonym=source["pseudonym"],
            into=target["pseudonym"],
            meeting_ids=meeting_ids,
        )
        return meeting_ids

    meeting_ids, _ = db.change(write)
    _closed_meetings_again(db, meeting_ids)
    return _read(db, group_id, target_name)


def _move_rows(change: Change, source_id: int, target) -> list[int]:
    """Give every row of ``source_id`` to ``target`` (see the module's docstring); return
    the meetings whose record changed."""
    run = change.db.execute
    target_id, organization = target["id"], target["organization"]
    meeting_ids = {
        row[0]
        for table in ("attendances", "contributions", "reactions", "self_evaluation_answers")
        for row in run(
            f"SELECT meeting_id FROM {table} WHERE participant_id = ?", [source_id]
        ).fetchall()
    }
    for row in run("SELECT * FROM attendances WHERE participant_id = ?", [source_id]).fetchall():
        kept = run(
            "SELECT * FROM attendances WHERE meeting_id = ? AND participant_id = ?",
            [row["meeting_id"], target_id],
        ).fetchone()
        if kept is None:
            run(
                "UPDATE attendances SET participant_id = ?, organization = ? WHERE id = ?",
                [target_id, organization, row["id"]],
            )
            continue
        run(
            "UPDATE attendances SET joined_at = MIN(joined_at, ?) WHERE id = ?",
            [row["joined_at"], kept["id"]],
        )
        if kept["consented_at"] is None and row["consented_at"] is not None:
            run(
                "UPDATE attendances SET consented_at = ?, consent_hash = ? WHERE id = ?",
                [row["consented_at"], row["consent_hash"], kept["id"]],
            )
        run("DELETE FROM attendances WHERE id = ?", [row["id"]])
    run(
        "UPDATE contributions SET participant_id = ?, organization = ? WHERE participant_id = ?",
        [target_id, organization, source_id],
    )
    _keep_later(change, "reactions", "contribution_id", "updated_at", source_id, target_id)
    # A reaction of one phone to the other's post is now one to one's own post.
    run(
        "DELETE FROM reactions WHERE participant_id = ? AND contribution_id IN "
        "(SELECT id FROM contributions WHERE participant_id = ?)",
        [target_id, target_id],
    )
    _keep_later(
        change, "self_evaluation_answers", "meeting_id", "answered_at", source_id, target_id
    )
    run(
        "UPDATE questions SET owner_participant_id = ? WHERE owner_participant_id = ?",
        [target_id, source_id],
    )
    return sorted(meeting_ids)


def _keep_later(change: Change, table: str, key: str, at: str, source_id: int, target_id: int):
    """Move ``table``'s rows (one per participant and ``key``) from source to target; where
    both have one, keep the later (by ``at``)."""
    run = change.db.execute
    for row in run(f"SELECT * FROM {table} WHERE participant_id = ?", [source_id]).fetchall():
        other = run(
            f"SELECT {at} FROM {table} WHERE participant_id = ? AND {key} = ?",
            [target_id, row[key]],
        ).fetchone()
        if other is not None and other[at] >= row[at]:
            run(
                f"DELETE FROM {table} WHERE participant_id = ? AND {key} = ?",
                [source_id, row[key]],
            )
            continue
        if other is not None:
            run(
                f"DELETE FROM {table} WHERE participant_id = ? AND {key} = ?",
                [target_id, row[key]],
            )
        run(
            f"UPDATE {table} SET participant_id = ? WHERE participant_id = ? AND {key} = ?",
            [target_id, source_id, row[key]],
        )


def _read(db: Database, group_id: int, pseudonym: str) -> dict:
    row = db.query_one(
        _PARTICIPANT_SQL + " WHERE p.group_id = ? AND p.pseudonym = ?", [group_id, pseudonym]
    )
    return participant_object(row)


# -- attendance without a phone -------------------------------------------------------------


def add_attendance(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """Record someone without a phone as present: ``{"display_name", "organization",
    "consent"?}`` makes a new participant; ``{"pseudonym", "consent"?}`` is someone already
    in the group. Logged as ``attendance.added``. Returns the participant."""
    meeting = lookup.owned_meeting(db, user_id, meeting_id)
    if meeting["status"] == "planned":
        raise Conflict("meeting_not_started", "Attendance is recorded once the meeting started.")
    group = lookup.group_row(db, meeting["group_id"])
    if isinstance(payload, dict) and "pseudonym" in payload:
        validation.require_object(payload, allowed={"pseudonym", "consent"})
        wanted, given = _pseudonym(payload["pseudonym"]), payload.get("consent", False)
        if not isinstance(given, bool):
            raise DomainError("invalid_consent", "consent must be true or false.")
        data = None
    else:
        data = validation.join(
            payload,
            organization_codes=[org["code"] for org in group["organizations"]],
            consent_required=False,
        )
        given = data["consent"]
    # Nobody holds this token: the attendance needs one, and no phone will use it.
    token_hash = hash_token(new_token())

    def write(change: Change) -> str:
        now = utc_now()
        if data is None:
            row = _participant(change, group["id"], wanted)
            _not_merged(row)
            participant_id, name, organization = row["id"], row["pseudonym"], row["organization"]
        else:
            number = change.db.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM participants WHERE group_id = ?",
                [group["id"]],
            ).fetchone()[0]
            name, organization = pseudonym_of(number), data["organization"]
            participant_id = change.insert(
                "participants",
                {
                    "group_id": group["id"],
                    "number": number,
                    "pseudonym": name,
                    "display_name": data["display_name"],
                    "organization": organization,
                    "created_at": now,
                },
            )
        if change.db.execute(
            "SELECT 1 FROM attendances WHERE meeting_id = ? AND participant_id = ?",
            [meeting_id, participant_id],
        ).fetchone():
            raise Conflict("already_present", f"{name} is already present at this meeting.")
        # As at a join: not someone who withdrew; the consent text's version, if consented.
        known = {"id": participant_id} if data is None else None
        version = consent.at_join(change, group, known, {"consent": given}, now)
        change.db["attendances"].insert(
            {
                "meeting_id": meeting_id,
                "participant_id": participant_id,
                "organization": organization,
                "token_hash": token_hash,
                "consented_at": now if given else None,
                "joined_at": now,
            }
        )
        consent.keep_version(change, meeting_id, participant_id, version)
        change.record_in(
            meeting,
            "attendance.added",
            actor=FACILITATOR,
            pseudonym=name,
            organization=organization,
            consent=given,
            new_participant=data is not None,
        )
        return name

    name, _ = db.change(write)
    _closed_meetings_again(db, [meeting_id])
    return _read(db, group["id"], name)


# -- the organisation ---------------------------------------------------------------------


def update(db: Database, user_id: int, group_id: int, pseudonym: Any, payload: Any) -> dict:
    """``{"organization": code}``: the owner corrects a participant's organisation. It is
    fixed per group, so the correction holds for all the participant's meetings and posts
    (the minutes and the exports); the log keeps what was recorded, and
    ``participant.updated`` with the old and new code."""
    group = lookup.owned_group(db, user_id, group_id)
    validation.require_object(payload, allowed={"organization"}, required={"organization"})
    organization = payload["organization"]
    if organization not in [org["code"] for org in group["organizations"]]:
        raise DomainError("invalid_organization", "Choose one of the group's organizations.")
    name = _pseudonym(pseudonym)

    def write(change: Change) -> list[int]:
        row = _participant(change, group_id, name)
        _not_merged(row)
        if row["organization"] == organization:
            return []
        _not_in_open_meeting(change, row)
        for table in ("participants", "attendances", "contributions"):
            column = "id" if table == "participants" else "participant_id"
            change.db.execute(
                f"UPDATE {table} SET organization = ? WHERE {column} = ?",
                [organization, row["id"]],
            )
        change.record(
            "participant.updated",
            actor=FACILITATOR,
            group_id=group_id,
            pseudonym=name,
            changes={"organization": {"old": row["organization"], "new": organization}},
        )
        return [
            r[0]
            for r in change.db.execute(
                "SELECT meeting_id FROM attendances WHERE participant_id = ?", [row["id"]]
            ).fetchall()
        ]

    meeting_ids, _ = db.change(write)
    _closed_meetings_again(db, meeting_ids)
    return _read(db, group_id, name)
