"""Excel workbooks (``.xlsx``) of the research tables, for people who open them in a
spreadsheet: ``log.xlsx`` and ``content-analysis.xlsx``.

Every string is written as a text cell, never a formula: a post that reads ``=1+1`` or
``+46 70…`` stays exactly what the participant typed. Numbers and booleans stay numbers and
booleans. The header row is bold and frozen, with a filter, and each column has a width
that fits its header and (up to a limit) its contents.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# Characters an XML 1.0 file (so an .xlsx) cannot hold. Stored texts never have them (see
# data-formats.md, Contribution text); this keeps a workbook writable whatever comes in.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
WIDTH_MIN, WIDTH_MAX, WIDE_TEXT = 8, 40, 60
# Excel's own limit for one cell.
CELL_MAX = 32767


def _cell_value(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    return _NOT_IN_XML.sub(" ", str(value))[:CELL_MAX]


def workbook_bytes(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Mapping | Sequence],
    *,
    wide: Iterable[str] = (),
) -> bytes:
    """One sheet named ``title``: a header row of ``columns``, then ``rows`` (mappings read
    by column name, or sequences in column order). Columns named in ``wide`` hold long
    texts: wide, and wrapped."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    wide = set(wide)
    widths = [len(str(column)) for column in columns]
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=str(column))
        cell.data_type = "s"
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for row_number, row in enumerate(rows, start=2):
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        for index, value in enumerate(values, start=1):
            value = _cell_value(value)
            cell = sheet.cell(row=row_number, column=index, value=value)
            if isinstance(value, str):
                # openpyxl reads a string that starts with "=" as a formula: not here.
                cell.data_type = "s"
            cell.alignment = wrap if columns[index - 1] in wide else top
            if value is not None:
                widths[index - 1] = max(widths[index - 1], len(str(value)))
    for index, column in enumerate(columns, start=1):
        width = WIDE_TEXT if column in wide else min(max(widths[index - 1], WIDTH_MIN), WIDTH_MAX)
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
