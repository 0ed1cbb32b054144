"""The minutes' order and their two kinds of record, shared by the Markdown here, the HTML
template and the Word file (``minutes_docx``).

Order, for a reader in a hurry: the header; who was present; a table of decisions and
action items; the agenda items, each with its notes, its decisions and its action items;
the questions for the next meeting and the answered ones; the group's phase and
self-evaluation; the next meeting; then, unless the facilitator left it out, the verbatim
posts in an appendix.
A protocol (``record.kind == "protocol"``) numbers the agenda items § 1, § 2 …, names its
chair, secretary and adjusters in the header and ends with signature lines; notes have
none of that.
"""

from __future__ import annotations

import re

from pblapp.domain.markdown_escape import escape_heading, escape_markdown, safe_markdown
from pblapp.domain.minutes import (
    action_note,
    agenda_line,
    answered_note,
    attendance_text,
    header_rows,
    image_file_name,
    phase_summary,
    question_note,
    question_text,
    quote,
    self_evaluation_lines,
    step_title,
)


def record(minutes: dict) -> dict:
    return minutes.get("record") or {
        "kind": "notes",
        "secretary": "",
        "adjusters": [],
        "appendix": True,
    }


def is_protocol(minutes: dict) -> bool:
    return record(minutes)["kind"] == "protocol"


def title(minutes: dict, labels: dict) -> str:
    """ "Minnesanteckningar" / "Notes" or "Protokoll" / "Minutes"."""
    return labels["record_titles"][record(minutes)["kind"]]


def record_header_rows(minutes: dict, labels: dict) -> list[tuple[str, str]]:
    """The header's rows; a protocol's facilitator is its chair, followed by its secretary
    and adjusters."""
    rows = header_rows(minutes, labels)
    if not is_protocol(minutes):
        return rows
    chair = minutes["facilitator"] or "–"
    rows = [
        (labels["chair"], chair) if label == labels["facilitator"] else (label, value)
        for label, value in rows
    ]
    data = record(minutes)
    rows.append((labels["secretary"], data["secretary"] or "–"))
    rows.append((labels["adjusters"], ", ".join(data["adjusters"]) or "–"))
    return rows


def summary_rows(minutes: dict, labels: dict) -> list[list[str]]:
    """The table of decisions and action items: what, who, when, status (unescaped). A
    decision has no who and no when."""
    rows = [
        [f"{labels['kind_decision']}: {d['text']}", "", "", labels["decided"]]
        for d in minutes["decisions"]
    ]
    rows += [
        [a["what"], a["who"], a.get("due") or "–", action_note(a, labels)]
        for a in minutes["action_items"]
    ]
    return rows


# A line of notes that is a list item: "- ", "* " or "• " first.
_NOTE_BULLET = re.compile(r"^\s*[-*•]\s+")


def note_blocks(notes: str) -> list[dict]:
    """An agenda item's notes as blocks every format shows alike: ``{"kind":
    "paragraph", "lines": [...]}`` (a line break kept inside it) and ``{"kind": "list",
    "items": [...]}`` for lines that start with ``-``, ``*`` or ``•``. A blank line ends a
    block. The words stay plain text: each renderer escapes them."""
    blocks: list[dict] = []
    for line in notes.split("\n"):
        text = line.strip()
        if not text:
            blocks.append({"kind": "break"})
            continue
        bullet = _NOTE_BULLET.match(line)
        kind = "list" if bullet else "paragraph"
        field = "items" if bullet else "lines"
        if bullet:
            text = line[bullet.end() :].strip()
        if not blocks or blocks[-1]["kind"] != kind:
            blocks.append({"kind": kind, field: []})
        blocks[-1][field].append(text)
    return [block for block in blocks if block["kind"] != "break"]


def agenda_items(minutes: dict, labels: dict) -> list[dict]:
    """Each agenda item: ``number`` (``§ 1`` in a protocol, else ``1.``), ``title``,
    ``heading`` (the two together), ``line`` (its planned and used time), its ``notes`` as
    blocks (:func:`note_blocks`), and the ``decisions`` and ``action_items`` made under
    it."""
    protocol = is_protocol(minutes)
    items = []
    for n, step in enumerate(minutes["agenda"], start=1):
        name = step_title(step, labels)
        number = f"§ {n}" if protocol else f"{n}."
        items.append(
            {
                "number": number,
                "title": name,
                "heading": f"{number} {name}",
                "line": agenda_line(step, labels).split(": ", 1)[-1],
                "notes": note_blocks(step.get("notes") or ""),
                "decisions": [
                    d for d in minutes["decisions"] if d.get("agenda_step_id") == step.get("id")
                ],
                "action_items": [
                    a
                    for a in minutes["action_items"]
                    if a.get("agenda_step_id") is not None
                    and a.get("agenda_step_id") == step.get("id")
                ],
            }
        )
    return items


def signatures(minutes: dict, labels: dict) -> list[tuple[str, str]]:
    """A protocol's signature lines, (name, role): the chair, the secretary and each
    adjuster ("Justeras"). Notes have none."""
    if not is_protocol(minutes):
        return []
    data = record(minutes)
    lines = [
        (minutes["facilitator"] or "", labels["chair"]),
        (data["secretary"], labels["secretary"]),
    ]
    lines += [(name, labels["adjusted"]) for name in data["adjusters"] or [""]]
    return lines


