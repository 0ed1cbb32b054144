"""Case stories over HTTP: the API (tokens, and the console's session with its CSRF
token), cases.csv and its summary, the group page's list and forms, the console's control."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest

from helpers import error_code, join, log_in, page_config
from pblapp import create_app, ops


def say(db, attendance, text) -> dict:
    post, _ = ops.participation.post(
        db, attendance, {"client_id": str(uuid.uuid4()), "text": text, "qtype": "value"}
    )
    return post


@pytest.fixture
def posts(client, db, live_meeting):
    anna = ops.participation.attendance(
        db, join(client, live_meeting["join_code"], "Anna Andersson", "FK")["token"]
    )
    bo = ops.participation.attendance(
        db, join(client, live_meeting["join_code"], "Bo Berg", "Psyk")["token"]
    )
    return [
        say(db, anna, "Hon kom tillbaka i arbete när alla satt vid samma bord."),
        say(db, bo, "Han bollades mellan oss i två år."),
    ]


def cases_url(live_meeting, rest=""):
    return f"/api/v1/groups/{live_meeting['group_id']}/cases{rest}"


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_the_api_marks_codes_and_removes_case_stories(client, facilitator, live_meeting, posts):
    headers = facilitator["headers"]
    added = client.post(
        cases_url(live_meeting),
        json={"contribution_id": posts[0]["id"], "outcome": "successful"},
        headers=headers,
    )
    assert added.status_code == 201
    case = added.get_json()
    assert (case["pseudonym"], case["organization"], case["text"]) == (
        "P01",
        "FK",
        posts[0]["text"],
    )
    assert "participant_id" not in case and "display_name" not in case
    changed = client.patch(
        cases_url(live_meeting, f"/{case['id']}"),
        json={"problem": "Långa väntetider", "perspective": "professional"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.get_json()["problem"] == "Långa väntetider"
    listed = client.get(cases_url(live_meeting), headers=headers).get_json()
    assert [c["id"] for c in listed] == [case["id"]]
    gone = client.delete(cases_url(live_meeting, f"/{case['id']}"), headers=headers)
    assert gone.status_code == 204
    assert client.get(cases_url(live_meeting), headers=headers).get_json() == []


def test_bad_case_requests_get_clear_codes(client, facilitator, live_meeting, posts):
    headers = facilitator["headers"]
    for body, status, code in [
        ({"contribution_id": posts[0]["id"], "outcome": "great"}, 400, "invalid_outcome"),
        ({"contribution_id": 10**6}, 404, "contribution_not_found"),
        ({"text": "x"}, 400, "missing_field"),
    ]:
        answer = client.post(cases_url(live_meeting), json=body, headers=headers)
        assert (answer.status_code, error_code(answer)) == (status, code)
    answer = client.post(cases_url(live_meeting), data="not json", headers=headers)
    assert error_code(answer) == "invalid_json"
    answer = client.patch(
        cases_url(live_meeting, "/999"), json={"outcome": "failed"}, headers=headers
    )
    assert (answer.status_code, error_code(answer)) == (404, "case_not_found")
    answer = client.post("/api/v1/groups/999/cases", json={"text": "x"}, headers=headers)
    assert (answer.status_code, error_code(answer)) == (404, "group_not_found")


def test_a_granted_researcher_may_code_and_a_stranger_may_not_see(
    client, db, researcher, live_meeting, posts
):
    headers = researcher["headers"]
    body = {"contribution_id": posts[1]["id"], "outcome": "failed"}
    assert client.post(cases_url(live_meeting), json=body, headers=headers).status_code == 404
    assert client.get(cases_url(live_meeting), headers=headers).status_code == 404
    assert client.post(cases_url(live_meeting), json=body).status_code == 401
    ops.groups.grant(db, live_meeting["group_id"], researcher["id"])
    added = client.post(cases_url(live_meeting), json=body, headers=headers)
    assert added.status_code == 201
    assert added.get_json()["organization"] == "Psyk"
    # The researcher still changes nothing else.
    refused = client.patch(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{posts[1]['id']}",
        json={"hidden": True},
        headers=headers,
    )
    assert refused.status_code == 403


def test_cases_csv_and_the_summary_count_outcome_by_organization(
    client, facilitator, live_meeting, posts
):
    headers, gid = facilitator["headers"], live_meeting["group_id"]
    for body in (
        {"contribution_id": posts[0]["id"], "outcome": "successful"},
        {"contribution_id": posts[1]["id"], "outcome": "failed", "perspective": "client"},
        {
            "text": "Ett fall från FK som gick snett",
            "meeting_id": live_meeting["id"],
            "organization": "FK",
            "outcome": "failed",
        },
        {"text": "Okodat", "meeting_id": live_meeting["id"]},
    ):
        assert client.post(cases_url(live_meeting), json=body, headers=headers).status_code == 201
    stories = rows(client.get(f"/api/v1/groups/{gid}/cases.csv", headers=headers))
    assert list(stories[0]) == [
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
    ]
    assert [(s["source"], s["pseudonym"], s["organization"], s["outcome"]) for s in stories] == [
        ("contribution", "P01", "FK", "successful"),
        ("contribution", "P02", "Psyk", "failed"),
        ("typed", "", "FK", "failed"),
        ("typed", "", "", ""),
    ]
    assert stories[1]["perspective"] == "client" and stories[1]["text"] == posts[1]["text"]
    summary = client.get(f"/api/v1/groups/{gid}/cases-summary.csv", headers=headers)
    assert summary.get_data(as_text=True).split("\r\n") == [
        "organization,successful,failed,mixed,unclear,uncoded,total",
        "FK,1,1,0,0,0,2",
        "Psyk,0,1,0,0,0,1",
        ",0,0,0,0,1,1",
        "",
    ]


def test_the_group_page_lists_case_stories_and_takes_a_typed_one(
    client, db, facilitator, live_meeting, posts
):
    log_in(client, facilitator)
    gid = live_meeting["group_id"]
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert 'data-testid="case-stories"' in page and 'data-testid="no-case-stories"' in page
    answer = client.post(
        f"/groups/{gid}/cases",
        data={
            "meeting_id": str(live_meeting["id"]),
            "text": "<b>Ett fall</b> där arbetsgivaren tog ansvar",
            "outcome": "successful",
            "organization": "AG",
            "perspective": "",
        },
    )
    assert answer.status_code == 302 and answer.location.endswith("#case-stories")
    [case] = ops.cases.in_group(db, gid)
    assert (case["outcome"], case["organization"], case["perspective"]) == (
        "successful",
        "AG",
        None,
    )
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert "&lt;b&gt;Ett fall&lt;/b&gt;" in page and "<b>Ett fall" not in page
    client.post(f"/groups/{gid}/cases", data={"contribution_id": str(posts[0]["id"])})
    client.post(f"/groups/{gid}/cases/{case['id']}", data={"outcome": "mixed", "text": "Nya ord"})
    coded = ops.cases.case(db, gid, case["id"])
    assert (coded["outcome"], coded["text"], coded["organization"]) == ("mixed", "Nya ord", None)
    client.post(f"/groups/{gid}/cases/{case['id']}/remove")
    assert [c["contribution_id"] for c in ops.cases.in_group(db, gid)] == [posts[0]["id"]]
    refused = client.post(f"/groups/{gid}/cases", data={"meeting_id": "x", "text": "y"})
    assert refused.status_code == 302
    assert "Välj ett av gruppens möten." in client.get(f"/groups/{gid}").get_data(as_text=True)
    assert client.post("/groups/999/cases", data={"text": "y"}).status_code == 404


def test_a_researcher_codes_from_the_group_page(client, db, researcher, live_meeting, posts):
    gid = live_meeting["group_id"]
    ops.groups.grant(db, gid, researcher["id"])
    log_in(client, researcher)
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert 'data-testid="case-form"' in page and 'data-testid="download-archive"' in page
    client.post(f"/groups/{gid}/cases", data={"contribution_id": str(posts[1]["id"])})
    [case] = ops.cases.in_group(db, gid)
    assert case["organization"] == "Psyk"


def test_the_console_offers_the_case_story_control_and_the_new_downloads(
    client, facilitator, live_meeting
):
    log_in(client, facilitator)
    page = client.get(f"/meetings/{live_meeting['id']}").get_data(as_text=True)
    assert 'data-testid="case-story-form"' in page
    assert f"/api/v1/meetings/{live_meeting['id']}/log.xlsx" in page
    assert f"/api/v1/meetings/{live_meeting['id']}/participants.csv" in page
    config = page_config(page)
    assert config["casesUrl"] == f"/api/v1/groups/{live_meeting['group_id']}/cases"


@pytest.fixture
def guarded(tmp_path):
    """An app that checks CSRF tokens, as a real server does."""
    return create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "guarded"),
            "SECRET_KEY": "test",
            "PUBLIC_URL": "http://192.168.1.20:5000",
        }
    )


def test_a_browser_session_marks_a_case_only_with_the_pages_csrf_token(guarded):
    from helpers import PASSWORD

    database = guarded.extensions["pblapp.db"]
    user, _ = ops.accounts.create_user(database, "Handledare Hanna", "facilitator", PASSWORD)
    group = ops.groups.create(database, user["id"], {"name": "Basgrupp", "kind": "pbl"})
    meeting = ops.meetings.create(database, user["id"], group["id"], {})
    browser = guarded.test_client()
    login_page = browser.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page)
    browser.post(
        "/",
        data={
            "name": user["name"],
            "password": PASSWORD,
            **({"csrf_token": token.group(1)} if token else {}),
        },
    )
    console = browser.get(f"/meetings/{meeting['id']}").get_data(as_text=True)
    config = page_config(console)
    body = {"text": "Ett fall", "meeting_id": meeting["id"]}
    without = browser.post(config["casesUrl"], json=body)
    assert (without.status_code, error_code(without)) == (400, "csrf")
    with_token = browser.post(
        config["casesUrl"], json=body, headers={"X-CSRFToken": config["csrfToken"]}
    )
    assert with_token.status_code == 201
