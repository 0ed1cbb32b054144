"""Withdrawal, redaction, erasure and retention: taking words and names out of the record.

- A participant **withdraws** from their phone, or the group's owner records a withdrawal
  made in person. From then on their contributions, reactions and self-evaluation answers
  are left out of every research export (``records``), their reactions and answers are
  deleted, and they cannot post again. The group's ``withdrawal_policy`` says what happens
  to the words of their posts: ``delete`` (the default) replaces them everywhere they are
  stored, earlier events included, and the minutes show a placeholder; ``keep_for_minutes``
  keeps them for the group's own minutes until retention purges them.
- The owner **redacts** one contribution: its text becomes the replacement in the
  contribution, the questions made from it, the minutes' snapshots and earlier events.
  (A participant deleting their own post, ``ops.deletion``, empties its text the same way.)
- The owner **erases** one participant on request: a withdrawal whose words are always
  deleted, and their display name and rejoin key with it.
- **Purge** (``ops.retention``): once a group's ``retention_days`` have passed since its
  last meeting closed, its display names and its name-to-pseudonym key (rejoin secrets)
  are deleted, and the words a withdrawal kept for the minutes.

Each of these ends with :meth:`Database.scrub`, so that what was replaced is in neither the
database file nor its WAL. The event log records that it happened, never the words.
"""

from __future__ import annotations

import json
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import identifying
from pblapp.domain import privacy as rules
from pblapp.domain.access import FACILITATOR, text_as_shown
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, NotFound
from pblapp.domain.secrets import hash_token, new_token
from pblapp.domain.validation import TEXT_MAX, require_object, text_field
from pblapp.ops import consent, lookup, minutes_versions, participation, phases

TEXT_KEYS = frozenset({"text"})


def consent_texts(db: Database, group_id: int) -> list[dict]:
    """Every consent text the group's participants consented to, oldest first:
    ``[{"hash", "text", "first_used_at"}]`` (for the archive)."""
    return consent.texts(db, group_id)


def consents(db: Database, group_id: int) -> list[dict]:
    """Each attendance's consent: pseudonym, meeting number, when, and which version."""
    return consent.consents(db, group_id)


def closed_meeting_ids(db: Database, group_id: int) -> list[int]:
    """The group's closed meetings, whose minutes on disk a removal rewrites."""
    rows = db.query(
        "SELECT id FROM meetings WHERE group_id = ? AND status = 'closed' ORDER BY number",
        [group_id],
    )
    return [row["id"] for row in rows]


def participant_state(db: Database, group_id: int, pseudonym: str) -> dict:
    """``{"pseudonym", "withdrawn_at", "erased_at", "withdrawal_policy"}``."""
    row = db.query_one(
        "SELECT p.pseudonym, p.withdrawn_at, p.erased_at, g.withdrawal_policy "
        "FROM participants p JOIN groups g ON g.id = p.group_id "
        "WHERE p.group_id = ? AND p.pseudonym = ?",
        [group_id, pseudonym],
    )
    if row is None:
        raise NotFound("participant_not_found", "No such participant in this group.")
    return dict(row)


# -- replacing words everywhere they are stored ------------------------------------------


def _rewrite_event(change: Change, seq: int, data: dict, reason: str) -> None:
    """Rewrite an earlier event's data: the log's one permitted update (see migration 8)."""
    change.db.execute("INSERT INTO event_rewrites (seq, reason) VALUES (?, ?)", [seq, reason])
    change.db.execute(
        "UPDATE events SET data = ? WHERE seq = ?",
        [json.dumps(data, ensure_ascii=False, sort_keys=True), seq],
    )


