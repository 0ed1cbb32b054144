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

This module puts the picture together and holds the table; the drawing itself is in
``timeline_drawing``, the generic SVG text helpers in ``svg_text``, and what both the
picture and the table read of a meeting (and the colours) in ``timeline_facts``.
"""

from __future__ import annotations

import re

from pblapp.domain import timeline_drawing as drawing
from pblapp.domain import timeline_facts as facts
from pblapp.domain.svg_text import FONT, fitted_text, xml_text
from pblapp.domain.timeline_drawing import (
    BAL_H,
    BAL_TOP,
    GUTTER,
    HEIGHT,
    LEFT,
    RIGHT,
    TITLE_Y,
    WIDTH,
)
from pblapp.domain.timeline_facts import INK, MUTED, RULE

_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def render_svg(meetings: list[dict], labels: dict, *, id_prefix: str = "timeline") -> str:
    """The group's timeline as an SVG document string.

    ``meetings`` are in series order; see the module docstring for what is drawn.
    ``id_prefix`` keeps element ids unique if a page inlines more than one timeline.
    """
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError("id_prefix must be a letter followed by letters, digits, - or _")
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    col_w = (RIGHT - GUTTER) / max(len(meetings), 1)
    sizes = drawing.sizes(meetings, labels, col_w)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img"'
        f' aria-labelledby="{title_id} {desc_id}" font-family="{FONT}" fill="{INK}">',
        f'<title id="{title_id}">{xml_text(labels.get("title", ""))}</title>',
        f'<desc id="{desc_id}">{xml_text(labels.get("desc", ""))}</desc>',
        drawing.defs(id_prefix),
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        fitted_text(labels.get("title", ""), LEFT, TITLE_Y, 38, RIGHT - LEFT, weight="700"),
    ]
    out += drawing.row_labels(labels)
    # Light guides first so everything else draws over them.
    out.append(
        f'<line x1="{GUTTER}" y1="{BAL_TOP + BAL_H}" x2="{RIGHT}" y2="{BAL_TOP + BAL_H}"'
        f' stroke="{RULE}" stroke-width="3"/>'
    )
    out.append(
        f'<line x1="{GUTTER}" y1="{BAL_TOP}" x2="{RIGHT}" y2="{BAL_TOP}"'
        f' stroke="{RULE}" stroke-width="2" stroke-dasharray="10 8"/>'
    )
    # The scale's ends (1 = everyone posts equally), so a lone dot still reads on its own.
    for value, y in (("1", BAL_TOP), ("0", BAL_TOP + BAL_H)):
        out.append(
            f'<text x="{GUTTER - 10}" y="{y + 7}" font-size="20" text-anchor="end"'
            f' fill="{MUTED}">{value}</text>'
        )
    for index, meeting in enumerate(meetings):
        x = GUTTER + index * col_w
        out.append(drawing.column(meeting, labels, x, col_w, sizes, id_prefix))
    out.append(drawing.balance_series(meetings, col_w, labels))
    out += drawing.legend(labels, sizes["legend"])
    out.append("</svg>")
    return "\n".join(out)


def text_table(meetings: list[dict], labels: dict) -> list[dict]:
    """The timeline's facts as rows for an accessible HTML table shown beside the SVG.

    Values are plain (unescaped) strings: the template that prints them escapes them.
    """
    rows = []
    for meeting in meetings:
        phase_key, is_suggestion = facts.phase_of(meeting)
        gini = None if meeting.get("planned") else meeting.get("gini")
        rows.append(
            {
                "meeting": facts.meeting_label(meeting, labels),
                "date": meeting.get("date") or "",
                "phase": facts.phase_label(phase_key, labels) if phase_key else "",
                "phase_is_suggestion": is_suggestion,
                "mix": _mix_summary(meeting, labels),
                "balance": "" if gini is None else facts.decimal(facts.balance(gini), labels),
            }
        )
    return rows


def _mix_summary(meeting: dict, labels: dict) -> str:
    qtypes = labels.get("qtypes", {})
    shares = facts.shares(meeting)
    # Largest first; a tie keeps the vocabulary order (sorted() is stable).
    shares.sort(key=lambda item: -item[1])
    return ", ".join(f"{qtypes.get(key, key)} {facts.percent(share)}" for key, share in shares)