def render_markdown(minutes: dict, labels: dict) -> str:
    """The minutes as Markdown; every typed string goes through ``escape_markdown``."""
    e = escape_markdown
    none = f"_{labels['none']}_"
    lines = [f"# {e(title(minutes, labels))}: {escape_heading(minutes['group']['name'])}", ""]
    lines += [f"- **{label}:** {e(value)}" for label, value in record_header_rows(minutes, labels)]

    lines += ["", f"## {labels['attendance']}", ""]
    if minutes["attendance"]:
        for org in minutes["attendance"]:
            lines.append(
                f"- **{e(org['code'])}**, {e(org['name'])}: {attendance_text(org, labels, e)}"
            )
        lines.append(f"- **{labels['total']}:** {minutes['participant_count']}")
    else:
        lines.append(none)

    lines += ["", f"## {labels['summary']}", ""]
    rows = summary_rows(minutes, labels)
    if rows:
        lines += ["| " + " | ".join(labels["summary_columns"]) + " |", "|---|---|---|---|"]
        lines += [
            "| " + " | ".join(e(cell).replace("|", "\\|").replace("\n", " ") for cell in row) + " |"
            for row in rows
        ]
    else:
        lines.append(none)

    if minutes["starting_point"] or minutes.get("starting_point_image"):
        lines += ["", f"## {labels['starting_point']}", ""]
        # The facilitator's own Markdown, quoted so it cannot reshape the minutes around it.
        lines += [
            f"> {line}" if line.strip() else ">"
            for line in safe_markdown(minutes["starting_point"]).splitlines()
        ]
        if minutes.get("starting_point_image"):
            # The image lies beside the minutes on disk under this name.
            name = image_file_name(minutes["starting_point_image"])
            lines += ["", f"![{e(labels['starting_point_image'])}]({name})"]

    lines += ["", f"## {labels['agenda_items']}", ""]
    if not minutes["agenda"]:
        lines += [none, ""]
    for item in agenda_items(minutes, labels):
        heading = f"{item['number']} {escape_heading(item['title'])}"
        lines += [f"### {heading}", "", e(item["line"]), ""]
        for block in item["notes"]:
            if block["kind"] == "list":
                # "*", not "-": a list of its own, apart from the decisions' list below it.
                lines += [f"* {e(text)}" for text in block["items"]]
            else:
                # Two spaces at a line's end: a line break inside the paragraph.
                lines.append("  \n".join(e(text) for text in block["lines"]))
            lines.append("")
        lines += [f"- **{labels['kind_decision']}:** {e(d['text'])}" for d in item["decisions"]]
        lines += [
            f"- **{labels['action_items']}:** {e(a['who'])}: {e(a['what'])}"
            + (f" ({labels['due']} {e(a['due'])})" if a.get("due") else "")
            for a in item["action_items"]
        ]
        if item["decisions"] or item["action_items"]:
            lines.append("")

    lines += [f"## {labels['carried']}", ""]
    lines += [
        f"- {question_text(q, e)} – {e(question_note(q, labels))}" for q in minutes["questions"]
    ] or [none]
    if minutes.get("answered_questions"):
        lines += ["", f"## {labels['answered_questions']}", ""]
        lines += [
            f"- {question_text(q, e)} – {e(answered_note(q, labels))}"
            for q in minutes["answered_questions"]
        ]
    phase = phase_summary(minutes, labels)
    if phase:
        lines += ["", f"## {labels['phase']}", "", f"**{e(phase['headline'])}**"]
        if phase["note"]:
            lines += ["", f"{labels['phase_note']}: {e(phase['note'])}"]
        lines += [""] + [f"- {e(sentence)}" for sentence in phase["evidence"]]
    evaluation = self_evaluation_lines(minutes, labels)
    if evaluation:
        lines += ["", f"## {labels['self_evaluation']}", "", e(evaluation[0])]
        if evaluation[1]:
            lines += [""] + [f"- {e(line)}" for line in evaluation[1]]
    if minutes["next_meeting"]:
        lines += ["", f"## {labels['next_meeting']}", "", e(minutes["next_meeting"])]

    signed = signatures(minutes, labels)
    if signed:
        lines += ["", f"## {labels['signatures']}", ""]
        for name, role in signed:
            lines += ["\\_" * 30, "", f"{e(name) or ' '}  ", role, ""]

    if record(minutes)["appendix"]:
        lines += ["", f"## {labels['appendix']}", ""]
        if not minutes["contributions_by_type"]:
            lines += [none, ""]
        for section in minutes["contributions_by_type"]:
            lines += [f"### {labels['qtypes'][section['qtype']]}", ""]
            for group in section["groups"]:
                lines += [f"#### {escape_heading(step_title(group['step'], labels))}", ""]
                for item in group["items"]:
                    lines.append(f"- {quote(item)}")
                    lines += [f"  - {labels['duplicate']}: {quote(d)}" for d in item["duplicates"]]
                lines.append("")
    lines.append("")
    return "\n".join(lines)
