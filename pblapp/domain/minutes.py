"""Minutes of a meeting (minnesanteckningar or a protokoll): assembled, and their parts.

The minutes are assembled once (:func:`assemble`) into a plain dict; with a dict of labels
in the reader's language, that dict renders to Markdown here, to HTML in a template and to
Word in ``minutes_docx``.

Typed text is escaped (``markdown_escape``) so that it stays text in every common Markdown
renderer, escaping only what would otherwise become markup where it stands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pblapp.domain import agenda as agenda_domain
from pblapp.domain.contributions import folded

# escape_heading and safe_markdown are imported from here too.
from pblapp.domain.markdown_escape import (  # noqa: F401
    escape_heading,
    escape_markdown,
    safe_markdown,
)
from pblapp.domain.vocabulary import QUESTION_TYPES, UNTAGGED


def quote(item: dict, escape=escape_markdown) -> str:
    """``P03 (FK): …`` for one contribution, every part escaped (a code may hold ``_``)."""
    return f"{escape(item['pseudonym'])} ({escape(item['organization'])}): {escape(item['text'])}"


def image_file_name(kind: str) -> str:
    """The starting point's image beside the minutes: ``starting-point.png`` and so on."""
    return f"starting-point.{'jpg' if kind == 'jpeg' else kind}"


def step_title(step: dict | None, labels: dict) -> str:
    return agenda_domain.step_title(step, labels["steps"], labels["before_agenda"])


def attendance_text(org: dict, labels: dict, escape: Callable[[str], str] = str) -> str:
    """``2 (P01, P02 (arrived late 10:15)); absent: P03`` for one organisation, each name
    escaped."""
    names = [
        escape(p["name"]) + (f" ({labels['arrived_late']} {p['late']})" if p["late"] else "")
        for p in org.get("present", ())
    ]
    text = f"{len(names)} ({', '.join(names)})" if names else "0"
    if org.get("absent"):
        text += f"; {labels['absent']}: {', '.join(escape(n) for n in org['absent'])}"
    return text


LATE_AFTER = timedelta(minutes=10)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _attendance(
    facts: dict, local_time: Callable[[str | None], tuple[str, str]]
) -> dict[str, dict]:
    """Per organisation code: who was present (``pseudonyms``, and ``present`` as
    ``{"name", "late"}`` with ``late`` the local time of an arrival more than ten minutes
    after the start, else "") and who on the group's roster was not (``absent``). Names are
    display names when the group chose them for its minutes (``minutes_names``), else
    pseudonyms."""
    use_names = bool(facts.get("minutes_names"))

    def shown(person: dict) -> str:
        if use_names and person.get("display_name"):
            return f"{person['display_name']} ({person['organization']})"
        return person["pseudonym"]

    started = _moment(facts.get("started_at"))
    present_rows = facts.get("present")
    if present_rows is None:  # facts without the detail: pseudonyms only, no one late
        present_rows = [
            {"id": None, "organization": code, "pseudonym": name}
            for code, name in facts["attendance"]
        ]
    result: dict[str, dict] = {}

    def entry(code: str) -> dict:
        return result.setdefault(code, {"pseudonyms": [], "present": [], "absent": []})

    for person in present_rows:
        joined = _moment(person.get("joined_at"))
        late = ""
        if started and joined and joined - started > LATE_AFTER:
            late = local_time(person["joined_at"])[1]
        name = shown(person)
        entry(person["organization"])["pseudonyms"].append(name)
        entry(person["organization"])["present"].append({"name": name, "late": late})
    here = {person.get("id") for person in present_rows}
    for person in facts.get("roster", ()):
        if person["id"] not in here:
            entry(person["organization"])["absent"].append(shown(person))
    return result


