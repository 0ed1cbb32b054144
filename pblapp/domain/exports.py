"""Research exports: ``log.csv`` (one row per contribution) and ``log.jsonl`` (events).

Neither carries display names: participants appear by their group pseudonym only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from pblapp.domain.vocabulary import QUESTION_TYPES, UNTAGGED

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


MEETINGS_CSV_FIRST = ("meeting_number", "meeting_date", "suggested_phase", "decided_phase")


def meetings_csv(rows: Iterable[dict]) -> str:
    """``meetings.csv``: one row per meeting of a group (``number``, ``date``,
    ``suggested``, ``decided``, ``indicators``), then one column per indicator, in the
    order the indicators are computed; an indicator a meeting lacks is empty. Same dialect
    as ``log.csv``."""
    rows = list(rows)
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(k for k in row["indicators"] if k not in MEETINGS_CSV_FIRST))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([*MEETINGS_CSV_FIRST, *names])
    for row in rows:
        first = [row["number"], row["date"], row["suggested"], row["decided"]]
        writer.writerow(
            [_csv_value(v) for v in first]
            + [_csv_value(row["indicators"].get(name)) for name in names]
        )
    return out.getvalue()


def mix_of(indicators: dict) -> dict[str, float] | None:
    """A meeting's question-type mix from its indicators (``share_<type>``), or ``None``
    when it had no posts."""
    keys = (*QUESTION_TYPES, UNTAGGED)
    if indicators.get("share_encyclopedic") is None:
        return None
    return {key: indicators.get(f"share_{key}") or 0.0 for key in keys}
