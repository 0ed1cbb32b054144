"""A suggestion of the group's development phase, with the evidence behind it.

No validated instrument classifies Tuckman phases from what a meeting leaves behind, so
this is a suggestion the facilitator confirms or corrects, not a measurement. It is kept
simple enough to be read and argued with: a table of rules
(``pblapp.domain.phase_rules.RULES``, with what they stand on), each giving one phase a
weight when its condition holds over the meeting's indicators
(``pblapp.domain.indicators``). The weights are summed per phase and the best phase wins;
the previous phase only adds a small weight for continuity. docs/phases.md gives the table
with its reasons; a test keeps the two equal. This module holds :func:`suggest`, the
choice of the evidence shown with a suggestion, and :func:`evidence_sentences`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pblapp.domain.phase_rules import RULES, Rule, Signals, meeting_of, planned_meetings
from pblapp.domain.vocabulary import PHASES

# What the previous meeting's phase adds to the same phase now: enough to break a near
# tie in favour of continuity, too little to hold the group in a phase the evidence left.
CONTINUITY_WEIGHT = 0.5

Evidence = tuple[str, dict[str, Any]]


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
        planned = planned_meetings(signals)
        found.append(
            ("meeting_of", meeting_of(signals)) if planned else ("meeting_n", {"n": number})
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
