"""The notice (kallelse): printable HTML, Word and a calendar file, from the moment a
meeting is planned, with the agenda's clock times, the open action items and the questions
to prepare."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
import icalendar
import pytest
from docx.oxml.ns import qn

from helpers import PASSWORD, join, log_in
from pblapp import ops

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def planned(client, facilitator, live_meeting):
    """Meeting 1 leaves an open action item and an open question, and sets the next
    meeting's date; meeting 2 is planned with an agenda and a place, but no date of its own."""
    headers, first = facilitator["headers"], f"/api/v1/meetings/{live_meeting['id']}"
    client.post(
        f"{first}/action-items",
        json={"what": f"Ring FK om remissen {HOSTILE}", "who": "Anna"},
        headers=headers,
    )
    client.post(f"{first}/questions", json={"text": f"Vad gäller {HOSTILE}?"}, headers=headers)
    done = client.post(
        f"{first}/action-items", json={"what": "Redan klart", "who": "Bo"}, headers=headers
    ).get_json()["action_items"][-1]
    client.patch(f"{first}/action-items/{done['id']}", json={"status": "done"}, headers=headers)
    client.patch(first, json={"next_meeting_at": "2026-12-08T08:30:00Z"}, headers=headers)
    assert client.post(f"{first}/close", headers=headers).status_code == 200
    second = client.post(
        f"/api/v1/groups/{live_meeting['group_id']}/meetings",
        json={"agenda": "focus-group", "title": f"Uppföljning {HOSTILE}"},
        headers=headers,
    ).get_json()
    client.patch(
        f"/api/v1/meetings/{second['id']}",
        json={"place": f"Rum 3 {HOSTILE}"},
        headers=headers,
    )
    return second


