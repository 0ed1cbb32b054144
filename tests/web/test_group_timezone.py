"""Each group has its time zone: the minutes' date and the research files' ``meeting_date``
are the same day, the group's, even for a meeting started just before midnight UTC."""

import csv
import io

from helpers import PASSWORD, close_meeting, error_code, log_in, post_from_a_new_phone
from pblapp import create_app, ops

# 23:30 UTC on 14 March: already the 15th in Stockholm (UTC+1), still the 14th in New York
# (UTC-4 since 8 March).
LATE_START = "2026-03-14T23:30:00.000Z"


def _group(client, facilitator, name, **fields) -> dict:
    response = client.post(
        "/api/v1/groups",
        json={"name": name, "kind": "pbl", **fields},
        headers=facilitator["headers"],
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _meeting_started_late(app, client, db, facilitator, group_id) -> dict:
    """A meeting of the group with one post, started at 23:30 UTC and closed."""
    headers = facilitator["headers"]
    meeting = client.post(f"/api/v1/groups/{group_id}/meetings", json={}, headers=headers)
    meeting = meeting.get_json()
    client.post(f"/api/v1/meetings/{meeting['id']}/start", headers=headers)
    post_from_a_new_phone(app, client, meeting["join_code"], "Vad innebär dag 180?")
    db.change(
        lambda change: change.db["meetings"].update(meeting["id"], {"started_at": LATE_START})
    )
    close_meeting(client, facilitator, meeting["id"])
    return meeting


def _csv_dates(response) -> set[str]:
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True), newline=""))
    return {row["meeting_date"] for row in rows}


def _minutes(client, headers, meeting_id, fmt="md") -> str:
    response = client.get(f"/api/v1/meetings/{meeting_id}/minutes.{fmt}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_minutes_and_the_csv_agree_on_the_day_in_each_groups_time_zone(
    app, client, db, facilitator, researcher
):
    headers = facilitator["headers"]
    stockholm = _group(client, facilitator, "Basgrupp Linköping")
    new_york = _group(client, facilitator, "Study group NYC", timezone="America/New_York")
    assert (stockholm["timezone"], new_york["timezone"]) == ("Europe/Stockholm", "America/New_York")
    days = {}
    for group, day, other_day in (
        (stockholm, "2026-03-15", "2026-03-14"),
        (new_york, "2026-03-14", "2026-03-15"),
    ):
        meeting = _meeting_started_late(app, client, db, facilitator, group["id"])
        for fmt in ("md", "html"):
            minutes = _minutes(client, headers, meeting["id"], fmt)
            assert day in minutes and other_day not in minutes
        on_disk = app.config["DATA_DIR"] + f"/{group['id']}/{meeting['number']}/minutes.md"
        with open(on_disk, encoding="utf-8") as file:
            assert day in file.read()
        assert _csv_dates(
            client.get(f"/api/v1/meetings/{meeting['id']}/log.csv", headers=headers)
        ) == {day}
        # A researcher reads the same day in the group's log and in their minutes.
        ops.groups.grant(db, group["id"], researcher["id"])
        research = researcher["headers"]
        assert _csv_dates(
            client.get(f"/api/v1/groups/{group['id']}/log.csv", headers=research)
        ) == {day}
        research_minutes = _minutes(client, research, meeting["id"])
        assert day in research_minutes and other_day not in research_minutes
        days[group["name"]] = day
    assert days["Basgrupp Linköping"] != days["Study group NYC"]


def test_changing_a_groups_time_zone_changes_the_dates_of_minutes_made_after(
    app, client, db, facilitator
):
    headers = facilitator["headers"]
    group = _group(client, facilitator, "Basgrupp Norrköping")
    meeting = _meeting_started_late(app, client, db, facilitator, group["id"])
    assert "2026-03-15" in _minutes(client, headers, meeting["id"])
    answer = client.patch(
        f"/api/v1/groups/{group['id']}", json={"timezone": "America/New_York"}, headers=headers
    )
    assert answer.status_code == 200 and answer.get_json()["timezone"] == "America/New_York"
    minutes = _minutes(client, headers, meeting["id"])
    assert "2026-03-14" in minutes and "2026-03-15" not in minutes
    assert _csv_dates(client.get(f"/api/v1/groups/{group['id']}/log.csv", headers=headers)) == {
        "2026-03-14"
    }
    changed = [
        e for e in ops.records.events(db, group_id=group["id"]) if e["type"] == "group.updated"
    ]
    assert changed[-1]["data"]["changes"]["timezone"] == {
        "old": "Europe/Stockholm",
        "new": "America/New_York",
    }


