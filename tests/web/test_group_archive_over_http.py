"""The group archive (archive.zip): exactly the documented files, a README.txt that names
each file and column, the versions; and a withdrawn participant absent from every research
file, in the archive and on its own."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
import zipfile
from importlib import metadata

import openpyxl
import pytest

from helpers import close_meeting, join
from pblapp import ops
from pblapp.domain import exports

CONSENT = "Jag samtycker till att mina inlägg används i forskningen."
SECRET = "Hemligt ord från den som drog sig ur"
SECRET_ANSWER = "Hemligt svar från den som drog sig ur"


def say(db, attendance, text, qtype="meaning") -> dict:
    post, _ = ops.participation.post(
        db, attendance, {"client_id": str(uuid.uuid4()), "text": text, "qtype": qtype}
    )
    return post


@pytest.fixture
def group(client, db, facilitator, live_meeting):
    """Two meetings: the first closed, with posts, a reaction, self-evaluation answers and
    case stories; Bo (P02) posted, reacted and answered too."""
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    anna = ops.participation.attendance(
        db, join(client, live_meeting["join_code"], "Anna Andersson", "FK")["token"]
    )
    bo = ops.participation.attendance(
        db, join(client, live_meeting["join_code"], "Bo Berg", "AF")["token"]
    )
    cay = ops.participation.attendance(
        db, join(client, live_meeting["join_code"], "Cay Ceder", "Psyk")["token"]
    )
    mine = say(db, anna, "Varför infördes tidsgränserna?")
    theirs = say(db, bo, SECRET, "value")
    say(db, cay, "=1+1", "solution")
    ops.reactions.set_reaction(db, bo, {"contribution_id": mine["id"], "kind": "agree"})
    ops.selfeval.open_(db, facilitator["id"], mid)
    for who in (anna, cay):
        ops.selfeval.answer(db, who, {"answers": {"safe_to_disagree": 4}})
    ops.selfeval.answer(db, bo, {"answers": {"safe_to_disagree": 1, "change": SECRET_ANSWER}})
    ops.cases.add(db, facilitator, gid, {"contribution_id": mine["id"], "outcome": "failed"})
    ops.cases.add(db, facilitator, gid, {"contribution_id": theirs["id"], "outcome": "mixed"})
    close_meeting(client, facilitator, mid)
    ops.meetings.create(db, facilitator["id"], gid, {})
    return {"id": gid, "meeting_id": mid, "secret_post": theirs}


def archive(client, headers, gid) -> zipfile.ZipFile:
    response = client.get(f"/api/v1/groups/{gid}/archive.zip", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_the_archive_holds_exactly_the_documented_files(client, facilitator, group):
    names = archive(client, facilitator["headers"], group["id"]).namelist()
    version = hashlib.sha256(CONSENT.encode("utf-8")).hexdigest()
    expected = {
        "README.txt",
        "log.csv",
        "log.jsonl",
        "log.xlsx",
        "participants.csv",
        "meetings.csv",
        "cases.csv",
        "cases-summary.csv",
        "content-analysis.csv",
        "content-analysis.xlsx",
        "codebook.csv",
        "export.qdpx",
        f"consent/{version}.txt",
        *(f"minutes/meeting-0{n}/minutes.{fmt}" for n in (1, 2) for fmt in ("md", "html", "docx")),
    }
    assert set(names) == expected and len(names) == len(expected)
    assert names[0] == "README.txt"


def test_the_readme_names_every_file_and_every_column_with_its_meaning(
    client, db, facilitator, group
):
    files = archive(client, facilitator["headers"], group["id"])
    readme = files.read("README.txt").decode("utf-8")
    lines = readme.split("\r\n")
    for name in files.namelist():
        assert name in lines, name
    tables = {n: files.read(n).decode("utf-8") for n in files.namelist() if n.endswith(".csv")}
    headers = {n: next(csv.reader(io.StringIO(body, newline=""))) for n, body in tables.items()}
    for name in ("log.xlsx", "content-analysis.xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(files.read(name))).active
        headers[name] = [cell.value for cell in next(sheet.iter_rows())]
    assert headers["log.xlsx"] == list(exports.CSV_COLUMNS)
    for name, columns in headers.items():
        section = readme.split(f"\r\n{name}\r\n", 1)[1].split("\r\n\r\n", 1)[0]
        for column in columns:
            described = [line for line in section.split("\r\n") if line.strip().startswith(column)]
            assert described, (name, column)
            assert described[0].strip()[len(column) :].strip(), (name, column)
    assert f"App version: pblapp {metadata.version('pblapp')}" in lines
    assert f"Schema version: {ops.records.schema_version(db)}" in lines
    assert ops.records.schema_version(db) >= 9
    assert "Time zone: Europe/Stockholm" in lines


def test_the_archive_files_are_the_downloads_themselves(client, facilitator, group):
    headers, gid = facilitator["headers"], group["id"]
    files = archive(client, headers, gid)
    for name in ("log.csv", "participants.csv", "cases.csv", "codebook.csv", "meetings.csv"):
        alone = client.get(f"/api/v1/groups/{gid}/{name}", headers=headers).get_data()
        assert files.read(name) == alone, name
    sheet = openpyxl.load_workbook(io.BytesIO(files.read("log.xlsx"))).active
    texts = [row[10] for row in sheet.iter_rows(min_row=2)]
    assert "=1+1" in [c.value for c in texts] and {c.data_type for c in texts} == {"s"}
    consent = [n for n in files.namelist() if n.startswith("consent/")]
    assert files.read(consent[0]).decode("utf-8") == CONSENT
    assert files.read("minutes/meeting-01/minutes.md").decode("utf-8").startswith("#")
    assert (
        zipfile.ZipFile(io.BytesIO(files.read("minutes/meeting-01/minutes.docx"))).testzip() is None
    )


def every_text(files: zipfile.ZipFile) -> str:
    """The text of every file of a zip, the zips inside it (xlsx, docx, qdpx) opened too."""
    parts = []
    for name in files.namelist():
        body = files.read(name)
        if body[:2] == b"PK":
            parts.append(every_text(zipfile.ZipFile(io.BytesIO(body))))
        else:
            parts.append(body.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def withdraw_bo(db, facilitator, gid):
    ops.privacy.withdraw(db, facilitator["id"], gid, "P02")


@pytest.mark.parametrize("policy", ["delete", "keep_for_minutes"])
def test_a_withdrawn_participant_is_absent_from_every_research_file(
    client, db, facilitator, group, policy
):
    headers, gid = facilitator["headers"], group["id"]
    ops.groups.update(db, facilitator["id"], gid, {"withdrawal_policy": policy})
    before = every_text(archive(client, headers, gid))
    assert SECRET in before and SECRET_ANSWER in before  # so the search below finds words
    withdraw_bo(db, facilitator, gid)
    files = archive(client, headers, gid)
    everything = every_text(files)
    assert SECRET not in everything and SECRET_ANSWER not in everything
    mid = group["meeting_id"]
    tables = {
        "log.csv": f"/api/v1/groups/{gid}/log.csv",
        "meeting log.csv": f"/api/v1/meetings/{mid}/log.csv",
        "cases.csv": f"/api/v1/groups/{gid}/cases.csv",
        "content-analysis.csv": f"/api/v1/groups/{gid}/content-analysis.csv",
    }
    for name, url in tables.items():
        body = client.get(url, headers=headers).get_data(as_text=True)
        assert "P02" not in body and SECRET not in body, name
        assert "P02" not in files.read(name.split()[-1]).decode("utf-8"), name
    for url in (f"/api/v1/groups/{gid}/log.xlsx", f"/api/v1/meetings/{mid}/log.xlsx"):
        sheet = openpyxl.load_workbook(
            io.BytesIO(client.get(url, headers=headers).get_data())
        ).active
        assert "P02" not in {row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    summary = client.get(f"/api/v1/groups/{gid}/cases-summary.csv", headers=headers)
    assert "AF" not in summary.get_data(as_text=True)  # Bo's story was the only AF one
    for url in (
        f"/api/v1/groups/{gid}/participants.csv",
        f"/api/v1/meetings/{mid}/participants.csv",
    ):
        people = list(
            csv.DictReader(
                io.StringIO(client.get(url, headers=headers).get_data(as_text=True), newline="")
            )
        )
        bo = [p for p in people if p["pseudonym"] == "P02"]
        assert bo == [
            {
                "group_id": str(gid),
                "meeting_number": "",
                "meeting_date": "",
                "pseudonym": "P02",
                "organization": "",
                "joined_at": "",
                "consent_version": "",
                "withdrawn": "true",
            }
        ]
        assert {p["withdrawn"] for p in people if p["pseudonym"] != "P02"} == {"false"}
    assert [
        c["pseudonym"]
        for c in client.get(f"/api/v1/groups/{gid}/cases", headers=headers).get_json()
    ] == ["P01"]
