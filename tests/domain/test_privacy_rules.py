"""Consent versions, text replacement, retention and the minutes' placeholder, as rules."""

import hashlib
from datetime import UTC, datetime

from pblapp.domain import minutes as minutes_domain
from pblapp.domain import privacy


def test_a_consent_version_is_the_hash_of_the_exact_text():
    text = "Jag samtycker till att mina inlägg används i forskningen."
    assert privacy.consent_version(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert privacy.consent_version(text + " ") != privacy.consent_version(text)
    assert privacy.consent_version("") is None
    assert privacy.consent_version("  \n") is None


def test_replacing_a_text_touches_whole_values_under_the_named_keys_only():
    data = {
        "text": "ja",
        "organization": "ja",
        "changes": {"text": {"old": "ja", "new": "nej"}},
        "items": [{"text": "ja"}, {"text": "jaså"}],
    }
    replaced, count = privacy.replace_texts(data, "ja", "[redacted]", frozenset({"text", "old"}))
    assert count == 3
    assert replaced == {
        "text": "[redacted]",
        "organization": "ja",
        "changes": {"text": {"old": "[redacted]", "new": "nej"}},
        "items": [{"text": "[redacted]"}, {"text": "jaså"}],
    }
    assert data["text"] == "ja"  # the original is not changed in place


def test_written_self_evaluation_answers_give_way_to_the_placeholder_and_scales_stay():
    answers = {"safe_to_disagree": 4, "change": "Mer tid åt Kalle"}
    assert privacy.without_free_texts(answers, "[withdrawn]") == {
        "safe_to_disagree": 4,
        "change": "[withdrawn]",
    }


def test_a_group_is_due_for_purge_retention_days_after_its_last_meeting_closed():
    closed = "2026-03-02T12:00:00.000Z"
    before = datetime(2026, 4, 1, 11, 59, tzinfo=UTC)
    after = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    assert privacy.purge_due(closed, 30, before) is None
    assert privacy.purge_due(closed, 30, after) == after
    assert privacy.purge_due(closed, None, after) is None
    assert privacy.purge_due(None, 30, after) is None
    assert privacy.purge_due(closed, 0, datetime(2026, 3, 2, 12, 0, tzinfo=UTC)) is not None


def test_the_minutes_show_a_placeholder_for_withdrawn_posts_and_their_questions():
    post = {"id": 1, "pseudonym": "P01", "organization": "FK", "text": "Kalle sa nej"}
    other = {"id": 2, "pseudonym": "P02", "organization": "AF", "text": "Varför?"}
    minutes = {
        "contributions_by_type": [
            {
                "qtype": "meaning",
                "groups": [
                    {
                        "step": None,
                        "items": [{**other, "duplicates": [post]}, {**post, "duplicates": []}],
                    }
                ],
            }
        ],
        "questions": [
            {"text": "Kalle sa nej", "contribution_id": 1},
            {"text": "Egen", "contribution_id": None},
        ],
    }
    shown = minutes_domain.with_placeholders(minutes, {1}, "[återkallat]")
    items = shown["contributions_by_type"][0]["groups"][0]["items"]
    assert items[0]["text"] == "Varför?"
    assert items[0]["duplicates"][0]["text"] == "[återkallat]"
    assert items[1]["text"] == "[återkallat]" and items[1]["pseudonym"] == "P01"
    assert [q["text"] for q in shown["questions"]] == ["[återkallat]", "Egen"]
    assert minutes["questions"][0]["text"] == "Kalle sa nej"
    assert minutes_domain.with_placeholders(minutes, set(), "x") is minutes
