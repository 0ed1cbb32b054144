"""The minutes: assembled once from the record, rendered as Markdown, HTML or Word in the
group's language, and kept on disk for a closed meeting.

As a subscriber, :class:`MinutesOnDisk` writes ``minutes.md``, ``.html`` and ``.docx`` to
``<data-dir>/<group>/<number>/`` when a meeting closes, and again whenever a change after
the close alters what they say (moderation, details, the starting point, the group's
settings).
"""

from __future__ import annotations

from base64 import b64encode
from functools import partial
from pathlib import Path

from flask import Flask, render_template
from flask_babel import force_locale, format_decimal, gettext

from pblapp.db import Database, Event
from pblapp.domain import minutes as minutes_domain
from pblapp.domain import minutes_record
from pblapp.domain.access import text_as_shown
from pblapp.domain.clock import local_time
from pblapp.domain.minutes_docx import render_docx
from pblapp.effects import minutes_versions as version_text
from pblapp.i18n import evidence_in_words, minutes_labels
from pblapp.ops import (
    agenda,
    followups,
    groups,
    lookup,
    minutes_versions,
    participation,
    phases,
    privacy,
    records,
    screen,
    selfeval,
)

FORMATS = ("md", "html", "docx")
# Events that change what a closed meeting's minutes say.
RECORD_EVENTS = frozenset(
    {
        "meeting.closed",
        "meeting.updated",
        "contribution.updated",
        "contribution.merged",
        "contribution.unmerged",
        "starting_point.changed",
        "starting_point.image_changed",
        "phase.suggested",
        "phase.decided",
        "minutes.approved",
        "agenda.notes_changed",
    }
)
# Events that change the minutes of every closed meeting of their group: words replaced
# (a redacted post may be quoted by a later meeting's carried question), names purged, the
# group's name, organisations, language, time zone, kind of record or names changed.
GROUP_RECORD_EVENTS = frozenset(
    {
        "contribution.redacted",
        "participant.withdrawn",
        "participant.erased",
        "group.purged",
        "group.updated",
    }
)


def assemble(
    db: Database, meeting_id: int, timezone: str | None = None, *, names: bool = True
) -> dict:
    """The data of a meeting's minutes (see ``pblapp.domain.minutes.assemble``), with the
    group's phase (evidence still as ``[key, params]``) and the self-evaluation's summary.
    Dates and times are in the group's time zone (``timezone`` only for a group without
    one), as are the research files' (``ops.records``), so the two never differ by a day.
    With ``names`` (the group's own minutes), a group that chose ``minutes_names`` gets
    display names for pseudonyms in the attendance, the quotes and the action items'
    owners; without, pseudonyms whatever the group chose."""
    facts = records.meeting_facts(db, meeting_id)
    kind = db.query_one("SELECT record_kind FROM groups WHERE id = ?", [facts["group_id"]])
    facts["record_kind"] = kind["record_kind"] if kind else None
    named = groups.minutes_names(db, facts["group_id"]) if names else None
    facts["minutes_names"] = named is not None
    # What the privacy guard found stays masked in the minutes too, until the facilitator
    # cleared the flags (which writes the minutes again).
    visible = [
        {**post, "text": text_as_shown(post["text"], post)}
        for post in participation.contributions(db, meeting_id, include_hidden=False)
    ]
    follow = followups.read(db, meeting_id, masked=True)
    if named is not None:
        visible, follow = _with_names(visible, follow, named)
    data = minutes_domain.assemble(
        facts,
        agenda.state(db, meeting_id)["steps"],
        visible,
        follow,
        partial(local_time, zone=facts.get("timezone") or timezone or "UTC"),
    )
    status = data["meeting"]["status"]
    # A phase belongs in the minutes once the meeting has closed or the facilitator decided.
    phase = phases.read(db, meeting_id) if status != "planned" else None
    if phase and status != "closed" and not phase["decided"]:
        phase = None
    summary = selfeval.state(db, meeting_id)
    # The minutes name no one: no free texts, only the scales' means.
    summary["items"] = [item for item in summary["items"] if item["kind"] == "scale"]
    # A withdrawn participant's posts show as a placeholder, in the reader's language.
    withdrawn = sorted(facts["withdrawn_posts"])
    return {**data, "phase": phase, "self_evaluation": summary, "withdrawn_posts": withdrawn}


def followups_with_names(db: Database, group_id: int, follow: dict) -> dict:
    """A meeting's follow-ups (``ops.followups.read``) as the group's own papers show them:
    with names for pseudonyms when the group chose ``minutes_names`` (the notice's action
    items), else unchanged. Never for a research file."""
    named = groups.minutes_names(db, group_id)
    return follow if named is None else _with_names([], follow, named)[1]


