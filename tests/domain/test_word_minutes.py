"""The Word minutes as a reader in Sweden opens them, read back through a second reader
(docx2python, not the python-docx that wrote them): language, properties, header and
footer, the action table and the starting point's formatting."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from docx2python import docx2python

from helpers import close_meeting
from pblapp import ops

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _word(client, facilitator, meeting_id, lang=None):
    query = f"?lang={lang}" if lang else ""
    response = client.get(
        f"/api/v1/meetings/{meeting_id}/minutes.docx{query}", headers=facilitator["headers"]
    )
    assert response.status_code == 200
    return docx2python(io.BytesIO(response.data), html=True)


def _lines(table) -> list[str]:
    """Every paragraph of a docx2python part, flattened."""
    return [p for rows in table for row in rows for cell in row for p in cell]


def _default_languages(word) -> list[str]:
    styles = word.docx_reader.file_of_type("styles").root_element
    defaults = styles.find(f"{W}docDefaults")
    return [lang.get(f"{W}val") for lang in defaults.iter(f"{W}lang")]


def _english_meeting(client, facilitator):
    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={"name": "Reference group", "kind": "reference", "language": "en"},
        headers=headers,
    ).get_json()
    meeting = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={}, headers=headers
    ).get_json()
    client.post(f"/api/v1/meetings/{meeting['id']}/start", headers=headers)
    close_meeting(client, facilitator, meeting["id"])
    return meeting


def test_word_checks_spelling_in_swedish_for_a_swedish_group_and_british_english_for_an_english_one(
    client, facilitator, live_meeting
):
    close_meeting(client, facilitator, live_meeting["id"])
    with _word(client, facilitator, live_meeting["id"]) as word:
        assert _default_languages(word) == ["sv-SE"]
        assert word.core_properties["language"] == "sv-SE"
    english = _english_meeting(client, facilitator)
    with _word(client, facilitator, english["id"]) as word:
        assert _default_languages(word) == ["en-GB"]
        assert word.core_properties["language"] == "en-GB"


def test_word_minutes_name_the_facilitator_as_author_today_as_created_and_the_meeting_as_title(
    client, facilitator, live_meeting
):
    close_meeting(client, facilitator, live_meeting["id"])
    with _word(client, facilitator, live_meeting["id"]) as word:
        properties = word.core_properties
        body = _lines(word.body)
    assert properties["creator"] == properties["lastModifiedBy"] == "Handledare Hanna"
    date = next(line for line in body if line.startswith("<b>Datum: </b>")).split("</b>")[1]
    heading = next(line for line in body if line.endswith(": Basgrupp Norrköping"))
    assert properties["title"] == f"{heading}, möte 1 – Rehabiliteringskedjan, {date}"
    for stamp in (properties["created"], properties["modified"]):
        written = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert abs(datetime.now(UTC) - written) < timedelta(minutes=2)
    assert "python-docx" not in str(properties)


def test_nothing_in_the_word_file_still_speaks_of_the_template_it_was_made_from(
    client, facilitator, live_meeting
):
    close_meeting(client, facilitator, live_meeting["id"])
    response = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.docx", headers=facilitator["headers"]
    )
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    assert not [name for name in parts if "thumbnail" in name]
    for name, data in parts.items():
        for trace in (b"python-docx", b"Macintosh", b'w:val="en-US"', b"2013-12-23"):
            assert trace not in data, (name, trace)


@pytest.mark.parametrize(
    ("lang", "page_of"), [("sv", "Sida 1 av 1"), ("en", "Page 1 of 1")], ids=["sv", "en"]
)
def test_every_page_of_the_word_minutes_has_the_group_and_date_on_top_and_page_x_of_y_below(
    client, facilitator, live_meeting, lang, page_of
):
    close_meeting(client, facilitator, live_meeting["id"])
    with _word(client, facilitator, live_meeting["id"], lang) as word:
        header = _lines(word.header)
        footer = _lines(word.footer)
        body = _lines(word.body)
        fields = [
            code.text.strip()
            for part in word.docx_reader.files_of_type("footer")
            for code in part.root_element.iter(f"{W}instrText")
        ]
    date = next(line for line in body if "Dat" in line and ": </b>" in line).split("</b>")[1]
    top = " ".join(header)
    assert "Basgrupp Norrköping" in top and date in top
    assert any(page_of in line for line in footer), footer
    assert fields == ["PAGE", "NUMPAGES"]


def test_action_items_in_word_are_a_table_of_what_who_when_and_status(
    client, db, facilitator, live_meeting
):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.decisions.add_action_item(
        db, uid, mid, {"what": "Kolla SGI-reglerna", "who": "P01 (FK)", "due": "2026-03-16"}
    )
    ops.decisions.add_action_item(db, uid, mid, {"what": "Boka rummet", "who": "Hanna"})
    close_meeting(client, facilitator, mid)
    with _word(client, facilitator, mid) as word:
        tables = [table for table in word.body if len(table) > 1]
    assert len(tables) == 1
    rows = [[" ".join(cell) for cell in row] for row in tables[0]]
    assert rows == [
        ["<b>Vad</b>", "<b>Vem</b>", "<b>När</b>", "<b>Status</b>"],
        ["Kolla SGI-reglerna", "P01 (FK)", "2026-03-16", "öppen"],
        ["Boka rummet", "Hanna", "–", "öppen"],
    ]


def test_the_starting_point_in_word_is_formatted_not_raw_markdown(
    client, db, facilitator, live_meeting
):
    text = (
        "**Anna, 45 år**, *undersköterska*.\n\nHon har:\n\n- ont i ryggen\n- sömnproblem\n\n"
        "1. första samtalet\n2. andra samtalet\n\nSe [FK](https://www.forsakringskassan.se) "
        "och [det här](javascript:alert(1))."
    )
    ops.screen.set_starting_point(db, facilitator["id"], live_meeting["id"], {"text": text})
    close_meeting(client, facilitator, live_meeting["id"])
    with _word(client, facilitator, live_meeting["id"]) as word:
        body = _lines(word.body)
        relationships = str(word.docx_reader.file_of_type("officeDocument").rels)
    start = body.index("<h1>Utgångspunkt</h1>")
    assert body[start + 1] == "<b>Anna, 45 år</b>, <i>undersköterska</i>."
    assert body[start + 2 : start + 5] == ["Hon har:", "ont i ryggen", "sömnproblem"]
    # A numbered list counts from 1, not on from the agenda's numbers.
    assert body[start + 5 : start + 7] == ["1)\tförsta samtalet", "2)\tandra samtalet"]
    assert body[start + 7] == "Se FK (https://www.forsakringskassan.se) och det här."
    assert not any("**" in line for line in body)
    assert "javascript" not in relationships and "hyperlink" not in relationships
