"""The indicators of one meeting, each computed from plain data (docs/phases.md)."""

import pytest

from pblapp.domain import indicators
from pblapp.domain.selfeval import SCALE_KEYS


def post(participant="P01", organization="FK", qtype=None):
    return {"participant": participant, "organization": organization, "qtype": qtype}


def attendee(participant, organization="FK"):
    return {"participant": participant, "organization": organization}


def record(**fields):
    """A meeting's record with nothing in it but what the test gives."""
    return {
        "number": 1,
        "planned_meetings": 7,
        "posts": [],
        "attendees": [],
        "reactions": {"agree": 0, "disagree": 0, "build_on": 0},
        "carried_in": 0,
        "carried_answered": 0,
        "agenda": [],
        "self_evaluation": {"n": 0, "means": None},
        **fields,
    }


def typed(*qtypes):
    return [post(qtype=qtype) for qtype in qtypes]


# Question-type mix


def test_shares_count_each_type_and_untagged_posts_over_all_posts():
    shares = indicators.question_type_shares(
        typed("encyclopedic", "encyclopedic", "value", None, "solution", "encyclopedic", None, None)
    )
    assert shares == {
        "share_encyclopedic": 0.375,
        "share_meaning": 0.0,
        "share_relational": 0.0,
        "share_value": 0.125,
        "share_solution": 0.125,
        "share_untagged": 0.375,
    }


def test_shares_are_none_without_posts_and_rounded_to_four_decimals():
    assert set(indicators.question_type_shares([]).values()) == {None}
    assert indicators.question_type_shares(typed("meaning", None, None))["share_meaning"] == 0.3333


def test_mix_shift_is_half_the_summed_differences_between_two_mixes():
    before = indicators.question_type_shares(typed("encyclopedic", "encyclopedic"))
    now = indicators.question_type_shares(typed("encyclopedic", "value", "value", "solution"))
    # 1.0 → 0.25 encyclopedic, 0 → 0.5 value, 0 → 0.25 solution: (0.75 + 0.5 + 0.25) / 2.
    assert indicators.mix_shift(now, before) == 0.75
    assert indicators.mix_shift(now, now) == 0.0
    assert indicators.mix_shift(typed_shares("value"), typed_shares("solution")) == 1.0


def typed_shares(*qtypes):
    return indicators.question_type_shares(typed(*qtypes))


def test_mix_shift_is_none_without_a_previous_meeting_or_posts_in_either():
    shares = typed_shares("value")
    assert indicators.mix_shift(shares, None) is None
    assert indicators.mix_shift(shares, typed_shares()) is None
    assert indicators.mix_shift(typed_shares(), shares) is None


def test_solution_shift_is_the_change_in_the_share_of_solution_questions():
    before = typed_shares("solution", "value", "value", "value")
    now = typed_shares("solution", "solution", "solution", "value")
    assert indicators.solution_shift(now, before) == 0.5
    assert indicators.solution_shift(before, now) == -0.5
    assert indicators.solution_shift(now, None) is None
    assert indicators.solution_shift(now, typed_shares()) is None


# Participation


def test_gini_is_zero_when_everyone_posts_equally_and_counts_silent_attendees():
    attendees = [attendee("P01"), attendee("P02"), attendee("P03")]
    even = [post("P01"), post("P02"), post("P03")] * 2
    assert indicators.participation_gini(even, attendees) == 0.0
    # P03 joined but said nothing: the two who posted share everything.
    two_of_three = [post("P01"), post("P02")] * 3
    assert indicators.participation_gini(two_of_three, attendees) == 0.3333


def test_gini_approaches_one_when_one_participant_writes_everything():
    attendees = [attendee(f"P{i:02d}") for i in range(1, 6)]
    # The most unequal of five: (n - 1) / n.
    assert indicators.participation_gini([post("P01")] * 10, attendees) == 0.8


def test_gini_counts_posts_by_participants_missing_from_the_attendees():
    # P02 posted but is not among the attendees (a late join the record missed): P02 counts.
    assert indicators.participation_gini([post("P01"), post("P02")], [attendee("P01")]) == 0.0
    assert indicators.post_counts([post("P02")], [attendee("P01")]) == {"P01": 0, "P02": 1}


def test_gini_is_none_with_fewer_than_two_participants_or_no_posts():
    assert indicators.participation_gini([post("P01")] * 4, [attendee("P01")]) is None
    assert indicators.participation_gini([], []) is None
    assert indicators.participation_gini([], [attendee("P01"), attendee("P02")]) is None


def test_gini_matches_the_mean_absolute_difference_definition():
    values = [0, 1, 3, 6]
    pairs = sum(abs(a - b) for a in values for b in values)
    expected = pairs / (2 * len(values) ** 2 * (sum(values) / len(values)))
    assert indicators.gini(values) == pytest.approx(expected, abs=1e-4)


def test_organization_shares_cover_every_organization_seen_and_silent_ones_get_zero():
    attendees = [attendee("P01", "FK"), attendee("P02", "AF"), attendee("P03", "Psyk")]
    posts = [post("P01", "FK"), post("P01", "FK"), post("P02", "AF"), post("P04", "Soc")]
    assert indicators.organization_shares(posts, attendees) == {
        "org_share_AF": 0.25,
        "org_share_FK": 0.5,
        "org_share_Psyk": 0.0,
        "org_share_Soc": 0.25,
    }


def test_organization_shares_are_none_without_posts():
    shares = indicators.organization_shares([], [attendee("P01", "FK")])
    assert shares == {"org_share_FK": None}


# Reactions


