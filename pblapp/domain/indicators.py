"""What one meeting's record says about the group, as numbers (docs/phases.md).

Each indicator is one small function over plain data, so that each can be checked alone
and a researcher can recompute it from the exported log. :func:`meeting_indicators` puts
them together into one flat dict; its names are the columns of ``meetings.csv`` and the
``indicators`` object of ``GET /meetings/<mid>/phase``, so they must not change.

An indicator that cannot be computed (no posts, no reactions, nothing planned) is ``None``,
never 0: a missing value must not look like an observation. Floats are rounded to four
decimals so that stored and exported values agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from pblapp.domain.selfeval import SCALE_KEYS
from pblapp.domain.vocabulary import QUESTION_TYPES, UNTAGGED

DECIMALS = 4

# The categories of the question-type mix: the five types, and posts nobody has tagged yet.
MIX_CATEGORIES: tuple[str, ...] = (*QUESTION_TYPES, UNTAGGED)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _share(part: float, whole: float) -> float | None:
    return _rounded(part / whole) if whole else None


def _category(qtype: str | None) -> str:
    # Anything that is not one of the five types counts as untagged, as the facilitator
    # would still have to tag it.
    return qtype if qtype in QUESTION_TYPES else UNTAGGED


def question_type_shares(posts: Iterable[Mapping]) -> dict[str, float | None]:
    """``share_<type>`` for each question type and ``share_untagged``: the type's share of
    the posts, 0–1; all ``None`` when there are no posts."""
    counts = Counter(_category(post.get("qtype")) for post in posts)
    total = sum(counts.values())
    return {f"share_{category}": _share(counts[category], total) for category in MIX_CATEGORIES}


def mix_shift(
    shares: Mapping[str, float | None], previous_shares: Mapping[str, float | None] | None
) -> float | None:
    """Total variation distance between two question-type mixes (as returned by
    :func:`question_type_shares`): half the sum of the absolute differences over the six
    categories. 0 = the same mix, 1 = no type in common. ``None`` without a previous mix or
    when either meeting had no posts."""
    if previous_shares is None:
        return None
    keys = [f"share_{category}" for category in MIX_CATEGORIES]
    if any(shares.get(key) is None or previous_shares.get(key) is None for key in keys):
        return None
    return _rounded(sum(abs(shares[key] - previous_shares[key]) for key in keys) / 2)


def solution_shift(
    shares: Mapping[str, float | None], previous_shares: Mapping[str, float | None] | None
) -> float | None:
    """This meeting's share of solution-oriented questions minus the previous meeting's;
    ``None`` without a previous meeting or when either had no posts."""
    if previous_shares is None:
        return None
    now, before = shares.get("share_solution"), previous_shares.get("share_solution")
    if now is None or before is None:
        return None
    return _rounded(now - before)


def post_counts(posts: Iterable[Mapping], attendees: Iterable[Mapping]) -> dict[str, int]:
    """Posts per participant: every attendee (0 if silent), and anyone who posted without
    being among the attendees."""
    counts: dict[str, int] = {attendee["participant"]: 0 for attendee in attendees}
    for post in posts:
        counts[post["participant"]] = counts.get(post["participant"], 0) + 1
    return counts


def gini(values: Iterable[float]) -> float | None:
    """Gini coefficient of non-negative values: the mean absolute difference between all
    pairs divided by twice the mean. 0 = all equal; (n − 1) / n = one value holds it all.
    ``None`` with fewer than two values or when all are 0 (there is nothing to share)."""
    values = sorted(values)
    n = len(values)
    total = sum(values)
    if n < 2 or total == 0:
        return None
    # Over sorted values the double sum of |x_i - x_j| reduces to one weighted sum.
    weighted = sum((2 * rank - n - 1) * value for rank, value in enumerate(values, start=1))
    return _rounded(weighted / (n * total))


def participation_gini(posts: Iterable[Mapping], attendees: Iterable[Mapping]) -> float | None:
    """Gini coefficient of the participants' post counts (see :func:`post_counts`): silent
    attendees count as 0. ``None`` with fewer than two participants or no posts."""
    return gini(post_counts(posts, attendees).values())


def organization_shares(
    posts: Iterable[Mapping], attendees: Iterable[Mapping]
) -> dict[str, float | None]:
    """``org_share_<CODE>`` for each organisation seen among the attendees or the posts,
    in code order: its share of the posts (``None`` when there are no posts). An
    organisation that attended but did not post has 0."""
    posts = list(posts)
    codes = {a["organization"] for a in attendees} | {p["organization"] for p in posts}
    codes.discard(None)
    counts = Counter(post["organization"] for post in posts)
    return {f"org_share_{code}": _share(counts[code], len(posts)) for code in sorted(codes)}


def reaction_rates(reactions: Mapping[str, int] | None) -> dict[str, float | None]:
    """``agree_rate``, ``disagreement_rate`` and ``build_on_rate``: each kind's share of all
    reactions, 0–1; ``None`` when there were no reactions."""
    reactions = reactions or {}
    total = sum(reactions.values())
    return {
        "agree_rate": _share(reactions.get("agree", 0), total),
        "disagreement_rate": _share(reactions.get("disagree", 0), total),
        "build_on_rate": _share(reactions.get("build_on", 0), total),
    }


def reactions_per_post(reactions: Mapping[str, int] | None, posts: int) -> float | None:
    """All reactions divided by the number of posts; ``None`` when there are no posts."""
    return _share(sum((reactions or {}).values()), posts)


def carried_answered_share(carried_in: int, carried_answered: int) -> float | None:
    """The share of the questions carried in from earlier meetings that were marked answered
    in this meeting; ``None`` when none were carried in."""
    return _share(carried_answered, carried_in)


def agenda_overrun(steps: Iterable[Mapping]) -> float | None:
    """Time used over time planned, of the steps that were started, minus 1: 0.25 = 25 % over
    time, −0.1 = 10 % under. ``None`` when no step with planned time was started. Steps never
    started are left out: skipping a step is not running over."""
    started = [step for step in steps if step.get("started")]
    planned = sum(step.get("planned_seconds") or 0 for step in started)
    if planned <= 0:
        return None
    used = sum(step.get("used_seconds") or 0 for step in started)
    return _rounded(used / planned - 1)


def self_evaluation_indicators(self_evaluation: Mapping | None) -> dict[str, float | int | None]:
    """``se_n`` (how many answered) and ``se_<item>`` for the scale means: every item of
    ``SCALE_KEYS`` (``None`` while too few have answered, so the columns stay the same from
    meeting to meeting) and any further item the means hold."""
    self_evaluation = self_evaluation or {}
    means = self_evaluation.get("means") or {}
    values: dict[str, float | int | None] = {"se_n": int(self_evaluation.get("n") or 0)}
    for key in (*SCALE_KEYS, *(key for key in means if key not in SCALE_KEYS)):
        values[f"se_{key}"] = _rounded(means.get(key))
    return values


def series_position(number: int, planned_meetings: int | None) -> float | None:
    """How far into the planned series a meeting is: 1/7 for the first of 7, 1 for the last.
    ``None`` when the number of meetings is not planned."""
    return _share(number, planned_meetings) if planned_meetings else None


def meeting_indicators(
    record: Mapping, previous_record: Mapping | None
) -> dict[str, float | int | None]:
    """Every indicator of one meeting, as one flat dict of names to numbers or ``None``.

    ``record`` is the meeting's record (``number``, ``planned_meetings``, ``posts``,
    ``attendees``, ``reactions``, ``carried_in``, ``carried_answered``, ``agenda``,
    ``self_evaluation``; see docs/phases.md); ``previous_record`` is the group's previous
    meeting's, or ``None`` for its first, and is used only for the shifts in the
    question-type mix.
    """
    posts = list(record.get("posts") or [])
    attendees = list(record.get("attendees") or [])
    reactions = record.get("reactions") or {}
    shares = question_type_shares(posts)
    previous_shares = (
        question_type_shares(previous_record.get("posts") or []) if previous_record else None
    )
    number = int(record["number"])
    return {
        "meeting_number": number,
        "series_position": series_position(number, record.get("planned_meetings")),
        "posts": len(posts),
        **shares,
        "mix_shift": mix_shift(shares, previous_shares),
        "solution_shift": solution_shift(shares, previous_shares),
        "participation_gini": participation_gini(posts, attendees),
        **organization_shares(posts, attendees),
        **reaction_rates(reactions),
        "reactions_per_post": reactions_per_post(reactions, len(posts)),
        "carried_answered_share": carried_answered_share(
            record.get("carried_in") or 0, record.get("carried_answered") or 0
        ),
        "agenda_overrun": agenda_overrun(record.get("agenda") or []),
        **self_evaluation_indicators(record.get("self_evaluation")),
    }
