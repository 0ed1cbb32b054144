"""Redaction, withdrawal, erasure, consent texts and the group's privacy fields over the
JSON API: who may, what it answers, and that a redacted text is nowhere any more."""

import json
import uuid
import zipfile
from pathlib import Path

import pytest

from helpers import PASSWORD, close_meeting, error_code, join, log_in, participant_socket, post
from pblapp import ops


def redact(client, who, meeting_id, contribution_id, body=None):
    return client.post(
        f"/api/v1/meetings/{meeting_id}/contributions/{contribution_id}/redact",
        json=body if body is not None else {},
        headers=who["headers"],
    )


def every_byte_under(folder: Path) -> list[tuple[str, bytes]]:
    """Each file under ``folder`` with its bytes; a Word file also with each part inside."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((str(path), data))
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                found += [(f"{path}:{name}", archive.read(name)) for name in archive.namelist()]
    return found


def files_holding(folder: Path, text: str) -> list[str]:
    needles = [text.encode("utf-8"), json.dumps(text).strip('"').encode("utf-8")]
    return [name for name, data in every_byte_under(folder) if any(n in data for n in needles)]


def test_a_redacted_text_is_in_no_file_of_the_data_directory_and_no_export(
    app, client, facilitator, live_meeting
):
    # No Markdown punctuation, which the minutes would escape.
    marker = f"Klienten heter Kalle {uuid.uuid4().hex}"
    phone = participant_socket(app, client, live_meeting["join_code"])
    contribution = post(phone, f"{marker}, 45 år", "meaning")["contribution"]
    for n in range(20):
        post(phone, f"Ett annat inlägg nummer {n} " * 10)
    ops.moderation.moderate(
        app.extensions["pblapp.db"],
        facilitator["id"],
        live_meeting["id"],
        {"id": contribution["id"], "carry_forward": True},
    )
    close_meeting(client, facilitator, live_meeting["id"])
    data_dir = Path(app.config["DATA_DIR"])
    # Before: in the database's files and in the minutes on disk.
    holding = files_holding(data_dir, marker)
    assert any("minutes.md" in name for name in holding)
    assert any("pblapp.sqlite3" in name for name in holding)

    answer = redact(client, facilitator, live_meeting["id"], contribution["id"])
    assert answer.status_code == 200
    assert answer.get_json()["text"] == "[redacted]"
    assert answer.get_json()["id"] == contribution["id"]
    assert files_holding(data_dir, marker) == []
    assert (data_dir / "pblapp.sqlite3-wal").stat().st_size == 0
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    for url in (
        f"/api/v1/groups/{gid}/log.csv",
        f"/api/v1/groups/{gid}/log.jsonl",
        f"/api/v1/meetings/{mid}/log.csv",
        f"/api/v1/meetings/{mid}/log.jsonl",
        f"/api/v1/meetings/{mid}/contributions",
        f"/api/v1/meetings/{mid}/followups",
        f"/api/v1/meetings/{mid}/minutes.md",
        f"/api/v1/meetings/{mid}/minutes.html",
    ):
        body = client.get(url, headers=facilitator["headers"]).get_data(as_text=True)
        assert marker not in body, url
    events = [
        json.loads(line)
        for line in client.get(f"/api/v1/groups/{gid}/log.jsonl", headers=facilitator["headers"])
        .get_data(as_text=True)
        .splitlines()
    ]
    added = [e for e in events if e["data"].get("contribution_id") == contribution["id"]]
    assert added[0]["type"] == "contribution.added"
    assert added[0]["data"]["text"] == "[redacted]"
    [redacted] = [e for e in events if e["type"] == "contribution.redacted"]
    assert redacted["actor"] == "facilitator" and redacted["at"]
    assert redacted["data"] == {
        "contribution_id": contribution["id"],
        "events_rewritten": 2,  # the post's, and the question made from it
        "user_id": facilitator["id"],
    }


def test_a_redaction_takes_the_owners_replacement_and_checks_it(
    client, app, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    contribution = post(phone, "Kalle Karlsson, 45 år")["contribution"]
    answer = redact(
        client,
        facilitator,
        live_meeting["id"],
        contribution["id"],
        {"replacement": "[namn borttaget] 45 år"},
    )
    assert answer.get_json()["text"] == "[namn borttaget] 45 år"
    for body, code in (
        ({"replacement": ""}, "replacement_empty"),
        ({"replacement": "x" * 201}, "replacement_too_long"),
        ({"replacement": 5}, "invalid_replacement"),
        ({"text": "x"}, "unknown_field"),
    ):
        refused = redact(client, facilitator, live_meeting["id"], contribution["id"], body)
        assert refused.status_code == 400 and error_code(refused) == code
    missing = redact(client, facilitator, live_meeting["id"], contribution["id"] + 99)
    assert missing.status_code == 404 and error_code(missing) == "contribution_not_found"


def test_only_the_owner_redacts_a_researcher_gets_403_and_a_stranger_404(
    app, client, facilitator, researcher, live_meeting
):
    db = app.extensions["pblapp.db"]
    phone = participant_socket(app, client, live_meeting["join_code"])
    contribution = post(phone, "Kalle Karlsson")["contribution"]
    ops.groups.grant(db, live_meeting["group_id"], researcher["id"])
    answer = redact(client, researcher, live_meeting["id"], contribution["id"])
    assert answer.status_code == 403 and error_code(answer) == "forbidden"
    _, token = ops.accounts.create_user(db, "Annan Handledare", "facilitator", PASSWORD)
    stranger = {"headers": {"Authorization": f"Bearer {token}"}}
    answer = redact(client, stranger, live_meeting["id"], contribution["id"])
    assert answer.status_code == 404
    unauthenticated = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{contribution['id']}/redact"
    )
    assert unauthenticated.status_code == 401
    assert ops.participation.contribution(db, contribution["id"])["text"] == "Kalle Karlsson"


def test_the_console_redacts_with_its_login_and_the_pages_csrf_header(
    app, client, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    contribution = post(phone, "Kalle Karlsson")["contribution"]
    log_in(client, facilitator)
    answer = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{contribution['id']}/redact",
        json={},
        headers={"X-CSRFToken": "checked when CSRF is on"},
    )
    assert answer.status_code == 200 and answer.get_json()["text"] == "[redacted]"
    page = client.get(f"/meetings/{live_meeting['id']}").get_data(as_text=True)
    assert 'data-testid="redact"' in page


def test_the_owner_records_a_withdrawal_and_erases_a_participant(
    app, client, facilitator, researcher, live_meeting
):
    gid = live_meeting["group_id"]
    join(client, live_meeting["join_code"], "Anna")
    join(client, live_meeting["join_code"], "Bo")
    url = f"/api/v1/groups/{gid}/participants"
    answer = client.post(f"{url}/P01/withdraw", headers=facilitator["headers"])
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["pseudonym"] == "P01" and body["withdrawn_at"] and body["erased_at"] is None
    assert body["withdrawal_policy"] == "delete"
    answer = client.post(f"{url}/P02/erase", headers=facilitator["headers"])
    assert answer.status_code == 200 and answer.get_json()["erased_at"]
    missing = client.post(f"{url}/P07/withdraw", headers=facilitator["headers"])
    assert missing.status_code == 404 and error_code(missing) == "participant_not_found"
    bad_body = client.post(f"{url}/P01/withdraw", json={"x": 1}, headers=facilitator["headers"])
    assert bad_body.status_code == 400 and error_code(bad_body) == "unknown_field"
    ops.groups.grant(app.extensions["pblapp.db"], gid, researcher["id"])
    refused = client.post(f"{url}/P01/erase", headers=researcher["headers"])
    assert refused.status_code == 403


def test_consent_texts_and_consents_are_read_by_those_who_see_the_group(
    app, client, facilitator, researcher, live_meeting
):
    gid = live_meeting["group_id"]
    join(client, live_meeting["join_code"], "Anna")
    assert (
        client.get(f"/api/v1/groups/{gid}/consent-texts", headers=researcher["headers"]).status_code
        == 404
    )
    ops.groups.grant(app.extensions["pblapp.db"], gid, researcher["id"])
    texts = client.get(f"/api/v1/groups/{gid}/consent-texts", headers=researcher["headers"])
    assert [t["text"] for t in texts.get_json()] == [live_meeting["group"]["consent_text"]]
    consents = client.get(f"/api/v1/groups/{gid}/consents", headers=researcher["headers"])
    [consent] = consents.get_json()
    assert (
        consent["pseudonym"] == "P01" and consent["consent_version"] == texts.get_json()[0]["hash"]
    )
    assert "display_name" not in consent


def test_the_group_takes_retention_days_and_a_withdrawal_policy(client, facilitator):
    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={
            "name": "G",
            "kind": "pbl",
            "retention_days": 365,
            "withdrawal_policy": "keep_for_minutes",
        },
        headers=headers,
    ).get_json()
    assert (group["retention_days"], group["withdrawal_policy"]) == (365, "keep_for_minutes")
    plain = client.post("/api/v1/groups", json={"name": "H", "kind": "pbl"}, headers=headers)
    assert (plain.get_json()["retention_days"], plain.get_json()["withdrawal_policy"]) == (
        None,
        "delete",
    )
    changed = client.patch(
        f"/api/v1/groups/{group['id']}", json={"retention_days": None}, headers=headers
    ).get_json()
    assert changed["retention_days"] is None and changed["withdrawal_policy"] == "keep_for_minutes"
    for body, code in (
        ({"retention_days": -1}, "invalid_retention_days"),
        ({"retention_days": "30"}, "invalid_retention_days"),
        ({"retention_days": 36501}, "invalid_retention_days"),
        ({"withdrawal_policy": "forget"}, "invalid_withdrawal_policy"),
    ):
        answer = client.patch(f"/api/v1/groups/{group['id']}", json=body, headers=headers)
        assert answer.status_code == 400 and error_code(answer) == code
    events = client.get(f"/api/v1/groups/{group['id']}/log.jsonl", headers=headers).get_data(
        as_text=True
    )
    updated = [json.loads(line) for line in events.splitlines() if '"group.updated"' in line]
    assert updated[0]["data"]["changes"] == {"retention_days": {"old": 365, "new": None}}


@pytest.mark.parametrize("policy", ["delete", "keep_for_minutes"])
def test_the_group_form_sets_retention_and_the_policy(client, facilitator, policy):
    log_in(client, facilitator)
    client.post(
        "/groups",
        data={
            "name": "Formgrupp",
            "kind": "pbl",
            "organizations": "FK Försäkringskassan",
            "retention_days": "90",
            "withdrawal_policy": policy,
        },
    )
    [group] = client.get("/api/v1/groups", headers=facilitator["headers"]).get_json()
    assert (group["retention_days"], group["withdrawal_policy"]) == (90, policy)
    page = client.get(f"/groups/{group['id']}").get_data(as_text=True)
    assert 'data-testid="retention-days"' in page and 'value="90"' in page
    client.post(
        f"/groups/{group['id']}/edit",
        data={
            "name": "Formgrupp",
            "organizations": "FK Försäkringskassan",
            "retention_days": "",
            "withdrawal_policy": "delete",
        },
    )
    [group] = client.get("/api/v1/groups", headers=facilitator["headers"]).get_json()
    assert (group["retention_days"], group["withdrawal_policy"]) == (None, "delete")


def test_the_join_form_consents_to_the_text_it_showed_not_to_a_newer_one(
    client, facilitator, live_meeting
):
    page = client.get(f"/j/{live_meeting['join_code']}").get_data(as_text=True)
    shown = page.split('name="consent_version" value="')[1].split('"')[0]
    client.patch(
        f"/api/v1/groups/{live_meeting['group_id']}",
        json={"consent_text": "En ny text som deltagaren aldrig såg."},
        headers=facilitator["headers"],
    )
    answer = client.post(
        f"/j/{live_meeting['join_code']}",
        data={
            "display_name": "Anna",
            "organization": "FK",
            "consent": "on",
            "consent_version": shown,
        },
    )
    assert answer.status_code == 409
    state = client.get(
        f"/api/v1/meetings/{live_meeting['id']}", headers=facilitator["headers"]
    ).get_json()
    assert state["participants"] == 0  # no consent was recorded for a text she never saw


def test_a_retention_that_is_no_number_is_refused_on_the_form_not_a_server_error(
    client, facilitator
):
    log_in(client, facilitator)
    answer = client.post("/groups", data={"name": "Basgrupp", "kind": "pbl", "retention_days": "²"})
    assert answer.status_code == 400
