"""The projector's live tools and the meeting's starting point (utgångspunkt): pin a
contribution, hide all posts, show the goals, the starting point or the carried questions,
name a post's author by name, by pseudonym or not at all; the starting point's Markdown
text and image."""

from __future__ import annotations

from typing import Any

from pblapp.db import Change, Database
from pblapp.domain import images, validation
from pblapp.domain.access import AUTHOR_DISPLAYS, FACILITATOR
from pblapp.domain.errors import DomainError, NotFound
from pblapp.domain.markup import markdown_to_html
from pblapp.domain.validation import require_object
from pblapp.ops import lookup

STARTING_POINT_MAX = 20000
# The screen's switches and the meetings columns that keep them.
SCREEN_SWITCHES = {
    "hide_contributions": "screen_hides_contributions",
    "show_goals": "screen_shows_goals",
    "show_starting_point": "screen_shows_starting_point",
    "show_carried_questions": "screen_shows_carried",
    "show_reactions": "screen_shows_reactions",
    "show_timeline": "screen_shows_timeline",
}


def _timeline_version(db: Database, group_id: int) -> str:
    row = db.query_one(
        "SELECT MAX(MAX(COALESCE(p.suggested_at, '')), MAX(COALESCE(p.decided_at, ''))) "
        "FROM phases p JOIN meetings m ON m.id = p.meeting_id WHERE m.group_id = ?",
        [group_id],
    )
    return row[0] or ""


def state(db: Database, meeting_id: int) -> dict:
    row = db.query_one(
        "SELECT pinned_contribution_id, screen_hides_contributions, screen_shows_goals, "
        "screen_shows_starting_point, screen_shows_carried, screen_shows_reactions, "
        "screen_shows_timeline, screen_author_display, group_id, "
        "(SELECT goals FROM groups WHERE groups.id = meetings.group_id) AS goals, "
        "starting_point, starting_point_image FROM meetings WHERE id = ?",
        [meeting_id],
    )
    if row is None:
        raise NotFound("meeting_not_found", "No such meeting.")
    return {
        "meeting_id": meeting_id,
        "pinned_contribution_id": row["pinned_contribution_id"],
        "hide_contributions": bool(row["screen_hides_contributions"]),
        "show_goals": bool(row["screen_shows_goals"]),
        "show_starting_point": bool(row["screen_shows_starting_point"]),
        "show_carried_questions": bool(row["screen_shows_carried"]),
        "show_reactions": bool(row["screen_shows_reactions"]),
        "show_timeline": bool(row["screen_shows_timeline"]),
        # How the screen names a post's author: "name", "pseudonym" or "none".
        "author_display": row["screen_author_display"] or "name",
        # Changes when a phase of the group is suggested or decided: the screen then
        # fetches the timeline again.
        "timeline_version": _timeline_version(db, row["group_id"]),
        # The group's goals, cleaned, so that a change reaches an open screen and phones.
        "goals_html": markdown_to_html(row["goals"] or ""),
        "starting_point": row["starting_point"] or "",
        "starting_point_html": markdown_to_html(row["starting_point"] or ""),
        "starting_point_image": row["starting_point_image"],
    }


def author_display(db: Database, meeting_id: int) -> str:
    """How the meeting's screen names a post's author (see :func:`state`)."""
    row = db.query_one("SELECT screen_author_display FROM meetings WHERE id = ?", [meeting_id])
    return (row and row["screen_author_display"]) or "name"


