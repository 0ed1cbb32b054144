"""Minutes as a Word document (``minutes.docx``), from the same data as the Markdown.

Text goes into runs as plain text, so nothing typed becomes a field, a link or markup. The
file is in the group's language (sv-SE or en-GB, so Word checks spelling in it), says who
made it and when, has the group and date at the top of every page and "Sida X av Y" at the
bottom, and gives the action items as a table (``docx_parts`` holds these pieces).
"""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Mm

from pblapp.domain import docx_parts
from pblapp.domain.minutes import (
    action_note,
    agenda_line,
    answered_note,
    header_rows,
    image_file_name,
    phase_summary,
    question_note,
    question_text,
    self_evaluation_lines,
    step_title,
)

# What, who, when, status: widths in mm that add up to the text width (docx_parts).
_ACTION_WIDTHS = (80, 38, 24, 28)


def _quote(paragraph, item: dict) -> None:
    paragraph.add_run(f"{item['pseudonym']} ({item['organization']}): ").bold = True
    paragraph.add_run(item["text"])


def _add_picture(document, image: bytes) -> bool:
    """Put the image in the document; False if python-docx cannot read it."""
    try:
        document.add_picture(io.BytesIO(image), width=Mm(120))
    except Exception:  # UnrecognizedImageError, or a JPEG without the header it expects
        return False
    return True


def _action_table(document, minutes: dict, labels: dict) -> None:
    headings = labels["action_columns"]
    rows = [
        [item["what"], item["who"], item.get("due") or "–", action_note(item, labels)]
        for item in minutes["action_items"]
    ]
    docx_parts.add_table(document, list(zip(headings, _ACTION_WIDTHS, strict=True)), rows)


def render_docx(minutes: dict, labels: dict, image: bytes | None = None) -> bytes:
    """The minutes as a Word document; ``image`` is the starting point's image, if any."""
    minutes = docx_parts.xml_safe(minutes)
    group, meeting = minutes["group"]["name"], minutes["meeting"]
    document = Document()
    docx_parts.set_up_a4(
        document,
        language=minutes.get("language") or "sv",
        title=docx_parts.document_title(
            labels["minutes"], group, labels["meeting"], meeting, meeting["date"]
        ),
        group=group,
        date=meeting["date"] or "",
        author=minutes.get("facilitator") or "pblapp",
        page_of=labels["page_of"],
    )
    docx_parts.heading_with_rows(
        document, f"{labels['minutes']}: {group}", header_rows(minutes, labels)
    )

    def none() -> None:
        document.add_paragraph(labels["none"]).runs[0].italic = True

    document.add_heading(labels["attendance"], level=1)
    for org in minutes["attendance"]:
        document.add_paragraph(
            # "RS, Resurssamordnare (primärvård): 1 (P03)": a name's own brackets stay its own.
            f"{org['code']}, {org['name']}: {len(org['pseudonyms'])} "
            f"({', '.join(org['pseudonyms'])})",
            style="List Bullet",
        )
    if minutes["attendance"]:
        document.add_paragraph(f"{labels['total']}: {minutes['participant_count']}")
    else:
        none()

    document.add_heading(labels["agenda"], level=1)
    for step in minutes["agenda"]:
        document.add_paragraph(agenda_line(step, labels), style="List Number")
    if not minutes["agenda"]:
        none()

    if minutes["starting_point"] or image:
        document.add_heading(labels["starting_point"], level=1)
        # The facilitator's Markdown as Word formatting, set in a little from the margin.
        docx_parts.add_markdown(document, minutes["starting_point"])
        if image and not _add_picture(document, image):
            # Word cannot hold a WebP picture (nor every JPEG python-docx can read): the
            # minutes say where it is instead.
            kind = minutes.get("starting_point_image") or "png"
            note = f"{labels['starting_point_image']}: {image_file_name(kind)}"
            document.add_paragraph(note).runs[0].italic = True

    document.add_heading(labels["contributions"], level=1)
    for section in minutes["contributions_by_type"]:
        document.add_heading(labels["qtypes"][section["qtype"]], level=2)
        for group in section["groups"]:
            document.add_heading(step_title(group["step"], labels), level=3)
            for item in group["items"]:
                _quote(document.add_paragraph(style="List Bullet"), item)
                for duplicate in item["duplicates"]:
                    paragraph = document.add_paragraph(style="List Bullet 2")
                    paragraph.add_run(f"{labels['duplicate']}: ")
                    _quote(paragraph, duplicate)
    if not minutes["contributions_by_type"]:
        none()

    document.add_heading(labels["decisions"], level=1)
    for decision in minutes["decisions"]:
        document.add_paragraph(decision["text"], style="List Bullet")
    if not minutes["decisions"]:
        none()

    document.add_heading(labels["action_items"], level=1)
    if minutes["action_items"]:
        _action_table(document, minutes, labels)
    else:
        none()

    document.add_heading(labels["carried"], level=1)
    for question in minutes["questions"]:
        document.add_paragraph(
            f"{question_text(question)} – {question_note(question, labels)}",
            style="List Bullet",
        )
    if not minutes["questions"]:
        none()
    if minutes.get("answered_questions"):
        document.add_heading(labels["answered_questions"], level=1)
        for question in minutes["answered_questions"]:
            document.add_paragraph(
                f"{question_text(question)} – {answered_note(question, labels)}",
                style="List Bullet",
            )

    phase = phase_summary(minutes, labels)
    if phase:
        document.add_heading(labels["phase"], level=1)
        document.add_paragraph().add_run(phase["headline"]).bold = True
        if phase["note"]:
            document.add_paragraph(f"{labels['phase_note']}: {phase['note']}")
        for sentence in phase["evidence"]:
            document.add_paragraph(sentence, style="List Bullet")
    evaluation = self_evaluation_lines(minutes, labels)
    if evaluation:
        document.add_heading(labels["self_evaluation"], level=1)
        document.add_paragraph(evaluation[0])
        for line in evaluation[1]:
            document.add_paragraph(line, style="List Bullet")

    if minutes["next_meeting"]:
        document.add_heading(labels["next_meeting"], level=1)
        document.add_paragraph(minutes["next_meeting"])

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
