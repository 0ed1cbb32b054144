"""What a meeting hands on: its follow-ups, read together, and the questions for next time.

Questions (frågor till nästa gång) come from contributions marked "take to next meeting" and
from questions the facilitator types. A question is ``open``, ``answered`` or ``deferred``;
open and deferred ones carry on to the group's next meetings until answered. Action items
("vem gör vad och när") stay on the list of every later meeting until done.

Each change writes its rows and its events in one transaction; every change answers with
the meeting's whole follow-up state.
"""

from __future__ import annotations

import json
from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import validation
from pblapp.domain.access import FACILITATOR, text_as_shown
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, NotFound
from pblapp.domain.validation import require_object
from pblapp.ops import lookup

QUESTION_STATUSES = ("open", "answered", "deferred")
CARRIED = ("open", "deferred")
FOLLOWUP_TEXT_MAX = 2000


def checked_text(value: Any, field: str, max_len: int = FOLLOWUP_TEXT_MAX) -> str:
    """Trimmed, one to ``max_len`` characters, line ends as ``\\n``, no NUL."""
    return validation.text_field(value, field, max_len=max_len, min_len=1)


def record_id(payload: dict) -> int:
    return validation.record_id(payload.get("id"))


# -- reading ------------------------------------------------------------------------


def read(db: Database, meeting_id: int, *, masked: bool = False) -> dict:
    """What this meeting has to follow up: carried questions, decisions, action items.

    ``masked``: a question that quotes a post whose privacy-guard flags the facilitator has
    not cleared has the flagged parts masked, as the post has everywhere but the console
    (the screen, the minutes, the notice, a researcher's copy).

    Questions and action items are the group's: those still open from earlier meetings,
    and those this meeting raised or closed.

    A closed meeting's follow-ups are as they were when it closed: later meetings answer
    its questions and finish its action items without changing its record. A question
    whose post was hidden since is left out.
    """
    with db.reader() as conn:
        kept = conn.execute(
            "SELECT data FROM minutes_snapshots WHERE meeting_id = ?", [meeting_id]
        ).fetchone()
        state = json.loads(kept["data"]) if kept else _read(conn, meeting_id)
        hidden = {
            row["id"]
            for row in conn.execute(
                "SELECT c.id FROM contributions c JOIN meetings m ON m.id = c.meeting_id "
                "WHERE m.group_id = (SELECT group_id FROM meetings WHERE id = ?) "
                "AND c.hidden = 1",
                [meeting_id],
            )
        }
    # A question made from a post the facilitator hid is hidden with it.
    state = {
        **state,
        "questions": [q for q in state["questions"] if q["contribution_id"] not in hidden],
    }
    return masked_state(db, state) if masked else state


def masked_state(db: Database, state: dict) -> dict:
    """The follow-ups ``state`` with the words of a flagged post masked where a question
    quotes them (what ``read(…, masked=True)`` gives)."""
    return {**state, "questions": _masked_questions(db, state["questions"])}


def _masked_questions(db: Database, questions: list[dict]) -> list[dict]:
    """``questions`` with the words of a flagged post masked where a question quotes it."""
    ids = [q["contribution_id"] for q in questions if q["contribution_id"] is not None]
    if not ids:
        return questions
    marks = ", ".join("?" for _ in ids)
    posts = {
        row["id"]: dict(row)
        for row in db.query(
            f"SELECT id, text, flag_spans, flags_cleared FROM contributions WHERE id IN ({marks})"
            " AND flag_spans != '[]' AND flags_cleared = 0",
            ids,
        )
    }
    shown = []
    for question in questions:
        post = posts.get(question["contribution_id"])
        if post is not None and question["text"] == post["text"]:
            question = {**question, "text": text_as_shown(post["text"], post)}
        shown.append(question)
    return shown


def keep_at_close(change: Change, meeting_id: int) -> None:
    """Keep this meeting's follow-ups as they are, inside the change that closes it;
    questions of hidden posts too, so that showing a post again brings its question back."""
    state = _read(change.db.conn, meeting_id)
    change.db["minutes_snapshots"].upsert(
        {
            "meeting_id": meeting_id,
            "data": json.dumps(state, ensure_ascii=False),
            "taken_at": utc_now(),
        },
        pk="meeting_id",
    )


