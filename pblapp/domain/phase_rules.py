"""The rules table behind the phase suggestion (``pblapp.domain.phases``): each
:class:`Rule` gives one phase a weight when its condition holds over a meeting's
indicators (``pblapp.domain.indicators``), read through :class:`Signals`; :data:`RULES` is
the table, in the order docs/phases.md gives it with its reasons (a test keeps the two
equal), and :data:`EVIDENCE_KEYS` every evidence key a suggestion can carry.

What the rules stand on (Tuckman 1965; Tuckman & Jensen 1977; PRODUCT.md):

- Tuckman's task side of each stage matches the question types the source groups moved
  through (Abrandt Dahlgren & Öberg 2001): orientation to the task (encyclopedic
  questions), an emotional response to its demands (arguing about value), an open exchange
  of interpretations (meaning and relational questions), solutions emerging (solution
  questions).
- Conflict shows as disagreement, value questions, uneven participation, an agenda that
  runs over, and a group where it feels less safe to disagree.
- Norming shows as building on each other's posts, balanced participation and clear
  roles, and is easier to see after a conflict phase.
- Performing shows as solution questions, carried questions answered and progress towards
  the goal; the source groups got there towards the end of their series.
- Adjourning is the last planned meeting (Tuckman & Jensen's fifth stage).

No rule needs an earlier phase to have happened, so phases can be skipped, and a later
meeting can score an earlier phase, so groups can regress. A missing indicator (``None``)
never fires a rule, and rules over shares wait for enough posts or reactions to mean
something.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Below these counts a share swings with a single post or reaction: such rules stay silent.
MIN_POSTS = 5
MIN_REACTIONS = 5


class Signals:
    """The indicators a rule reads, with the counts that make them usable.

    ``share`` and ``rate`` give ``None`` while there are too few posts or reactions, so a
    rule over them stays silent; ``value`` gives any indicator as it is.
    """

    def __init__(self, indicators: Mapping[str, Any], previous_phase: str | None, is_last: bool):
        self.indicators = indicators
        self.previous_phase = previous_phase
        self.is_last = is_last
        self.posts = indicators.get("posts") or 0
        per_post = indicators.get("reactions_per_post")
        self.reactions = round(per_post * self.posts) if per_post is not None else 0

    def value(self, name: str) -> Any:
        return self.indicators.get(name)

    def share(self, name: str) -> float | None:
        return self.value(name) if self.posts >= MIN_POSTS else None

    def rate(self, name: str) -> float | None:
        return self.value(name) if self.reactions >= MIN_REACTIONS else None


@dataclass(frozen=True)
class Rule:
    """One line of the table: when ``condition`` (as written in docs/phases.md) holds,
    ``phase`` gets ``weight``, and the evidence ``(evidence, params(signals))`` says why.
    ``holds`` is the condition in code; it must be false whenever an indicator it reads is
    ``None``."""

    phase: str
    condition: str
    weight: float
    evidence: str
    holds: Callable[[Signals], bool]
    params: Callable[[Signals], dict[str, Any]]


def _percent(share: float) -> int:
    # Half up, as people round; Python's round() would take 62.5 to 62.
    return int(share * 100 + 0.5)


def _at_least(value: float | None, limit: float) -> bool:
    return value is not None and value >= limit


def _below(value: float | None, limit: float) -> bool:
    return value is not None and value < limit


def _mean(s: Signals, item: str) -> dict[str, Any]:
    return {"mean": round(s.value(f"se_{item}"), 1)}


def _share_of(qtype: str) -> Callable[[Signals], dict[str, Any]]:
    return lambda s: {"percent": _percent(s.value(f"share_{qtype}")), "qtype": qtype}


def meeting_of(s: Signals) -> dict[str, Any]:
    return {"n": s.value("meeting_number"), "of": planned_meetings(s)}


def planned_meetings(s: Signals) -> int | None:
    number, position = s.value("meeting_number"), s.value("series_position")
    if number is None or not position:
        return None
    return round(number / position)


def _meaning_or_relational(s: Signals) -> float | None:
    meaning, relational = s.share("share_meaning"), s.share("share_relational")
    return None if meaning is None or relational is None else meaning + relational


def _gini_index(s: Signals) -> dict[str, Any]:
    # The Gini index is the coefficient on a 0–100 scale: a whole number reads the same
    # in every language, with no decimal mark to translate.
    return {"gini": _percent(s.value("participation_gini"))}


RULES: tuple[Rule, ...] = (
    # Forming: orientation to the task and to each other.
    Rule(
        "forming",
        "share_encyclopedic ≥ 0.40",
        2.0,
        "share_of_type",
        lambda s: _at_least(s.share("share_encyclopedic"), 0.40),
        _share_of("encyclopedic"),
    ),
    Rule(
        "forming",
        "meeting_number = 1",
        1.5,
        "first_meeting",
        lambda s: s.value("meeting_number") == 1,
        lambda s: {},
    ),
    Rule(
        "forming",
        "disagreement_rate = 0",
        1.0,
        "no_disagreement",
        lambda s: s.rate("disagreement_rate") == 0,
        lambda s: {},
    ),
    Rule(
        "forming",
        "se_roles_clear < 3.0",
        1.0,
        "roles_unclear",
        lambda s: _below(s.value("se_roles_clear"), 3.0),
        lambda s: _mean(s, "roles_clear"),
    ),
    # Storming: differing views, voiced and felt.
    Rule(
        "storming",
        "disagreement_rate ≥ 0.25",
        2.5,
        "disagreement_share",
        lambda s: _at_least(s.rate("disagreement_rate"), 0.25),
        lambda s: {"percent": _percent(s.value("disagreement_rate"))},
    ),
    Rule(
        "storming",
        "share_value ≥ 0.30",
        1.5,
        "share_of_type",
        lambda s: _at_least(s.share("share_value"), 0.30),
        _share_of("value"),
    ),
    Rule(
        "storming",
        "se_safe_to_disagree < 3.0",
        1.5,
        "unsafe_to_disagree",
        lambda s: _below(s.value("se_safe_to_disagree"), 3.0),
        lambda s: _mean(s, "safe_to_disagree"),
    ),
    Rule(
        "storming",
        "participation_gini ≥ 0.40",
        1.0,
        "uneven_participation",
        lambda s: _at_least(s.share("participation_gini"), 0.40),
        _gini_index,
    ),
    Rule(
        "storming",
        "agenda_overrun ≥ 0.20",
        1.0,
        "agenda_overrun",
        lambda s: _at_least(s.value("agenda_overrun"), 0.20),
        lambda s: {"percent": _percent(s.value("agenda_overrun"))},
    ),
    # Norming: shared ways of working; an open exchange of interpretations.
    Rule(
        "norming",
        "build_on_rate ≥ 0.30",
        2.0,
        "build_on_share",
        lambda s: _at_least(s.rate("build_on_rate"), 0.30),
        lambda s: {"percent": _percent(s.value("build_on_rate"))},
    ),
    Rule(
        "norming",
        "share_meaning + share_relational ≥ 0.50",
        1.5,
        "share_of_two_types",
        lambda s: _at_least(_meaning_or_relational(s), 0.50),
        lambda s: {
            "percent": _percent(_meaning_or_relational(s)),
            "qtype": "meaning",
            "qtype2": "relational",
        },
    ),
    Rule(
        "norming",
        "participation_gini ≤ 0.20",
        1.0,
        "balanced_participation",
        lambda s: (
            s.share("participation_gini") is not None and s.share("participation_gini") <= 0.20
        ),
        _gini_index,
    ),
    Rule(
        "norming",
        "se_roles_clear ≥ 4.0",
        1.0,
        "roles_clear",
        lambda s: _at_least(s.value("se_roles_clear"), 4.0),
        lambda s: _mean(s, "roles_clear"),
    ),
    Rule(
        "norming",
        "previous phase storming and disagreement_rate < 0.25",
        1.0,
        "after_storming",
        lambda s: s.previous_phase == "storming" and _below(s.rate("disagreement_rate"), 0.25),
        lambda s: {},
    ),
    # Performing: the group works on its goal, and solutions emerge.
    Rule(
        "performing",
        "share_solution ≥ 0.30",
        2.0,
        "share_of_type",
        lambda s: _at_least(s.share("share_solution"), 0.30),
        _share_of("solution"),
    ),
    Rule(
        "performing",
        "carried_answered_share ≥ 0.60",
        1.5,
        "carried_answered",
        lambda s: _at_least(s.value("carried_answered_share"), 0.60),
        lambda s: {"percent": _percent(s.value("carried_answered_share"))},
    ),
    Rule(
        "performing",
        "solution_shift ≥ 0.15",
        1.0,
        "solution_rising",
        lambda s: _at_least(s.share("solution_shift"), 0.15),
        lambda s: {"points": _percent(s.value("solution_shift"))},
    ),
    Rule(
        "performing",
        "se_towards_goal ≥ 4.0",
        1.0,
        "towards_goal",
        lambda s: _at_least(s.value("se_towards_goal"), 4.0),
        lambda s: _mean(s, "towards_goal"),
    ),
    Rule(
        "performing",
        "series_position ≥ 0.5",
        0.5,
        "meeting_of",
        lambda s: _at_least(s.value("series_position"), 0.5),
        meeting_of,
    ),
    # Adjourning: the group closes its work.
    Rule(
        "adjourning",
        "last planned meeting",
        6.0,
        "last_meeting",
        lambda s: s.is_last,
        lambda s: {
            "n": s.value("meeting_number"),
            "of": planned_meetings(s) or s.value("meeting_number"),
        },
    ),
    Rule(
        "adjourning",
        "last planned meeting and se_assessed_work ≥ 4.0",
        1.0,
        "assessed_work",
        lambda s: s.is_last and _at_least(s.value("se_assessed_work"), 4.0),
        lambda s: _mean(s, "assessed_work"),
    ),
)

# Every evidence key a suggestion can carry; each needs a text in pblapp.i18n.
EVIDENCE_KEYS: tuple[str, ...] = (
    *dict.fromkeys(rule.evidence for rule in RULES),
    "same_phase_as_before",
    "meeting_n",
    "post_count",
    "few_signals",
)
