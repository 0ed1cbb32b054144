"""The parts of a Word file that make it look made where it is read: the language Word
checks spelling in, the document's properties, headers and footers with page numbers,
tables, and the facilitator's Markdown as Word formatting.

Typed text only ever goes into a run's text (``w:t``), so nothing typed becomes a field,
a link or markup; the only fields are the page numbers made here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from pblapp.domain.markup import markdown_to_html

# The minutes' language as Word's language tag: Swedish as in Sweden, English as in Britain.
LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}


# Characters XML cannot hold (python-docx refuses them): replaced by spaces.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A4 with 2 cm margins: the paper the groups print on (python-docx starts with Letter).
TEXT_WIDTH_MM = 170


def xml_safe(value):
    """The same data with characters XML cannot hold replaced by spaces."""
    if isinstance(value, str):
        return _NOT_XML.sub(" ", value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_safe(item) for item in value]
    return value


def document_title(kind: str, group: str, meeting_word: str, meeting: dict, date: str) -> str:
    """``Protokoll: Basgrupp Norrköping, möte 1 – Rehabiliteringskedjan, 2026-03-02``."""
    title = f"{kind}: {group}, {meeting_word.lower()} {meeting['number']}"
    if meeting["title"]:
        title += f" – {meeting['title']}"
    if date:
        title += f", {date}"
    return title


def set_up_a4(
    document, *, language: str, title: str, group: str, date: str, author: str, page_of: str
) -> None:
    """Language, properties, A4 paper, and on every page the group and date on top and
    "Sida X av Y" below: what the minutes and the notice share."""
    tag = language_tag(language)
    set_language(document, tag)
    without_template_traces(document, tag)
    set_properties(document, title=title, subject=group, author=author, tag=tag)
    document.styles["Normal"].font.size = Pt(11)
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
        section.header_distance = section.footer_distance = Mm(10)
        header_and_footer(section, group, date, page_of, Mm(TEXT_WIDTH_MM))


def heading_with_rows(document, heading: str, rows: list[tuple[str, str]]) -> None:
    """The document's title, then one "Label: value" line per row."""
    document.add_heading(heading, level=0)
    for label, value in rows:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)


def language_tag(language: str | None) -> str:
    return LANGUAGE_TAGS.get(language or "sv", "sv-SE")


def set_language(document, tag: str) -> None:
    """Every run's default language (styles.xml's ``docDefaults``), so Word checks
    spelling in ``tag``, and the theme's language (settings.xml) with it."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    r_pr_default = _child(defaults, "w:rPrDefault")
    r_pr = _child(r_pr_default, "w:rPr")
    _child(r_pr, "w:lang").set(qn("w:val"), tag)
    # No style of the template may say otherwise.
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), tag)
    for theme in document.settings.element.iter(qn("w:themeFontLang")):
        theme.set(qn("w:val"), tag)


def without_template_traces(document, tag: str) -> None:
    """Take out what python-docx's template says of itself: its preview picture, the
    application it names (``docProps/app.xml``) and the US English of its Word 2010 copy of
    the styles (``stylesWithEffects.xml``)."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(rel_id)
    for part in package.iter_parts():
        blob = getattr(part, "_blob", None)  # a part python-docx keeps as bytes only
        if not isinstance(blob, bytes):
            continue
        if part.partname == "/docProps/app.xml":
            part._blob = re.sub(
                rb"<Application>[^<]*</Application>", b"<Application>pblapp</Application>", blob
            )
        elif part.partname.endswith("/stylesWithEffects.xml"):
            part._blob = blob.replace(b'w:val="en-US"', f'w:val="{tag}"'.encode())


def _child(parent, tag: str):
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return found


PROPERTY_MAX = 255


