"""Research exports: ``log.csv`` (one row per contribution), ``log.jsonl`` (events),
``meetings.csv``, ``participants.csv``, ``codebook.csv``, the case stories and the
content-analysis sheet, all in one CSV dialect (RFC 4180, CRLF, UTF-8 without BOM).

None carries display names: participants appear by their group pseudonym only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from pblapp.domain.clock import parse_utc
from pblapp.domain.vocabulary import QUESTION_TYPES, UNTAGGED

# The v1 columns, in this order, then the ones added since (data-formats.md).
CSV_COLUMNS_V1 = (
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
CSV_COLUMNS = (
    *CSV_COLUMNS_V1,
    "original_question_type",
    "retag_count",
    "agenda_step",
    "merged_into",
    "created_at_local",
    "status",
    "flags",
    "flags_cleared",
)


def local_iso(moment: str | None, zone: str) -> str:
    """A stored UTC time as local ISO 8601 in the IANA zone ``zone`` (UTC if unknown), with
    milliseconds and the offset: ``2026-03-02T13:05:31.417+01:00``; ``""`` for no time."""
    if not moment:
        return ""
    try:
        where = ZoneInfo(zone)
    except (KeyError, ValueError):
        where = ZoneInfo("UTC")
    local: datetime = parse_utc(moment).astimezone(where)
    return local.isoformat(timespec="milliseconds")


def _csv_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# Rows per piece of a streamed download: a long meeting's log starts to arrive at once.
CHUNK_ROWS = 500


def contributions_csv(rows: Iterable[dict]) -> str:
    """RFC 4180: comma, double-quote escaping, CRLF line ends, header row; UTF-8, no BOM."""
    return "".join(contributions_csv_chunks(rows))


def contributions_csv_chunks(rows: Iterable[dict]) -> Iterator[str]:
    """:func:`contributions_csv` in pieces of :data:`CHUNK_ROWS` rows, to stream."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(row[column]) for column in CSV_COLUMNS])
        if n % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def events_jsonl(events: Iterable[dict]) -> str:
    """One JSON object per line, in log order; non-ASCII kept as UTF-8."""
    return "".join(events_jsonl_chunks(events))


def events_jsonl_chunks(events: Iterable[dict]) -> Iterator[str]:
    """:func:`events_jsonl` in pieces of :data:`CHUNK_ROWS` events, to stream."""
    lines: list[str] = []
    for event in events:
        lines.append(json.dumps(event, ensure_ascii=False) + "\n")
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


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