def test_reaction_rates_are_each_kinds_share_of_all_reactions():
    rates = indicators.reaction_rates({"agree": 5, "disagree": 2, "build_on": 1})
    assert rates == {"agree_rate": 0.625, "disagreement_rate": 0.25, "build_on_rate": 0.125}


def test_reaction_rates_are_none_without_reactions():
    assert set(indicators.reaction_rates({"agree": 0, "disagree": 0}).values()) == {None}
    assert set(indicators.reaction_rates(None).values()) == {None}


def test_reactions_per_post_divides_all_reactions_by_the_posts():
    assert indicators.reactions_per_post({"agree": 3, "disagree": 1, "build_on": 2}, 4) == 1.5
    assert indicators.reactions_per_post({"agree": 3}, 0) is None


# Carried questions and the agenda


def test_carried_answered_share_is_the_answered_part_of_the_questions_carried_in():
    assert indicators.carried_answered_share(3, 2) == 0.6667
    assert indicators.carried_answered_share(4, 0) == 0.0
    assert indicators.carried_answered_share(0, 0) is None


def test_agenda_overrun_compares_used_with_planned_time_of_started_steps_only():
    steps = [
        {"planned_seconds": 900, "used_seconds": 1200, "started": True},
        {"planned_seconds": 600, "used_seconds": 675, "started": True},
        # Never started: skipping a step is not running over, nor under.
        {"planned_seconds": 1200, "used_seconds": 0, "started": False},
    ]
    assert indicators.agenda_overrun(steps) == 0.25


def test_agenda_overrun_is_negative_under_time_and_none_when_nothing_planned_was_started():
    under = [{"planned_seconds": 1000, "used_seconds": 900.5, "started": True}]
    assert indicators.agenda_overrun(under) == -0.0995
    assert indicators.agenda_overrun([]) is None
    assert (
        indicators.agenda_overrun([{"planned_seconds": 600, "used_seconds": 0, "started": False}])
        is None
    )
    assert (
        indicators.agenda_overrun([{"planned_seconds": 0, "used_seconds": 60, "started": True}])
        is None
    )


# Self-evaluation and the series


def test_self_evaluation_gives_n_and_each_items_mean():
    means = dict.fromkeys(SCALE_KEYS, 3.0) | {"safe_to_disagree": 3.5, "roles_clear": None}
    values = indicators.self_evaluation_indicators({"n": 4, "means": means})
    assert values["se_n"] == 4
    assert values["se_safe_to_disagree"] == 3.5
    assert values["se_roles_clear"] is None
    assert list(values) == ["se_n", *(f"se_{key}" for key in SCALE_KEYS)]


def test_self_evaluation_below_the_threshold_keeps_the_columns_with_none():
    values = indicators.self_evaluation_indicators({"n": 2, "means": None})
    assert values == {"se_n": 2, **{f"se_{key}": None for key in SCALE_KEYS}}
    assert indicators.self_evaluation_indicators(None)["se_n"] == 0


def test_series_position_is_the_meeting_number_over_the_planned_meetings():
    assert indicators.series_position(3, 7) == 0.4286
    assert indicators.series_position(7, 7) == 1.0
    assert indicators.series_position(3, None) is None


# All of them together


def test_meeting_indicators_is_one_flat_dict_with_the_documented_names():
    first = record(
        posts=[post("P01", "FK", "encyclopedic"), post("P02", "AF", "encyclopedic")],
        attendees=[attendee("P01", "FK"), attendee("P02", "AF")],
    )
    second = record(
        number=2,
        posts=[
            post("P01", "FK", "solution"),
            post("P01", "FK", "value"),
            post("P02", "AF", "meaning"),
            post("P03", "AF", None),
        ],
        attendees=[attendee("P01", "FK"), attendee("P02", "AF"), attendee("P03", "AF")],
        reactions={"agree": 4, "disagree": 1, "build_on": 3},
        carried_in=3,
        carried_answered=2,
        agenda=[{"planned_seconds": 900, "used_seconds": 1010.5, "started": True}],
        self_evaluation={"n": 4, "means": dict.fromkeys(SCALE_KEYS, 4.0)},
    )
    values = indicators.meeting_indicators(second, first)
    assert list(values)[:16] == [
        "meeting_number",
        "series_position",
        "posts",
        "share_encyclopedic",
        "share_meaning",
        "share_relational",
        "share_value",
        "share_solution",
        "share_untagged",
        "mix_shift",
        "solution_shift",
        "participation_gini",
        "org_share_AF",
        "org_share_FK",
        "agree_rate",
        "disagreement_rate",
    ]
    assert values["meeting_number"] == 2
    assert values["series_position"] == 0.2857
    assert values["posts"] == 4
    assert values["mix_shift"] == 1.0
    assert values["solution_shift"] == 0.25
    assert values["participation_gini"] == 0.1667
    assert values["org_share_AF"] == 0.5
    assert values["build_on_rate"] == 0.375
    assert values["reactions_per_post"] == 2.0
    assert values["carried_answered_share"] == 0.6667
    assert values["agenda_overrun"] == 0.1228
    assert values["se_n"] == 4
    assert values["se_towards_goal"] == 4.0
    assert all(isinstance(v, int | float) or v is None for v in values.values())


def test_meeting_indicators_of_a_first_meeting_without_anything_said():
    values = indicators.meeting_indicators(record(planned_meetings=None), None)
    assert values["posts"] == 0
    assert values["series_position"] is None
    assert values["mix_shift"] is None
    assert values["share_value"] is None
    assert values["agree_rate"] is None
    assert values["carried_answered_share"] is None
    assert values["agenda_overrun"] is None
    assert values["se_n"] == 0