def set_properties(document, *, title: str, author: str, subject: str, tag: str) -> None:
    """The core properties Word shows under File › Info: none of the template's."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    properties = document.core_properties
    # A property holds at most 255 characters (python-docx refuses more): a long group name
    # with a long meeting title would otherwise make the file impossible to write.
    properties.title = title[:PROPERTY_MAX]
    properties.subject = subject[:PROPERTY_MAX]
    properties.author = author[:PROPERTY_MAX]
    properties.last_modified_by = author[:PROPERTY_MAX]
    properties.created = properties.modified = now
    properties.revision = 1
    properties.language = tag
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""


def add_field(paragraph, instruction: str, shown: str = "1") -> None:
    """A field (``PAGE``, ``NUMPAGES``) that Word and LibreOffice fill in; ``shown`` is what a
    reader that does not compute fields shows."""

    def run_with(element):
        run = paragraph.add_run()
        run._r.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run_with(code)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


_PLACEHOLDER = re.compile(r"\{(page|pages)\}")


def header_and_footer(section, left: str, right: str, page_of: str, width) -> None:
    """``left`` and ``right`` at the top of every page, and ``page_of`` ("Sida {page} av
    {pages}") centred at the bottom, its placeholders as PAGE and NUMPAGES fields."""
    top = section.header.paragraphs[0]
    stops = top.paragraph_format.tab_stops
    # The template's Header style stops at Letter's centre and right edge: not on A4.
    for stop in top.style.paragraph_format.tab_stops:
        stops.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    top.add_run(left)
    top.add_run("\t")
    top.add_run(right)
    for run in top.runs:
        run.font.size = Pt(9)
    bottom = section.footer.paragraphs[0]
    bottom.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in _PLACEHOLDER.split(page_of):
        if part == "page":
            add_field(bottom, "PAGE")
        elif part == "pages":
            add_field(bottom, "NUMPAGES")
        elif part:
            bottom.add_run(part)
    for run in bottom.runs:
        run.font.size = Pt(9)


def add_table(document, columns: list[tuple[str, int]], rows: list[list[str]]):
    """A grid table with a bold heading row that repeats on every page; ``columns`` are
    (heading, width in mm)."""
    table = document.add_table(rows=1, cols=len(columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    heading = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    heading._tr.get_or_add_trPr().append(repeat)
    for cell, (text, _) in zip(heading.cells, columns, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.paragraphs[0].add_run(value)
    for index, (_, width) in enumerate(columns):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
    return table


_LISTS = {"ul": "List Bullet", "ol": "List Number"}
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "pre", "blockquote"}
_SPACE = re.compile(r"\s+")


class _Formatted(HTMLParser):
    """Cleaned HTML (``markup.markdown_to_html``) into paragraphs and runs of a document."""

    def __init__(self, document, indent):
        super().__init__(convert_charrefs=True)
        self.document, self.indent = document, indent
        self.paragraph = None
        self.lists: list[str] = []  # "ul" / "ol", innermost last
        self.numbers: list[object] = []  # each open <ol>'s own numbering
        self.bold = self.italic = self.code = self.pre = 0
        self.quote = 0
        self.href: list[str | None] = []

    def _new_paragraph(self, style=None):
        self.paragraph = self.document.add_paragraph(style=style)
        if self.quote and not self.lists:
            self.paragraph.paragraph_format.left_indent = self.indent * (self.quote + 1)
        elif not self.lists:
            self.paragraph.paragraph_format.left_indent = self.indent
        return self.paragraph

    def handle_starttag(self, tag, attrs):
        if tag in _LISTS:
            self.lists.append(tag)
            self.numbers.append(None)
            self.paragraph = None
        elif tag == "li":
            kind, depth = self.lists[-1] if self.lists else "ul", min(len(self.lists), 3)
            style = _LISTS[kind] + (f" {depth}" if depth > 1 else "")
            paragraph = self._new_paragraph(style)
            if kind == "ol":
                self.numbers[-1] = _restart_numbering(self.document, paragraph, self.numbers[-1])
        elif tag == "blockquote":
            self.quote += 1
            self.paragraph = None
        elif tag in _BLOCKS:
            if not (tag == "p" and self.lists and self.paragraph is not None):
                self._new_paragraph()
            if tag.startswith("h"):
                self.bold += 1
            if tag == "pre":
                self.pre += 1
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "code":
            self.code += 1
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in _LISTS and self.lists:
            self.lists.pop()
            self.numbers.pop()
            self.paragraph = None
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self.paragraph = None
        elif tag in _BLOCKS:
            if tag.startswith("h"):
                self.bold = max(0, self.bold - 1)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self.paragraph = None
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "code":
            self.code = max(0, self.code - 1)
        elif tag == "a" and self.href:
            href = self.href.pop()
            # The address as text after the link's words, so it is on paper too.
            if href and self.paragraph is not None and href not in self.paragraph.text:
                self._run(f" ({href})")

    def handle_data(self, data):
        if not self.pre:
            data = _SPACE.sub(" ", data)
            if self.paragraph is None or self.paragraph.text.endswith(("\n", " ")):
                data = data.lstrip()
        if not data:
            return
        if self.paragraph is None:
            self._new_paragraph()
        if self.pre:
            lines = data.rstrip("\n").split("\n")
            for index, line in enumerate(lines):
                if index:
                    self.paragraph.runs[-1].add_break()
                self._run(line)
        else:
            self._run(data)

    def _run(self, text):
        run = self.paragraph.add_run(text)
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None
        if self.code or self.pre:
            run.font.name = "Consolas"
        return run


def _restart_numbering(document, paragraph, num_id):
    """Number this ``<ol>`` from 1 rather than on from the document's last numbered list."""
    if num_id is None:
        numbering = document.part.numbering_part.numbering_definitions._numbering
        style = paragraph.style.element.pPr
        if style is None or style.numPr is None or style.numPr.numId is None:
            return None  # a style without numbering of its own: nothing to restart
        style_num = style.numPr.numId.val
        abstract = numbering.num_having_numId(style_num).abstractNumId.val
        num = numbering.add_num(abstract)
        override = num.add_lvlOverride(ilvl=0)
        override.add_startOverride(1)
        num_id = num.numId
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id
    return num_id


def add_markdown(document, text: str, indent_mm: int = 5) -> None:
    """The facilitator's Markdown as Word formatting: paragraphs, bold, italics, lists,
    quotes and code, cleaned as on the screen first (``markup.markdown_to_html``)."""
    parser = _Formatted(document, Mm(indent_mm))
    parser.feed(markdown_to_html(text))
    parser.close()
