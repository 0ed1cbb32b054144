"""The phase suggestion: its rules on single meetings, and on whole synthetic series of seven
meetings, run as the app runs them (each meeting with the one before and the phase before)."""

from pathlib import Path

import pytest
from flask import g

from pblapp import i18n
from pblapp.domain import indicators, phase_rules, phases
from pblapp.domain.selfeval import SCALE_KEYS
from pblapp.domain.vocabulary import PHASES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "phases.md"

ATTENDEES = [("P01", "FK"), ("P02", "AF"), ("P03", "RS"), ("P04", "Psyk"), ("P05", "Soc")]
ATTENDEES += [("P06", "FK")]
# Who writes in an uneven meeting: two voices carry it, three stay silent.
UNEVEN = ["P01"] * 9 + ["P02"] * 4 + ["P03"] * 2


def meeting(
    number,
    types,
    *,
    reactions=(6, 0, 1),
    uneven=False,
    overrun=0.0,
    carried=(0, 0),
    planned=7,
    **means,
):
    """One meeting's record: posts of the given types (``{qtype: count}``), spread evenly over
    six attendees or carried by a few; reactions as (agree, disagree, build_on); the agenda
    run ``overrun`` over time; self-evaluation means, 3.5 (neither low nor high) unless given.
    """
    qtypes = [qtype for qtype, count in types.items() for _ in range(count)]
    organization = dict(ATTENDEES)
    if uneven:
        writers = (UNEVEN * 2)[: len(qtypes)]
    else:
        writers = [ATTENDEES[i % len(ATTENDEES)][0] for i in range(len(qtypes))]
    agree, disagree, build_on = reactions
    return {
        "number": number,
        "planned_meetings": planned,
        "posts": [
            {"participant": who, "organization": organization[who], "qtype": qtype}
            for who, qtype in zip(writers, qtypes, strict=True)
        ],
        "attendees": [{"participant": p, "organization": o} for p, o in ATTENDEES],
        "reactions": {"agree": agree, "disagree": disagree, "build_on": build_on},
        "carried_in": carried[0],
        "carried_answered": carried[1],
        "agenda": [
            {"planned_seconds": 7200, "used_seconds": 7200 * (1 + overrun), "started": True}
        ],
        "self_evaluation": {"n": 5, "means": dict.fromkeys(SCALE_KEYS, 3.5) | means},
    }


def run_series(records):
    """Each meeting's suggestion, as the app computes it at each close."""
    suggestions = []
    previous_record, previous_phase = None, None
    for record in records:
        values = indicators.meeting_indicators(record, previous_record)
        is_last = record["number"] == record["planned_meetings"]
        suggestion = phases.suggest(values, previous_phase, is_last)
        suggestions.append(suggestion)
        previous_record, previous_phase = record, suggestion["suggested"]
    return suggestions


def sequence(suggestions):
    return [s["suggested"] for s in suggestions]


# The kinds of meeting the series are made of.


def orientation(number):
    return meeting(
        number,
        {"encyclopedic": 9, "meaning": 3, "relational": 2, "value": 1},
        roles_clear=2.6,
    )


def conflict(number, *, carried=(0, 0)):
    return meeting(
        number,
        {"encyclopedic": 2, "meaning": 3, "relational": 2, "value": 6, "solution": 2},
        reactions=(4, 5, 1),
        uneven=True,
        overrun=0.3,
        carried=carried,
        safe_to_disagree=2.4,
        roles_clear=2.8,
    )


def shared_ways(number, *, build_on=5, roles_clear=4.2):
    return meeting(
        number,
        {"encyclopedic": 1, "meaning": 5, "relational": 5, "value": 2, "solution": 2},
        reactions=(6, 1, build_on),
        roles_clear=roles_clear,
        safe_to_disagree=3.8,
    )


def solutions(number, *, solution=6, carried=(4, 3)):
    other = 15 - solution
    return meeting(
        number,
        {
            "encyclopedic": 2,
            "meaning": 2,
            "relational": other - 6,
            "value": 2,
            "solution": solution,
        },
        reactions=(7, 1, 2),
        carried=carried,
        roles_clear=4.2,
        towards_goal=4.3,
        assessed_work=4.2,
    )


# Whole series


def test_a_group_that_storms_in_meetings_two_and_three_then_norms_and_performs():
    suggestions = run_series(
        [
            orientation(1),
            conflict(2),
            conflict(3),
            shared_ways(4),
            solutions(5),
            solutions(6, solution=7, carried=(3, 2)),
            solutions(7, carried=(2, 2)),
        ]
    )
    assert sequence(suggestions) == [
        "forming",
        "storming",
        "storming",
        "norming",
        "performing",
        "performing",
        "adjourning",
    ]
    assert suggestions[1]["evidence"][0] == ("disagreement_share", {"percent": 50})
    # Norming after the storm: build-on 2, meaning and relational 1.5, balanced 1, clear
    # roles 1, and 1 because the disagreements eased after the conflict phase.
    assert suggestions[3]["scores"]["norming"] == 6.5
    assert all(2 <= len(s["evidence"]) <= 3 for s in suggestions)