def replace_text(
    change: Change, contribution: Any, new: str, removed: str, spans: list | None = None
) -> int:
    """Put ``new`` in place of a contribution's text: in the contribution, the questions
    made from it, the follow-ups kept at a close, and every earlier event that names it.
    ``spans`` is what the privacy guard finds in ``new`` (none, if not given: the old
    spans do not fit a new text). Returns how many events were rewritten."""
    old, now = contribution["text"], utc_now()
    cid = contribution["id"]
    guard = change.db.execute(
        "SELECT flag_spans, flags_cleared FROM contributions WHERE id = ?", [cid]
    ).fetchone()
    # The minutes' versions hold the words as the minutes showed them: masked where the
    # privacy guard found something the facilitator had not cleared.
    shown_old = text_as_shown(old, dict(guard))
    change.db.execute(
        "UPDATE contributions SET text = ?, text_removed = ?, text_removed_at = ?, "
        "updated_at = ?, flag_spans = ? WHERE id = ?",
        [new, removed, now, now, json.dumps(spans or []), cid],
    )
    change.db.execute(
        "UPDATE questions SET text = ? WHERE contribution_id = ? AND text = ?", [new, cid, old]
    )
    for row in change.db.execute(
        "SELECT s.meeting_id, s.data FROM minutes_snapshots s JOIN meetings m "
        "ON m.id = s.meeting_id WHERE m.group_id = ?",
        [contribution["group_id"]],
    ).fetchall():
        state = json.loads(row["data"])
        questions = [q for q in state["questions"] if q.get("contribution_id") == cid]
        if any(q["text"] == old for q in questions):
            for question in questions:
                question["text"] = new if question["text"] == old else question["text"]
            change.db.execute(
                "UPDATE minutes_snapshots SET data = ? WHERE meeting_id = ?",
                [json.dumps(state, ensure_ascii=False), row["meeting_id"]],
            )
    minutes_versions.scrub(change, contribution["group_id"], cid, old, new, removed)
    if shown_old != old:
        minutes_versions.scrub(change, contribution["group_id"], cid, shown_old, new, removed)
    rewritten = 0
    for row in change.db.execute(
        "SELECT seq, data FROM events WHERE group_id = ? "
        "AND json_extract(data, '$.contribution_id') = ?",
        [contribution["group_id"], cid],
    ).fetchall():
        data, found = rules.replace_texts(json.loads(row["data"]), old, new, TEXT_KEYS)
        if found:
            _rewrite_event(change, row["seq"], data, removed)
            rewritten += 1
    return rewritten


def _contributions_of(change: Change, participant_id: int) -> list:
    return change.db.execute(
        "SELECT c.id, c.text, c.text_removed, m.group_id FROM contributions c "
        "JOIN meetings m ON m.id = c.meeting_id WHERE c.participant_id = ? ORDER BY c.id",
        [participant_id],
    ).fetchall()


def _remove_words(change: Change, participant) -> int:
    """Replace every word a participant wrote (posts and written self-evaluation answers)
    with the placeholder, also in earlier events; how many posts that concerned."""
    count = 0
    for contribution in _contributions_of(change, participant["id"]):
        if contribution["text_removed"] is None:
            replace_text(change, contribution, rules.WITHDRAWN, rules.REMOVED_BY_WITHDRAWAL)
            count += 1
    for row in change.db.execute(
        "SELECT seq, data FROM events WHERE group_id = ? AND actor = ? "
        "AND type = 'self_evaluation.answered'",
        [participant["group_id"], participant["pseudonym"]],
    ).fetchall():
        data = json.loads(row["data"])
        answers = rules.without_free_texts(data["answers"], rules.WITHDRAWN)
        if answers != data["answers"]:
            _rewrite_event(change, row["seq"], {**data, "answers": answers}, "withdrawn")
    return count


def withdraw_in(change: Change, participant, *, delete_words: bool) -> int:
    """Mark a participant withdrawn (if not yet), revoke their tokens, delete their
    reactions and self-evaluation answers, and remove their words if asked; returns how
    many posts' words were removed."""
    now = utc_now()
    change.db.execute(
        "UPDATE participants SET withdrawn_at = COALESCE(withdrawn_at, ?) WHERE id = ?",
        [now, participant["id"]],
    )
    revoke_tokens(change, participant["id"])
    change.db.execute("DELETE FROM reactions WHERE participant_id = ?", [participant["id"]])
    change.db.execute(
        "DELETE FROM self_evaluation_answers WHERE participant_id = ?", [participant["id"]]
    )
    return _remove_words(change, participant) if delete_words else 0


