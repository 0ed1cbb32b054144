"""The drawing of the group timeline, which ``timeline.render_svg`` puts together: the
canvas and its layout in viewBox units, one font size per kind of text, the hatch patterns
for suggested phases, the row labels, one column per meeting (heading, date, phase band and
the question-type bar stacked to 100 %), the balance row's dot-and-line series and the
question-type legend in the gutter. Each function returns SVG markup; every text from the
arguments goes through ``svg_text``, which cleans and escapes it.
"""

from __future__ import annotations

from pblapp.domain import timeline_facts as facts
from pblapp.domain.svg_text import (
    LINE_HEIGHT,
    MIN_FONT,
    common_size,
    fitted_text,
    split_label,
    text_block,
    wrapped_text,
    xml_attr,
)
from pblapp.domain.timeline_facts import (
    INK,
    MUTED,
    OTHER_PHASE_COLOR,
    PHASE_COLORS,
    QTYPE_COLORS,
    QTYPE_ORDER,
)

# The canvas, in viewBox units; the SVG scales to whatever box the page gives it.
WIDTH, HEIGHT = 1600, 900
LEFT, RIGHT = 24, 1576
GUTTER = 290  # plot starts here; row labels and the legend live to its left
TITLE_Y = 54
_HEAD_Y, _DATE_Y = 112, 142
_PHASE_TOP, _PHASE_H = 160, 112
_BAR_TOP, _BAR_H = 298, 332
BAL_TOP, BAL_H = 706, 130
_LEGEND_STEP = 46
_SWATCH = 30
_BAND_GAP = 8  # between neighbouring phase bands, so each meeting stays countable

_EMPTY_BAR = "\u2013"  # an en dash marks a meeting held without posts


def _bar_width(col_w: float) -> float:
    return min(col_w * 0.62, 130)


def _band_text_room(col_w: float) -> float:
    return col_w - _BAND_GAP - 12


def sizes(meetings: list[dict], labels: dict, col_w: float) -> dict[str, int]:
    """One font size per kind of text, the largest at which every instance fits.

    A row whose labels all share one size reads as a row; fitting each text on its own
    would make a long translated name look less important than its neighbours.
    """
    room = col_w - 12
    phase_lines = []
    for meeting in meetings:
        key, _ = facts.phase_of(meeting)
        if key:
            label = facts.phase_label(key, labels)
            phase_lines += split_label(label, 26, _band_text_room(col_w))
    qtypes = labels.get("qtypes", {})
    legend_x = LEFT + _SWATCH + 10
    legend_room = GUTTER + (col_w - _bar_width(col_w)) / 2 - legend_x - 8
    return {
        "head": common_size(
            [facts.meeting_label(m, labels) for m in meetings], 28, room, "700", MIN_FONT
        ),
        "date": common_size([m.get("date") or "" for m in meetings], 22, room, "400", MIN_FONT),
        # Phase names are the row's message: a long single word ("Orienteringsfas") is
        # squeezed a little rather than dragging the whole row down to the minimum size.
        "phase": common_size(phase_lines, 26, _band_text_room(col_w), "700", 22),
        "legend": common_size(
            [str(qtypes.get(key, key)) for key in QTYPE_ORDER], 22, legend_room, "400", 20
        ),
    }


def defs(id_prefix: str) -> str:
    """Hatch patterns for suggested phases: stripes of the phase colour on white."""
    patterns = []
    for key, color in (*PHASE_COLORS.items(), ("other", OTHER_PHASE_COLOR)):
        patterns.append(
            f'<pattern id="{id_prefix}-hatch-{key}" width="18" height="18"'
            ' patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="18" height="18" fill="#ffffff"/>'
            f'<rect width="9" height="18" fill="{color}"/></pattern>'
        )
    return "<defs>" + "".join(patterns) + "</defs>"


def row_labels(labels: dict) -> list[str]:
    width = GUTTER - LEFT - 8
    return [
        wrapped_text(
            labels.get("phase", ""),
            LEFT,
            _PHASE_TOP + _PHASE_H / 2,
            24,
            width,
            weight="700",
            css_class="row-label",
        ),
        # The mix label heads its row so the legend can sit right under it.
        fitted_text(
            labels.get("mix", ""),
            LEFT,
            _BAR_TOP + 22,
            24,
            width,
            weight="700",
            css_class="row-label",
        ),
        wrapped_text(
            labels.get("balance", ""),
            LEFT,
            BAL_TOP + BAL_H / 2,
            24,
            width,
            weight="700",
            css_class="row-label",
        ),
    ]


