"""What the group timeline shows of each meeting, shared by the picture
(``timeline_drawing``) and the table beside it (``timeline``): the order question types
stack in, the colours of question types and phases together with the ink colours, and
the small helpers that read a meeting's phase, labels, question-type shares and
participation balance and format its percentages and decimals.
"""

from __future__ import annotations

from pblapp.domain.vocabulary import PHASES, QUESTION_TYPES, UNTAGGED

# The app's question-type colours. Segments stack bottom-up in vocabulary order, so the
# encyclopedic share sits on the common baseline, where a shift across meetings (from
# looking things up towards meaning, values and solutions) is easiest to compare.
# The same colours as the question types' in pblapp/static/css/app.css.
QTYPE_COLORS: dict[str, str] = {
    "encyclopedic": "#2f6db5",
    "meaning": "#7a4bb3",
    "relational": "#1c7b64",
    "value": "#aa581a",
    "solution": "#b3245a",
    UNTAGGED: "#686e7c",
}
QTYPE_ORDER: tuple[str, ...] = (*QUESTION_TYPES, UNTAGGED)

# Okabe-Ito colours, chosen to stay distinguishable under the common colour-vision
# deficiencies; all are light enough for the dark label text printed on them.
# Zipped strictly with the vocabulary so a new phase key fails loudly here.
PHASE_COLORS: dict[str, str] = dict(
    zip(PHASES, ("#56b4e9", "#e69f00", "#f0e442", "#009e73", "#cc79a7"), strict=True)
)
OTHER_PHASE_COLOR = "#bfc5cf"

INK = "#1a202c"
MUTED = "#4a5568"
RULE = "#cbd5e0"


def phase_of(meeting: dict) -> tuple[str | None, bool]:
    """The phase to show and whether it is only a suggestion; a decision wins."""
    if meeting.get("planned"):
        return None, False
    if meeting.get("decided"):
        return meeting["decided"], False
    if meeting.get("suggested"):
        return meeting["suggested"], True
    return None, False


def phase_label(key: str, labels: dict) -> str:
    return str(labels.get("phases", {}).get(key, key))


def meeting_label(meeting: dict, labels: dict) -> str:
    return f"{labels.get('meeting', '')} {meeting.get('number', '')}".strip()


def shares(meeting: dict) -> list[tuple[str, float]]:
    """Positive shares in stacking order, rescaled to sum to 1 (inputs may be rounded)."""
    mix = None if meeting.get("planned") else meeting.get("mix")
    if not mix:
        return []
    shares = [(key, float(mix.get(key) or 0)) for key in QTYPE_ORDER]
    total = sum(share for _, share in shares if share > 0)
    if total <= 0:
        return []
    return [(key, share / total) for key, share in shares if share > 0]


def percent(share: float) -> str:
    # Half up, as people round; and a share that rounds to zero still exists, so it is
    # "<1 %", never "0 %", which would read as "none".
    whole = int(share * 100 + 0.5)
    return "<1 %" if whole == 0 else f"{whole} %"


def decimal(value: float, labels: dict) -> str:
    """Two decimals with the reader's decimal mark (``labels["decimal_mark"]``, "." if not
    given): 0,69 in Swedish."""
    return f"{value:.2f}".replace(".", labels.get("decimal_mark", "."))


def balance(gini: float) -> float:
    return min(1.0, max(0.0, 1.0 - float(gini)))
