"""The research files over HTTP: log.csv's columns, local dates, participants.csv,
log.xlsx, the codebook and the content-analysis sheet."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid

import openpyxl
import pytest

from helpers import join
from pblapp import ops

V1_COLUMNS = [
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
]
NEW_COLUMNS = [
    "original_question_type",
    "retag_count",
    "agenda_step",
    "merged_into",
    "created_at_local",
    "status",
    "flags",
    "flags_cleared",
]
CONSENT = "Jag samtycker till att mina inlägg används i forskningen."


def say(db, attendance, text, qtype=None) -> dict:
    post, _ = ops.participation.post(
        db, attendance, {"client_id": str(uuid.uuid4()), "text": text, "qtype": qtype}
    )
    return post


def someone(client, db, live_meeting, name="Anna Andersson", organization="FK"):
    return ops.participation.attendance(
        db, join(client, live_meeting["join_code"], name, organization)["token"]
    )


def table(client, url, headers) -> list[dict]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def header(client, url, headers) -> list[str]:
    text = client.get(url, headers=headers).get_data(as_text=True)
    return next(csv.reader(io.StringIO(text, newline="")))


def test_log_csv_keeps_the_v1_columns_first_then_adds_the_new_ones(
    client, facilitator, live_meeting
):
    for url in (
        f"/api/v1/meetings/{live_meeting['id']}/log.csv",
        f"/api/v1/groups/{live_meeting['group_id']}/log.csv",
    ):
        assert header(client, url, facilitator["headers"]) == V1_COLUMNS + NEW_COLUMNS


def test_log_csv_says_how_a_post_was_first_tagged_retagged_merged_and_in_which_step(
    client, db, facilitator, live_meeting
):
    mid, headers = live_meeting["id"], facilitator["headers"]
    anna = someone(client, db, live_meeting)
    before = say(db, anna, "Innan agendan", "value")
    ops.agenda.command(db, facilitator["id"], mid, {"action": "start"})
    first = say(db, anna, "Vad innebär dag 180?", "encyclopedic")
    again = say(db, anna, "Vad innebär dag 180 egentligen?", None)
    ops.moderation.moderate(db, facilitator["id"], mid, {"id": first["id"], "qtype": "meaning"})
    ops.moderation.moderate(db, facilitator["id"], mid, {"id": first["id"], "qtype": "value"})
    ops.moderation.moderate(db, facilitator["id"], mid, {"id": first["id"], "hidden": True})
    ops.moderation.merge(db, facilitator["id"], mid, {"id": again["id"], "into": first["id"]})
    rows = {
        int(r["contribution_id"]): r
        for r in table(client, f"/api/v1/meetings/{mid}/log.csv", headers)
    }
    assert rows[first["id"]]["question_type"] == "value"
    assert rows[first["id"]]["original_question_type"] == "encyclopedic"
    assert rows[first["id"]]["retag_count"] == "2"  # hiding is no re-tag
    assert rows[again["id"]]["original_question_type"] == ""
    assert rows[again["id"]]["retag_count"] == "0"
    assert rows[again["id"]]["merged_into"] == str(first["id"])
    assert rows[first["id"]]["merged_into"] == ""
    # The PBL cycle's first step, in the group's language (Swedish).
    first_step = "Redovisning av förra mötets frågor"
    assert rows[first["id"]]["agenda_step"] == first_step
    assert rows[before["id"]]["agenda_step"] == ""
    local = rows[first["id"]]["created_at_local"]
    assert local[:23].replace("T", " ") != rows[first["id"]]["created_at"][:23]
    assert local.endswith(("+01:00", "+02:00"))


def test_agenda_step_is_in_the_groups_language_or_its_own_title(
    client, db, facilitator, live_meeting
):
    gid, mid, headers = live_meeting["group_id"], live_meeting["id"], facilitator["headers"]
    ops.groups.update(db, facilitator["id"], gid, {"language": "en"})
    anna = someone(client, db, live_meeting)
    ops.agenda.command(db, facilitator["id"], mid, {"action": "start"})
    post = say(db, anna, "Dag 180")
    rows = table(client, f"/api/v1/groups/{gid}/log.csv", headers)
    assert rows[0]["agenda_step"] == "Report back on last meeting's questions"
    steps = [{"id": s["id"], "key": s["key"]} for s in ops.agenda.state(db, mid)["steps"]]
    steps[0]["title"] = "Vår egen rubrik"
    ops.agenda.edit(db, facilitator["id"], mid, {"steps": steps})
    rows = table(client, f"/api/v1/groups/{gid}/log.csv", headers)
    assert [r["agenda_step"] for r in rows if r["contribution_id"] == str(post["id"])] == [
        "Vår egen rubrik"
    ]


@pytest.fixture
def at(monkeypatch):
    """Set the server's clock for meetings starting: ``at("2026-01-15T23:30:00Z")``."""

    def set_clock(moment: str):
        monkeypatch.setattr("pblapp.ops.meetings.utc_now", lambda: moment)

    return set_clock