def _with_names(
    visible: list[dict], follow: dict, named: dict[str, str]
) -> tuple[list[dict], dict]:
    """The posts and follow-ups with each known pseudonym replaced by its name: a post's and
    a question's author (the organisation stays beside it), a question's owner, and an
    action item's "who" when it is exactly a pseudonym."""

    def name(pseudonym: str | None) -> str | None:
        return named.get(pseudonym or "", "").rsplit(" (", 1)[0] or pseudonym

    def person(value):
        if isinstance(value, dict) and value.get("pseudonym") in named:
            return {**value, "pseudonym": name(value["pseudonym"])}
        return value

    def owner(value):
        if isinstance(value, dict) and value.get("pseudonym") in named:
            return {**value, "pseudonym": named[value["pseudonym"]]}
        return value

    def item(value):
        if not isinstance(value, dict):
            return value
        value = {**value}
        if "author" in value:
            value["author"] = person(value["author"])
        if "owner" in value:
            value["owner"] = owner(value["owner"])
        if isinstance(value.get("who"), str) and value["who"].strip() in named:
            value["who"] = named[value["who"].strip()]
        return value

    posts = [person(c) for c in visible]
    follow = {
        key: [item(v) for v in value] if isinstance(value, list) else value
        for key, value in follow.items()
    }
    return posts, follow


def render(data: dict, image: tuple[bytes, str] | None, fmt: str, language: str) -> str | bytes:
    """The minutes' ``data`` (and the starting point's image) in ``fmt`` and ``language``."""
    data = {**data, "language": language}
    with force_locale(language):
        labels = minutes_labels()
        data = minutes_domain.with_placeholders(
            data, set(data.get("withdrawn_posts", ())), gettext("[withdrawn]")
        )
        summary = data.get("self_evaluation")
        if summary:
            # A mean in the reader's number format: 3,5 in Swedish.
            items = [
                {**item, "mean_text": format_decimal(item["mean"], "0.0")}
                if item["mean"] is not None
                else item
                for item in summary["items"]
            ]
            data["self_evaluation"] = {**summary, "items": items}
        if data.get("phase"):
            data["phase"] = {
                **data["phase"],
                "evidence": evidence_in_words(data["phase"]["evidence"]),
            }
        if fmt == "md":
            return minutes_record.render_markdown(data, labels)
        if fmt == "docx":
            return render_docx(data, labels, image[0] if image else None)
        return render_template(
            "minutes/minutes.html",
            m=data,
            labels=labels,
            # In the page itself, so that the file works when saved or mailed on its own.
            image_uri=f"data:{image[1]};base64,{b64encode(image[0]).decode()}" if image else "",
            header=minutes_record.record_header_rows(data, labels),
            title=minutes_record.title(data, labels),
            summary_rows=minutes_record.summary_rows(data, labels),
            agenda_items=minutes_record.agenda_items(data, labels),
            signatures=minutes_record.signatures(data, labels),
            appendix=minutes_record.record(data)["appendix"],
            agenda_lines=[minutes_domain.agenda_line(step, labels) for step in data["agenda"]],
            action_lines=[
                (minutes_domain.action_line(a, labels), minutes_domain.action_note(a, labels))
                for a in data["action_items"]
            ],
            question_lines=[
                (minutes_domain.question_text(q), minutes_domain.question_note(q, labels))
                for q in data["questions"]
            ],
            answered_lines=[
                (minutes_domain.question_text(q), minutes_domain.answered_note(q, labels))
                for q in data.get("answered_questions", [])
            ],
            step_title=lambda step: minutes_domain.step_title(step, labels),
            phase=minutes_domain.phase_summary(data, labels),
            evaluation=minutes_domain.self_evaluation_lines(data, labels),
        )


def research_assemble(
    db: Database, meeting_id: int, group_id: int, timezone: str | None = None
) -> dict:
    """The minutes' data as a research file shows them: a withdrawn participant's words are
    a placeholder whatever the group's policy (``keep_for_minutes`` keeps them only in the
    group's own minutes)."""
    data = assemble(db, meeting_id, timezone, names=False)
    # The notes under each item are free text written with names in mind: the group's own.
    data["agenda"] = [{**step, "notes": ""} for step in data["agenda"]]
    withdrawn = records.withdrawn_scope(db, group_id)["contributions"]
    data["withdrawn_posts"] = sorted(set(data.get("withdrawn_posts", ())) | withdrawn)
    return data


def versioned_data(db: Database, meeting_id: int, timezone: str | None = None) -> dict:
    """What a version of the minutes keeps: the group's own copy and the research copy."""
    group_id = lookup.meeting_row(db, meeting_id)["group_id"]
    return {
        "own": assemble(db, meeting_id, timezone),
        "research": research_assemble(db, meeting_id, group_id, timezone),
    }