def table_csv(columns: Sequence[str], rows: Iterable[Mapping | Sequence]) -> str:
    """Any table in the exports' one dialect: a header row, then each row (a mapping read
    by column name, or a sequence in column order); booleans ``true``/``false``, none
    empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        values = [row.get(column) for column in columns] if isinstance(row, Mapping) else row
        writer.writerow([_csv_value(value) for value in values])
    return out.getvalue()


PARTICIPANT_COLUMNS = (
    "group_id",
    "meeting_number",
    "meeting_date",
    "pseudonym",
    "organization",
    "joined_at",
    "consent_version",
    "withdrawn",
)


def participants_csv(rows: Iterable[dict]) -> str:
    """``participants.csv``: one row per pseudonym and meeting attended."""
    return table_csv(PARTICIPANT_COLUMNS, rows)


# The examples of PRODUCT.md, one question each, as the sources asked them (in Swedish).
QUESTION_TYPE_EXAMPLES = {
    "encyclopedic": "Vad innebär rehabiliteringskedjan dag 180?",
    "meaning": "Varför infördes tidsgränserna?",
    "relational": "Vad betyder det för den som har tidsbegränsad sjukersättning?",
    "value": "Är det rimligt att ansvaret flyttas till individen?",
    "solution": "Hur kan vi samverka kring dem som faller mellan stolarna?",
}
CODEBOOK_COLUMNS = (
    "key",
    "label_sv",
    "label_en",
    "definition_sv",
    "definition_en",
    "example_sv",
)


def codebook_csv(labels: Mapping[str, Mapping], definitions: Mapping[str, Mapping]) -> str:
    """``codebook.csv``: the five question types with their labels and definitions in
    Swedish and English (``labels[lang][key]``, ``definitions[lang][key]``)."""
    rows = [
        {
            "key": key,
            "label_sv": labels["sv"][key],
            "label_en": labels["en"][key],
            "definition_sv": definitions["sv"][key],
            "definition_en": definitions["en"][key],
            "example_sv": QUESTION_TYPE_EXAMPLES[key],
        }
        for key in QUESTION_TYPES
    ]
    return table_csv(CODEBOOK_COLUMNS, rows)


CASE_COLUMNS = (
    "case_id",
    "meeting_number",
    "source",
    "contribution_id",
    "pseudonym",
    "organization",
    "outcome",
    "perspective",
    "problem",
    "decisive_factor",
    "text",
    "created_at",
    "updated_at",
)


def cases_csv(cases: Iterable[dict]) -> str:
    """``cases.csv``: one row per case story, with its coding and its words."""
    return table_csv(CASE_COLUMNS, ({**case, "case_id": case["id"]} for case in cases))


def cases_summary(cases: Iterable[dict], outcomes: Sequence[str], organizations: Sequence[str]):
    """Outcome × narrator's organisation: ``(columns, rows)``, one row per organisation
    (the group's, in its order, then any other code; an uncoded organisation last as
    ``""``) with a count per outcome, ``uncoded`` and ``total``."""
    counts: dict[str, dict[str, int]] = {}
    for case in cases:
        by_outcome = counts.setdefault(case["organization"] or "", {})
        outcome = case["outcome"] or "uncoded"
        by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
    order = [code for code in organizations if code in counts]
    order += sorted(code for code in counts if code not in order and code)
    order += [""] if "" in counts else []
    kinds = (*outcomes, "uncoded")
    rows = [
        [code, *(counts[code].get(kind, 0) for kind in kinds), sum(counts[code].values())]
        for code in order
    ]
    return ("organization", *kinds, "total"), rows


def cases_summary_csv(cases: Iterable[dict], outcomes: Sequence[str], organizations) -> str:
    """``cases-summary.csv``: :func:`cases_summary` as CSV."""
    return table_csv(*cases_summary(cases, outcomes, organizations))


# Qualitative content analysis as the source studies did it (after Graneheim & Lundman):
# meaning unit, condensed, its underlying meaning, code, category. The first four columns
# say where each meaning unit comes from.
CONTENT_ANALYSIS_HEADERS = {
    "sv": (
        "möte",
        "inlägg",
        "pseudonym",
        "organisation",
        "meningsenhet",
        "kondenserad meningsenhet",
        "underliggande mening",
        "kod",
        "kategori",
    ),
    "en": (
        "meeting",
        "contribution",
        "pseudonym",
        "organization",
        "meaning unit",
        "condensed meaning unit",
        "underlying meaning",
        "code",
        "category",
    ),
}


def content_analysis_rows(log_rows: Iterable[dict], qtype_labels: Mapping[str, str]) -> list:
    """The content-analysis sheet's rows: each contribution the group saw (not hidden, not
    held back) as a meaning unit, its question type's label as a first code; the
    condensed meaning unit, the underlying meaning and the category are left to fill in."""
    return [
        [
            row["meeting_number"],
            row["contribution_id"],
            row["pseudonym"],
            row["organization"],
            row["text"],
            "",
            "",
            qtype_labels.get(row["question_type"], "") if row["question_type"] else "",
            "",
        ]
        for row in log_rows
        if not row["hidden"] and row.get("status", "visible") == "visible"
    ]


def content_analysis_csv(log_rows: Iterable[dict], qtype_labels, language: str) -> str:
    """``content-analysis.csv`` with the headers in ``language`` (``sv`` or ``en``)."""
    return table_csv(
        CONTENT_ANALYSIS_HEADERS[language], content_analysis_rows(log_rows, qtype_labels)
    )
