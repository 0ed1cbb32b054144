"""Rendering the minutes (md, html, docx) in the group's language, and keeping a copy on
disk when a meeting closes."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_babel import force_locale

from pblapp import get_service
from pblapp.domain import minutes as minutes_md
from pblapp.domain.clock import parse_utc
from pblapp.domain.minutes_docx import render_docx
from pblapp.i18n import LANGUAGES, minutes_labels

FORMATS = ("md", "html", "docx")


def local_time(moment: str | None) -> tuple[str, str]:
    """A stored UTC time as (date, HH:MM) in the server's time zone (PBLAPP_TIMEZONE)."""
    if not moment:
        return "", ""
    try:
        zone = ZoneInfo(current_app.config["TIMEZONE"])
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = parse_utc(moment).astimezone(zone)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def render(meeting_id: int, fmt: str, language: str | None = None) -> str | bytes:
    """The minutes in ``fmt``; in ``language``, else ``?lang=``, else the group's language."""
    service = get_service()
    # A closed meeting's minutes are its record at close; later meetings do not change them.
    data = service.recorded_minutes(meeting_id) or service.minutes(
        meeting_id, local_time=local_time
    )
    if language not in LANGUAGES:
        asked = request.args.get("lang") if request else None
        language = asked if asked in LANGUAGES else data["language"]
    data["language"] = language
    with force_locale(language):
        labels = minutes_labels()
        if fmt == "md":
            return minutes_md.render_markdown(data, labels)
        if fmt == "docx":
            return render_docx(data, labels)
        return render_template(
            "minutes/minutes.html",
            m=data,
            labels=labels,
            header=minutes_md.header_rows(data, labels),
            agenda_lines=[minutes_md.agenda_line(step, labels) for step in data["agenda"]],
            action_lines=[
                (minutes_md.action_line(a, labels), labels["action_status"][a["status"]])
                for a in data["action_items"]
            ],
            question_lines=[
                (minutes_md.question_text(q), minutes_md.question_note(q, labels))
                for q in data["questions"]
            ],
            step_title=lambda step: minutes_md.step_title(step, labels),
        )


def write_to_disk(meeting_id: int) -> Path:
    """Keep ``minutes.md``, ``.html`` and ``.docx`` in ``<data-dir>/<group>/<number>/``."""
    meeting = get_service().meeting_row(meeting_id)
    folder = (
        Path(current_app.config["DATA_DIR"]) / str(meeting["group_id"]) / str(meeting["number"])
    )
    folder.mkdir(parents=True, exist_ok=True)
    service = get_service()
    data = service.recorded_minutes(meeting_id) or service.minutes(
        meeting_id, local_time=local_time
    )
    group_language = data["language"]
    for fmt in FORMATS:
        body = render(meeting_id, fmt, language=group_language)
        path = folder / f"minutes.{fmt}"
        temporary = path.with_suffix(path.suffix + ".tmp")
        if isinstance(body, bytes):
            temporary.write_bytes(body)
        else:
            temporary.write_text(body, encoding="utf-8")
        temporary.replace(path)
    return folder


def close_meeting(user_id: int, meeting_id: int) -> dict:
    """Close a meeting and keep its minutes on disk: the one way every page and the API
    close a meeting. Closing a closed meeting again leaves the copy written at close."""
    service = get_service()
    was_closed = service.meeting(user_id, meeting_id)["status"] == "closed"
    meeting = service.close_meeting(user_id, meeting_id)
    if not was_closed:
        service.record_minutes(meeting_id, service.minutes(meeting_id, local_time=local_time))
        try:
            write_to_disk(meeting_id)
        except Exception:
            # The close itself is committed; the minutes can still be downloaded.
            current_app.logger.exception("Could not write the minutes of meeting %s", meeting_id)
    return meeting