def command(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """``{"pin"?: id|null, "hide_contributions"?, "show_goals"?, "show_starting_point"?,
    "show_carried_questions"?, "show_reactions"?, "show_timeline"?: bool,
    "author_display"?: "name"|"pseudonym"|"none"}``."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    require_object(payload, allowed={"pin", "author_display", *SCREEN_SWITCHES})
    updates: dict[str, Any] = {}
    if "pin" in payload:
        pin = payload["pin"]
        if pin is not None:
            pin = validation.record_id(pin, "pin")
        updates["pinned_contribution_id"] = pin
    for field, column in SCREEN_SWITCHES.items():
        if field in payload:
            if not isinstance(payload[field], bool):
                raise DomainError(f"invalid_{field}", f"{field} must be true or false.")
            updates[column] = int(payload[field])
    if "author_display" in payload:
        if payload["author_display"] not in AUTHOR_DISPLAYS:
            raise DomainError(
                "invalid_author_display", "author_display is name, pseudonym or none."
            )
        updates["screen_author_display"] = payload["author_display"]
    if not updates:
        raise DomainError("nothing_to_change", "Give pin or one of the screen switches.")

    def write(change: Change) -> None:
        pin = updates.get("pinned_contribution_id")
        if pin is not None:
            found = change.db.execute(
                "SELECT 1 FROM contributions WHERE id = ? AND meeting_id = ? "
                "AND deleted_at IS NULL",
                [pin, meeting_id],
            ).fetchone()
            if not found:
                raise NotFound("contribution_not_found", "No such contribution here.")
        assignments = ", ".join(f"{column} = ?" for column in updates)
        change.db.execute(
            f"UPDATE meetings SET {assignments} WHERE id = ?",
            [*updates.values(), meeting_id],
        )
        change.record_in(
            meeting,
            "screen.changed",
            actor=FACILITATOR,
            **{key: payload[key] for key in payload},
        )

    db.change(write)
    return state(db, meeting_id)


def set_starting_point(db: Database, user_id: int, meeting_id: int, payload: Any) -> dict:
    """``{"text": markdown}``; an empty text clears it."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    require_object(payload, allowed={"text"}, required={"text"})
    text = validation.text_field(payload["text"], "text", max_len=STARTING_POINT_MAX)

    def write(change: Change) -> None:
        change.db.execute("UPDATE meetings SET starting_point = ? WHERE id = ?", [text, meeting_id])
        change.record_in(
            meeting,
            "starting_point.changed",
            actor=FACILITATOR,
            text=text,
        )

    db.change(write)
    return state(db, meeting_id)


def set_starting_point_image(
    db: Database, user_id: int, meeting_id: int, data: bytes | None
) -> dict:
    """Store a PNG, JPEG or WebP image (checked by content, at most 5 MB); ``None``
    removes the image."""
    meeting = lookup.meeting(db, user_id, meeting_id)
    old = db.query_one("SELECT starting_point_image FROM meetings WHERE id = ?", [meeting_id])[
        "starting_point_image"
    ]
    name = None
    if data is not None:
        kind = images.image_kind(data)
        name = f"meeting-{meeting_id}-{images.digest(data)[:16]}.{kind}"
        db.files_dir.mkdir(parents=True, exist_ok=True)
        (db.files_dir / name).write_bytes(data)

    def write(change: Change) -> None:
        change.db.execute(
            "UPDATE meetings SET starting_point_image = ? WHERE id = ?", [name, meeting_id]
        )
        change.record_in(
            meeting,
            "starting_point.image_changed",
            actor=FACILITATOR,
            image=name,
            bytes=len(data) if data is not None else 0,
        )

    db.change(write)
    if old and old != name:
        # Only this meeting used it (the name holds the meeting's id); the minutes on
        # disk keep their own copy.
        (db.files_dir / old).unlink(missing_ok=True)
    return state(db, meeting_id)


def starting_point_image(db: Database, meeting_id: int) -> tuple[bytes, str] | None:
    """The image's bytes and MIME type, or ``None``."""
    row = db.query_one("SELECT starting_point_image FROM meetings WHERE id = ?", [meeting_id])
    if row is None or not row["starting_point_image"]:
        return None
    name = row["starting_point_image"]
    return (db.files_dir / name).read_bytes(), images.MIME_TYPES[name.rsplit(".", 1)[1]]