def _read(conn, meeting_id: int) -> dict:
    """The follow-ups as they stand, read on ``conn`` (the writer's, inside a change),
    with the questions of hidden posts too (:func:`read` leaves those out)."""
    meeting = conn.execute(
        "SELECT group_id, number FROM meetings WHERE id = ?", [meeting_id]
    ).fetchone()
    if meeting is None:
        raise NotFound("meeting_not_found", "No such meeting.")
    questions = conn.execute(
        "SELECT q.*, m.number AS meeting_number, p.pseudonym AS owner_pseudonym, "
        "author.pseudonym AS author_pseudonym, c.organization AS author_organization "
        "FROM questions q JOIN meetings m ON m.id = q.meeting_id "
        "LEFT JOIN participants p ON p.id = q.owner_participant_id "
        "LEFT JOIN contributions c ON c.id = q.contribution_id "
        "LEFT JOIN participants author ON author.id = c.participant_id "
        "WHERE q.group_id = ? AND m.number <= ? AND "
        "(q.status IN ('open', 'deferred') OR q.meeting_id = ? "
        " OR q.closed_meeting_id = ?) ORDER BY q.id",
        [meeting["group_id"], meeting["number"], meeting_id, meeting_id],
    ).fetchall()
    decisions = conn.execute(
        "SELECT * FROM decisions WHERE meeting_id = ? ORDER BY id", [meeting_id]
    ).fetchall()
    actions = conn.execute(
        "SELECT a.*, m.number AS meeting_number FROM action_items a "
        "JOIN meetings m ON m.id = a.meeting_id "
        "WHERE a.group_id = ? AND m.number <= ? AND "
        "(a.status = 'open' OR a.meeting_id = ? OR a.done_meeting_id = ?) ORDER BY a.id",
        [meeting["group_id"], meeting["number"], meeting_id, meeting_id],
    ).fetchall()
    return {
        "meeting_id": meeting_id,
        "questions": [
            {
                "id": q["id"],
                "text": q["text"],
                "status": q["status"],
                "contribution_id": q["contribution_id"],
                "meeting_id": q["meeting_id"],
                "meeting_number": q["meeting_number"],
                "carried_from_earlier": q["meeting_id"] != meeting_id,
                "author": (
                    {
                        "pseudonym": q["author_pseudonym"],
                        "organization": q["author_organization"],
                    }
                    if q["author_pseudonym"]
                    else None
                ),
                "owner": (
                    {"pseudonym": q["owner_pseudonym"]}
                    if q["owner_pseudonym"]
                    else {"organization": q["owner_organization"]}
                    if q["owner_organization"]
                    else None
                ),
            }
            for q in questions
        ],
        "decisions": [
            {
                "id": d["id"],
                "text": d["text"],
                "agenda_step_id": d["agenda_step_id"],
                "created_at": d["created_at"],
            }
            for d in decisions
        ],
        "action_items": [
            {
                "id": a["id"],
                "what": a["what"],
                "who": a["who"],
                "due": a["due"],
                "status": a["status"],
                "meeting_id": a["meeting_id"],
                "meeting_number": a["meeting_number"],
                "agenda_step_id": a["agenda_step_id"],
                "carried_from_earlier": a["meeting_id"] != meeting_id,
            }
            for a in actions
        ],
    }


# -- writing ------------------------------------------------------------------------


def change_open_meeting(db: Database, user_id: int, meeting_id: int, write) -> dict:
    meeting = lookup.meeting(db, user_id, meeting_id)
    if meeting["status"] == "closed":
        raise Conflict(
            "meeting_closed",
            "The meeting has ended; record this at the group's next meeting.",
        )
    db.change(lambda change: write(change, meeting))
    return read(db, meeting_id)


def _owner(change: Change, group_id: int, owner: Any) -> tuple[int | None, str | None]:
    """``{"pseudonym": "P03"}``, ``{"organization": "FK"}`` or ``None``."""
    if owner is None:
        return None, None
    if not isinstance(owner, dict):
        raise DomainError("invalid_owner", "An owner is an object, or null.")
    require_object(owner, allowed={"pseudonym", "organization"})
    if len(owner) > 1:
        raise DomainError("invalid_owner", "An owner is a participant or an organization.")
    if "pseudonym" in owner:
        pseudonym = validation.text_field(owner["pseudonym"], "owner", max_len=20)
        row = change.db.execute(
            "SELECT id FROM participants WHERE group_id = ? AND pseudonym = ?",
            [group_id, pseudonym.upper()],
        ).fetchone()
        if row is None:
            raise DomainError("invalid_owner", "No participant has that pseudonym.")
        return row["id"], None
    if "organization" in owner:
        codes = [
            org["code"]
            for org in json.loads(
                change.db.execute(
                    "SELECT organizations FROM groups WHERE id = ?", [group_id]
                ).fetchone()["organizations"]
            )
        ]
        # Codes are matched as a facilitator types them: "fk" is FK.
        typed = validation.text_field(owner["organization"], "owner", max_len=80).lower()
        matches = [code for code in codes if code.lower() == typed]
        if not matches:
            raise DomainError("invalid_owner", "Not one of the group's organizations.")
        return None, matches[0]
    return None, None