def assemble(
    facts: dict,
    steps: list[dict],
    visible: list[dict],
    followups: dict,
    local_time: Callable[[str | None], tuple[str, str]],
) -> dict:
    """The data of a meeting's minutes, in one dict every renderer reads.

    ``facts`` is the meeting with its group and attendance (``ops.records.meeting_facts``),
    ``steps`` its agenda steps, ``visible`` its contributions that are not hidden, in seq
    order, and ``followups`` its follow-ups. ``local_time`` turns a stored UTC time into
    (date, time) where the meeting is held. A folded duplicate is listed under the post it
    joined.
    """
    by_step = {step["id"]: step for step in steps}
    duplicates_of = folded(visible)
    duplicates: dict[int, list[dict]] = {}
    for c in visible:
        if c["id"] in duplicates_of:
            duplicates.setdefault(duplicates_of[c["id"]], []).append(c)
    shown = [
        {**c, "duplicates": duplicates.get(c["id"], [])}
        for c in visible
        if c["id"] not in duplicates_of
    ]
    by_type = []
    for qtype in (*QUESTION_TYPES, None):
        items = [c for c in shown if c["qtype"] == qtype]
        if not items:
            continue
        # Within a type, by agenda step in agenda order; posts before the first step first.
        groups = []
        for step_id in [None, *by_step]:
            in_step = [c for c in items if c["agenda_step_id"] == step_id]
            if in_step:
                step = by_step.get(step_id)
                groups.append(
                    {
                        "step": {"key": step["key"], "title": step["title"]} if step else None,
                        "items": in_step,
                    }
                )
        by_type.append({"qtype": qtype or UNTAGGED, "groups": groups})

    org_names = {o["code"]: o["name"] for o in facts["organizations"]}
    attendance = _attendance(facts, local_time)
    start_date, start = local_time(facts["started_at"])
    _, end = local_time(facts["closed_at"])
    scheduled_date, scheduled_time = local_time(facts["scheduled_at"])
    next_date, next_time = local_time(facts["next_meeting_at"])
    return {
        "language": facts["language"] or "sv",
        "group": {
            "id": facts["group_id"],
            "name": facts["group_name"],
            "kind": facts["kind"],
            "planned_meetings": facts["planned_meetings"],
        },
        "meeting": {
            "id": facts["id"],
            "number": facts["number"],
            "title": facts["title"] or "",
            "status": facts["status"],
            "date": start_date or scheduled_date,
            "start": start or scheduled_time,
            "end": end,
            "place": facts["place"] or "",
        },
        "facilitator": facts["facilitator"],
        "attendance": [
            {"code": code, "name": org_names.get(code, code), **who}
            for code, who in sorted(
                attendance.items(),
                key=lambda kv: list(org_names).index(kv[0]) if kv[0] in org_names else 999,
            )
        ],
        "participant_count": sum(len(who["pseudonyms"]) for who in attendance.values()),
        # Notes or a protokoll (§ numbers, chair, secretary, adjusters, signature lines).
        "record": {
            "kind": facts.get("record_kind") or "notes",
            "secretary": facts.get("secretary") or "",
            "adjusters": json.loads(facts.get("adjusters") or "[]"),
            "appendix": bool(facts.get("minutes_appendix", 1)),
        },
        "agenda": [
            {
                "id": step["id"],
                "key": step["key"],
                "title": step["title"],
                "planned_minutes": round(step["planned_seconds"] / 60),
                "used_minutes": round(step["used_seconds"] / 60),
                "started": step["started_at"] is not None,
                "notes": step.get("notes") or "",
            }
            for step in steps
        ],
        "starting_point": facts["starting_point"] or "",
        # "png", "jpeg" or "webp" when the starting point has an image, else "".
        "starting_point_image": (facts["starting_point_image"] or ".").rsplit(".", 1)[1],
        "contributions_by_type": by_type,
        "decisions": followups["decisions"],
        "action_items": followups["action_items"],
        # Only questions still open or deferred are for the next meeting; the answered ones
        # have their own list, each with the meeting that answered it.
        "questions": [q for q in followups["questions"] if q["status"] != "answered"],
        "answered_questions": [
            {**q, "answered_at_meeting": q.get("answered_meeting_number") or facts["number"]}
            for q in followups["questions"]
            if q["status"] == "answered"
        ],
        "next_meeting": f"{next_date} {next_time}".strip(),
    }


def with_placeholders(minutes: dict, post_ids: set[int], placeholder: str) -> dict:
    """The minutes with ``placeholder`` in place of the words of the posts ``post_ids`` (a
    withdrawn participant's), also where a question quotes one. Who posted, when and under
    which type stays."""
    if not post_ids:
        return minutes

    def post(item: dict) -> dict:
        shown = {**item, "text": placeholder} if item["id"] in post_ids else dict(item)
        if "duplicates" in item:
            shown["duplicates"] = [post(d) for d in item["duplicates"]]
        return shown

    by_type = [
        {
            **section,
            "groups": [
                {**group, "items": [post(item) for item in group["items"]]}
                for group in section["groups"]
            ],
        }
        for section in minutes["contributions_by_type"]
    ]

    def questions(key: str) -> list[dict]:
        return [
            {**q, "text": placeholder} if q.get("contribution_id") in post_ids else q
            for q in minutes.get(key, [])
        ]

    return {
        **minutes,
        "contributions_by_type": by_type,
        "questions": questions("questions"),
        "answered_questions": questions("answered_questions"),
    }


def without_people(minutes: dict, pseudonyms: set[str]) -> dict:
    """The minutes without what quotes one of ``pseudonyms`` (withdrawn participants, for a
    research project): their posts, the duplicates they posted, and the questions made
    from their posts. A section or step left empty goes too."""
    if not pseudonyms:
        return minutes

    def theirs(item: dict) -> bool:
        author = item.get("author") if "author" in item else item
        return bool(author) and author.get("pseudonym") in pseudonyms

    by_type = []
    for section in minutes["contributions_by_type"]:
        groups = []
        for group in section["groups"]:
            items = [
                {**item, "duplicates": [d for d in item["duplicates"] if not theirs(d)]}
                for item in group["items"]
                if not theirs(item)
            ]
            if items:
                groups.append({**group, "items": items})
        if groups:
            by_type.append({**section, "groups": groups})
    return {
        **minutes,
        "contributions_by_type": by_type,
        "questions": [q for q in minutes["questions"] if not theirs(q)],
        "answered_questions": [q for q in minutes.get("answered_questions", []) if not theirs(q)],
    }