def get(client, facilitator, mid, fmt, query=""):
    response = client.get(
        f"/api/v1/meetings/{mid}/notice.{fmt}{query}", headers=facilitator["headers"]
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def agenda_minutes(db, mid):
    return [round(s["planned_seconds"] / 60) for s in ops.agenda.state(db, mid)["steps"]]


def test_the_printable_notice_has_date_place_agenda_times_actions_and_questions_in_swedish(
    client, db, facilitator, planned
):
    page = get(client, facilitator, planned["id"], "html").get_data(as_text=True)
    assert '<html lang="sv">' in page and "Kallelse: Basgrupp Norrköping" in page
    # The date the previous meeting set: 08:30 UTC is 09:30 in Stockholm.
    assert "2026-12-08" in page and "09:30" in page
    minutes = agenda_minutes(db, planned["id"])
    assert len(minutes) > 1
    second_step = 9 * 60 + 30 + minutes[0]
    assert f"{second_step // 60:02d}:{second_step % 60:02d}" in page
    assert f"{minutes[0]} min" in page
    assert "Öppna åtgärder" in page and "Ring FK om remissen" in page and "Möte 1" in page
    assert "Redan klart" not in page  # done: nothing to prepare
    assert "Frågor att förbereda" in page and "Vad gäller" in page
    assert "Rum 3" in page


def test_the_notice_is_in_english_when_asked(client, facilitator, planned):
    page = get(client, facilitator, planned["id"], "html", "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Notice of meeting" in page and "Open action items" in page
    assert "Questions to prepare" in page and "Kallelse" not in page


def test_typed_text_stays_text_in_the_printable_notice(client, facilitator, planned):
    response = get(client, facilitator, planned["id"], "html")
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_calendar_file_holds_one_event_at_the_meetings_time_in_its_time_zone(
    client, db, facilitator, planned
):
    first = get(client, facilitator, planned["id"], "ics")
    assert first.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(first.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    start = event.decoded("dtstart")
    assert start == datetime(2026, 12, 8, 9, 30, tzinfo=STOCKHOLM)
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert list(calendar.walk("VTIMEZONE"))[0]["tzid"] == "Europe/Stockholm"
    total = sum(agenda_minutes(db, planned["id"]))
    assert (event.decoded("dtend") - start).total_seconds() == total * 60
    assert "Uppföljning" in str(event["summary"])
    # Typed text is plain text in the calendar: as typed, not interpreted.
    assert str(event["location"]) == f"Rum 3 {HOSTILE}"
    assert "Ring FK om remissen" in str(event["description"])
    again = icalendar.Calendar.from_ical(get(client, facilitator, planned["id"], "ics").data)
    assert str(list(again.walk("VEVENT"))[0]["uid"]) == str(event["uid"])


def test_a_meetings_own_date_wins_and_a_meeting_without_agenda_is_booked_for_two_hours(
    client, facilitator, planned
):
    headers = facilitator["headers"]
    third = client.post(
        f"/api/v1/groups/{planned['group_id']}/meetings",
        json={"scheduled_at": "2026-06-10T12:00:00Z"},
        headers=headers,
    ).get_json()
    client.put(f"/api/v1/meetings/{third['id']}/agenda", json={"steps": []}, headers=headers)
    event = list(
        icalendar.Calendar.from_ical(get(client, facilitator, third["id"], "ics").data).walk(
            "VEVENT"
        )
    )[0]
    # Summer time: 12:00 UTC is 14:00 in Stockholm.
    assert event.decoded("dtstart") == datetime(2026, 6, 10, 14, 0, tzinfo=STOCKHOLM)
    assert (event.decoded("dtend") - event.decoded("dtstart")).total_seconds() == 2 * 3600


def test_the_word_notice_is_swedish_and_titled_after_the_meeting(client, facilitator, planned):
    response = get(client, facilitator, planned["id"], "docx")
    assert "attachment" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    title = document.core_properties.title
    assert title.startswith("Kallelse: Basgrupp Norrköping, möte 2 – Uppföljning")
    assert title.endswith("2026-12-08")
    assert document.core_properties.author == facilitator["name"]
    languages = {lang.get(qn("w:val")) for lang in document.styles.element.iter(qn("w:lang"))}
    assert languages == {"sv-SE"}
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert f"Ring FK om remissen {HOSTILE}" in cells and "Anna" in cells
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Frågor att förbereda" in text and f"Vad gäller {HOSTILE}?" in text
    english = docx.Document(
        io.BytesIO(get(client, facilitator, planned["id"], "docx", "?lang=en").data)
    )
    languages = {lang.get(qn("w:val")) for lang in english.styles.element.iter(qn("w:lang"))}
    assert languages == {"en-GB"}
    assert english.core_properties.title.startswith("Notice of meeting:")


def test_a_meeting_without_a_date_says_so_and_has_no_calendar_file(
    client, facilitator, live_meeting
):
    headers = facilitator["headers"]
    meeting = client.post(
        f"/api/v1/groups/{live_meeting['group_id']}/meetings", json={}, headers=headers
    ).get_json()
    page = get(client, facilitator, meeting["id"], "html").get_data(as_text=True)
    assert 'data-testid="notice-date-not-set"' in page and "Inte bestämt än" in page
    response = client.get(f"/api/v1/meetings/{meeting['id']}/notice.ics", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_date"


def test_the_notice_is_refused_as_the_minutes_are(app, client, db, facilitator, planned):
    mid = planned["id"]
    other, other_token = ops.accounts.create_user(db, "Annan", "facilitator", PASSWORD)
    researcher, researcher_token = ops.accounts.create_user(db, "Rita", "researcher", PASSWORD)
    for token in (other_token, researcher_token):
        for fmt in ("html", "docx", "ics"):
            headers = {"Authorization": f"Bearer {token}"}
            answer = client.get(f"/api/v1/meetings/{mid}/notice.{fmt}", headers=headers)
            minutes = client.get(f"/api/v1/meetings/{mid}/minutes.html", headers=headers)
            assert answer.status_code == minutes.status_code == 404
    assert client.get(f"/api/v1/meetings/{mid}/notice.html").status_code == 401
    ops.groups.grant(db, planned["group_id"], researcher["id"])
    headers = {"Authorization": f"Bearer {researcher_token}"}
    assert client.get(f"/api/v1/meetings/{mid}/notice.html", headers=headers).status_code == 200


def test_each_notice_download_is_in_the_audit_log(client, db, facilitator, planned):
    mid = planned["id"]
    get(client, facilitator, mid, "ics", "?lang=en")
    paths = [row["path"] for row in ops.audit.entries(db, facilitator["id"], planned["group_id"])]
    assert f"/api/v1/meetings/{mid}/notice.ics?lang=en" in paths


def test_the_console_of_a_planned_meeting_offers_its_notice(client, facilitator, planned):
    log_in(client, facilitator)
    page = client.get(f"/meetings/{planned['id']}").get_data(as_text=True)
    for fmt in ("html", "docx", "ics"):
        link = f'href="/api/v1/meetings/{planned["id"]}/notice.{fmt}"'
        assert link in page, fmt
        assert client.get(f"/api/v1/meetings/{planned['id']}/notice.{fmt}").status_code == 200


def test_the_notice_is_in_its_groups_own_time_zone(client, facilitator, planned, live_meeting):
    headers = facilitator["headers"]
    answer = client.patch(
        f"/api/v1/groups/{live_meeting['group']['id']}",
        json={"timezone": "America/New_York"},
        headers=headers,
    )
    assert answer.status_code == 200 and answer.get_json()["timezone"] == "America/New_York"
    calendar = icalendar.Calendar.from_ical(get(client, facilitator, planned["id"], "ics").data)
    (event,) = calendar.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == "America/New_York"
    # The same moment as before, read in New York: 09:30 in Stockholm is 03:30 there.
    start = event.decoded("dtstart")
    assert start == datetime(2026, 12, 8, 9, 30, tzinfo=STOCKHOLM)
    assert (start.hour, start.minute) == (3, 30)
    page = get(client, facilitator, planned["id"], "html").get_data(as_text=True)
    assert "03:30" in page


def test_the_notice_names_an_action_items_owner_only_when_the_group_chose_names(
    client, facilitator, researcher, live_meeting
):
    headers = facilitator["headers"]
    gid, mid = live_meeting["group"]["id"], live_meeting["id"]
    join(client, live_meeting["join_code"], "Anna Berg", "FK")
    client.post(
        f"/api/v1/meetings/{mid}/action-items",
        json={"what": "Ring kassan", "who": "P01"},
        headers=headers,
    )
    assert "Anna Berg" not in get(client, facilitator, mid, "html").get_data(as_text=True)
    client.patch(f"/api/v1/groups/{gid}", json={"minutes_names": True}, headers=headers)
    assert "Anna Berg (FK)" in get(client, facilitator, mid, "html").get_data(as_text=True)
    # A researcher's notice never carries a name.
    ops.groups.grant(client.application.extensions["pblapp.db"], gid, researcher["id"])
    answer = client.get(f"/api/v1/meetings/{mid}/notice.html", headers=researcher["headers"])
    assert answer.status_code == 200 and "Anna Berg" not in answer.get_data(as_text=True)