def minutes_file(
    db: Database,
    meeting_id: int,
    fmt: str,
    timezone: str | None,
    language: str | None,
    *,
    for_research: bool = False,
    version: int | None = None,
    leave_out: set[str] | frozenset[str] = frozenset(),
):
    """One file of a meeting's minutes, in ``language`` or else the group's, its dates in
    the group's time zone (``timezone`` only for a group without one); with
    ``for_research``, as :func:`research_assemble` makes them. ``version``: a stored
    version (``ops.minutes_versions``) instead of the minutes as they are now. Once the
    minutes were approved, a line under the title says which version they are.
    ``leave_out``: pseudonyms whose posts and questions are left out entirely (a withdrawn
    participant's, in a research project)."""
    group_id = lookup.meeting_row(db, meeting_id)["group_id"]
    if version is not None:
        row, stored = minutes_versions.version_data(db, meeting_id, version)
        data = stored["research" if for_research else "own"]
        if for_research:
            # Withdrawn since the version was kept: a placeholder whatever the policy.
            withdrawn = records.withdrawn_scope(db, group_id)["contributions"]
            data["withdrawn_posts"] = sorted(set(data.get("withdrawn_posts", ())) | withdrawn)
    else:
        row = minutes_versions.latest(db, meeting_id)
        if for_research:
            data = research_assemble(db, meeting_id, group_id, timezone)
        else:
            data = assemble(db, meeting_id, timezone)
    image = screen.starting_point_image(db, meeting_id)
    language = language or data["language"]
    body = render(minutes_domain.without_people(data, set(leave_out)), image, fmt, language)
    if row is None:
        return body
    line = version_text.version_line(row, timezone or "UTC", language)
    return version_text.stamp(body, fmt, line)


class MinutesOnDisk:
    """Subscriber: keep the copy of a closed meeting's minutes on disk true to its record.

    A failure is logged: the change is committed already, and the minutes can still be
    downloaded.
    """

    def __init__(self, app: Flask, db: Database):
        self.app, self.db = app, db

    def __call__(self, events: list[Event]) -> None:
        meeting_ids = dict.fromkeys(
            e.meeting_id for e in events if e.type in RECORD_EVENTS and e.meeting_id
        )
        for event in events:
            if event.type in GROUP_RECORD_EVENTS and event.group_id:
                meeting_ids.update(
                    dict.fromkeys(privacy.closed_meeting_ids(self.db, event.group_id))
                )
        for meeting_id in meeting_ids:
            with self.app.app_context():
                try:
                    if lookup.meeting_row(self.db, meeting_id)["status"] == "closed":
                        self.new_version(meeting_id, events)
                        self.write(meeting_id)
                except Exception:
                    self.app.logger.exception(
                        "Could not write the minutes of meeting %s", meeting_id
                    )

    def new_version(self, meeting_id: int, events: list[Event]) -> int | None:
        """Once the minutes were approved, a change that alters them is a new version, not
        approved, with a note of what changed (``ops.minutes_versions.record_change``)."""
        if minutes_versions.latest(self.db, meeting_id) is None:
            return None
        timezone = groups.meeting_timezone(self.db, meeting_id)
        data = versioned_data(self.db, meeting_id, timezone)
        note = version_text.change_note(events, data["own"]["language"])
        return minutes_versions.record_change(self.db, meeting_id, data, note)

    def write(self, meeting_id: int) -> Path:
        """Write ``minutes.md``, ``.html`` and ``.docx`` (and the starting point's image)."""
        meeting = lookup.meeting_row(self.db, meeting_id)
        folder = (
            Path(self.app.config["DATA_DIR"]) / str(meeting["group_id"]) / str(meeting["number"])
        )
        folder.mkdir(parents=True, exist_ok=True)
        data = assemble(self.db, meeting_id, self.app.config["TIMEZONE"])
        image = screen.starting_point_image(self.db, meeting_id)
        for old in folder.glob("starting-point.*"):
            old.unlink()  # replaced or removed since the last copy
        if image:
            # minutes.md shows the image by this name.
            _write(folder / minutes_domain.image_file_name(data["starting_point_image"]), image[0])
        version = minutes_versions.latest(self.db, meeting_id)
        timezone = groups.meeting_timezone(self.db, meeting_id)
        for fmt in FORMATS:
            # Each file on its own: one that cannot be made does not cost the others.
            try:
                body = render(data, image, fmt, data["language"])
                if version is not None:
                    line = version_text.version_line(version, timezone, data["language"])
                    body = version_text.stamp(body, fmt, line)
                _write(folder / f"minutes.{fmt}", body)
            except Exception:
                self.app.logger.exception(
                    "Could not write minutes.%s of meeting %s", fmt, meeting_id
                )
        return folder


def _write(path: Path, body: str | bytes) -> None:
    """Write beside the old file, then rename over it: never half a file."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    if isinstance(body, bytes):
        temporary.write_bytes(body)
    else:
        temporary.write_text(body, encoding="utf-8")
    temporary.replace(path)
