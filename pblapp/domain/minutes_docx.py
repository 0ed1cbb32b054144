"""Minutes as a Word document (``minutes.docx``), from the same data as the Markdown.

Text goes into runs as plain text, so nothing typed becomes a field, a link or markup. The
file is in the group's language (sv-SE or en-GB, so Word checks spelling in it), says who
made it and when, has the group and date at the top of every page and "Sida X av Y" at the
bottom, and gives the action items as a table (``docx_parts`` holds these pieces).
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from pblapp.domain import docx_parts
from pblapp.domain import minutes_record as record
from pblapp.domain.minutes import (
    answered_note,
    attendance_text,
    image_file_name,
    phase_summary,
    question_note,
    question_text,
    self_evaluation_lines,
    step_title,
)

# The table of decisions and action items (what, who, when, status): widths in mm that
# add up to the text width (docx_parts).
_ACTION_WIDTHS = (76, 36, 28, 30)


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


def _summary_table(document, minutes: dict, labels: dict) -> None:
    """Decisions and action items: what, who, when, status."""
    headings = labels["summary_columns"]
    rows = record.summary_rows(minutes, labels)
    docx_parts.add_table(document, list(zip(headings, _ACTION_WIDTHS, strict=True)), rows)


def _appendix(document, minutes: dict, labels: dict) -> None:
    """The verbatim posts by question type, on a page of their own."""
    document.add_page_break()
    document.add_heading(labels["appendix"], level=1)
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
        document.add_paragraph(labels["none"]).runs[0].italic = True


def _notes(document, blocks: list[dict]) -> None:
    """An agenda item's notes: paragraphs with their line breaks, and bullet lists."""
    for block in blocks:
        if block["kind"] == "list":
            for text in block["items"]:
                document.add_paragraph(text, style="List Bullet")
            continue
        paragraph = document.add_paragraph()
        for n, text in enumerate(block["lines"]):
            run = paragraph.add_run(text)
            if n < len(block["lines"]) - 1:
                run.add_break()


def _signatures(document, minutes: dict, labels: dict) -> None:
    """A protocol's signature lines: a line to sign on, the name, the role."""
    lines = record.signatures(minutes, labels)
    if not lines:
        return
    document.add_heading(labels["signatures"], level=1).paragraph_format.keep_with_next = True
    # Two signatures a row, as on a paper protocol; a row is never split over two pages.
    table = document.add_table(rows=(len(lines) + 1) // 2, cols=2)
    for index, (name, role) in enumerate(lines):
        row = table.rows[index // 2]
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cell = row.cells[index % 2]
        line = cell.paragraphs[0]
        line.add_run("_" * 34)
        line.paragraph_format.space_before = Mm(12)
        cell.add_paragraph(name)
        cell.add_paragraph(role).runs[0].italic = True
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True
            paragraph.paragraph_format.space_after = Mm(0)


def render_docx(minutes: dict, labels: dict, image: bytes | None = None) -> bytes:
    """The minutes as a Word document; ``image`` is the starting point's image, if any."""
    minutes = docx_parts.xml_safe(minutes)
    group, meeting = minutes["group"]["name"], minutes["meeting"]
    document = Document()
    title = record.title(minutes, labels)
    docx_parts.set_up_a4(
        document,
        language=minutes.get("language") or "sv",
        title=docx_parts.document_title(title, group, labels["meeting"], meeting, meeting["date"]),
        group=group,
        date=meeting["date"] or "",
        author=minutes.get("facilitator") or "pblapp",
        page_of=labels["page_of"],
    )
    docx_parts.heading_with_rows(
        document, f"{title}: {group}", record.record_header_rows(minutes, labels)
    )

    def none() -> None:
        document.add_paragraph(labels["none"]).runs[0].italic = True

    document.add_heading(labels["attendance"], level=1)
    for org in minutes["attendance"]:
        document.add_paragraph(
            # "RS, Resurssamordnare (primärvård): 1 (P03)": a name's own brackets stay its own.
            f"{org['code']}, {org['name']}: {attendance_text(org, labels)}",
            style="List Bullet",
        )
    if minutes["attendance"]:
        document.add_paragraph(f"{labels['total']}: {minutes['participant_count']}")
    else:
        none()

    document.add_heading(labels["summary"], level=1)
    if minutes["decisions"] or minutes["action_items"]:
        _summary_table(document, minutes, labels)
    else:
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

    document.add_heading(labels["agenda_items"], level=1)
    for item in record.agenda_items(minutes, labels):
        document.add_heading(item["heading"], level=2)
        document.add_paragraph(item["line"]).runs[0].italic = True
        _notes(document, item["notes"])
        outcomes = []
        for decision in item["decisions"]:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{labels['kind_decision']}: ").bold = True
            paragraph.add_run(decision["text"])
            outcomes.append(paragraph)
        for action in item["action_items"]:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{labels['action_items']}: ").bold = True
            due = f" ({labels['due']} {action['due']})" if action.get("due") else ""
            paragraph.add_run(f"{action['who']}: {action['what']}{due}")
            outcomes.append(paragraph)
        if item["notes"] and outcomes:
            # Apart from the notes, which may end in a list of their own.
            # (the list style keeps same-style paragraphs together unless told not to).
            outcomes[0].paragraph_format.space_before = Pt(8)
            outcomes[0].paragraph_format.space_after = Pt(0)
            spacing = OxmlElement("w:contextualSpacing")
            spacing.set(qn("w:val"), "0")
            outcomes[0]._p.get_or_add_pPr().append(spacing)
    if not minutes["agenda"]:
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

    _signatures(document, minutes, labels)
    if record.record(minutes)["appendix"]:
        _appendix(document, minutes, labels)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