def test_meeting_date_is_the_local_day_of_the_minutes_near_midnight(
    client, db, facilitator, live_meeting, at
):
    """A meeting that starts at 23:30 UTC in winter starts at 00:30 in Stockholm: the next
    day, in log.csv, participants.csv and the minutes alike."""
    gid, headers = live_meeting["group_id"], facilitator["headers"]
    late = ops.meetings.create(db, facilitator["id"], gid, {"scheduled_at": "2026-01-14T12:00:00Z"})
    at("2026-01-15T23:30:00.000Z")
    ops.meetings.start(db, facilitator["id"], late["id"])
    anna = ops.participation.attendance(db, join(client, late["join_code"], "Anna", "FK")["token"])
    say(db, anna, "Sent på kvällen")
    rows = table(client, f"/api/v1/meetings/{late['id']}/log.csv", headers)
    assert rows[0]["meeting_date"] == "2026-01-16"
    minutes = client.get(f"/api/v1/meetings/{late['id']}/minutes.md", headers=headers)
    assert "2026-01-16" in minutes.get_data(as_text=True)
    people = table(client, f"/api/v1/meetings/{late['id']}/participants.csv", headers)
    assert people[0]["meeting_date"] == "2026-01-16"


def test_a_planned_meeting_is_dated_by_its_local_scheduled_day(client, db, facilitator):
    group = ops.groups.create(db, facilitator["id"], {"name": "Fokus", "kind": "focus"})
    planned = ops.meetings.create(
        db, facilitator["id"], group["id"], {"scheduled_at": "2026-07-01T22:30:00Z"}
    )
    rows = ops.records.export_rows(db, group_id=group["id"], zone="Europe/Stockholm")
    assert rows == []
    people = ops.records.participant_rows(db, group_id=group["id"], zone="Europe/Stockholm")
    assert people == []
    facts = ops.records.meeting_facts(db, planned["id"])
    assert facts["scheduled_at"].startswith("2026-07-01T22:30")


def test_participants_csv_has_one_row_per_pseudonym_and_meeting(
    client, db, facilitator, live_meeting
):
    gid, headers = live_meeting["group_id"], facilitator["headers"]
    anna_phone = client.application.test_client()
    form = {"display_name": "Anna Andersson", "organization": "FK", "consent": "on"}
    anna_phone.post(f"/j/{live_meeting['join_code']}", data=form)
    join(client, live_meeting["join_code"], "Bo Berg", "AF")
    second = ops.meetings.create(db, facilitator["id"], gid, {})
    ops.meetings.start(db, facilitator["id"], second["id"])
    # The same phone at the next meeting: the same P01.
    anna_phone.post(f"/j/{second['join_code']}", data=form)
    rows = table(client, f"/api/v1/groups/{gid}/participants.csv", headers)
    assert header(client, f"/api/v1/groups/{gid}/participants.csv", headers) == [
        "group_id",
        "meeting_number",
        "meeting_date",
        "pseudonym",
        "organization",
        "joined_at",
        "consent_version",
        "withdrawn",
    ]
    assert [(r["meeting_number"], r["pseudonym"], r["organization"]) for r in rows] == [
        ("1", "P01", "FK"),
        ("1", "P02", "AF"),
        ("2", "P01", "FK"),
    ]
    version = hashlib.sha256(CONSENT.encode("utf-8")).hexdigest()
    assert {r["consent_version"] for r in rows} == {version}
    assert {r["withdrawn"] for r in rows} == {"false"}
    assert all(r["joined_at"].endswith("Z") for r in rows)
    one = table(client, f"/api/v1/meetings/{second['id']}/participants.csv", headers)
    assert [(r["meeting_number"], r["pseudonym"]) for r in one] == [("2", "P01")]
    assert "Anna" not in client.get(
        f"/api/v1/groups/{gid}/participants.csv", headers=headers
    ).get_data(as_text=True)