def _owner_as_stored(change: Change, participant_id, organization) -> dict | None:
    """An owner as the log records it: the pseudonym or the group's own code."""
    if participant_id is not None:
        row = change.db.execute(
            "SELECT pseudonym FROM participants WHERE id = ?", [participant_id]
        ).fetchone()
        return {"pseudonym": row["pseudonym"]}
    return {"organization": organization} if organization else None


def carry_contribution(change: Change, meeting: dict, contribution, carry: bool):
    """Keep the group's questions in step with a contribution's carry_forward mark."""
    existing = change.db.execute(
        "SELECT * FROM questions WHERE contribution_id = ?", [contribution["id"]]
    ).fetchone()
    if carry and existing is None:
        question_id = change.insert(
            "questions",
            {
                "group_id": meeting["group_id"],
                "meeting_id": meeting["id"],
                "contribution_id": contribution["id"],
                "text": contribution["text"],
                "status": "open",
                "created_at": utc_now(),
            },
        )
        change.record_in(
            meeting,
            "question.added",
            actor=FACILITATOR,
            question_id=question_id,
            contribution_id=contribution["id"],
            text=contribution["text"],
        )
    elif not carry and existing is not None and existing["status"] == "open":
        change.db.execute("DELETE FROM questions WHERE id = ?", [existing["id"]])
        change.record_in(
            meeting,
            "question.removed",
            actor=FACILITATOR,
            question_id=existing["id"],
            contribution_id=contribution["id"],
        )


def add_question(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """A question for next time that the facilitator types: ``{"text", "owner"?}``."""
    require_object(payload, allowed={"text", "owner"}, required={"text"})
    text = checked_text(payload["text"], "text")

    def write(change: Change, meeting: dict) -> None:
        participant_id, organization = _owner(change, meeting["group_id"], payload.get("owner"))
        question_id = change.insert(
            "questions",
            {
                "group_id": meeting["group_id"],
                "meeting_id": meeting_id,
                "text": text,
                "status": "open",
                "owner_participant_id": participant_id,
                "owner_organization": organization,
                "created_at": utc_now(),
            },
        )
        change.record_in(
            meeting,
            "question.added",
            actor=FACILITATOR,
            question_id=question_id,
            text=text,
            owner=_owner_as_stored(change, participant_id, organization),
        )

    return change_open_meeting(db, user_id, meeting_id, write)


def update_question(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """``{"id", "status"?, "owner"?, "text"?}``; the change is logged with old and new."""
    require_object(payload, allowed={"id", "status", "owner", "text"}, required={"id"})
    question_id = record_id(payload)
    if "status" in payload and payload["status"] not in QUESTION_STATUSES:
        raise DomainError("invalid_status", "status is open, answered or deferred.")
    text = checked_text(payload["text"], "text") if "text" in payload else None

    def write(change: Change, meeting: dict) -> None:
        row = change.db.execute(
            "SELECT * FROM questions WHERE id = ? AND group_id = ?",
            [question_id, meeting["group_id"]],
        ).fetchone()
        if row is None:
            raise NotFound("question_not_found", "No such question in this group.")
        changes: dict[str, dict] = {}
        updates: dict[str, Any] = {}
        if "status" in payload and payload["status"] != row["status"]:
            changes["status"] = {"old": row["status"], "new": payload["status"]}
            updates["status"] = payload["status"]
            updates["closed_meeting_id"] = meeting_id if payload["status"] == "answered" else None
        if text is not None and text != row["text"]:
            if row["contribution_id"] is not None:
                # Its text is quoted as the participant's: it stays their words.
                raise DomainError(
                    "question_quotes_a_post",
                    "This question quotes a participant's post; its text cannot change.",
                )
            changes["text"] = {"old": row["text"], "new": text}
            updates["text"] = text
        if "owner" in payload:
            participant_id, organization = _owner(change, meeting["group_id"], payload["owner"])
            if (participant_id, organization) != (
                row["owner_participant_id"],
                row["owner_organization"],
            ):
                changes["owner"] = {
                    "old": _owner_as_stored(
                        change, row["owner_participant_id"], row["owner_organization"]
                    ),
                    "new": _owner_as_stored(change, participant_id, organization),
                }
                updates["owner_participant_id"] = participant_id
                updates["owner_organization"] = organization
        if not changes:
            return
        updates["updated_at"] = utc_now()
        change.db["questions"].update(question_id, updates)
        change.record_in(
            meeting,
            "question.updated",
            actor=FACILITATOR,
            question_id=question_id,
            changes=changes,
        )

    return change_open_meeting(db, user_id, meeting_id, write)
