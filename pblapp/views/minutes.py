"""Rendering the minutes (md, html, docx) in the group's language, and keeping a copy on
disk when a meeting closes."""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, render_template, request
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


def render(meeting_id: int, fmt: str) -> str | bytes:
    """The minutes in ``fmt``, in the language ``?lang=`` asks for, else the group's."""
    service = get_service()
    data = service.minutes(meeting_id, local_time=local_time)
    asked = request.args.get("lang")
    language = asked if asked in LANGUAGES else data["language"]
    return _render(data, service.starting_point_image(meeting_id), fmt, language)


def _render(data: dict, image: tuple[bytes, str] | None, fmt: str, language: str) -> str | bytes:
    """The minutes' ``data`` (and the starting point's image) in ``fmt`` and ``language``."""
    data = {**data, "language": language}
    with force_locale(language):
        labels = minutes_labels()
        if fmt == "md":
            return minutes_md.render_markdown(data, labels)
        if fmt == "docx":
            return render_docx(data, labels, image[0] if image else None)
        return render_template(
            "minutes/minutes.html",
            m=data,
            labels=labels,
            # In the page itself, so that the file works when saved or mailed on its own.
            image_uri=f"data:{image[1]};base64,{b64encode(image[0]).decode()}" if image else "",
            header=minutes_md.header_rows(data, labels),
            agenda_lines=[minutes_md.agenda_line(step, labels) for step in data["agenda"]],
            action_lines=[
                (minutes_md.action_line(a, labels), minutes_md.action_note(a, labels))
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
    service = get_service()
    meeting = service.meeting_row(meeting_id)
    folder = (
        Path(current_app.config["DATA_DIR"]) / str(meeting["group_id"]) / str(meeting["number"])
    )
    folder.mkdir(parents=True, exist_ok=True)
    data = service.minutes(meeting_id, local_time=local_time)
    image = service.starting_point_image(meeting_id)
    for old in folder.glob("starting-point.*"):
        old.unlink()  # replaced or removed since the last copy
    if image:
        # minutes.md shows the image by this name.
        _write(folder / minutes_md.image_file_name(data["starting_point_image"]), image[0])
    for fmt in FORMATS:
        # Each file on its own: one that cannot be made does not cost the others.
        try:
            _write(folder / f"minutes.{fmt}", _render(data, image, fmt, data["language"]))
        except Exception:
            current_app.logger.exception(
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


def disk_writer(app: Flask) -> Callable[[int], None]:
    """What the service calls when a meeting closes, or its record changes after: write
    the minutes to disk. A failure is logged; the change itself is already committed and
    the minutes can still be downloaded."""

    def write(meeting_id: int) -> None:
        with app.app_context():
            try:
                write_to_disk(meeting_id)
            except Exception:
                app.logger.exception("Could not write the minutes of meeting %s", meeting_id)

    return write
