"""A suggestion of the group's development phase, with the evidence behind it.

No validated instrument classifies Tuckman phases from what a meeting leaves behind, so
this is a suggestion the facilitator confirms or corrects, not a measurement. It is kept
simple enough to be read and argued with: a table of rules (:data:`RULES`), each giving
one phase a weight when its condition holds over the meeting's indicators
(``pblapp.domain.indicators``). The weights are summed per phase and the best phase wins.
docs/phases.md gives the table with its reasons; a test keeps the two equal.

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
meeting can score an earlier phase, so groups can regress. The previous phase only adds a
small weight for continuity. A missing indicator (``None``) never fires a rule, and rules
over shares wait for enough posts or reactions to mean something.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pblapp.domain.vocabulary import PHASES

# Below these counts a share swings with a single post or reaction: such rules stay silent.
MIN_POSTS = 5
MIN_REACTIONS = 5
# What the previous meeting's phase adds to the same phase now: enough to break a near
# tie in favour of continuity, too little to hold the group in a phase the evidence left.
CONTINUITY_WEIGHT = 0.5

Evidence = tuple[str, dict[str, Any]]


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


def _meeting_of(s: Signals) -> dict[str, Any]:
    return {"n": s.value("meeting_number"), "of": _planned(s)}


def _planned(s: Signals) -> int | None:
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
        _meeting_of,
    ),
    # Adjourning: the group closes its work.
    Rule(
        "adjourning",
        "last planned meeting",
        6.0,
        "last_meeting",
        lambda s: s.is_last,
        lambda s: {"n": s.value("meeting_number"), "of": _planned(s) or s.value("meeting_number")},
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


def _fired(signals: Signals) -> list[tuple[Rule, Evidence]]:
    fired = []
    for rule in RULES:
        if rule.holds(signals):
            fired.append((rule, (rule.evidence, rule.params(signals))))
    return fired


def _winner(scores: Mapping[str, float], previous_phase: str | None) -> str:
    best = max(scores.values())
    tied = [phase for phase in PHASES if scores[phase] == best]
    return previous_phase if previous_phase in tied else tied[0]


def _context(signals: Signals) -> list[Evidence]:
    """Facts about the meeting that fill the evidence up to two items when few rules
    fired: which meeting it was, and how much was said."""
    found: list[Evidence] = []
    number = signals.value("meeting_number")
    if number is not None:
        planned = _planned(signals)
        found.append(
            ("meeting_of", _meeting_of(signals)) if planned else ("meeting_n", {"n": number})
        )
    if signals.value("posts") is not None:
        found.append(("post_count", {"n": signals.value("posts")}))
    return found


def _evidence(fired: list[tuple[float, Evidence]], signals: Signals) -> list[Evidence]:
    chosen: list[Evidence] = []
    # Heaviest first; sorted() is stable, so equal weights keep the table's order.
    for _, item in sorted(fired, key=lambda pair: -pair[0]):
        if item[0] not in {key for key, _ in chosen}:
            chosen.append(item)
    chosen = chosen[:3]
    if not chosen:
        chosen.append(("few_signals", {}))
    for item in _context(signals):
        if len(chosen) >= 2:
            break
        if item[0] not in {key for key, _ in chosen}:
            chosen.append(item)
    return chosen


def suggest(indicators: Mapping[str, Any], previous_phase: str | None, is_last: bool) -> dict:
    """Suggest the group's phase in one meeting from its indicators
    (:func:`pblapp.domain.indicators.meeting_indicators`).

    ``previous_phase`` is the phase of the group's previous meeting (decided, else
    suggested), or ``None``; ``is_last`` says this is the last planned meeting. Returns
    ``{"suggested": phase, "confidence": 0–1, "scores": {phase: score}, "evidence":
    [(key, params), …]}`` with 2–3 evidence items, most telling first.

    Each rule of :data:`RULES` that holds adds its weight to its phase, and the previous
    phase gets ``CONTINUITY_WEIGHT``. The best score wins; a tie goes to the previous phase
    if it is among the tied, else to the earliest in ``PHASES``. ``confidence`` is the
    winner's share of all positive scores; when nothing scores, it is 0 and the suggestion
    is the previous phase, or ``forming``.
    """
    signals = Signals(indicators, previous_phase, is_last)
    fired = _fired(signals)
    scores = dict.fromkeys(PHASES, 0.0)
    for rule, _ in fired:
        scores[rule.phase] += rule.weight
    if previous_phase in scores:
        scores[previous_phase] += CONTINUITY_WEIGHT
    scores = {phase: round(score, 2) for phase, score in scores.items()}
    positive = sum(score for score in scores.values() if score > 0)
    if positive == 0:
        suggested = previous_phase if previous_phase in PHASES else PHASES[0]
        confidence = 0.0
    else:
        suggested = _winner(scores, previous_phase)
        confidence = round(scores[suggested] / positive, 2)
    supporting = [(rule.weight, item) for rule, item in fired if rule.phase == suggested]
    if previous_phase == suggested and positive:
        supporting.append((CONTINUITY_WEIGHT, ("same_phase_as_before", {})))
    return {
        "suggested": suggested,
        "confidence": confidence,
        "scores": scores,
        "evidence": _evidence(supporting, signals),
    }


def _formatted(value: Any, decimal_mark: str) -> str:
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", decimal_mark)
    return str(value)


def evidence_sentences(
    evidence: Iterable[Evidence], texts: Mapping[str, str], qtype_labels: Mapping[str, Any]
) -> list[str]:
    """The evidence as sentences: each key's template in ``texts`` (``str.format`` style,
    e.g. ``"{percent} % of questions were {qtype}"``) filled with its params.

    Params named ``qtype…`` hold question-type keys and become their label from
    ``qtype_labels``, in lower case; decimals use ``texts["decimal_mark"]`` if given (a
    comma in Swedish). Each sentence starts with a capital letter. A key with no text is
    shown as the key itself rather than dropped, so a missing translation is visible.
    """
    decimal_mark = texts.get("decimal_mark", ".")
    sentences = []
    for key, params in evidence:
        values = {
            name: str(qtype_labels.get(value, value)).lower()
            if name.startswith("qtype")
            else _formatted(value, decimal_mark)
            for name, value in params.items()
        }
        template = texts.get(key)
        sentence = template.format(**values) if template else key
        sentences.append(sentence[:1].upper() + sentence[1:])
    return sentences
