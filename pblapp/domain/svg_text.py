"""Generic helpers for text in a self-contained SVG, with no knowledge of what is drawn:
cleaning a value of the characters XML 1.0 forbids and escaping it for element text or an
attribute, estimating a text's width without font metrics, and the ``<text>`` elements
built on that estimate (a text fitted to a width, wrapped onto two lines, a label split
at its most balanced space, a centred block of lines, one common size for many texts),
together with the font family, the smallest font size and the line height they use.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

FONT = "system-ui, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
MIN_FONT = 16
LINE_HEIGHT = 1.15

# Characters XML 1.0 forbids even when escaped; dropping them keeps the SVG parseable
# whatever a label holds.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value) -> str:
    return _XML_INVALID.sub("", str(value))


def xml_text(value) -> str:
    return escape(clean(value))


def xml_attr(value) -> str:
    return quoteattr(clean(value))


def text_width(text: str, size: float, weight: str = "400") -> float:
    # No font metrics without a font file; these averages err wide for common sans faces
    # (DejaVu Sans, the widest likely one, measured on the Swedish and English labels).
    per_char = 0.66 if weight == "700" else 0.58
    return len(text) * size * per_char


def common_size(texts: list[str], size: int, room: float, weight: str, floor: int) -> int:
    widest = max((text_width(clean(text), 1, weight) for text in texts), default=0)
    if widest == 0 or widest * size <= room:
        return size
    return max(floor, int(room / widest))


def fitted_text(
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
    min_size: float = MIN_FONT,
) -> str:
    """A ``<text>`` kept inside ``max_width``: first a smaller size, then squeezed.

    Shrinking works in every renderer; ``textLength`` is the last resort because some
    (librsvg) ignore it. The floor keeps text legible when many meetings share the width.
    """
    text = clean(text)
    needed = text_width(text, size, weight)
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
    if max_width > 0 and text_width(text, size, weight) > max_width:
        attrs.append(f'textLength="{max_width:.1f}" lengthAdjust="spacingAndGlyphs"')
    return f"<text {' '.join(attrs)}>{escape(text)}</text>"


def wrapped_text(text, x: float, middle: float, size: float, max_width: float, **kwargs) -> str:
    """Up to two lines, vertically centred on ``middle``; a long last line is squeezed."""
    words = clean(text).split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines) < 2:
            candidate = f"{lines[-1]} {word}"
            if text_width(candidate, size, kwargs.get("weight", "400")) <= max_width:
                lines[-1] = candidate
                continue
        if len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}"
    line_h = size * 1.2
    first = middle - (len(lines) - 1) * line_h / 2 + size * 0.35
    return "".join(
        fitted_text(line, x, first + i * line_h, size, max_width, **kwargs)
        for i, line in enumerate(lines)
    )


def split_label(label: str, size: float, width: float) -> list[str]:
    """One line if it fits, else two lines split at the space that balances them best.

    Translated phase names are often two words ("Normerande fas"); wrapping keeps them at
    full size where shrinking would make them the hardest text to read in the picture.
    """
    words = clean(label).split()
    if len(words) < 2 or text_width(label, size, "700") <= width:
        return [label]
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return list(min(splits, key=lambda pair: max(len(pair[0]), len(pair[1]))))


def text_block(lines: list[tuple], centre: float, middle: float, width: float) -> str:
    """Centred lines of ``(text, size, weight, style)`` stacked around ``middle``.

    Sizes are chosen by the caller; a line that still overflows is squeezed (browsers
    honour ``textLength``) rather than shrunk below 20 units.
    """
    heights = [size * LINE_HEIGHT for _, size, _, _ in lines]
    top = middle - sum(heights) / 2
    parts = []
    for (text, size, weight, style), height in zip(lines, heights, strict=True):
        # The baseline sits about a third of the line above its bottom for these faces.
        baseline = top + height * 0.74
        parts.append(
            fitted_text(
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
