"""Every limit on what comes from outside, as in INTERFACE.md and docs/protocol.md."""

import uuid

import pytest

from pblapp.domain import validation
from pblapp.domain.errors import DomainError
from pblapp.domain.secrets import JOIN_CODE_ALPHABET, new_join_code, normalize_join_code


def post(**overrides):
    return {
        "client_id": str(uuid.uuid4()),
        "text": "Vad innebär dag 180?",
        "qtype": None,
        **overrides,
    }


def refused(fn, payload, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        fn(payload, **kwargs)
    return caught.value.code


def test_text_is_trimmed_and_may_be_2000_characters():
    assert validation.new_contribution(post(text="  hej \n"))["text"] == "hej"
    assert len(validation.new_contribution(post(text="å" * 2000))["text"]) == 2000


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (post(text=""), "text_empty"),
        (post(text="   \n\t "), "text_empty"),
        (post(text="x" * 2001), "text_too_long"),
        (post(text=5), "invalid_text"),
        (post(text="a\x00b"), "invalid_text"),
        (post(qtype="opinion"), "invalid_qtype"),
        (post(client_id="not-a-uuid"), "invalid_client_id"),
        (post(client_id=123), "invalid_client_id"),
        ({"text": "hej", "qtype": None}, "missing_client_id"),
        (post(extra=1), "unknown_field"),
        ("just a string", "invalid_payload"),
        ({"client_id": str(uuid.uuid4())}, "missing_field"),
    ],
)
def test_a_bad_post_is_refused_with_a_code(payload, code):
    assert refused(validation.new_contribution, payload) == code


def test_every_question_type_key_and_null_are_accepted():
    for key in ("encyclopedic", "meaning", "relational", "value", "solution", None):
        assert validation.new_contribution(post(qtype=key))["qtype"] == key


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"id": 1}, "nothing_to_change"),
        ({"id": 1, "hidden": "yes"}, "invalid_hidden"),
        ({"id": 1, "carry_forward": 1}, "invalid_carry_forward"),
        ({"id": "1", "hidden": True}, "invalid_id"),
        ({"id": 1, "text": "rewritten"}, "unknown_field"),
        ({"hidden": True}, "missing_field"),
    ],
)
def test_a_bad_update_is_refused_with_a_code(payload, code):
    assert refused(validation.contribution_update, payload) == code


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"name": "", "kind": "pbl"}, "name_empty"),
        ({"name": "x" * 121, "kind": "pbl"}, "name_too_long"),
        ({"name": "G", "kind": "team"}, "invalid_kind"),
        ({"name": "G", "kind": "pbl", "planned_meetings": 0}, "invalid_planned_meetings"),
        ({"name": "G", "kind": "pbl", "planned_meetings": 101}, "invalid_planned_meetings"),
        ({"name": "G", "kind": "pbl", "planned_meetings": True}, "invalid_planned_meetings"),
        ({"name": "G", "kind": "pbl", "consent_text": "x" * 5001}, "consent_text_too_long"),
        ({"name": "G", "kind": "pbl", "goals": "x" * 20001}, "goals_too_long"),
        ({"name": "G", "kind": "pbl", "organizations": []}, "invalid_organizations"),
        ({"name": "G", "kind": "pbl", "organizations": [{"code": "FK"}]}, "missing_field"),
        (
            {
                "name": "G",
                "kind": "pbl",
                "organizations": [{"code": "FK", "name": "a"}, {"code": "fk", "name": "b"}],
            },
            "duplicate_organization",
        ),
        (
            {"name": "G", "kind": "pbl", "organizations": [{"code": "F K", "name": "a"}]},
            "invalid_organization_code",
        ),
        ({"name": "G", "kind": "pbl", "owner": 2}, "unknown_field"),
    ],
)
def test_a_bad_group_is_refused_with_a_code(payload, code):
    assert refused(validation.new_group, payload) == code


def test_meeting_times_are_stored_in_utc():
    meeting = validation.new_meeting({"scheduled_at": "2026-03-02T13:00:00+01:00"})
    assert meeting["scheduled_at"] == "2026-03-02T12:00:00.000Z"
    assert refused(validation.new_meeting, {"scheduled_at": "next tuesday"}) == (
        "invalid_scheduled_at"
    )
    assert refused(validation.new_meeting, {"agenda": "scrum"}) == "invalid_agenda"


def test_joining_needs_consent_only_when_the_group_asks_for_it():
    form = {"display_name": "Anna", "organization": "FK"}
    assert validation.join(form, organization_codes=["FK"], consent_required=False)
    assert refused(validation.join, form, organization_codes=["FK"], consent_required=True) == (
        "consent_required"
    )
    assert (
        refused(
            validation.join,
            {**form, "organization": "XX"},
            organization_codes=["FK"],
            consent_required=False,
        )
        == "invalid_organization"
    )
    assert (
        refused(
            validation.join,
            {**form, "display_name": "x" * 61},
            organization_codes=["FK"],
            consent_required=False,
        )
        == "display_name_too_long"
    )


def test_join_codes_avoid_look_alikes_and_forgive_case():
    for _ in range(200):
        code = new_join_code()
        assert len(code) == 6
        assert not set(code) & set("IL0O1")
        assert set(code) <= set(JOIN_CODE_ALPHABET)
    assert normalize_join_code(" abc-23k ") == "ABC23K"
