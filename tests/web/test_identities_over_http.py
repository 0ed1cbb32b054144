"""Stable identities over the API: merging pseudonyms, attendance without a phone, and the
organisation, for the group's owner only; what the minutes and the exports then say."""

import csv
import io
import uuid

import pytest

from helpers import close_meeting, error_code, join, next_meeting
from pblapp import ops


def joined(client, join_code, name, organization="FK", **extra):
    answer = client.application.test_client().post(
        f"/j/{join_code}",
        json={"display_name": name, "organization": organization, "consent": True, **extra},
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def posted(db, token, text):
    attendance = ops.participation.attendance(db, token)
    ops.participation.post(db, attendance, {"client_id": str(uuid.uuid4()), "text": text})


@pytest.fixture
def two_phones(client, db, facilitator, live_meeting):
    """Anna posts as P01 at meeting 1 and, from a new phone, as P02 at meeting 2."""
    posted(db, joined(client, live_meeting["join_code"], "Anna")["token"], "Första mötet")
    close_meeting(client, facilitator, live_meeting["id"])
    second = next_meeting(db, facilitator, live_meeting["group_id"])
    posted(db, joined(client, second["join_code"], "Anna ny telefon")["token"], "Andra mötet")
    close_meeting(client, facilitator, second["id"])
    return {"group_id": live_meeting["group_id"], "meetings": [live_meeting["id"], second["id"]]}


def test_the_owner_merges_two_pseudonyms_and_the_exports_and_minutes_follow(
    client, facilitator, two_phones
):
    gid, headers = two_phones["group_id"], facilitator["headers"]
    answer = client.post(
        f"/api/v1/groups/{gid}/participants/P02/merge", json={"into": "P01"}, headers=headers
    )
    assert answer.status_code == 200
    assert answer.get_json()["pseudonym"] == "P01"
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/api/v1/groups/{gid}/log.csv", headers=headers).get_data(as_text=True)
            )
        )
    )
    assert [(r["pseudonym"], r["text"]) for r in rows] == [
        ("P01", "Första mötet"),
        ("P01", "Andra mötet"),
    ]
    minutes = client.get(
        f"/api/v1/meetings/{two_phones['meetings'][1]}/minutes.md", headers=headers
    ).get_data(as_text=True)
    assert "P01" in minutes and "P02" not in minutes
    listed = client.get(f"/api/v1/groups/{gid}/participants", headers=headers).get_json()
    assert [(p["pseudonym"], p["merged_into"]) for p in listed] == [("P01", None), ("P02", "P01")]


@pytest.mark.parametrize(
    "path, body, status, code",
    [
        ("P09/merge", {"into": "P01"}, 404, "participant_not_found"),
        ("P02/merge", {"into": "P09"}, 404, "participant_not_found"),
        ("P02/merge", {"into": "P02"}, 400, "merge_into_itself"),
        ("P02/merge", {}, 400, "missing_field"),
        ("P02/merge", {"into": "P01", "why": "x"}, 400, "unknown_field"),
        ("P02/merge", "P01", 400, "invalid_json"),
    ],
)
def test_a_merge_that_cannot_be_done_is_refused_with_a_code(
    client, facilitator, two_phones, path, body, status, code
):
    answer = client.post(
        f"/api/v1/groups/{two_phones['group_id']}/participants/{path}",
        json=body,
        headers=facilitator["headers"],
    )
    assert (answer.status_code, error_code(answer)) == (status, code)


def test_a_pseudonym_that_was_merged_cannot_be_merged_again(client, facilitator, two_phones):
    url = f"/api/v1/groups/{two_phones['group_id']}/participants"
    headers = facilitator["headers"]
    client.post(f"{url}/P02/merge", json={"into": "P01"}, headers=headers)
    again = client.post(f"{url}/P02/merge", json={"into": "P01"}, headers=headers)
    assert (again.status_code, error_code(again)) == (409, "participant_merged")
    into = client.post(f"{url}/P01/merge", json={"into": "P02"}, headers=headers)
    assert (into.status_code, error_code(into)) == (409, "into_is_merged")


