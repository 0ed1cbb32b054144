"""Stable identities: merging two pseudonyms of one person, rejoining with an earlier
participant token, attendance without a phone, and the organisation fixed per group."""

import uuid

import pytest

from helpers import next_meeting
from pblapp import ops
from pblapp.domain.errors import DomainError
from pblapp.ops import reactions, selfeval
from pblapp.ops.identities import PARTICIPANT_COLUMNS


def phone(client, join_code, name, organization="FK", **extra):
    """A phone of its own (a JSON client) joins; returns its attendance and its answer."""
    answer = client.application.test_client().post(
        f"/j/{join_code}",
        json={"display_name": name, "organization": organization, "consent": True, **extra},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    db = client.application.extensions["pblapp.db"]
    return ops.participation.attendance(db, body["token"]), body


def post(db, attendance, text):
    return ops.participation.post(db, attendance, {"client_id": str(uuid.uuid4()), "text": text})[0]


def react(db, attendance, contribution):
    reactions.set_reaction(db, attendance, {"contribution_id": contribution["id"], "kind": "agree"})


def answer(db, attendance, value):
    selfeval.answer(db, attendance, {"answers": {"safe_to_disagree": value}})


def owners(db, table, meeting_id):
    """Who the rows of ``table`` in a meeting belong to, by pseudonym (reading only)."""
    return sorted(
        row[0]
        for row in db.query(
            f"SELECT p.pseudonym FROM {table} t JOIN participants p ON p.id = t.participant_id "
            "WHERE t.meeting_id = ?",
            [meeting_id],
        )
    )


@pytest.fixture
def new_phone(client, db, facilitator, live_meeting):
    """Anna (P01) and Bo (P02) in meeting 1; Anna comes to meeting 2 with a new phone and is
    P03 there. Both meetings closed. Each posts, reacts to the other and answers."""
    gid, first = live_meeting["group_id"], live_meeting
    selfeval.open_(db, facilitator["id"], first["id"])
    anna, anna_answer = phone(client, first["join_code"], "Anna Andersson")
    bo, _ = phone(client, first["join_code"], "Bo Berg", "AF")
    annas = post(db, anna, "Vad innebär dag 180?")
    bos = post(db, bo, "Varför infördes gränsen?")
    react(db, bo, annas)
    answer(db, anna, 4)
    ops.meetings.close(db, facilitator["id"], first["id"])
    second = next_meeting(db, facilitator, gid)
    selfeval.open_(db, facilitator["id"], second["id"])
    new, new_answer = phone(client, second["join_code"], "Anna A.")
    later = post(db, new, "Hur samverkar vi?")
    answer(db, new, 5)
    ops.meetings.close(db, facilitator["id"], second["id"])
    assert (anna.pseudonym, bo.pseudonym, new.pseudonym) == ("P01", "P02", "P03")
    return {
        "group_id": gid,
        "first": first,
        "second": second,
        "anna_token": anna_answer["token"],
        "new_token": new_answer["token"],
        "posts": (annas, bos, later),
    }


def test_a_merged_pseudonym_counts_as_the_other_in_every_table_and_export(
    db, facilitator, new_phone
):
    gid, second = new_phone["group_id"], new_phone["second"]
    merged = ops.identities.merge(db, facilitator["id"], gid, "p03", {"into": "P01"})
    assert merged == {
        "pseudonym": "P01",
        "display_name": "Anna Andersson",
        "organization": "FK",
        "merged_into": None,
    }
    rows = ops.records.export_rows(db, group_id=gid)
    assert [(r["pseudonym"], r["text"]) for r in rows] == [
        ("P01", "Vad innebär dag 180?"),
        ("P02", "Varför infördes gränsen?"),
        ("P01", "Hur samverkar vi?"),
    ]
    assert ops.records.meeting_facts(db, second["id"])["attendance"] == [("FK", "P01")]
    assert owners(db, "self_evaluation_answers", second["id"]) == ["P01"]
    assert owners(db, "attendances", second["id"]) == ["P01"]
    listed = ops.identities.participants(db, facilitator["id"], gid)
    assert [(p["pseudonym"], p["merged_into"]) for p in listed] == [
        ("P01", None),
        ("P02", None),
        ("P03", "P01"),
    ]
    assert ops.identities.merged_pseudonyms(db, gid) == {"P03": "P01"}


def test_a_merge_is_logged_keeps_the_log_as_recorded_and_recomputes_closed_meetings(
    db, facilitator, new_phone
):
    gid, second = new_phone["group_id"], new_phone["second"]
    before = ops.records.events(db, group_id=gid)
    ops.identities.merge(db, facilitator["id"], gid, "P03", {"into": "P01"})
    after = ops.records.events(db, group_id=gid)
    assert after[: len(before)] == before
    added = after[len(before) :]
    merged = [e for e in added if e["type"] == "participant.merged"]
    assert [(e["actor"], e["data"]["pseudonym"], e["data"]["into"]) for e in merged] == [
        ("facilitator", "P03", "P01")
    ]
    assert merged[0]["data"]["meeting_ids"] == [second["id"]]
    assert [e["meeting_id"] for e in added if e["type"] == "phase.suggested"] == [second["id"]]


def test_a_merge_keeps_one_of_each_row_that_exists_once_per_person(
    client, db, facilitator, live_meeting
):
    """Both phones at one meeting: one attendance, the later answer, and no reaction to
    one's own post."""
    old, old_answer = phone(client, live_meeting["join_code"], "Anna")
    new, _ = phone(client, live_meeting["join_code"], "Anna igen")
    selfeval.open_(db, facilitator["id"], live_meeting["id"])
    annas = post(db, old, "Första")
    react(db, new, annas)
    answer(db, old, 2)
    answer(db, new, 5)
    ops.meetings.close(db, facilitator["id"], live_meeting["id"])
    ops.identities.merge(db, facilitator["id"], live_meeting["group_id"], "P02", {"into": "P01"})
    assert owners(db, "attendances", live_meeting["id"]) == ["P01"]
    assert owners(db, "reactions", live_meeting["id"]) == []
    assert reactions.counts(db, annas["id"])["agree"] == 0
    kept = db.query_one("SELECT answers FROM self_evaluation_answers")
    assert kept["answers"] == '{"safe_to_disagree": 5}'
    # The old phone's token still names its attendance, now P01's.
    assert ops.participation.attendance(db, old_answer["token"]).pseudonym == "P01"


@pytest.mark.parametrize(
    "source, into, status, code",
    [
        ("P09", "P01", 404, "participant_not_found"),
        ("P03", "P09", 404, "participant_not_found"),
        ("P03", "p03", 400, "merge_into_itself"),
        ("P03", 7, 400, "invalid_into"),
    ],
)
def test_a_merge_of_unknown_or_identical_pseudonyms_is_refused(
    db, facilitator, new_phone, source, into, status, code
):
    with pytest.raises(DomainError) as caught:
        ops.identities.merge(db, facilitator["id"], new_phone["group_id"], source, {"into": into})
    assert (caught.value.status, caught.value.code) == (status, code)


def test_a_merged_pseudonym_is_neither_merged_again_nor_merged_into(db, facilitator, new_phone):
    gid = new_phone["group_id"]
    ops.identities.merge(db, facilitator["id"], gid, "P03", {"into": "P01"})
    for source, into, code in (
        ("P03", "P02", "participant_merged"),
        ("P02", "P03", "into_is_merged"),
    ):
        with pytest.raises(DomainError) as caught:
            ops.identities.merge(db, facilitator["id"], gid, source, {"into": into})
        assert (caught.value.status, caught.value.code) == (409, code)


def test_a_phone_in_a_meeting_that_has_not_closed_is_merged_after_it(
    client, db, facilitator, live_meeting
):
    phone(client, live_meeting["join_code"], "Anna")
    phone(client, live_meeting["join_code"], "Anna igen")
    with pytest.raises(DomainError) as caught:
        ops.identities.merge(
            db, facilitator["id"], live_meeting["group_id"], "P02", {"into": "P01"}
        )
    assert (caught.value.status, caught.value.code) == (409, "participant_in_open_meeting")


def test_only_the_owner_merges(db, researcher, new_phone):
    ops.groups.grant(db, new_phone["group_id"], researcher["id"])
    with pytest.raises(DomainError) as caught:
        ops.identities.merge(db, researcher["id"], new_phone["group_id"], "P03", {"into": "P01"})
    assert caught.value.code == "not_owner"


def test_rejoining_with_a_merged_pseudonyms_token_is_the_pseudonym_it_was_merged_into(
    client, db, facilitator, new_phone
):
    ops.identities.merge(db, facilitator["id"], new_phone["group_id"], "P03", {"into": "P01"})
    third = next_meeting(db, facilitator, new_phone["group_id"])
    _, body = phone(client, third["join_code"], "Anna", token=new_phone["new_token"])
    assert body["participant"]["pseudonym"] == "P01"


# -- rejoining with a token -------------------------------------------------------------


def test_a_json_client_rejoins_a_later_meeting_with_its_earlier_token(
    client, db, facilitator, live_meeting
):
    first, body = phone(client, live_meeting["join_code"], "Anna")
    second = next_meeting(db, facilitator, live_meeting["group_id"])
    again, answer_ = phone(client, second["join_code"], "Anna", "AF", token=body["token"])
    assert (again.pseudonym, again.participant_id) == (first.pseudonym, first.participant_id)
    # The organisation stays the one of the first join.
    assert answer_["participant"]["organization"] == "FK" and again.organization == "FK"
    joined = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "participant.joined"
    ]
    assert [(e["actor"], e["data"]["rejoined"]) for e in joined] == [("P01", False), ("P01", True)]


