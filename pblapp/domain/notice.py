"""The notice (kallelse) of a meeting: when and where, the agenda with clock times, the open
action items and the questions to prepare; as data, as a Word file and as a calendar file.

Plain Python: the caller reads the record (the same reads that feed the minutes) and hands
over the labels in the reader's language. Typed text goes into Word runs and calendar
properties as plain text; the HTML is a template with autoescape.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from docx import Document
from icalendar import Calendar, Event

from pblapp.domain import docx_parts
from pblapp.domain.clock import parse_utc
from pblapp.domain.minutes import question_text, step_title

# Without an agenda (or with steps of no planned time), a meeting is booked for two hours.
DEFAULT_MINUTES = 120
# What, who, when, from: widths in mm that add up to A4's text width with 2 cm margins.
_ACTION_WIDTHS = (84, 38, 28, 20)
_AGENDA_WIDTHS = (24, 116, 30)


def zone_of(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name``; UTC if it is unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def starts_at(meeting: dict, meetings: list[dict]) -> str | None:
    """When ``meeting`` starts (stored UTC): its own ``scheduled_at``, else the
    ``next_meeting_at`` that the group's previous meeting set for the next one."""
    if meeting.get("scheduled_at"):
        return meeting["scheduled_at"]
    previous = [m for m in meetings if m["number"] == meeting["number"] - 1]
    return previous[0].get("next_meeting_at") if previous else None


def assemble(
    facts: dict,
    steps: list[dict],
    followups: dict,
    start_utc: str | None,
    zone: str,
    hidden_posts: set[int] = frozenset(),
    placeholder: str = "",
) -> dict:
    """The notice's data. ``facts`` is ``ops.records.meeting_facts``, ``steps`` the agenda
    steps, ``followups`` ``ops.followups.read``; ``start_utc`` when it starts (or None);
    ``zone`` the group's time zone. A question quoting one of ``hidden_posts`` (a withdrawn
    participant's) shows ``placeholder`` instead of its words."""
    where = zone_of(zone)
    start = parse_utc(start_utc).astimezone(where) if start_utc else None
    agenda, offset = [], 0
    for step in steps:
        minutes = round(step["planned_seconds"] / 60)
        at = (start + timedelta(minutes=offset)).strftime("%H:%M") if start else ""
        agenda.append(
            {"key": step["key"], "title": step["title"], "planned_minutes": minutes, "at": at}
        )
        offset += minutes
    total = offset or DEFAULT_MINUTES
    end = start + timedelta(minutes=total) if start else None
    questions = [
        {**q, "text": placeholder} if q.get("contribution_id") in hidden_posts else q
        for q in followups["questions"]
        if q["status"] != "answered"
    ]
    return {
        "language": facts["language"] or "sv",
        "group": {"id": facts["group_id"], "name": facts["group_name"]},
        "meeting": {
            "id": facts["id"],
            "number": facts["number"],
            "title": facts["title"] or "",
            "place": facts["place"] or "",
            "status": facts["status"],
        },
        "facilitator": facts["facilitator"] or "",
        "zone": where.key,
        "start": start,
        "end": end,
        "date": start.strftime("%Y-%m-%d") if start else "",
        "time": f"{start:%H:%M}–{end:%H:%M}" if start else "",
        "total_minutes": total,
        "agenda": agenda,
        "action_items": [a for a in followups["action_items"] if a["status"] == "open"],
        "questions": questions,
    }


def title(notice: dict, labels: dict) -> str:
    """``Kallelse: Basgrupp Norrköping, möte 2 – Titel, 2026-12-08``."""
    return docx_parts.document_title(
        labels["notice"],
        notice["group"]["name"],
        labels["meeting"],
        notice["meeting"],
        notice["date"],
    )


def header_rows(notice: dict, labels: dict) -> list[tuple[str, str]]:
    """(label, value) pairs: group, meeting, date, time, place; values unescaped."""
    meeting = notice["meeting"]
    number = str(meeting["number"])
    if meeting["title"]:
        number += f" – {meeting['title']}"
    rows = [(labels["group"], notice["group"]["name"]), (labels["meeting"], number)]
    if notice["start"]:
        rows.append((labels["date"], notice["date"]))
        rows.append((labels["time"], f"{notice['time']} ({notice['zone']})"))
    else:
        rows.append((labels["date"], labels["date_not_set"]))
    rows.append((labels["place"], meeting["place"] or "–"))
    if notice["facilitator"]:
        rows.append((labels["facilitator"], notice["facilitator"]))
    return rows


def agenda_rows(notice: dict, labels: dict) -> list[list[str]]:
    """[clock time, step title, planned minutes] for each step."""
    return [
        [
            step["at"] or "–",
            step_title(step, labels),
            labels["n_minutes"].format(n=step["planned_minutes"]),
        ]
        for step in notice["agenda"]
    ]