def test_a_group_that_never_storms_goes_from_forming_to_norming_and_performing():
    suggestions = run_series(
        [
            orientation(1),
            meeting(
                2,
                {"encyclopedic": 7, "meaning": 4, "relational": 2, "value": 1, "solution": 1},
                reactions=(7, 0, 2),
                roles_clear=2.8,
            ),
            shared_ways(3, build_on=4, roles_clear=3.8),
            shared_ways(4),
            solutions(5),
            solutions(6, solution=7, carried=(3, 2)),
            solutions(7, carried=(2, 2)),
        ]
    )
    assert sequence(suggestions) == [
        "forming",
        "forming",
        "norming",
        "norming",
        "performing",
        "performing",
        "adjourning",
    ]
    assert "storming" not in sequence(suggestions)
    assert all(2 <= len(s["evidence"]) <= 3 for s in suggestions)


def test_a_group_that_performs_and_then_meets_a_new_conflict_is_suggested_storming_again():
    suggestions = run_series(
        [
            orientation(1),
            shared_ways(2),
            solutions(3, carried=(3, 2)),
            solutions(4, solution=7, carried=(2, 2)),
            conflict(5, carried=(3, 1)),
            shared_ways(6),
            solutions(7, carried=(2, 2)),
        ]
    )
    assert sequence(suggestions) == [
        "forming",
        "norming",
        "performing",
        "performing",
        "storming",
        "norming",
        "adjourning",
    ]
    assert all(2 <= len(s["evidence"]) <= 3 for s in suggestions)


def test_the_first_meeting_is_forming_with_its_evidence_most_telling_first():
    first = run_series([orientation(1)])[0]
    assert first["suggested"] == "forming"
    assert first["evidence"] == [
        ("share_of_type", {"percent": 60, "qtype": "encyclopedic"}),
        ("first_meeting", {}),
        ("no_disagreement", {}),
    ]
    # forming 2 + 1.5 + 1 + 1 (roles unclear); norming 1 (balanced participation).
    assert first["scores"] == {
        "forming": 5.5,
        "storming": 0.0,
        "norming": 1.0,
        "performing": 0.0,
        "adjourning": 0.0,
    }
    assert first["confidence"] == 0.85


def test_the_last_planned_meeting_leans_strongly_towards_adjourning():
    records = [orientation(1), shared_ways(2), solutions(3, carried=(3, 2))]
    records = [{**r, "planned_meetings": 3} for r in records]
    last = run_series(records)[-1]
    assert last["suggested"] == "adjourning"
    assert last["evidence"][0] == ("last_meeting", {"n": 3, "of": 3})
    assert last["scores"]["performing"] > 0


# The rules on single meetings


def values(**given):
    """Indicators of a meeting with enough posts and reactions for every rule to apply."""
    return {"meeting_number": 3, "series_position": 0.4286, "posts": 20, **given}


def test_nothing_fires_on_missing_indicators_and_the_suggestion_stays_put():
    empty = dict.fromkeys(indicators.meeting_indicators(solutions(3), None))
    empty["meeting_number"] = 3
    suggestion = phases.suggest(empty, None, False)
    assert suggestion["scores"] == dict.fromkeys(PHASES, 0.0)
    assert suggestion["confidence"] == 0.0
    assert suggestion["suggested"] == "forming"
    assert suggestion["evidence"] == [
        ("few_signals", {}),
        ("meeting_n", {"n": 3}),
    ]


def test_with_only_the_previous_phase_the_suggestion_continues_it():
    suggestion = phases.suggest(values(), "norming", False)
    assert suggestion["suggested"] == "norming"
    assert suggestion["confidence"] == 1.0
    assert suggestion["evidence"] == [
        ("same_phase_as_before", {}),
        ("meeting_of", {"n": 3, "of": 7}),
    ]


def test_shares_and_rates_over_too_few_posts_or_reactions_fire_nothing():
    few = {
        "meeting_number": 4,
        "posts": 3,
        "share_value": 1.0,
        "participation_gini": 0.8,
        "reactions_per_post": 1.0,
        "disagreement_rate": 1.0,
    }
    assert phases.suggest(few, None, False)["scores"]["storming"] == 0.0


def test_disagreement_value_questions_and_overrun_suggest_storming_after_performing():
    conflict_values = values(
        disagreement_rate=0.4,
        reactions_per_post=1.0,
        share_value=0.35,
        participation_gini=0.45,
        agenda_overrun=0.3,
        se_safe_to_disagree=2.5,
    )
    suggestion = phases.suggest(conflict_values, "performing", False)
    assert suggestion["suggested"] == "storming"
    assert suggestion["scores"]["storming"] == 7.5
    assert suggestion["scores"]["performing"] == 0.5
    assert [key for key, _ in suggestion["evidence"]] == [
        "disagreement_share",
        "share_of_type",
        "unsafe_to_disagree",
    ]