def test_a_rejoin_may_leave_out_the_name_and_the_organisation(
    client, db, facilitator, live_meeting
):
    _, body = phone(client, live_meeting["join_code"], "Anna")
    second = next_meeting(db, facilitator, live_meeting["group_id"])
    answer_ = client.post(
        f"/j/{second['join_code']}", json={"token": body["token"], "consent": True}
    ).get_json()
    assert answer_["participant"] == {
        "pseudonym": "P01",
        "display_name": "Anna",
        "organization": "FK",
    }


@pytest.mark.parametrize(
    "token, code",
    [("not-a-token", "unknown_participant_token"), ("", "invalid_token"), (7, "invalid_token")],
)
def test_a_rejoin_with_a_token_that_names_no_participant_is_refused(
    client, db, live_meeting, token, code
):
    answer_ = client.post(
        f"/j/{live_meeting['join_code']}",
        json={"token": token, "display_name": "A", "organization": "FK", "consent": True},
    )
    assert (answer_.status_code, answer_.get_json()["error"]["code"]) == (400, code)
    assert db.query_one("SELECT COUNT(*) FROM participants")[0] == 0


def test_another_groups_token_does_not_rejoin(client, db, facilitator, live_meeting):
    _, body = phone(client, live_meeting["join_code"], "Anna")
    other = ops.groups.create(db, facilitator["id"], {"name": "Annan", "kind": "pbl"})
    meeting = ops.meetings.create(db, facilitator["id"], other["id"], {})
    answer_ = client.post(
        f"/j/{meeting['join_code']}",
        json={"token": body["token"], "display_name": "A", "organization": "FK"},
    )
    assert answer_.get_json()["error"]["code"] == "unknown_participant_token"


