"""Consent per attendance: the version of the text consented to, asking again after the
text changed, and every text kept for the archive."""

import uuid

import pytest

from helpers import join
from pblapp import ops
from pblapp.domain.errors import DomainError
from pblapp.domain.privacy import consent_version

FIRST = "Jag samtycker till att mina inlägg används i forskningen."
SECOND = "Jag samtycker till att mina inlägg och reaktioner används i forskningen."


def attend(db, client, meeting, name="Anna"):
    return ops.participation.attendance(db, join(client, meeting["join_code"], name)["token"])


def post(db, attendance, text="Vad innebär dag 180?"):
    return ops.participation.post(db, attendance, {"client_id": str(uuid.uuid4()), "text": text})


def change_consent_text(db, facilitator, live_meeting, text):
    ops.groups.update(db, facilitator["id"], live_meeting["group_id"], {"consent_text": text})


def test_each_attendance_keeps_when_and_which_version_was_consented_to(
    client, db, facilitator, live_meeting
):
    attend(db, client, live_meeting)
    [consent] = ops.privacy.consents(db, live_meeting["group_id"])
    assert consent["pseudonym"] == "P01" and consent["meeting_number"] == 1
    assert consent["consent_version"] == consent_version(FIRST)
    assert consent["consented_at"].endswith("Z")
    joined = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "participant.joined"
    ]
    assert joined[0]["data"]["consent_version"] == consent_version(FIRST)


def test_after_the_text_changes_a_participant_must_consent_again_before_posting(
    client, db, facilitator, live_meeting
):
    attendance = attend(db, client, live_meeting)
    post(db, attendance)
    change_consent_text(db, facilitator, live_meeting, SECOND)
    with pytest.raises(DomainError) as refused:
        post(db, attendance)
    assert refused.value.code == "consent_required" and refused.value.status == 403
    assert ops.consent.to_renew(db, attendance.id) == {
        "text": SECOND,
        "version": consent_version(SECOND),
    }
    # Consenting to the text as it was is refused: the participant did not read this one.
    with pytest.raises(DomainError) as outdated:
        ops.consent.give(
            db, attendance, {"consent": True, "consent_version": consent_version(FIRST)}
        )
    assert outdated.value.code == "consent_outdated"
    with pytest.raises(DomainError) as unticked:
        ops.consent.give(
            db, attendance, {"consent": False, "consent_version": consent_version(SECOND)}
        )
    assert unticked.value.code == "consent_required"
    ops.consent.give(db, attendance, {"consent": True, "consent_version": consent_version(SECOND)})
    assert ops.consent.to_renew(db, attendance.id) is None
    assert post(db, attendance)[1]
    consented = [
        e
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "participant.consented"
    ]
    assert [(e["actor"], e["data"]) for e in consented] == [
        ("P01", {"consent_version": consent_version(SECOND)})
    ]


def test_a_retry_of_a_post_stored_before_the_change_is_still_answered(
    client, db, facilitator, live_meeting
):
    attendance = attend(db, client, live_meeting)
    client_id = str(uuid.uuid4())
    ops.participation.post(db, attendance, {"client_id": client_id, "text": "Först"})
    change_consent_text(db, facilitator, live_meeting, SECOND)
    again, created = ops.participation.post(
        db, attendance, {"client_id": client_id, "text": "Först"}
    )
    assert not created and again["text"] == "Först"


def test_a_consent_text_added_later_is_asked_for_and_removing_it_asks_nothing(
    client, db, facilitator
):
    group = ops.groups.create(db, facilitator["id"], {"name": "Utan", "kind": "pbl"})
    meeting = ops.meetings.create(db, facilitator["id"], group["id"], {})
    ops.meetings.start(db, facilitator["id"], meeting["id"])
    attendance = attend(db, client, meeting)
    assert post(db, attendance)[1]
    ops.groups.update(db, facilitator["id"], group["id"], {"consent_text": FIRST})
    with pytest.raises(DomainError) as refused:
        post(db, attendance)
    assert refused.value.code == "consent_required"
    ops.groups.update(db, facilitator["id"], group["id"], {"consent_text": ""})
    assert post(db, attendance)[1]


def test_a_join_that_consents_to_an_outdated_text_is_refused(client, facilitator, live_meeting):
    answer = client.post(
        f"/j/{live_meeting['join_code']}",
        json={
            "display_name": "Anna",
            "organization": "FK",
            "consent": True,
            "consent_version": consent_version("Something else"),
        },
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "consent_outdated"


def test_every_consent_text_used_is_kept_once_with_when_it_was_first_used(
    client, db, facilitator, live_meeting
):
    first = attend(db, client, live_meeting, "Anna")
    attend(db, client, live_meeting, "Bo")
    change_consent_text(db, facilitator, live_meeting, SECOND)
    # A text no one consented to was not used.
    change_consent_text(db, facilitator, live_meeting, "Ett utkast")
    change_consent_text(db, facilitator, live_meeting, SECOND)
    ops.consent.give(db, first, {"consent": True, "consent_version": consent_version(SECOND)})
    texts = ops.privacy.consent_texts(db, live_meeting["group_id"])
    assert [(t["hash"], t["text"]) for t in texts] == [
        (consent_version(FIRST), FIRST),
        (consent_version(SECOND), SECOND),
    ]
    assert texts[0]["first_used_at"] <= texts[1]["first_used_at"]
    assert set(texts[0]) == {"hash", "text", "first_used_at"}