def xlsx(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.get_data())).active


def test_log_xlsx_has_the_rows_and_columns_of_log_csv_and_every_text_is_a_text_cell(
    client, db, facilitator, live_meeting
):
    gid, mid, headers = live_meeting["group_id"], live_meeting["id"], facilitator["headers"]
    anna = someone(client, db, live_meeting)
    for text in ("=1+1", "+15 % mot i fjol", "@SUM(A1)", "-2", 'Citat: "ja"\nny rad'):
        say(db, anna, text, "value")
    for url in (f"/api/v1/groups/{gid}/log.xlsx", f"/api/v1/meetings/{mid}/log.xlsx"):
        sheet = xlsx(client, url, headers)
        rows = list(sheet.iter_rows())
        assert [cell.value for cell in rows[0]] == V1_COLUMNS + NEW_COLUMNS
        assert all(cell.font.b for cell in rows[0])
        assert sheet.freeze_panes == "A2"
        texts = [row[V1_COLUMNS.index("text")] for row in rows[1:]]
        assert [c.value for c in texts] == [
            "=1+1",
            "+15 % mot i fjol",
            "@SUM(A1)",
            "-2",
            'Citat: "ja"\nny rad',
        ]
        assert {c.data_type for c in texts} == {"s"}
        for row in rows[1:]:
            for name in ("pseudonym", "organization", "group_name", "question_type"):
                assert row[(V1_COLUMNS + NEW_COLUMNS).index(name)].data_type == "s"
        text_width = sheet.column_dimensions["K"].width
        assert text_width >= 40 and sheet.column_dimensions["A"].width < text_width
        csv_rows = table(client, url.replace(".xlsx", ".csv"), headers)
        assert [[as_csv(c.value) for c in row] for row in rows[1:]] == [
            list(r.values()) for r in csv_rows
        ]


