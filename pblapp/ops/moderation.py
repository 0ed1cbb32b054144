"""What the facilitator does with the posts: re-tag, hide, carry to the next meeting, and
merge duplicates. Each change is logged with its old and new values."""

from __future__ import annotations

from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import validation
from pblapp.domain.access import FACILITATOR
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, NotFound
from pblapp.ops import followups, lookup
from pblapp.ops.participation import PENDING, REJECTED, VISIBLE, contribution


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
            "SELECT * FROM contributions WHERE id = ? AND meeting_id = ? AND deleted_at IS NULL",
            [data["id"], meeting_id],
        ).fetchone()
        if row is None:
            raise NotFound("contribution_not_found", "No such contribution in this meeting.")
        changed = {}
        for column, new in data["changes"].items():
            if column in _GUARD_FIELDS:
                continue
            old = row[column] if column == "qtype" else bool(row[column])
            if old != new:
                changed[column] = {"old": old, "new": new}
        changed.update(_guard_changes(row, data["changes"]))
        if not changed:
            return
        columns = {
            column: int(v["new"]) if isinstance(v["new"], bool) else v["new"]
            for column, v in changed.items()
        }
        if "status" in changed:
            columns["moderated_at"] = utc_now()
        assignments = ", ".join(f"{column} = ?" for column in columns)
        change.db.execute(
            f"UPDATE contributions SET {assignments}, updated_at = ? WHERE id = ?",
            [*columns.values(), utc_now(), row["id"]],
        )
        # The reason for a rejection is the facilitator's note, and may name who it is
        # about: the log says that one was given, not what it says.
        logged = {column: v for column, v in changed.items() if column != "moderation_reason"}
        reason = (
            {"reason_given": bool(columns["moderation_reason"])}
            if "moderation_reason" in columns
            else {}
        )
        change.record_in(
            meeting,
            "contribution.updated",
            actor=FACILITATOR,
            contribution_id=row["id"],
            changes=logged,
            **reason,
        )
        if "carry_forward" in changed:
            followups.carry_contribution(change, meeting, row, changed["carry_forward"]["new"])

    db.change(write)
    return contribution(db, data["id"])


# The privacy guard's part of ``contribution:update``: not columns of their own.
_GUARD_FIELDS = frozenset({"approved", "reason", "clear_flags"})


def _guard_changes(row, wanted: dict) -> dict:
    """What approving, rejecting or clearing the flags of ``row`` changes, as the log keeps
    it (``{column: {"old", "new"}}``).

    - ``approved: true`` on a pending or rejected post makes it visible (and not hidden);
      on a visible one it changes nothing.
    - ``approved: false`` rejects a pending post, with ``reason``; a visible post is hidden
      with ``hidden`` instead.
    - ``clear_flags: true`` marks the flags as checked; approving does not.
    - ``hidden`` is for visible posts: a pending or rejected one is hidden already.
    """
    changed: dict = {}
    status = row["status"]
    if "hidden" in wanted and status != VISIBLE and wanted.get("approved") is not True:
        raise Conflict(
            "post_not_visible",
            "The post waits for approval or was rejected; approve it before hiding or showing.",
        )
    approved = wanted.get("approved")
    if approved is True and status != VISIBLE:
        changed["status"] = {"old": status, "new": VISIBLE}
        if "hidden" not in wanted:
            changed["hidden"] = {"old": True, "new": False}
        if row["moderation_reason"]:
            changed["moderation_reason"] = {"old": row["moderation_reason"], "new": ""}
    elif approved is False:
        if status == VISIBLE:
            raise Conflict(
                "post_not_pending",
                "Only a post waiting for approval is rejected; hide a shown post instead.",
            )
        if status == PENDING:
            changed["status"] = {"old": status, "new": REJECTED}
        reason = wanted.get("reason", row["moderation_reason"])
        if reason != row["moderation_reason"]:
            changed["moderation_reason"] = {"old": row["moderation_reason"], "new": reason}
    if wanted.get("clear_flags") and not row["flags_cleared"]:
        changed["flags_cleared"] = {"old": False, "new": True}
    return changed


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
                "SELECT id, merged_into_id, status FROM contributions "
                "WHERE meeting_id = ? AND id IN (?, ?) AND deleted_at IS NULL",
                [meeting_id, source, target if target is not None else source],
            ).fetchall()
        }
        if source not in rows or (target is not None and target not in rows):
            raise NotFound("contribution_not_found", "No such contribution here.")
        if target is not None and rows[target]["merged_into_id"] is not None:
            raise Conflict("target_is_merged", "Merge into the contribution it was merged into.")
        if target is not None and rows[target]["status"] != VISIBLE:
            # The room would lose the duplicate and never see the post it joined.
            raise Conflict(
                "target_not_visible", "Approve the post before merging duplicates into it."
            )
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