def column(meeting: dict, labels: dict, x: float, width: float, sizes: dict, id_prefix: str) -> str:
    planned = bool(meeting.get("planned"))
    centre = x + width / 2
    inner = width - 12
    number = xml_attr(str(meeting.get("number", "")))
    kind = "planned" if planned else "held"
    parts = [f'<g class="meeting {kind}" data-meeting={number}>']
    # Planned meetings are muted, not hidden, so the whole series is visible.
    head_color = MUTED if planned else INK
    parts.append(
        fitted_text(
            facts.meeting_label(meeting, labels),
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
            fitted_text(
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
    key, suggested = facts.phase_of(meeting)
    if key is None:
        return ""
    label = facts.phase_label(key, labels)
    known = key in PHASE_COLORS
    color = PHASE_COLORS.get(key, OTHER_PHASE_COLOR)
    centre = x + width / 2
    middle = _PHASE_TOP + _PHASE_H / 2
    box = f'x="{x:.1f}" y="{_PHASE_TOP}" width="{width:.1f}" height="{_PHASE_H}" rx="10"'
    if not suggested:
        lines = [(line, size, "700", None) for line in split_label(label, 26, width - 12)]
        return (
            f'<g class="phase decided" data-phase={xml_attr(key)}>'
            f'<rect {box} fill="{color}" stroke="{INK}" stroke-width="3"/>'
            + text_block(lines, centre, middle, width - 12)
            + "</g>"
        )
    # A suggestion: hatched, dashed outline, and the word itself on a white plate so it
    # reads in greyscale and from afar.
    pattern = f"url(#{id_prefix}-hatch-{key if known else 'other'})"
    lines = [(line, size, "700", None) for line in split_label(label, 26, width - 12)]
    lines.append((f"({labels.get('suggested', '')})", 20, "400", "italic"))
    plate_h = sum(size * LINE_HEIGHT for _, size, _, _ in lines) + 8
    return (
        f'<g class="phase suggested" data-phase={xml_attr(key)}>'
        f'<rect {box} fill="{pattern}" stroke="{INK}" stroke-width="4"'
        ' stroke-dasharray="14 9"/>'
        f'<rect x="{x + 5:.1f}" y="{middle - plate_h / 2:.1f}" width="{width - 10:.1f}"'
        f' height="{plate_h:.1f}" rx="6" fill="#ffffff" fill-opacity="0.92"/>'
        + text_block(lines, centre, middle, width - 12)
        + "</g>"
    )


def _stacked_bar(meeting: dict, centre: float, col_w: float) -> str:
    if meeting.get("planned"):
        return ""
    bar_w = _bar_width(col_w)
    x = centre - bar_w / 2
    bottom = _BAR_TOP + _BAR_H
    shares = facts.shares(meeting)
    if not shares:
        # Held, but nothing posted: an empty outline, so it is not mistaken for planned.
        return (
            f'<g class="mix empty"><rect x="{x:.1f}" y="{_BAR_TOP}" width="{bar_w:.1f}"'
            f' height="{_BAR_H}" fill="none" stroke="{MUTED}" stroke-width="3"'
            ' stroke-dasharray="10 8"/>'
            + fitted_text(
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
            # White on every question-type colour: each is dark enough for 4.5:1 (WCAG AA).
            parts.append(
                fitted_text(
                    facts.percent(share),
                    centre,
                    upper + height / 2 + 8,
                    22,
                    bar_w - 8,
                    weight="700",
                    anchor="middle",
                    fill="#ffffff",
                )
            )
        lower = upper
    parts.append(
        f'<rect x="{x:.1f}" y="{_BAR_TOP}" width="{bar_w:.1f}" height="{_BAR_H}"'
        f' fill="none" stroke="{INK}" stroke-width="3"/>'
    )
    parts.append("</g>")
    return "".join(parts)


def balance_series(meetings: list[dict], col_w: float, labels: dict) -> str:
    points: list[tuple[float, float, float] | None] = []
    for index, meeting in enumerate(meetings):
        gini = None if meeting.get("planned") else meeting.get("gini")
        if gini is None:
            points.append(None)
            continue
        value = facts.balance(gini)
        x = GUTTER + (index + 0.5) * col_w
        points.append((x, BAL_TOP + BAL_H * (1 - value), value))
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
            fitted_text(
                facts.decimal(value, labels),
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


def legend(labels: dict, size: int) -> list[str]:
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
            f'<rect class="legend-swatch" data-qtype="{key}" x="{LEFT}" y="{y}"'
            f' width="{swatch}" height="{swatch}" fill="{QTYPE_COLORS[key]}"'
            f' stroke="{INK}" stroke-width="2"/>'
        )
        parts.append(
            fitted_text(
                qtypes.get(key, key),
                LEFT + swatch + 10,
                y + swatch / 2 + 8,
                size,
                GUTTER - LEFT - swatch,
            )
        )
    parts.append("</g>")
    return parts
