"""Granting a researcher a group, taking it back, and the audit log of those changes and of
downloads: only the owner, only researchers, logged in the research log and the audit log."""

import sqlite3

import pytest

from helpers import PASSWORD
from pblapp import ops
from pblapp.domain import access
from pblapp.domain.errors import DomainError


@pytest.fixture
def group(db, facilitator):
    return ops.groups.create(db, facilitator["id"], {"name": "Basgrupp", "kind": "pbl"})


def events_of(db, group_id, *types):
    return [e for e in ops.records.events(db, group_id=group_id) if e["type"] in types]


def test_only_a_group_owner_manages_it_never_a_user_it_was_granted_to():
    assert access.may_manage("facilitator", 7, 7)
    assert not access.may_manage("facilitator", 8, 7)
    assert not access.may_manage("researcher", 7, 7)
    assert not access.may_manage(None, 7, 7)


def test_owned_group_says_not_found_to_strangers_and_forbidden_to_granted_users(
    db, facilitator, researcher, group
):
    assert ops.lookup.owned_group(db, facilitator["id"], group["id"]) == group
    with pytest.raises(DomainError) as caught:
        ops.lookup.owned_group(db, researcher["id"], group["id"])
    assert caught.value.status == 404
    ops.groups.grant(db, group["id"], researcher["id"])
    with pytest.raises(DomainError) as caught:
        ops.lookup.owned_group(db, researcher["id"], group["id"])
    assert (caught.value.status, caught.value.code) == (403, "not_owner")


def test_a_grant_and_a_revocation_are_logged_and_audited(db, facilitator, researcher, group):
    by = {"id": facilitator["id"], "name": facilitator["name"]}
    grant, created = ops.groups.grant_by_name(
        db, group["id"], researcher["name"], by=by, path="/groups/1/grants"
    )
    assert created and grant["username"] == researcher["name"]
    assert [g["id"] for g in ops.lookup.groups(db, researcher["id"])] == [group["id"]]
    # Granting again changes nothing and records nothing.
    assert ops.groups.grant_by_name(db, group["id"], researcher["name"], by=by)[1] is False
    ops.groups.revoke_by_name(db, group["id"], researcher["name"], by=by, path="/x/revoke")
    assert ops.lookup.groups(db, researcher["id"]) == []
    logged = events_of(db, group["id"], "group.granted", "group.revoked")
    assert [(e["type"], e["actor"], e["data"]) for e in logged] == [
        ("group.granted", "facilitator", {"user_id": researcher["id"]}),
        ("group.revoked", "facilitator", {"user_id": researcher["id"]}),
    ]
    entries = ops.audit.entries(db, facilitator["id"], group["id"])
    assert [(e["user"], e["action"], e["path"], e["researcher"]) for e in entries] == [
        (facilitator["name"], "revoke", "/x/revoke", researcher["name"]),
        (facilitator["name"], "grant", "/groups/1/grants", researcher["name"]),
    ]
    assert all(e["at"].endswith("Z") for e in entries)


def test_the_command_line_grants_as_the_system(db, researcher, group):
    ops.groups.grant_by_name(db, group["id"], researcher["name"])
    assert events_of(db, group["id"], "group.granted")[0]["actor"] == "system"
    entry = db.query_one("SELECT username, path FROM audit_log")
    assert tuple(entry) == ("system", "run.py grant")


@pytest.mark.parametrize(
    "username, status, code",
    [
        ("Nobody", 404, "user_not_found"),
        ("Handledare Hanna", 400, "not_a_researcher"),
        ("", 400, "invalid_username"),
        (7, 400, "invalid_username"),
    ],
)
def test_access_goes_to_existing_researchers_only(db, facilitator, group, username, status, code):
    with pytest.raises(DomainError) as caught:
        ops.groups.grant_by_name(db, group["id"], username, by=facilitator)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert ops.groups.grants(db, group["id"]) == []
    assert db.query_one("SELECT COUNT(*) FROM audit_log")[0] == 0


def test_only_the_owner_grants_and_revokes(db, facilitator, researcher, group):
    other, _ = ops.accounts.create_user(db, "Annan", "facilitator", PASSWORD)
    with pytest.raises(DomainError) as caught:
        ops.groups.grant_by_name(db, group["id"], researcher["name"], by=other)
    assert caught.value.status == 404
    ops.groups.grant(db, group["id"], researcher["id"])
    second, _ = ops.accounts.create_user(db, "Rut", "researcher", PASSWORD)
    with pytest.raises(DomainError) as caught:
        ops.groups.grant_by_name(db, group["id"], "Rut", by=researcher)
    assert caught.value.code == "not_owner"
    with pytest.raises(DomainError) as caught:
        ops.groups.revoke_by_name(db, group["id"], researcher["name"], by=researcher)
    assert caught.value.code == "not_owner"
    assert [g["username"] for g in ops.groups.grants(db, group["id"])] == [researcher["name"]]


def test_revoking_access_that_was_never_given_is_refused(db, facilitator, researcher, group):
    with pytest.raises(DomainError) as caught:
        ops.groups.revoke_by_name(db, group["id"], researcher["name"], by=facilitator)
    assert (caught.value.status, caught.value.code) == (404, "grant_not_found")


def test_downloads_are_audited_newest_first_and_only_the_owner_reads_them(
    db, facilitator, researcher, group
):
    ops.groups.grant(db, group["id"], researcher["id"])
    ops.audit.record_download(db, group["id"], researcher, "/api/v1/groups/1/log.csv")
    ops.audit.record_download(db, group["id"], facilitator, "/api/v1/groups/1/log.jsonl")
    entries = ops.audit.entries(db, facilitator["id"], group["id"])
    assert [(e["user"], e["action"], e["path"]) for e in entries[:2]] == [
        (facilitator["name"], "download", "/api/v1/groups/1/log.jsonl"),
        (researcher["name"], "download", "/api/v1/groups/1/log.csv"),
    ]
    assert set(entries[0]) == {"at", "user", "action", "path", "researcher"}
    # Downloads are not research data: the event log does not hold them.
    assert not [e for e in ops.records.events(db, group_id=group["id"]) if "path" in e["data"]]
    with pytest.raises(DomainError) as caught:
        ops.audit.entries(db, researcher["id"], group["id"])
    assert caught.value.status == 403


def test_the_audit_log_cannot_be_rewritten(db, facilitator, group):
    ops.audit.record_download(db, group["id"], facilitator, "/api/v1/groups/1/log.csv")
    for statement in ("UPDATE audit_log SET username = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.change(lambda change, sql=statement: change.db.execute(sql))
    assert db.query_one("SELECT COUNT(*) FROM audit_log")[0] == 1
