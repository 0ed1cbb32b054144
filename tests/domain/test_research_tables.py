"""The research tables as plain Python: local times, the case summary, the content-analysis
rows, the workbooks' cells, and the archive's data dictionary."""

from __future__ import annotations

import io

import openpyxl

from pblapp.domain import data_dictionary, exports, spreadsheets
from pblapp.domain.cases import OUTCOMES
from pblapp.domain.vocabulary import QUESTION_TYPES


def test_local_times_carry_their_offset_and_an_unknown_zone_is_utc():
    assert exports.local_iso("2026-01-15T23:30:00.250Z", "Europe/Stockholm") == (
        "2026-01-16T00:30:00.250+01:00"
    )
    assert exports.local_iso("2026-07-15T23:30:00.000Z", "Europe/Stockholm") == (
        "2026-07-16T01:30:00.000+02:00"
    )
    assert exports.local_iso("2026-01-15T23:30:00.000Z", "Mars/Olympus") == (
        "2026-01-15T23:30:00.000+00:00"
    )
    assert exports.local_iso(None, "Europe/Stockholm") == ""


def case(organization, outcome):
    return {"organization": organization, "outcome": outcome}


def test_the_case_summary_counts_outcomes_by_organization_in_the_groups_order():
    columns, rows = exports.cases_summary(
        [
            case("Psyk", "failed"),
            case("FK", "successful"),
            case("FK", "failed"),
            case("XY", "unclear"),
            case(None, None),
            case("FK", None),
        ],
        OUTCOMES,
        ["FK", "AF", "Psyk"],
    )
    assert columns == ("organization", *OUTCOMES, "uncoded", "total")
    assert rows == [
        ["FK", 1, 1, 0, 0, 1, 3],
        ["Psyk", 0, 1, 0, 0, 0, 1],
        ["XY", 0, 0, 0, 1, 0, 1],
        ["", 0, 0, 0, 0, 1, 1],
    ]


def row(text, qtype="meaning", hidden=False, **extra):
    return {
        "meeting_number": 1,
        "contribution_id": 7,
        "pseudonym": "P03",
        "organization": "FK",
        "text": text,
        "question_type": qtype,
        "hidden": hidden,
        **extra,
    }


def test_the_content_analysis_sheet_takes_what_the_group_saw_as_meaning_units():
    labels = {"meaning": "Meningsorienterad"}
    rows = exports.content_analysis_rows(
        [
            row("Varför?"),
            row("Dolt", hidden=True),
            row("Väntar", status="pending"),
            row("Otaggat", qtype=None),
        ],
        labels,
    )
    assert rows == [
        [1, 7, "P03", "FK", "Varför?", "", "", "Meningsorienterad", ""],
        [1, 7, "P03", "FK", "Otaggat", "", "", "", ""],
    ]
    assert exports.CONTENT_ANALYSIS_HEADERS["sv"][4:] == (
        "meningsenhet",
        "kondenserad meningsenhet",
        "underliggande mening",
        "kod",
        "kategori",
    )


def test_a_workbook_keeps_every_string_a_string_and_numbers_numbers():
    body = spreadsheets.workbook_bytes(
        "log",
        ["n", "text", "flag", "empty"],
        [
            {"n": 1, "text": '=HYPERLINK("http://x")', "flag": True, "empty": None},
            [2, "bad\x0bchar", False, ""],
            [3, "x" * 40000, False, None],
        ],
        wide=["text"],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    cells = list(sheet.iter_rows(min_row=2))
    assert [c.data_type for c in cells[0]][:3] == ["n", "s", "b"]
    assert cells[0][1].value == '=HYPERLINK("http://x")'
    assert cells[1][1].value == "bad char"
    assert len(cells[2][1].value) == spreadsheets.CELL_MAX
    assert cells[0][3].value is None
    assert cells[0][1].alignment.wrap_text and not cells[0][0].alignment.wrap_text
    assert sheet.title == "log" and sheet.auto_filter.ref == "A1:D4"


def test_the_data_dictionary_means_something_by_every_column_of_every_table():
    _, summary_rows = exports.cases_summary([], OUTCOMES, [])
    summary_columns, _ = exports.cases_summary([case("FK", "failed")], OUTCOMES, ["FK"])
    tables = [
        exports.CSV_COLUMNS,
        exports.PARTICIPANT_COLUMNS,
        exports.CASE_COLUMNS,
        exports.CODEBOOK_COLUMNS,
        exports.MEETINGS_CSV_FIRST,
        exports.CONTENT_ANALYSIS_HEADERS["sv"],
        exports.CONTENT_ANALYSIS_HEADERS["en"],
        summary_columns,
        ("series_position", "posts", "org_share_FK", "se_roles_clear", "se_n"),
        tuple(f"share_{key}" for key in (*QUESTION_TYPES, "untagged")),
    ]
    for columns in tables:
        for column in columns:
            assert data_dictionary.column_meaning(column), column
    assert summary_rows == []
    for path in (*data_dictionary.FILES, "minutes/meeting-01/minutes.md", "consent/ab.txt"):
        assert data_dictionary.file_meaning(path), path


def test_the_readme_lists_files_with_their_columns():
    text = data_dictionary.readme(
        {"Group": "Basgrupp (id 1)"},
        ["README.txt", "log.csv", "log.jsonl"],
        {"log.csv": ["group_id", "text"]},
    )
    lines = text.split("\r\n")
    assert lines[3] == "Group: Basgrupp (id 1)"
    assert "log.csv" in lines and "log.jsonl" in lines
    assert any(line.strip().startswith("group_id") for line in lines)
    assert any(line.strip().startswith("actor") for line in lines)