# -- attendance without a phone ---------------------------------------------------------


def test_someone_without_a_phone_is_present_like_anyone(client, db, facilitator, live_meeting):
    mid, gid = live_meeting["id"], live_meeting["group_id"]
    phone(client, live_meeting["join_code"], "Anna")
    added = ops.identities.add_attendance(
        db, facilitator["id"], mid, {"display_name": "Örjan Öberg", "organization": "AF"}
    )
    assert added == {
        "pseudonym": "P02",
        "display_name": "Örjan Öberg",
        "organization": "AF",
        "merged_into": None,
    }
    assert ops.records.meeting_facts(db, mid)["attendance"] == [("FK", "P01"), ("AF", "P02")]
    assert ops.meetings.state(db, mid)["participants_by_organization"] == {"FK": 1, "AF": 1}
    event = ops.records.events(db, group_id=gid)[-1]
    assert (event["type"], event["actor"], event["meeting_id"]) == (
        "attendance.added",
        "facilitator",
        mid,
    )
    assert event["data"] == {
        "pseudonym": "P02",
        "organization": "AF",
        "consent": False,
        "new_participant": True,
    }
    # At the next meeting, by pseudonym: the same participant.
    second = next_meeting(db, facilitator, gid)
    again = ops.identities.add_attendance(db, facilitator["id"], second["id"], {"pseudonym": "p02"})
    assert again["pseudonym"] == "P02" and again["organization"] == "AF"
    assert ops.records.meeting_facts(db, second["id"])["attendance"] == [("AF", "P02")]


