"""A base group's timeline as one self-contained SVG, plus the same facts as table rows.

One column per meeting, three rows: the Tuckman phase (decided, or only suggested), the
question-type mix as a 100 % stacked bar, and participation balance (1 - Gini) as a
dot-and-line series. The picture is meant to be projected (1600x900) and read from the
back of a room, so type is large, shapes are thick and colour is never the only cue:
phase names are printed in their bands, a suggestion is hatched, dashed *and* worded,
and bar segments carry their percentage.

The SVG references nothing outside itself (no fonts, images or stylesheets) because the
app runs on a closed network under ``default-src 'self'``; styling is done with
presentation attributes. Every text that comes from the arguments is XML-escaped.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from pblapp.domain.vocabulary import PHASES, QUESTION_TYPES, UNTAGGED

# The app's question-type colours. Segments stack bottom-up in vocabulary order, so the
# encyclopedic share sits on the common baseline, where a shift across meetings (from
# looking things up towards meaning, values and solutions) is easiest to compare.
# The same colours as the question types' in pblapp/static/css/app.css.
QTYPE_COLORS: dict[str, str] = {
    "encyclopedic": "#2f6db5",
    "meaning": "#7a4bb3",
    "relational": "#1f8a70",
    "value": "#c0641d",
    "solution": "#b3245a",
    UNTAGGED: "#6b7280",
}
QTYPE_ORDER: tuple[str, ...] = (*QUESTION_TYPES, UNTAGGED)

# Okabe-Ito colours, chosen to stay distinguishable under the common colour-vision
# deficiencies; all are light enough for the dark label text printed on them.
# Zipped strictly with the vocabulary so a new phase key fails loudly here.
PHASE_COLORS: dict[str, str] = dict(
    zip(PHASES, ("#56b4e9", "#e69f00", "#f0e442", "#009e73", "#cc79a7"), strict=True)
)
_OTHER_PHASE_COLOR = "#bfc5cf"

INK = "#1a202c"
MUTED = "#4a5568"
RULE = "#cbd5e0"
FONT = "system-ui, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"

# The canvas, in viewBox units; the SVG scales to whatever box the page gives it.
WIDTH, HEIGHT = 1600, 900
_LEFT, _RIGHT = 24, 1576
_GUTTER = 290  # plot starts here; row labels and the legend live to its left
_TITLE_Y = 54
_HEAD_Y, _DATE_Y = 112, 142
_PHASE_TOP, _PHASE_H = 160, 112
_BAR_TOP, _BAR_H = 298, 332
_BAL_TOP, _BAL_H = 706, 130
_LEGEND_STEP = 46
_SWATCH = 30
_BAND_GAP = 8  # between neighbouring phase bands, so each meeting stays countable

_MIN_FONT = 16
_LINE_HEIGHT = 1.15
_EMPTY_BAR = "\u2013"  # an en dash marks a meeting held without posts

# Characters XML 1.0 forbids even when escaped; dropping them keeps the SVG parseable
# whatever a label holds.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def render_svg(meetings: list[dict], labels: dict, *, id_prefix: str = "timeline") -> str:
    """The group's timeline as an SVG document string.

    ``meetings`` are in series order; see the module docstring for what is drawn.
    ``id_prefix`` keeps element ids unique if a page inlines more than one timeline.
    """
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError("id_prefix must be a letter followed by letters, digits, - or _")
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    col_w = (_RIGHT - _GUTTER) / max(len(meetings), 1)
    sizes = _sizes(meetings, labels, col_w)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" font-family="{FONT}" fill="{INK}">',
        f'<title id="{title_id}">{_text(labels.get("title", ""))}</title>',
        f'<desc id="{desc_id}">{_text(labels.get("desc", ""))}</desc>',
        _defs(id_prefix),
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _fitted_text(labels.get("title", ""), _LEFT, _TITLE_Y, 38, _RIGHT - _LEFT, weight="700"),
    ]
    out += _row_labels(labels)
    # Light guides first so everything else draws over them.
    out.append(
        f'<line x1="{_GUTTER}" y1="{_BAL_TOP + _BAL_H}" x2="{_RIGHT}" y2="{_BAL_TOP + _BAL_H}"'
        f' stroke="{RULE}" stroke-width="3"/>'
    )
    out.append(
        f'<line x1="{_GUTTER}" y1="{_BAL_TOP}" x2="{_RIGHT}" y2="{_BAL_TOP}"'
        f' stroke="{RULE}" stroke-width="2" stroke-dasharray="10 8"/>'
    )
    # The scale's ends (1 = everyone posts equally), so a lone dot still reads on its own.
    for value, y in (("1", _BAL_TOP), ("0", _BAL_TOP + _BAL_H)):
        out.append(
            f'<text x="{_GUTTER - 10}" y="{y + 7}" font-size="20" text-anchor="end"'
            f' fill="{MUTED}">{value}</text>'
        )
    for index, meeting in enumerate(meetings):
        x = _GUTTER + index * col_w
        out.append(_column(meeting, labels, x, col_w, sizes, id_prefix))
    out.append(_balance_series(meetings, col_w, labels))
    out += _legend(labels, sizes["legend"])
    out.append("</svg>")
    return "\n".join(out)


def text_table(meetings: list[dict], labels: dict) -> list[dict]:
    """The timeline's facts as rows for an accessible HTML table shown beside the SVG.

    Values are plain (unescaped) strings: the template that prints them escapes them.
    """
    rows = []
    for meeting in meetings:
        phase_key, is_suggestion = _phase_of(meeting)
        gini = None if meeting.get("planned") else meeting.get("gini")
        rows.append(
            {
                "meeting": _meeting_label(meeting, labels),
                "date": meeting.get("date") or "",
                "phase": _phase_label(phase_key, labels) if phase_key else "",
                "phase_is_suggestion": is_suggestion,
                "mix": _mix_summary(meeting, labels),
                "balance": "" if gini is None else _decimal(_balance(gini), labels),
            }
        )
    return rows


# --- the meeting facts -----------------------------------------------------------------


def _phase_of(meeting: dict) -> tuple[str | None, bool]:
    """The phase to show and whether it is only a suggestion; a decision wins."""
    if meeting.get("planned"):
        return None, False
    if meeting.get("decided"):
        return meeting["decided"], False
    if meeting.get("suggested"):
        return meeting["suggested"], True
    return None, False


def _phase_label(key: str, labels: dict) -> str:
    return str(labels.get("phases", {}).get(key, key))


def _meeting_label(meeting: dict, labels: dict) -> str:
    return f"{labels.get('meeting', '')} {meeting.get('number', '')}".strip()


def _shares(meeting: dict) -> list[tuple[str, float]]:
    """Positive shares in stacking order, rescaled to sum to 1 (inputs may be rounded)."""
    mix = None if meeting.get("planned") else meeting.get("mix")
    if not mix:
        return []
    shares = [(key, float(mix.get(key) or 0)) for key in QTYPE_ORDER]
    total = sum(share for _, share in shares if share > 0)
    if total <= 0:
        return []
    return [(key, share / total) for key, share in shares if share > 0]


def _percent(share: float) -> str:
    # Half up, as people round; and a share that rounds to zero still exists, so it is
    # "<1 %", never "0 %", which would read as "none".
    whole = int(share * 100 + 0.5)
    return "<1 %" if whole == 0 else f"{whole} %"


def _mix_summary(meeting: dict, labels: dict) -> str:
    qtypes = labels.get("qtypes", {})
    shares = _shares(meeting)
    # Largest first; a tie keeps the vocabulary order (sorted() is stable).
    shares.sort(key=lambda item: -item[1])
    return ", ".join(f"{qtypes.get(key, key)} {_percent(share)}" for key, share in shares)


def _decimal(value: float, labels: dict) -> str:
    """Two decimals with the reader's decimal mark (``labels["decimal_mark"]``, "." if not
    given): 0,69 in Swedish."""
    return f"{value:.2f}".replace(".", labels.get("decimal_mark", "."))


def _balance(gini: float) -> float:
    return min(1.0, max(0.0, 1.0 - float(gini)))


# --- drawing -----------------------------------------------------------------------------


def _bar_width(col_w: float) -> float:
    return min(col_w * 0.62, 130)


def _band_text_room(col_w: float) -> float:
    return col_w - _BAND_GAP - 12


def _sizes(meetings: list[dict], labels: dict, col_w: float) -> dict[str, int]:
    """One font size per kind of text, the largest at which every instance fits.

    A row whose labels all share one size reads as a row; fitting each text on its own
    would make a long translated name look less important than its neighbours.
    """
    room = col_w - 12
    phase_lines = []
    for meeting in meetings:
        key, _ = _phase_of(meeting)
        if key:
            label = _phase_label(key, labels)
            phase_lines += _split_label(label, 26, _band_text_room(col_w))
    qtypes = labels.get("qtypes", {})
    legend_x = _LEFT + _SWATCH + 10
    legend_room = _GUTTER + (col_w - _bar_width(col_w)) / 2 - legend_x - 8
    return {
        "head": _common_size(
            [_meeting_label(m, labels) for m in meetings], 28, room, "700", _MIN_FONT
        ),
        "date": _common_size([m.get("date") or "" for m in meetings], 22, room, "400", _MIN_FONT),
        # Phase names are the row's message: a long single word ("Orienteringsfas") is
        # squeezed a little rather than dragging the whole row down to the minimum size.
        "phase": _common_size(phase_lines, 26, _band_text_room(col_w), "700", 22),
        "legend": _common_size(
            [str(qtypes.get(key, key)) for key in QTYPE_ORDER], 22, legend_room, "400", 20
        ),
    }


def _common_size(texts: list[str], size: int, room: float, weight: str, floor: int) -> int:
    widest = max((_text_width(_clean(text), 1, weight) for text in texts), default=0)
    if widest == 0 or widest * size <= room:
        return size
    return max(floor, int(room / widest))


def _defs(id_prefix: str) -> str:
    """Hatch patterns for suggested phases: stripes of the phase colour on white."""
    patterns = []
    for key, color in (*PHASE_COLORS.items(), ("other", _OTHER_PHASE_COLOR)):
        patterns.append(
            f'<pattern id="{id_prefix}-hatch-{key}" width="18" height="18"'
            ' patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="18" height="18" fill="#ffffff"/>'
            f'<rect width="9" height="18" fill="{color}"/></pattern>'
        )
    return "<defs>" + "".join(patterns) + "</defs>"


def _row_labels(labels: dict) -> list[str]:
    width = _GUTTER - _LEFT - 8
    return [
        _wrapped_text(
            labels.get("phase", ""),
            _LEFT,
            _PHASE_TOP + _PHASE_H / 2,
            24,
            width,
            weight="700",
            css_class="row-label",
        ),
        # The mix label heads its row so the legend can sit right under it.
        _fitted_text(
            labels.get("mix", ""),
            _LEFT,
            _BAR_TOP + 22,
            24,
            width,
            weight="700",
            css_class="row-label",
        ),
        _wrapped_text(
            labels.get("balance", ""),
            _LEFT,
            _BAL_TOP + _BAL_H / 2,
            24,
            width,
            weight="700",
            css_class="row-label",
        ),
    ]


def _column(
    meeting: dict, labels: dict, x: float, width: float, sizes: dict, id_prefix: str
) -> str:
    planned = bool(meeting.get("planned"))
    centre = x + width / 2
    inner = width - 12
    number = _attr(str(meeting.get("number", "")))
    kind = "planned" if planned else "held"
    parts = [f'<g class="meeting {kind}" data-meeting={number}>']
    # Planned meetings are muted, not hidden, so the whole series is visible.
    head_color = MUTED if planned else INK
    parts.append(
        _fitted_text(
            _meeting_label(meeting, labels),
            centre,
            _HEAD_Y,
            sizes["head"],
            inner,
            weight="700",
            anchor="middle",
            fill=head_color,
        )
    )
    if meeting.get("date"):
        parts.append(
            _fitted_text(
                meeting["date"], centre, _DATE_Y, sizes["date"], inner, anchor="middle", fill=MUTED
            )
        )
    parts.append(
        _phase_band(
            meeting, labels, x + _BAND_GAP / 2, width - _BAND_GAP, sizes["phase"], id_prefix
        )
    )
    parts.append(_stacked_bar(meeting, centre, width))
    parts.append("</g>")
    return "".join(parts)


def _phase_band(
    meeting: dict, labels: dict, x: float, width: float, size: int, id_prefix: str
) -> str:
    key, suggested = _phase_of(meeting)
    if key is None:
        return ""
    label = _phase_label(key, labels)
    known = key in PHASE_COLORS
    color = PHASE_COLORS.get(key, _OTHER_PHASE_COLOR)
    centre = x + width / 2
    middle = _PHASE_TOP + _PHASE_H / 2
    box = f'x="{x:.1f}" y="{_PHASE_TOP}" width="{width:.1f}" height="{_PHASE_H}" rx="10"'
    if not suggested:
        lines = [(line, size, "700", None) for line in _split_label(label, 26, width - 12)]
        return (
            f'<g class="phase decided" data-phase={_attr(key)}>'
            f'<rect {box} fill="{color}" stroke="{INK}" stroke-width="3"/>'
            + _text_block(lines, centre, middle, width - 12)
            + "</g>"
        )
    # A suggestion: hatched, dashed outline, and the word itself on a white plate so it
    # reads in greyscale and from afar.
    pattern = f"url(#{id_prefix}-hatch-{key if known else 'other'})"
    lines = [(line, size, "700", None) for line in _split_label(label, 26, width - 12)]
    lines.append((f"({labels.get('suggested', '')})", 20, "400", "italic"))
    plate_h = sum(size * _LINE_HEIGHT for _, size, _, _ in lines) + 8
    return (
        f'<g class="phase suggested" data-phase={_attr(key)}>'
        f'<rect {box} fill="{pattern}" stroke="{INK}" stroke-width="4"'
        ' stroke-dasharray="14 9"/>'
        f'<rect x="{x + 5:.1f}" y="{middle - plate_h / 2:.1f}" width="{width - 10:.1f}"'
        f' height="{plate_h:.1f}" rx="6" fill="#ffffff" fill-opacity="0.92"/>'
        + _text_block(lines, centre, middle, width - 12)
        + "</g>"
    )


def _split_label(label: str, size: float, width: float) -> list[str]:
    """One line if it fits, else two lines split at the space that balances them best.

    Translated phase names are often two words ("Normerande fas"); wrapping keeps them at
    full size where shrinking would make them the hardest text to read in the picture.
    """
    words = _clean(label).split()
    if len(words) < 2 or _text_width(label, size, "700") <= width:
        return [label]
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return list(min(splits, key=lambda pair: max(len(pair[0]), len(pair[1]))))


def _text_block(lines: list[tuple], centre: float, middle: float, width: float) -> str:
    """Centred lines of ``(text, size, weight, style)`` stacked around ``middle``.

    Sizes are chosen by the caller; a line that still overflows is squeezed (browsers
    honour ``textLength``) rather than shrunk below 20 units.
    """
    heights = [size * _LINE_HEIGHT for _, size, _, _ in lines]
    top = middle - sum(heights) / 2
    parts = []
    for (text, size, weight, style), height in zip(lines, heights, strict=True):
        # The baseline sits about a third of the line above its bottom for these faces.
        baseline = top + height * 0.74
        parts.append(
            _fitted_text(
                text,
                centre,
                baseline,
                size,
                width,
                weight=weight,
                anchor="middle",
                style=style,
                css_class="suggested-word" if style == "italic" else None,
                min_size=20,
            )
        )
        top += height
    return "".join(parts)


def _stacked_bar(meeting: dict, centre: float, col_w: float) -> str:
    if meeting.get("planned"):
        return ""
    bar_w = _bar_width(col_w)
    x = centre - bar_w / 2
    bottom = _BAR_TOP + _BAR_H
    shares = _shares(meeting)
    if not shares:
        # Held, but nothing posted: an empty outline, so it is not mistaken for planned.
        return (
            f'<g class="mix empty"><rect x="{x:.1f}" y="{_BAR_TOP}" width="{bar_w:.1f}"'
            f' height="{_BAR_H}" fill="none" stroke="{MUTED}" stroke-width="3"'
            ' stroke-dasharray="10 8"/>'
            + _fitted_text(
                _EMPTY_BAR,
                centre,
                _BAR_TOP + _BAR_H / 2 + 16,
                48,
                bar_w,
                anchor="middle",
                fill=MUTED,
            )
            + "</g>"
        )
    parts = [f'<g class="mix" data-full-height="{_BAR_H}">']
    # Round the running edge, not each segment, so the segments always add up to the bar.
    cumulative = 0.0
    lower = float(bottom)
    for key, share in shares:
        cumulative += share
        upper = round(bottom - cumulative * _BAR_H, 2)
        height = round(lower - upper, 2)
        parts.append(
            f'<rect class="mix-segment" data-qtype="{key}" x="{x:.1f}" y="{upper:.2f}"'
            f' width="{bar_w:.1f}" height="{height:.2f}" fill="{QTYPE_COLORS[key]}"'
            ' stroke="#ffffff" stroke-width="2"/>'
        )
        if height >= 30:
            # Light grey (untagged) needs dark text; every other colour takes white.
            text_fill = INK if key == UNTAGGED else "#ffffff"
            parts.append(
                _fitted_text(
                    _percent(share),
                    centre,
                    upper + height / 2 + 8,
                    22,
                    bar_w - 8,
                    weight="700",
                    anchor="middle",
                    fill=text_fill,
                )
            )
        lower = upper
    parts.append(
        f'<rect x="{x:.1f}" y="{_BAR_TOP}" width="{bar_w:.1f}" height="{_BAR_H}"'
        f' fill="none" stroke="{INK}" stroke-width="3"/>'
    )
    parts.append("</g>")
    return "".join(parts)


def _balance_series(meetings: list[dict], col_w: float, labels: dict) -> str:
    points: list[tuple[float, float, float] | None] = []
    for index, meeting in enumerate(meetings):
        gini = None if meeting.get("planned") else meeting.get("gini")
        if gini is None:
            points.append(None)
            continue
        value = _balance(gini)
        x = _GUTTER + (index + 0.5) * col_w
        points.append((x, _BAL_TOP + _BAL_H * (1 - value), value))
    parts = ['<g class="balance">']
    # A gap (no posts, or not yet held) breaks the line rather than inventing a trend.
    for left, right in zip(points, points[1:], strict=False):
        if left and right:
            parts.append(
                f'<line x1="{left[0]:.1f}" y1="{left[1]:.1f}" x2="{right[0]:.1f}"'
                f' y2="{right[1]:.1f}" stroke="{INK}" stroke-width="5"'
                ' stroke-linecap="round"/>'
            )
    for point in points:
        if point is None:
            continue
        x, y, value = point
        parts.append(
            f'<circle class="balance-dot" cx="{x:.1f}" cy="{y:.1f}" r="11" fill="{INK}"'
            ' stroke="#ffffff" stroke-width="3"/>'
        )
        # Labels sit above the dot, except near the top where they would hit the bars.
        label_y = y - 20 if y - 20 - 22 > _BAR_TOP + _BAR_H else y + 38
        parts.append(
            _fitted_text(
                _decimal(value, labels),
                x,
                label_y,
                24,
                col_w - 8,
                weight="700",
                anchor="middle",
                css_class="balance-value",
            )
        )
    parts.append("</g>")
    return "".join(parts)


def _legend(labels: dict, size: int) -> list[str]:
    """The question types in the gutter beside the bars, listed in the order they stack.

    Top to bottom as in the bars (untagged on top, encyclopedic at the base), so each
    swatch sits roughly level with its segments and the eye need not travel.
    """
    qtypes = labels.get("qtypes", {})
    swatch = _SWATCH
    parts = ['<g class="legend">']
    bottom = _BAR_TOP + _BAR_H - swatch
    for index, key in enumerate(QTYPE_ORDER):
        y = bottom - index * _LEGEND_STEP
        parts.append(
            f'<rect class="legend-swatch" data-qtype="{key}" x="{_LEFT}" y="{y}"'
            f' width="{swatch}" height="{swatch}" fill="{QTYPE_COLORS[key]}"'
            f' stroke="{INK}" stroke-width="2"/>'
        )
        parts.append(
            _fitted_text(
                qtypes.get(key, key),
                _LEFT + swatch + 10,
                y + swatch / 2 + 8,
                size,
                _GUTTER - _LEFT - swatch,
            )
        )
    parts.append("</g>")
    return parts


# --- text helpers ------------------------------------------------------------------------


def _clean(value) -> str:
    return _XML_INVALID.sub("", str(value))


def _text(value) -> str:
    return escape(_clean(value))


def _attr(value) -> str:
    return quoteattr(_clean(value))


def _text_width(text: str, size: float, weight: str = "400") -> float:
    # No font metrics without a font file; these averages err wide for common sans faces
    # (DejaVu Sans, the widest likely one, measured on the Swedish and English labels).
    per_char = 0.66 if weight == "700" else 0.58
    return len(text) * size * per_char


def _fitted_text(
    text,
    x: float,
    y: float,
    size: float,
    max_width: float,
    *,
    weight: str = "400",
    anchor: str = "start",
    fill: str | None = None,
    style: str | None = None,
    css_class: str | None = None,
    min_size: float = _MIN_FONT,
) -> str:
    """A ``<text>`` kept inside ``max_width``: first a smaller size, then squeezed.

    Shrinking works in every renderer; ``textLength`` is the last resort because some
    (librsvg) ignore it. The floor keeps text legible when many meetings share the width.
    """
    text = _clean(text)
    needed = _text_width(text, size, weight)
    if max_width > 0 and needed > max_width:
        size = max(min_size, int(size * max_width / needed))
    attrs = [f'x="{x:.1f}"', f'y="{y:.1f}"', f'font-size="{size}"']
    if weight != "400":
        attrs.append(f'font-weight="{weight}"')
    if anchor != "start":
        attrs.append(f'text-anchor="{anchor}"')
    if fill:
        attrs.append(f'fill="{fill}"')
    if style:
        attrs.append(f'font-style="{style}"')
    if css_class:
        attrs.append(f'class="{css_class}"')
    if max_width > 0 and _text_width(text, size, weight) > max_width:
        attrs.append(f'textLength="{max_width:.1f}" lengthAdjust="spacingAndGlyphs"')
    return f"<text {' '.join(attrs)}>{escape(text)}</text>"


def _wrapped_text(text, x: float, middle: float, size: float, max_width: float, **kwargs) -> str:
    """Up to two lines, vertically centred on ``middle``; a long last line is squeezed."""
    words = _clean(text).split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines) < 2:
            candidate = f"{lines[-1]} {word}"
            if _text_width(candidate, size, kwargs.get("weight", "400")) <= max_width:
                lines[-1] = candidate
                continue
        if len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}"
    line_h = size * 1.2
    first = middle - (len(lines) - 1) * line_h / 2 + size * 0.35
    return "".join(
        _fitted_text(line, x, first + i * line_h, size, max_width, **kwargs)
        for i, line in enumerate(lines)
    )