def test_norming_needs_no_storming_before_it_but_gains_from_one():
    calm = values(build_on_rate=0.4, disagreement_rate=0.05, reactions_per_post=1.0)
    assert phases.suggest(calm, "forming", False)["scores"]["norming"] == 2.0
    assert phases.suggest(calm, "forming", False)["suggested"] == "norming"
    assert phases.suggest(calm, "storming", False)["scores"]["norming"] == 3.0
    # While the disagreements go on, the storm is not over.
    stormy = values(build_on_rate=0.4, disagreement_rate=0.3, reactions_per_post=1.0)
    assert phases.suggest(stormy, "storming", False)["scores"]["norming"] == 2.0


def test_a_tie_goes_to_the_earlier_phase_unless_the_previous_phase_is_among_the_tied():
    # forming 2 (encyclopedic), performing 2 (solution) when no phase came before.
    tied = values(share_encyclopedic=0.4, share_solution=0.4)
    assert phases.suggest(tied, None, False)["suggested"] == "forming"
    assert phases.suggest(tied, None, False)["confidence"] == 0.5
    # forming 2; performing 1.5 (carried questions answered) + 0.5 (it was the phase
    # before): the previous phase wins the tie.
    carried = values(share_encyclopedic=0.4, carried_answered_share=0.75)
    suggestion = phases.suggest(carried, "performing", False)
    assert suggestion["scores"]["forming"] == suggestion["scores"]["performing"] == 2.0
    assert suggestion["suggested"] == "performing"


def test_a_tie_between_others_ignores_a_previous_phase_outside_it():
    # norming 2 (build-on), performing 2 (solution); adjourning only 0.5 from before.
    tied = values(build_on_rate=0.3, reactions_per_post=1.0, share_solution=0.3)
    suggestion = phases.suggest(tied, "adjourning", False)
    assert suggestion["scores"]["norming"] == suggestion["scores"]["performing"] == 2.0
    assert suggestion["suggested"] == "norming"


def test_every_suggestion_is_a_phase_with_two_or_three_pieces_of_evidence():
    for record in (orientation(1), conflict(2), shared_ways(3), solutions(6)):
        for previous in (None, *PHASES):
            for is_last in (False, True):
                suggestion = phases.suggest(
                    indicators.meeting_indicators(record, None), previous, is_last
                )
                assert suggestion["suggested"] in PHASES
                assert 0 <= suggestion["confidence"] <= 1
                assert 2 <= len(suggestion["evidence"]) <= 3
                assert {key for key, _ in suggestion["evidence"]} <= set(phase_rules.EVIDENCE_KEYS)


# Evidence in words


SWEDISH = {
    "share_of_type": "{percent} % av frågorna var av typen {qtype}",
    "no_disagreement": "inga meningsskiljaktigheter",
    "meeting_of": "möte {n} av {of}",
    "roles_clear": "tydliga arbetssätt och roller (medelvärde {mean} av 5)",
    "decimal_mark": ",",
}
SWEDISH_LABELS = {"encyclopedic": "Encyklopedisk", "solution": "Lösningsorienterad"}


def test_evidence_sentences_fill_the_templates_in_swedish():
    sentences = phases.evidence_sentences(
        [
            ("share_of_type", {"percent": 62, "qtype": "encyclopedic"}),
            ("no_disagreement", {}),
            ("meeting_of", {"n": 1, "of": 7}),
            ("roles_clear", {"mean": 4.2}),
        ],
        SWEDISH,
        SWEDISH_LABELS,
    )
    assert sentences == [
        "62 % av frågorna var av typen encyklopedisk",
        "Inga meningsskiljaktigheter",
        "Möte 1 av 7",
        "Tydliga arbetssätt och roller (medelvärde 4,2 av 5)",
    ]


def test_evidence_sentences_show_a_key_without_a_text_rather_than_drop_it():
    assert phases.evidence_sentences([("few_signals", {})], {}, {}) == ["Few_signals"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_evidence_key_has_a_text_in_each_language(app, lang):
    with app.test_request_context("/"):
        g.chosen_language = lang
        texts = i18n.evidence_texts()
        assert set(phase_rules.EVIDENCE_KEYS) <= set(texts)
        evidence = [
            ("share_of_two_types", {"percent": 55, "qtype": "meaning", "qtype2": "relational"}),
            ("towards_goal", {"mean": 4.5}),
            ("last_meeting", {"n": 7, "of": 7}),
        ]
        sentences = i18n.evidence_in_words(evidence)
    if lang == "sv":
        assert sentences == [
            "55 % av frågorna var av typen meningsorienterad eller relationell",
            "Gruppen kom närmare sitt mål (medelvärde 4,5 av 5)",
            "Det sista planerade mötet (7 av 7)",
        ]
    else:
        assert sentences[1] == "The group came closer to its goal (mean 4.5 of 5)"


# The documentation


def test_the_rules_table_in_the_docs_matches_the_rules_in_code():
    text = DOCS.read_text(encoding="utf-8")
    for rule in phase_rules.RULES:
        row = f"| {rule.phase} | {rule.condition} | {rule.weight:g} | `{rule.evidence}` |"
        assert row in text, row
    assert f"| {phases.CONTINUITY_WEIGHT:g} | `same_phase_as_before` |" in text