def test_attendance_added_to_a_closed_meeting_recomputes_its_phase(
    client, db, facilitator, live_meeting
):
    ops.meetings.close(db, facilitator["id"], live_meeting["id"])
    ops.identities.add_attendance(
        db, facilitator["id"], live_meeting["id"], {"display_name": "Bo", "organization": "AF"}
    )
    last = ops.records.events(db, group_id=live_meeting["group_id"])[-1]
    assert last["type"] == "phase.suggested"


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"pseudonym": "P01"}, 409, "already_present"),
        ({"pseudonym": "P07"}, 404, "participant_not_found"),
        ({"display_name": "Bo", "organization": "NASA"}, 400, "invalid_organization"),
        ({"display_name": "", "organization": "FK"}, 400, "display_name_empty"),
        ({"pseudonym": "P01", "display_name": "Bo"}, 400, "unknown_field"),
        ({"pseudonym": "P01", "consent": "ja"}, 400, "invalid_consent"),
        ([], 400, "invalid_payload"),
    ],
)
def test_attendance_without_a_phone_refuses_what_it_cannot_record(
    client, db, facilitator, live_meeting, payload, status, code
):
    phone(client, live_meeting["join_code"], "Anna")
    with pytest.raises(DomainError) as caught:
        ops.identities.add_attendance(db, facilitator["id"], live_meeting["id"], payload)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_consent_given_on_paper_is_kept_with_the_consent_texts_version(
    db, facilitator, live_meeting
):
    gid = live_meeting["group_id"]
    ops.identities.add_attendance(
        db,
        facilitator["id"],
        live_meeting["id"],
        {"display_name": "Bo", "organization": "AF", "consent": True},
    )
    [kept] = ops.privacy.consents(db, gid)
    assert kept["pseudonym"] == "P01" and kept["consent_version"]
    assert kept["consent_version"] == ops.privacy.consent_texts(db, gid)[0]["hash"]


def test_someone_who_withdrew_is_not_recorded_as_present_again(
    client, db, facilitator, live_meeting
):
    gid = live_meeting["group_id"]
    phone(client, live_meeting["join_code"], "Anna")
    phone(client, live_meeting["join_code"], "Anna igen")
    ops.privacy.withdraw(db, facilitator["id"], gid, "P01")
    ops.meetings.close(db, facilitator["id"], live_meeting["id"])
    second = next_meeting(db, facilitator, gid)
    with pytest.raises(DomainError) as caught:
        ops.identities.add_attendance(db, facilitator["id"], second["id"], {"pseudonym": "P01"})
    assert (caught.value.status, caught.value.code) == (403, "participant_withdrawn")
    with pytest.raises(DomainError) as caught:
        ops.identities.merge(db, facilitator["id"], gid, "P02", {"into": "P01"})
    assert (caught.value.status, caught.value.code) == (409, "withdrawal_mismatch")