def header_rows(minutes: dict, labels: dict) -> list[tuple[str, str]]:
    """(label, value) pairs of the header, values unescaped."""
    meeting, group = minutes["meeting"], minutes["group"]
    number = str(meeting["number"])
    if group.get("planned_meetings"):
        number += f" {labels['of']} {group['planned_meetings']}"
    if meeting["title"]:
        number += f" – {meeting['title']}"
    rows = [
        (labels["group"], group["name"]),
        (labels["meeting"], number),
        (labels["date"], meeting["date"] or "–"),
        (labels["time"], f"{meeting['start'] or '–'}–{meeting['end'] or ''}"),
    ]
    if meeting.get("place"):
        rows.append((labels["place"], meeting["place"]))
    rows.append((labels["facilitator"], minutes["facilitator"] or "–"))
    return rows


def agenda_line(step: dict, labels: dict) -> str:
    template = labels["step_used"] if step["started"] else labels["step_not_started"]
    times = template.format(planned=step["planned_minutes"], used=step["used_minutes"])
    return f"{step_title(step, labels)}: {times}"


def action_line(item: dict, labels: dict) -> str:
    due = f" ({labels['due']} {item['due']})" if item.get("due") else ""
    return f"{item['who']}: {item['what']}{due}"


def action_note(item: dict, labels: dict) -> str:
    """An action item's status, and the meeting it came from if an earlier one."""
    parts = [labels["action_status"][item["status"]]]
    if item.get("carried_from_earlier"):
        parts.append(labels["from_meeting"].format(n=item["meeting_number"]))
    return ", ".join(parts)


def question_text(question: dict, escape=lambda text: text) -> str:
    """A question, quoted ``P03 (FK): …`` when it came from a contribution."""
    author = question.get("author")
    if author:
        return quote({**author, "text": question["text"]}, escape)
    return escape(question["text"])


def question_note(question: dict, labels: dict) -> str:
    parts = [labels["question_status"][question["status"]]]
    return ", ".join(parts + _owner_and_origin(question, labels))


def answered_note(question: dict, labels: dict) -> str:
    """An answered question's note: the meeting that answered it, its owner, and the meeting
    it came from if an earlier one."""
    parts = [labels["answered_at"].format(n=question["answered_at_meeting"])]
    return ", ".join(parts + _owner_and_origin(question, labels))


def _owner_and_origin(question: dict, labels: dict) -> list[str]:
    """The parts of a question's note after its status: who owns it, and the earlier meeting
    it came from."""
    parts = []
    owner = question.get("owner")
    if owner:
        parts.append(f"{labels['owner']}: {owner.get('pseudonym') or owner.get('organization')}")
    if question.get("carried_from_earlier"):
        parts.append(labels["from_meeting"].format(n=question["meeting_number"]))
    return parts


def phase_summary(minutes: dict, labels: dict) -> dict | None:
    """The phase section's parts, unescaped: ``{"headline", "note", "evidence"}``, or
    ``None`` when the minutes have no phase. ``minutes["phase"]["evidence"]`` holds sentences
    already in the minutes' language."""
    phase = minutes.get("phase")
    if not phase or not (phase.get("decided") or phase.get("suggested")):
        return None
    names = labels["phases"]
    if phase.get("decided"):
        headline = f"{names[phase['decided']]} – {labels['phase_decided']}"
        if phase.get("suggested") and phase["suggested"] != phase["decided"]:
            was = labels["phase_suggestion_was"].format(phase=names[phase["suggested"]].lower())
            headline += f" ({was})"
    else:
        headline = f"{names[phase['suggested']]} – {labels['phase_suggested']}"
    return {"headline": headline, "note": phase.get("note") or "", "evidence": phase["evidence"]}


def self_evaluation_lines(minutes: dict, labels: dict) -> tuple[str, list[str]] | None:
    """The self-evaluation's summary line and one line per statement (its mean), or
    ``None`` when no one answered."""
    summary = minutes.get("self_evaluation")
    if not summary or not summary["n"]:
        return None
    means = [item for item in summary["items"] if item["kind"] == "scale"]
    if any(item["mean"] is not None for item in means):
        head = labels["self_evaluation_n"].format(n=summary["n"])
        texts = labels["self_evaluation_items"]
        return head, [
            f"{texts[item['key']]} – {labels['mean']} "
            + item.get("mean_text", f"{item['mean']:.1f}")
            for item in means
            if item["mean"] is not None
        ]
    return labels["self_evaluation_too_few"].format(n=summary["n"]), []