def action_rows(notice: dict, labels: dict) -> list[list[str]]:
    """[what, who, when, the meeting it came from] for each open action item."""
    return [
        [
            item["what"],
            item["who"],
            item.get("due") or "–",
            f"{labels['meeting']} {item['meeting_number']}",
        ]
        for item in notice["action_items"]
    ]


def question_lines(notice: dict, labels: dict) -> list[tuple[str, str]]:
    """(question, note) for each question to prepare."""
    lines = []
    for question in notice["questions"]:
        note = [labels["question_status"][question["status"]]]
        owner = question.get("owner")
        if owner:
            note.append(f"{labels['owner']}: {owner.get('pseudonym') or owner.get('organization')}")
        note.append(labels["from_meeting"].format(n=question["meeting_number"]))
        lines.append((question_text(question), ", ".join(note)))
    return lines


def plain_text(notice: dict, labels: dict) -> str:
    """The agenda, action items and questions as plain text (the calendar's description)."""
    lines = [f"{labels['agenda']}:"]
    lines += [f"{at} {what} ({minutes})" for at, what, minutes in agenda_rows(notice, labels)]
    if not notice["agenda"]:
        lines.append(labels["none"])
    lines += ["", f"{labels['open_action_items']}:"]
    for item in notice["action_items"]:
        note = [labels["from_meeting"].format(n=item["meeting_number"])]
        if item.get("due"):
            note.insert(0, f"{labels['due']} {item['due']}")
        lines.append(f"- {item['who']}: {item['what']} ({', '.join(note)})")
    if not notice["action_items"]:
        lines.append(labels["none"])
    lines += ["", f"{labels['questions_to_prepare']}:"]
    lines += [f"- {text} ({note})" for text, note in question_lines(notice, labels)]
    if not notice["questions"]:
        lines.append(labels["none"])
    return "\n".join(lines)


def uid(notice: dict, host: str) -> str:
    """The calendar event's UID: the same for every download of one meeting's notice, so
    that importing it again updates the event instead of adding another."""
    return f"pblapp-meeting-{notice['meeting']['id']}@{host or 'pblapp'}"


def render_ics(notice: dict, labels: dict, host: str, now: datetime | None = None) -> bytes:
    """One VEVENT with the time zone's VTIMEZONE. ``notice["start"]`` must be set."""
    calendar = Calendar()
    calendar.add("prodid", "-//pblapp//notice//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid(notice, host))
    event.add("dtstamp", (now or datetime.now(UTC)).replace(microsecond=0))
    event.add("dtstart", notice["start"])
    event.add("dtend", notice["end"])
    event.add("summary", title(notice, labels))
    if notice["meeting"]["place"]:
        event.add("location", notice["meeting"]["place"])
    event.add("description", plain_text(notice, labels))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def render_docx(notice: dict, labels: dict) -> bytes:
    """The notice as an A4 Word file in the group's language (sv-SE or en-GB)."""
    start, end = notice["start"], notice["end"]
    notice = docx_parts.xml_safe({**notice, "start": None, "end": None})
    notice.update(start=start, end=end)
    group = notice["group"]["name"]
    document = Document()
    docx_parts.set_up_a4(
        document,
        language=notice["language"],
        title=title(notice, labels),
        group=group,
        date=notice["date"] or "",
        author=notice["facilitator"] or "pblapp",
        page_of=labels["page_of"],
    )
    docx_parts.heading_with_rows(
        document, f"{labels['notice']}: {group}", header_rows(notice, labels)
    )

    def none() -> None:
        document.add_paragraph(labels["none"]).runs[0].italic = True

    document.add_heading(labels["agenda"], level=1)
    if notice["agenda"]:
        columns = (labels["clock"], labels["agenda_item"], labels["planned_time"])
        docx_parts.add_table(
            document,
            list(zip(columns, _AGENDA_WIDTHS, strict=True)),
            agenda_rows(notice, labels),
        )
    else:
        none()
    document.add_heading(labels["open_action_items"], level=1)
    if notice["action_items"]:
        columns = (*labels["action_columns"][:3], labels["from"])
        docx_parts.add_table(
            document,
            list(zip(columns, _ACTION_WIDTHS, strict=True)),
            action_rows(notice, labels),
        )
    else:
        none()
    document.add_heading(labels["questions_to_prepare"], level=1)
    for text, note in question_lines(notice, labels):
        paragraph = document.add_paragraph(style="List Bullet")
        paragraph.add_run(text)
        paragraph.add_run(f" ({note})").italic = True
    if not notice["questions"]:
        none()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