def test_attendance_is_recorded_once_a_meeting_started(db, facilitator, live_meeting):
    planned = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    with pytest.raises(DomainError) as caught:
        ops.identities.add_attendance(
            db, facilitator["id"], planned["id"], {"display_name": "Bo", "organization": "FK"}
        )
    assert caught.value.code == "meeting_not_started"


# -- the organisation -----------------------------------------------------------------


def test_a_browser_that_returns_keeps_its_first_organisation(client, db, facilitator, live_meeting):
    form = {"display_name": "Anna", "organization": "FK", "consent": "on"}
    client.post(f"/j/{live_meeting['join_code']}", data=form)
    second = next_meeting(db, facilitator, live_meeting["group_id"])
    client.post(f"/j/{second['join_code']}", data={**form, "organization": "AF"})
    assert ops.records.meeting_facts(db, second["id"])["attendance"] == [("FK", "P01")]
    assert ops.meetings.state(db, second["id"])["participants_by_organization"] == {"FK": 1}


def test_the_owner_corrects_an_organisation_everywhere_and_it_is_logged(
    client, db, facilitator, live_meeting
):
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    anna, first = phone(client, live_meeting["join_code"], "Anna")
    post(db, anna, "Inlägg")
    ops.meetings.close(db, facilitator["id"], mid)
    changed = ops.identities.update(db, facilitator["id"], gid, "P01", {"organization": "AF"})
    assert changed["organization"] == "AF"
    assert [r["organization"] for r in ops.records.export_rows(db, group_id=gid)] == ["AF"]
    assert ops.records.meeting_facts(db, mid)["attendance"] == [("AF", "P01")]
    events = ops.records.events(db, group_id=gid)
    updated = [e for e in events if e["type"] == "participant.updated"]
    assert updated[0]["data"] == {
        "pseudonym": "P01",
        "changes": {"organization": {"old": "FK", "new": "AF"}},
    }
    assert events[-1]["type"] == "phase.suggested"
    # Later joins keep the corrected one.
    second = next_meeting(db, facilitator, gid)
    again, _ = phone(client, second["join_code"], "Anna", "FK", token=first["token"])
    assert again.organization == "AF"


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"organization": "NASA"}, "invalid_organization"),
        ({"organisation": "AF"}, "unknown_field"),
        ({}, "missing_field"),
    ],
)
def test_an_organisation_change_takes_one_of_the_groups_codes(
    client, db, facilitator, live_meeting, payload, code
):
    phone(client, live_meeting["join_code"], "Anna")
    with pytest.raises(DomainError) as caught:
        ops.identities.update(db, facilitator["id"], live_meeting["group_id"], "P01", payload)
    assert (caught.value.status, caught.value.code) == (400, code)


def test_an_organisation_is_changed_after_the_meeting_the_phone_is_in(
    client, db, facilitator, live_meeting
):
    phone(client, live_meeting["join_code"], "Anna")
    with pytest.raises(DomainError) as caught:
        ops.identities.update(
            db, facilitator["id"], live_meeting["group_id"], "P01", {"organization": "AF"}
        )
    assert caught.value.code == "participant_in_open_meeting"


def test_every_column_that_names_a_participant_is_moved_by_a_merge(db):
    """A new table that refers to participants must be added to PARTICIPANT_COLUMNS, or a
    merge would leave its rows with the merged pseudonym."""
    found = set()
    for (table,) in db.query("SELECT name FROM sqlite_master WHERE type = 'table'"):
        foreign = {
            row["from"]
            for row in db.query(f"PRAGMA foreign_key_list('{table}')")
            if row["table"] == "participants"
        }
        for column in db.query(f"PRAGMA table_info('{table}')"):
            name = column["name"]
            if name in foreign or name == "participant_id" or name.endswith("_participant_id"):
                found.add((table, name))
    assert found - {("participants", "merged_into_id")} <= PARTICIPANT_COLUMNS
    assert PARTICIPANT_COLUMNS <= found
