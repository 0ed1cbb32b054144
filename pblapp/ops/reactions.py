"""Reactions: a participant marks someone else's post "agree", "disagree" or "build on".

One reaction per participant and post: a new kind replaces the old one, ``null`` takes it
back. Every change is logged (``reaction.set``); who reacted is the research log's, never
another phone's.
"""

from __future__ import annotations

from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import validation
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, NotFound
from pblapp.domain.vocabulary import REACTION_KINDS
from pblapp.ops import consent
from pblapp.ops.participation import Attendance


def counts(db: Database, contribution_id: int) -> dict[str, int]:
    """``{"agree": n, "disagree": n, "build_on": n}`` for one post."""
    found = dict.fromkeys(REACTION_KINDS, 0)
    for row in db.query(
        "SELECT kind, COUNT(*) AS n FROM reactions WHERE contribution_id = ? GROUP BY kind",
        [contribution_id],
    ):
        found[row["kind"]] = row["n"]
    return found


def set_reaction(db: Database, attendance: Attendance, payload: Any) -> dict[str, int]:
    """``{"contribution_id", "kind": "agree"|"disagree"|"build_on"|null}`` from a phone;
    answers the post's counts. Refused: one's own post (``own_contribution``), a hidden post
    (``contribution_hidden``), a merged duplicate (``contribution_merged``), another
    meeting's post (``contribution_not_found``), a meeting that is not live
    (``meeting_not_live``). A reaction can always be taken back (``null``)."""
    validation.require_object(
        payload, allowed={"contribution_id", "kind"}, required={"contribution_id", "kind"}
    )
    contribution_id = validation.record_id(payload["contribution_id"], "contribution_id")
    kind = payload["kind"]
    if kind is not None and kind not in REACTION_KINDS:
        raise DomainError("invalid_kind", "kind is agree, disagree, build_on or null.")

    def write(change: Change) -> None:
        post = change.db.execute(
            "SELECT c.participant_id, c.hidden, c.merged_into_id, m.status FROM contributions c "
            "JOIN meetings m ON m.id = c.meeting_id WHERE c.id = ? AND c.meeting_id = ? "
            "AND c.deleted_at IS NULL",
            [contribution_id, attendance.meeting_id],
        ).fetchone()
        if post is None:
            raise NotFound("contribution_not_found", "No such contribution in this meeting.")
        if post["participant_id"] == attendance.participant_id:
            raise Conflict("own_contribution", "React to other people's posts, not your own.")
        if post["status"] != "live":
            raise Conflict("meeting_not_live", "The meeting is not live.")
        # Taking a reaction back is always allowed; a new one only on a post that shows.
        if kind is not None and post["hidden"]:
            raise Conflict("contribution_hidden", "This post has been hidden.")
        if kind is not None and post["merged_into_id"] is not None:
            raise Conflict(
                "contribution_merged", "This post was merged into another; react to that one."
            )
        if kind is not None:
            # A participant asked to consent again reacts once they have.
            consent.check_may_post(change, attendance.id)
        key = [contribution_id, attendance.participant_id]
        previous = change.db.execute(
            "SELECT kind FROM reactions WHERE contribution_id = ? AND participant_id = ?", key
        ).fetchone()
        previous = previous["kind"] if previous else None
        if previous == kind:
            return
        if kind is None:
            change.db.execute(
                "DELETE FROM reactions WHERE contribution_id = ? AND participant_id = ?", key
            )
        else:
            change.db["reactions"].upsert(
                {
                    "contribution_id": contribution_id,
                    "participant_id": attendance.participant_id,
                    "meeting_id": attendance.meeting_id,
                    "kind": kind,
                    "updated_at": utc_now(),
                },
                pk=("contribution_id", "participant_id"),
            )
        change.record(
            "reaction.set",
            actor=attendance.pseudonym,
            group_id=attendance.group_id,
            meeting_id=attendance.meeting_id,
            contribution_id=contribution_id,
            kind=kind,
            previous=previous,
        )

    db.change(write)
    return counts(db, contribution_id)


def mine(db: Database, attendance: Attendance) -> dict[int, str]:
    """The participant's own reactions in their meeting: ``{contribution id: kind}``."""
    rows = db.query(
        "SELECT contribution_id, kind FROM reactions WHERE meeting_id = ? AND participant_id = ?",
        [attendance.meeting_id, attendance.participant_id],
    )
    return {row["contribution_id"]: row["kind"] for row in rows}


def totals(db: Database, meeting_id: int) -> dict[str, int]:
    """A meeting's reactions by kind, on posts that are not hidden."""
    found = dict.fromkeys(REACTION_KINDS, 0)
    for row in db.query(
        "SELECT r.kind, COUNT(*) AS n FROM reactions r "
        "JOIN contributions c ON c.id = r.contribution_id "
        "WHERE r.meeting_id = ? AND c.hidden = 0 GROUP BY r.kind",
        [meeting_id],
    ):
        found[row["kind"]] = row["n"]
    return found