def revoke_tokens(change: Change, participant_id: int) -> None:
    """A phone with one of the participant's old tokens is no longer anyone."""
    for row in change.db.execute(
        "SELECT id FROM attendances WHERE participant_id = ?", [participant_id]
    ).fetchall():
        change.db.execute(
            "UPDATE attendances SET token_hash = ? WHERE id = ?",
            [hash_token(new_token()), row["id"]],
        )


def _participant(change: Change, group_id: int, pseudonym: str):
    row = change.db.execute(
        "SELECT p.*, g.withdrawal_policy FROM participants p JOIN groups g "
        "ON g.id = p.group_id WHERE p.group_id = ? AND p.pseudonym = ?",
        [group_id, pseudonym],
    ).fetchone()
    if row is None:
        raise NotFound("participant_not_found", "No such participant in this group.")
    return row


def _after_removal(db: Database, group_id: int, participant_id: int | None = None) -> None:
    """Recompute the stored phase suggestions of the closed meetings the participant was
    in (their posts no longer count), then leave no copy of the old words on disk."""
    if participant_id is not None:
        rows = db.query(
            "SELECT m.id FROM meetings m JOIN attendances a ON a.meeting_id = m.id "
            "WHERE m.group_id = ? AND m.status = 'closed' AND a.participant_id = ?",
            [group_id, participant_id],
        )
        for row in rows:
            phases.suggest_at_close(db, row["id"])
    db.scrub(vacuum=True)


# -- withdrawal and erasure -------------------------------------------------------------


def _withdraw(
    db: Database, group_id: int, pseudonym: str, *, actor: str, meeting_id=None, user_id=None
) -> dict:
    def write(change: Change) -> int | None:
        participant = _participant(change, group_id, pseudonym)
        if participant["withdrawn_at"] is not None:
            return None
        policy = participant["withdrawal_policy"]
        removed = withdraw_in(change, participant, delete_words=policy == rules.DELETE)
        change.record(
            "participant.withdrawn",
            actor=actor,
            group_id=group_id,
            meeting_id=meeting_id,
            pseudonym=pseudonym,
            user_id=user_id,
            withdrawal_policy=policy,
            texts_removed=removed,
        )
        return participant["id"]

    participant_id, _ = db.change(write)
    if participant_id is not None:
        _after_removal(db, group_id, participant_id)
    return participant_state(db, group_id, pseudonym)


def withdraw_self(db: Database, attendance: participation.Attendance, payload: Any) -> dict:
    """``{"confirm": true}`` from the participant's phone: they withdraw from the research.
    Without the confirmation nothing happens (``confirmation_required``)."""
    require_object(payload, allowed={"confirm"}, required={"confirm"})
    if payload["confirm"] is not True:
        raise DomainError("confirmation_required", 'Confirm with {"confirm": true}.')
    return _withdraw(
        db,
        attendance.group_id,
        attendance.pseudonym,
        actor=attendance.pseudonym,
        meeting_id=attendance.meeting_id,
    )


def withdraw(db: Database, user_id: int, group_id: int, pseudonym: str) -> dict:
    """The group's owner records a withdrawal the participant made in person."""
    lookup.owned_group(db, user_id, group_id)
    return _withdraw(db, group_id, pseudonym, actor=FACILITATOR, user_id=user_id)


