"""Research exports: ``log.csv`` (one row per contribution) and ``log.jsonl`` (events).

Neither carries display names: participants appear by their group pseudonym only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

CSV_COLUMNS = (
    "group_id",
    "group_name",
    "meeting_number",
    "meeting_date",
    "contribution_id",
    "seq",
    "created_at",
    "pseudonym",
    "organization",
    "question_type",
    "text",
    "hidden",
    "carry_forward",
)


def _csv_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def contributions_csv(rows: Iterable[dict]) -> str:
    """RFC 4180: comma, double-quote escaping, CRLF line ends, header row; UTF-8, no BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_csv_value(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def events_jsonl(events: Iterable[dict]) -> str:
    """One JSON object per line, in log order; non-ASCII kept as UTF-8."""
    return "".join(json.dumps(event, ensure_ascii=False) + "\n" for event in events)
