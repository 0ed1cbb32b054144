"""The bodies of a group's research files, and the group archive that holds them all with
a ``README.txt`` data dictionary (``GET /api/v1/groups/<gid>/archive.zip``).

Each function here makes one file for a caller the route has already checked; none
records a download.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from importlib import metadata

from flask_babel import force_locale

from pblapp import ops
from pblapp.domain import data_dictionary, exports, spreadsheets
from pblapp.domain.cases import OUTCOMES
from pblapp.domain.clock import format_utc
from pblapp.effects import minutes
from pblapp.i18n import QUESTION_TYPE_DEFINITIONS, QUESTION_TYPE_LABELS
from pblapp.web import db, development, qdpx, research_rows
from pblapp.web.research_rows import labels_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def log_xlsx(rows: list[dict]) -> bytes:
    """``log.xlsx``: the rows and columns of ``log.csv``."""
    return spreadsheets.workbook_bytes("log", exports.CSV_COLUMNS, rows, wide=("text",))


def codebook_csv() -> str:
    with force_locale("sv"):
        labels_sv = {k: str(v) for k, v in QUESTION_TYPE_LABELS.items()}
        definitions_sv = {k: str(v) for k, v in QUESTION_TYPE_DEFINITIONS.items()}
    with force_locale("en"):
        labels_en = {k: str(v) for k, v in QUESTION_TYPE_LABELS.items()}
        definitions_en = {k: str(v) for k, v in QUESTION_TYPE_DEFINITIONS.items()}
    return exports.codebook_csv(
        {"sv": labels_sv, "en": labels_en}, {"sv": definitions_sv, "en": definitions_en}
    )


def content_analysis(rows: list[dict], language: str, fmt: str) -> str | bytes:
    """The content-analysis sheet in ``language`` (``sv``, ``en``) as ``csv`` or ``xlsx``."""
    qtype_labels = labels_in(language, QUESTION_TYPE_LABELS)
    if fmt == "csv":
        return exports.content_analysis_csv(rows, qtype_labels, language)
    headers = exports.CONTENT_ANALYSIS_HEADERS[language]
    return spreadsheets.workbook_bytes(
        "content-analysis",
        headers,
        exports.content_analysis_rows(rows, qtype_labels),
        wide=headers[4:8],
    )


def cases_summary_csv(group: dict, cases: list[dict]) -> str:
    codes = [org["code"] for org in group["organizations"]]
    return exports.cases_summary_csv(cases, OUTCOMES, codes)


def meetings_csv(group_id: int) -> str:
    return exports.meetings_csv(development._series_rows(group_id))


def _consent_texts(group: dict) -> list[dict]:
    """The consent texts the group's participants agreed to, by version."""
    return ops.privacy.consent_texts(db(), group["id"])


def _qdpx(group_id: int) -> bytes:
    return qdpx.qdpx_bytes(group_id)


def _app_version() -> str:
    try:
        return metadata.version("pblapp")
    except metadata.PackageNotFoundError:
        return "unknown"


def archive_files(group: dict, meetings: list[dict]) -> dict[str, str | bytes]:
    """Every file of the group's archive by its path in the zip, ``README.txt`` first:
    the research files, the minutes of each of ``meetings`` (the group's) in its
    language, and the consent texts."""
    group_id, language = group["id"], group["language"]
    rows = research_rows.log_rows(group_id)
    cases = research_rows.research_cases(group_id, rows)
    participants = research_rows.participant_rows(group_id)
    files: dict[str, str | bytes] = {
        "log.csv": exports.contributions_csv(rows),
        "log.jsonl": exports.events_jsonl(ops.records.events(db(), group_id=group_id)),
        "log.xlsx": log_xlsx(rows),
        "participants.csv": exports.participants_csv(participants),
        "meetings.csv": meetings_csv(group_id),
        "cases.csv": exports.cases_csv(cases),
        "cases-summary.csv": cases_summary_csv(group, cases),
        "content-analysis.csv": content_analysis(rows, language, "csv"),
        "content-analysis.xlsx": content_analysis(rows, language, "xlsx"),
        "codebook.csv": codebook_csv(),
    }
    files["export.qdpx"] = _qdpx(group_id)
    zone = research_rows.zone(group_id)
    for meeting in meetings:
        for fmt, body in research_minutes(meeting["id"], group_id, zone).items():
            files[f"minutes/meeting-{meeting['number']:02d}/minutes.{fmt}"] = body
    for consent in _consent_texts(group):
        files[f"consent/{consent['hash']}.txt"] = consent["text"]
    columns = {path: _header(body) for path, body in files.items() if path.endswith(".csv")}
    columns["log.xlsx"] = exports.CSV_COLUMNS
    columns["content-analysis.xlsx"] = exports.CONTENT_ANALYSIS_HEADERS[language]
    header = {
        "Group": f"{group['name']} (id {group_id})",
        "Made": format_utc(datetime.now(UTC)),
        "App version": f"pblapp {_app_version()}",
        "Schema version": str(ops.records.schema_version(db())),
        "Time zone": zone,
        "Language of the minutes and the sheet": language,
    }
    readme = data_dictionary.readme(header, ["README.txt", *files], columns)
    return {"README.txt": readme, **files}


def research_minutes(meeting_id: int, group_id: int, zone: str) -> dict[str, str | bytes]:
    """A meeting's minutes in every format, as a research file: a withdrawn participant's
    words are a placeholder whatever the group's policy (``keep_for_minutes`` keeps them
    only in the group's own minutes)."""
    data = minutes.research_assemble(db(), meeting_id, group_id, zone)
    image = ops.screen.starting_point_image(db(), meeting_id)
    return {fmt: minutes.render(data, image, fmt, data["language"]) for fmt in minutes.FORMATS}


def _header(body: str) -> list[str]:
    """The header row of a CSV file."""
    return next(csv.reader(io.StringIO(body, newline="")), [])


def archive_bytes(group: dict, meetings: list[dict]) -> bytes:
    """``archive.zip``: :func:`archive_files` in a zip (deflated, UTF-8 names)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, body in archive_files(group, meetings).items():
            archive.writestr(path, body.encode("utf-8") if isinstance(body, str) else body)
    return out.getvalue()