def test_identities_are_the_owners_only(client, db, researcher, two_phones, live_meeting):
    gid, mid = two_phones["group_id"], live_meeting["id"]
    ops.groups.grant(db, gid, researcher["id"])
    headers = researcher["headers"]
    for method, url, body in (
        ("post", f"/api/v1/groups/{gid}/participants/P02/merge", {"into": "P01"}),
        ("patch", f"/api/v1/groups/{gid}/participants/P01", {"organization": "AF"}),
        ("post", f"/api/v1/meetings/{mid}/attendance", {"pseudonym": "P01"}),
    ):
        answer = getattr(client, method)(url, json=body, headers=headers)
        assert (answer.status_code, error_code(answer)) == (403, "forbidden"), url
    answer = client.get(f"/api/v1/groups/{gid}/participants", headers=headers)
    assert (answer.status_code, error_code(answer)) == (403, "not_owner")


def test_the_owner_adds_someone_without_a_phone_to_the_attendance(
    client, db, facilitator, live_meeting
):
    mid, headers = live_meeting["id"], facilitator["headers"]
    joined(client, live_meeting["join_code"], "Anna")
    answer = client.post(
        f"/api/v1/meetings/{mid}/attendance",
        json={"display_name": "Bo utan telefon", "organization": "AF"},
        headers=headers,
    )
    assert answer.status_code == 201
    assert answer.get_json() == {
        "pseudonym": "P02",
        "display_name": "Bo utan telefon",
        "organization": "AF",
        "merged_into": None,
    }
    assert client.get(f"/api/v1/meetings/{mid}", headers=headers).get_json()["participants"] == 2
    again = client.post(
        f"/api/v1/meetings/{mid}/attendance", json={"pseudonym": "P02"}, headers=headers
    )
    assert (again.status_code, error_code(again)) == (409, "already_present")
    close_meeting(client, facilitator, mid)
    minutes = client.get(f"/api/v1/meetings/{mid}/minutes.md?lang=en", headers=headers)
    assert "P02" in minutes.get_data(as_text=True)
    second = next_meeting(db, facilitator, live_meeting["group_id"])
    answer = client.post(
        f"/api/v1/meetings/{second['id']}/attendance", json={"pseudonym": "P02"}, headers=headers
    )
    assert answer.status_code == 201 and answer.get_json()["pseudonym"] == "P02"
    log = client.get(f"/api/v1/groups/{live_meeting['group_id']}/log.jsonl", headers=headers)
    assert log.get_data(as_text=True).count('"type": "attendance.added"') == 2
    assert "Bo utan telefon" not in log.get_data(as_text=True)


def test_attendance_is_refused_for_a_meeting_one_cannot_see(client, db, live_meeting):
    user, token = ops.accounts.create_user(db, "Annan", "facilitator", "annat långt lösen")
    answer = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/attendance",
        json={"display_name": "X", "organization": "FK"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (answer.status_code, error_code(answer)) == (404, "meeting_not_found")


def test_the_owner_changes_a_participants_organisation(client, facilitator, two_phones):
    gid, headers = two_phones["group_id"], facilitator["headers"]
    answer = client.patch(
        f"/api/v1/groups/{gid}/participants/p01", json={"organization": "AF"}, headers=headers
    )
    assert answer.status_code == 200 and answer.get_json()["organization"] == "AF"
    text = client.get(f"/api/v1/groups/{gid}/log.csv", headers=headers).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["pseudonym"], r["organization"]) for r in rows] == [("P01", "AF"), ("P02", "FK")]
    wrong = client.patch(
        f"/api/v1/groups/{gid}/participants/P01", json={"organization": "NASA"}, headers=headers
    )
    assert (wrong.status_code, error_code(wrong)) == (400, "invalid_organization")
    missing = client.patch(
        f"/api/v1/groups/{gid}/participants/P07", json={"organization": "AF"}, headers=headers
    )
    assert (missing.status_code, error_code(missing)) == (404, "participant_not_found")


def test_a_phone_rejoins_with_its_token_and_keeps_its_organisation(
    client, db, facilitator, live_meeting
):
    first = joined(client, live_meeting["join_code"], "Anna", "RS")
    second = next_meeting(db, facilitator, live_meeting["group_id"])
    again = joined(client, second["join_code"], "Anna", "AF", token=first["token"])
    assert again["participant"] == {
        "pseudonym": "P01",
        "display_name": "Anna",
        "organization": "RS",
    }
    assert again["token"] != first["token"]
    # A plain JSON join is still a new participant.
    assert joined(client, second["join_code"], "Anna")["participant"]["pseudonym"] == "P02"
    assert join(client, second["join_code"], "Bo")["participant"]["pseudonym"] == "P03"