def as_csv(value) -> str:
    """A cell's value as log.csv writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def test_log_csv_stays_the_exact_text(client, db, facilitator, live_meeting):
    anna = someone(client, db, live_meeting)
    say(db, anna, "=1+1")
    raw = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/log.csv", headers=facilitator["headers"]
    ).get_data(as_text=True)
    assert ",=1+1," in raw and "'=1+1" not in raw


def test_codebook_defines_the_five_question_types_in_swedish_and_english(
    client, facilitator, live_meeting
):
    rows = table(
        client, f"/api/v1/groups/{live_meeting['group_id']}/codebook.csv", facilitator["headers"]
    )
    assert [r["key"] for r in rows] == [
        "encyclopedic",
        "meaning",
        "relational",
        "value",
        "solution",
    ]
    assert list(rows[0]) == [
        "key",
        "label_sv",
        "label_en",
        "definition_sv",
        "definition_en",
        "example_sv",
    ]
    assert (rows[0]["label_sv"], rows[0]["label_en"]) == ("Encyklopedisk", "Encyclopedic")
    assert rows[1]["label_sv"] == "Meningsorienterad"
    for row in rows:
        assert row["definition_sv"] and row["definition_en"]
        assert row["definition_sv"] != row["definition_en"]
    assert rows[4]["definition_en"] == "The question asks what we can do."


SV_SHEET = [
    "möte",
    "inlägg",
    "pseudonym",
    "organisation",
    "meningsenhet",
    "kondenserad meningsenhet",
    "underliggande mening",
    "kod",
    "kategori",
]
EN_SHEET = [
    "meeting",
    "contribution",
    "pseudonym",
    "organization",
    "meaning unit",
    "condensed meaning unit",
    "underlying meaning",
    "code",
    "category",
]


def test_content_analysis_sheet_holds_the_visible_posts_ready_to_code(
    client, db, facilitator, live_meeting
):
    gid, mid, headers = live_meeting["group_id"], live_meeting["id"], facilitator["headers"]
    anna = someone(client, db, live_meeting)
    say(db, anna, "Varför infördes tidsgränserna?", "meaning")
    hidden = say(db, anna, "Dolt inlägg", "value")
    say(db, anna, "Otaggat")
    ops.moderation.moderate(db, facilitator["id"], mid, {"id": hidden["id"], "hidden": True})
    url = f"/api/v1/groups/{gid}/content-analysis.csv"
    assert header(client, url, headers) == SV_SHEET
    rows = table(client, url, headers)
    assert [(r["meningsenhet"], r["kod"]) for r in rows] == [
        ("Varför infördes tidsgränserna?", "Meningsorienterad"),
        ("Otaggat", ""),
    ]
    assert (rows[0]["möte"], rows[0]["pseudonym"], rows[0]["organisation"]) == ("1", "P01", "FK")
    for empty in ("kondenserad meningsenhet", "underliggande mening", "kategori"):
        assert {r[empty] for r in rows} == {""}
    english = table(client, url + "?lang=en", headers)
    assert list(english[0]) == EN_SHEET
    assert english[0]["code"] == "Meaning-oriented"
    sheet = xlsx(client, f"/api/v1/groups/{gid}/content-analysis.xlsx", headers)
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == SV_SHEET
    assert cells[1][4] == "Varför infördes tidsgränserna?" and len(cells) == 3
    assert sheet.freeze_panes == "A2"


def test_research_files_answer_404_to_a_stranger_and_are_audited(
    client, db, facilitator, researcher, live_meeting
):
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    urls = [
        f"/api/v1/groups/{gid}/log.xlsx",
        f"/api/v1/meetings/{mid}/log.xlsx",
        f"/api/v1/groups/{gid}/participants.csv",
        f"/api/v1/meetings/{mid}/participants.csv",
        f"/api/v1/groups/{gid}/codebook.csv",
        f"/api/v1/groups/{gid}/content-analysis.csv",
        f"/api/v1/groups/{gid}/content-analysis.xlsx",
        f"/api/v1/groups/{gid}/cases.csv",
        f"/api/v1/groups/{gid}/cases-summary.csv",
        f"/api/v1/groups/{gid}/archive.zip",
    ]
    for url in urls:
        assert client.get(url, headers=researcher["headers"]).status_code == 404, url
        assert client.get(url).status_code == 401, url
    ops.groups.grant(db, gid, researcher["id"])
    for url in urls:
        assert client.get(url, headers=researcher["headers"]).status_code == 200, url
    audit = client.get(f"/api/v1/groups/{gid}/audit", headers=facilitator["headers"])
    paths = {entry["path"] for entry in audit.get_json() if entry["user"] == researcher["name"]}
    assert set(urls) <= paths


def test_local_times_are_in_the_groups_time_zone(client, db, facilitator, live_meeting, app):
    # The group's own zone wins over the app's default, which only new groups start with.
    app.config["TIMEZONE"] = "Asia/Tokyo"
    client.patch(
        f"/api/v1/groups/{live_meeting['group_id']}",
        json={"timezone": "America/New_York"},
        headers=facilitator["headers"],
    )
    anna = someone(client, db, live_meeting)
    say(db, anna, "Hej")
    row = table(client, f"/api/v1/meetings/{live_meeting['id']}/log.csv", facilitator["headers"])[0]
    assert row["created_at_local"].endswith(("-05:00", "-04:00"))
    assert row["created_at"].endswith("Z")  # the stored time stays UTC