def test_an_unknown_time_zone_is_refused_by_the_api(client, facilitator):
    headers = facilitator["headers"]
    for zone in ("Mars/Olympus_Mons", "", 1, "europe/stockholm "):
        answer = client.post(
            "/api/v1/groups", json={"name": "X", "kind": "pbl", "timezone": zone}, headers=headers
        )
        assert answer.status_code == 400 and error_code(answer) == "invalid_timezone", zone
    group = _group(client, facilitator, "Basgrupp Motala")
    answer = client.patch(
        f"/api/v1/groups/{group['id']}", json={"timezone": "Europe/Stockholmm"}, headers=headers
    )
    assert error_code(answer) == "invalid_timezone"
    again = client.get(f"/api/v1/groups/{group['id']}", headers=headers).get_json()
    assert again["timezone"] == "Europe/Stockholm"


def test_an_unknown_time_zone_is_refused_by_the_group_forms(client, db, facilitator):
    log_in(client, facilitator)
    answer = client.post(
        "/groups", data={"name": "Fokusgrupp Umeå", "kind": "focus", "timezone": "Nowhere/Else"}
    )
    assert answer.status_code == 400
    assert ops.lookup.groups(db, facilitator["id"]) == []
    answer = client.post(
        "/groups", data={"name": "Fokusgrupp Umeå", "kind": "focus", "timezone": "Europe/Helsinki"}
    )
    assert answer.status_code == 302
    group = ops.lookup.groups(db, facilitator["id"])[0]
    assert ops.groups.timezone(db, group["id"]) == "Europe/Helsinki"
    page = client.get(f"/groups/{group['id']}").get_data(as_text=True)
    assert '<option value="Europe/Helsinki" selected>' in page
    form = {"name": "Fokusgrupp Umeå", "organizations": "FK Försäkringskassan"}
    answer = client.post(f"/groups/{group['id']}/edit", data={**form, "timezone": "Nowhere/Else"})
    assert answer.status_code == 400
    assert ops.groups.timezone(db, group["id"]) == "Europe/Helsinki"
    answer = client.post(f"/groups/{group['id']}/edit", data={**form, "timezone": "Asia/Tokyo"})
    assert answer.status_code == 302
    assert ops.groups.timezone(db, group["id"]) == "Asia/Tokyo"


def test_a_new_group_is_in_stockholm_unless_the_app_names_another_zone(
    client, facilitator, tmp_path
):
    assert _group(client, facilitator, "Basgrupp Västerås")["timezone"] == "Europe/Stockholm"
    helsinki = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "helsinki"),
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "TIMEZONE": "Europe/Helsinki",
        }
    )
    user, token = ops.accounts.create_user(
        helsinki.extensions["pblapp.db"], "Handledare Heidi", "facilitator", PASSWORD
    )
    other = helsinki.test_client()
    answer = other.post(
        "/api/v1/groups",
        json={"name": "Basgrupp Åbo", "kind": "pbl"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.get_json()["timezone"] == "Europe/Helsinki"
    log_in(other, {"name": "Handledare Heidi"})
    page = other.get("/groups").get_data(as_text=True)
    assert '<option value="Europe/Helsinki" selected>' in page


def test_a_meeting_planned_by_form_is_at_the_local_time_of_its_group(client, db, facilitator):
    group = _group(client, facilitator, "Study group NYC", timezone="America/New_York")
    log_in(client, facilitator)
    client.post(
        f"/groups/{group['id']}/meetings",
        data={"title": "Case 1", "scheduled_at": "2026-03-02T13:00"},
    )
    meeting = ops.meetings.in_group(db, facilitator["id"], group["id"])[0]
    # 13:00 in New York in early March is 18:00 UTC (EST, UTC-5).
    assert meeting["scheduled_at"] == "2026-03-02T18:00:00.000Z"
    page = client.get(f"/meetings/{meeting['id']}").get_data(as_text=True)
    assert 'value="2026-03-02T13:00"' in page