def erase(db: Database, user_id: int, group_id: int, pseudonym: str) -> dict:
    """The owner erases a participant on request: withdrawn, every word they wrote
    replaced whatever the policy, their display name and rejoin key deleted."""
    lookup.owned_group(db, user_id, group_id)

    def write(change: Change) -> int | None:
        participant = _participant(change, group_id, pseudonym)
        if participant["erased_at"] is not None:
            return None
        removed = withdraw_in(change, participant, delete_words=True)
        forget_name(change, participant)
        change.record(
            "participant.erased",
            actor=FACILITATOR,
            group_id=group_id,
            pseudonym=pseudonym,
            user_id=user_id,
            texts_removed=removed,
        )
        return participant["id"]

    participant_id, _ = db.change(write)
    if participant_id is not None:
        _after_removal(db, group_id, participant_id)
    return participant_state(db, group_id, pseudonym)


def forget_name(change: Change, participant, at: str | None = None) -> None:
    """The display name becomes the pseudonym, and the rejoin key is gone."""
    minutes_versions.scrub_name(
        change, participant["group_id"], participant["display_name"], participant["pseudonym"]
    )
    change.db.execute(
        "UPDATE participants SET display_name = pseudonym, rejoin_hash = NULL, "
        "erased_at = ? WHERE id = ?",
        [at or utc_now(), participant["id"]],
    )


# -- redaction ------------------------------------------------------------------------------


def redact(db: Database, user_id: int, meeting_id: int, contribution_id: int, payload: Any):
    """``{"replacement"?: text, "only_flagged"?: bool}``: the owner replaces a
    contribution's text (default ``[redacted]``) everywhere it is stored; logged as
    ``contribution.redacted``, without the text. With ``only_flagged``, only what the
    privacy guard found is replaced, and the rest of the text stays. Returns the
    contribution."""
    meeting = lookup.owned_meeting(db, user_id, meeting_id)
    require_object(payload, allowed={"replacement", "only_flagged"})
    replacement = payload.get("replacement")
    if replacement is None:
        replacement = rules.REDACTED
    else:
        replacement = text_field(
            replacement, "replacement", max_len=rules.REPLACEMENT_MAX, min_len=1
        )
    only_flagged = payload.get("only_flagged", False)
    if not isinstance(only_flagged, bool):
        raise DomainError("invalid_only_flagged", "only_flagged must be true or false.")
    names = participation.roster_names(db, meeting["group_id"]) if only_flagged else ()

    def write(change: Change) -> None:
        row = change.db.execute(
            "SELECT c.id, c.text, c.text_removed, c.flag_spans, m.group_id FROM contributions c "
            "JOIN meetings m ON m.id = c.meeting_id WHERE c.id = ? AND c.meeting_id = ? "
            "AND c.deleted_at IS NULL",
            [contribution_id, meeting_id],
        ).fetchone()
        if row is None:
            raise NotFound("contribution_not_found", "No such contribution in this meeting.")
        spans: list = []
        if only_flagged:
            found = json.loads(row["flag_spans"])
            if not found:
                raise Conflict("nothing_flagged", "The privacy guard found nothing here.")
            new = identifying.masked(row["text"], [(s, e) for _k, s, e in found], replacement)
            if len(new) > TEXT_MAX:
                raise DomainError("text_too_long", "The redacted text would be too long.")
            spans = [[f.kind, f.start, f.end] for f in identifying.find(new, names)]
        else:
            new = replacement
        if row["text"] == new and row["text_removed"] == rules.REMOVED_BY_REDACTION:
            return
        rewritten = replace_text(change, row, new, rules.REMOVED_BY_REDACTION, spans)
        change.record_in(
            meeting,
            "contribution.redacted",
            actor=FACILITATOR,
            contribution_id=contribution_id,
            user_id=user_id,
            events_rewritten=rewritten,
            # Only what the privacy guard found was replaced (the rest of the post stays).
            **({"only_flagged": True} if only_flagged else {}),
        )

    db.change(write)
    # VACUUM too: pages freed before secure_delete was on may still hold the old words.
    db.scrub(vacuum=True)
    return participation.contribution(db, contribution_id)
