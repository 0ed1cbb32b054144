"""Typed text inside Markdown, escaped only where it would otherwise become markup.

``minutes.md`` is read raw too (pasted into an e-mail, opened in a text editor), so ordinary
text must come out as typed: ``2026-11-30``, ``(RS)``, ``Dag 180.``. Each character is
judged where it stands, and only one that would start markup there is escaped: a heading,
quote, list or fence at the start of the text, emphasis, code, a link or image, HTML, an
entity, a bare web or e-mail address that a GFM or linkify renderer would turn into a link.

The text is folded to one line first, so no typed line can start a block of its own. The
caller may put it at the start of a line (``- <text>``), so block markers at its start are
escaped. A backslash is used where Python-Markdown and CommonMark both honour it, else an
entity (Python-Markdown shows ``\\~`` or ``\\<`` with the backslash). An e-mail address
gets an invisible word joiner (U+2060) before its ``@``: GitHub's renderer links an address
whatever is escaped in it.
"""

from __future__ import annotations

import html
import re

from babel import Locale

_WHITESPACE = re.compile(r"\s+")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# An entity or numeric character reference, which every renderer would decode.
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
# A block marker at the start: an ordered list (``1.`` or ``1)``), or a bullet
# (``-``, ``+``, ``*``) followed by a space or nothing.
_ORDERED = re.compile(r"^[0-9]+([.)])(?:\s|$)")
_BULLET = re.compile(r"^[-+*](?:\s|$)")
# A line of only ``-``, ``*``, ``_`` or ``=`` (with spaces): a rule or a setext underline,
# also after the caller's ``- ``.
_RULE = re.compile(r"^(?:-[\s-]*|\*[\s*]*|_[\s_]*|=[\s=]*)$")
# Bare addresses that GFM (``www.``, ``scheme://``, e-mail) or linkify (also ``fk.se``)
# turn into links.
_SCHEME_COLON = re.compile(r"(?<=[A-Za-z0-9])(:)(?=//)")
_WWW_DOT = re.compile(r"(?<![\w.-])www(\.)", re.IGNORECASE)
WORD_JOINER = "\u2060"
_EMAIL_AT = re.compile(r"(?<=[\w.+-])(@)(?=[\w-]+\.[\w.-]*[A-Za-z])")
_DOMAIN_DOT = re.compile(r"(?<=[\w-])(\.)(?=([A-Za-z]+)(?![\w-]))")
# Top-level domains linkify knows: every two-letter country code and the longer ones.
# "t.ex" and "m.fl" stay as typed; "fk.se" and "example.org" do not.
_COUNTRY_CODES = {code.lower() for code in Locale("en").territories if code.isalpha()} | {
    "uk",
    "ac",
    "su",
}


def _is_top_level_domain(label: str) -> bool:
    return len(label) > 2 or label.lower() in _COUNTRY_CODES


def _escapes(text: str) -> dict[int, str]:
    """Replacements by position in ``text``: only the characters that need one."""
    out: dict[int, str] = {}
    last = len(text) - 1

    def space(i: int) -> bool:
        return 0 <= i <= last and text[i].isspace()

    for i, char in enumerate(text):
        after = text[i + 1] if i < last else ""
        if char == "\\" and (after in _ASCII_PUNCTUATION or i == last):
            out[i] = "\\\\"  # would escape what follows, or break the line
        elif char == "`":
            out[i] = "\\`"  # a code span or fence
        elif char == "*" and not (space(i - 1) and space(i + 1)):
            out[i] = "\\*"  # emphasis, unless it stands alone between spaces
        elif char == "_" and not (
            (space(i - 1) and space(i + 1)) or (i > 0 and text[i - 1].isalnum() and after.isalnum())
        ):
            out[i] = "\\_"  # emphasis, unless alone or inside a word (``P_01``)
        elif char == "~":
            out[i] = "&#126;"  # strikethrough or a fence; Python-Markdown cannot escape it
        elif char == "[":
            out[i] = "\\["  # a link, an image or a reference the starting point defines
        elif char == "<" and not space(i + 1):
            out[i] = "&lt;"  # HTML, a comment or an autolink
        elif char == "&" and _ENTITY.match(text, i):
            out[i] = "&amp;"  # would be decoded
    if text[:1] in ("#", ">"):
        out[0] = "\\" + text[0]  # a heading or a quote
    if _BULLET.match(text) or _RULE.match(text):
        out[0] = "&#61;" if text[0] == "=" else "\\" + text[0]
    ordered = _ORDERED.match(text)
    if ordered:
        out[ordered.start(1)] = "\\" + ordered.group(1)
    for match in _SCHEME_COLON.finditer(text):
        out[match.start(1)] = "&#58;"
    for match in _WWW_DOT.finditer(text):
        out[match.start(1)] = "\\."
    for match in _EMAIL_AT.finditer(text):
        # cmark-gfm finds e-mail addresses in the text after decoding escapes and entities,
        # so no escape of "@" stops it; an invisible word joiner before it does, in every
        # renderer, and the address still reads as typed.
        out[match.start(1)] = WORD_JOINER + "@"
    for match in _DOMAIN_DOT.finditer(text):
        if _is_top_level_domain(match.group(2)):
            out[match.start(1)] = "\\."
    return out


def escape_markdown(text: str) -> str:
    """``text`` on one line, rendering as itself in Markdown, never as markup, a link or
    HTML, with as few escapes as that takes."""
    text = _WHITESPACE.sub(" ", text).strip()
    escapes = _escapes(text)
    return "".join(escapes.get(i, char) for i, char in enumerate(text))


def escape_heading(text: str) -> str:
    """As :func:`escape_markdown`, for the end of a heading line: a closing ``#`` is
    escaped, so ``C#`` keeps its ``#``."""
    escaped = escape_markdown(text)
    if escaped.endswith("#") and not escaped.endswith("\\#"):
        escaped = escaped[:-1] + "\\#"
    return escaped


# A link or image target, inline ``](target`` or in a reference definition ``[x]: target``
# (``]:`` is always right after the label, wherever the definition stands: in a quote, a
# list item). The target may start on the next line, after a quote's ``>``, and an inline
# one may go on over line breaks (Python-Markdown allows that; browsers drop the breaks).
_LINE_BREAK = r"\r?\n[ \t>]*"
_INLINE_TARGET = re.compile(
    rf"(\]\([ \t]*(?:{_LINE_BREAK})?)((?:[^()\r\n]|{_LINE_BREAK}(?=\S)|\([^()\r\n]*\))*)"
)
_REFERENCE_TARGET = re.compile(rf"(\]:[ \t]*(?:{_LINE_BREAK})?)([^\r\n]*)")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_SAFE_SCHEMES = {"http", "https", "mailto"}
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# What a browser drops from a URL (control characters, such as a tab or a line break inside
# it), and, to be safe, characters with no visible mark.
_DROPPED = re.compile(r"[\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_EDGES = "".join(map(chr, range(0x21)))  # and it strips control characters and spaces at the ends
# A bare address that GFM or linkify would link, with a scheme other than http(s) and mailto:
# ``ftp://…``, ``xmpp:…@…``.
_BARE_SCHEME = re.compile(r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*)(:)(?=//|[^\s@]+@)")


def _as_read(target: str) -> str:
    """A link target as a browser gets it from any renderer: backslash escapes and entities
    undone (until nothing changes), dropped characters gone, lower-case."""
    previous = None
    while target != previous:
        previous = target
        target = html.unescape(_BACKSLASH_ESCAPE.sub(r"\1", target))
    target = re.sub(_LINE_BREAK, "", target.strip(_EDGES))
    return _DROPPED.sub("", target).lower()


def _safe_target(match: re.Match, replacement: str = "#") -> str:
    # Renderers drop a backslash before punctuation (javascript\:) and decode entities in a
    # target (java&#115;cript:), and browsers drop control characters and spaces in a
    # scheme: judge the target as a browser would read it after the renderer.
    scheme = _SCHEME.match(_as_read(match.group(2)))
    if scheme and scheme.group(1) not in _SAFE_SCHEMES:
        return match.group(1) + replacement
    return match.group(0)


def _inert_bare_scheme(match: re.Match) -> str:
    # A word joiner parts the scheme from its colon, unseen: no renderer links it then.
    if match.group(1).lower() in _SAFE_SCHEMES:
        return match.group(0)
    return match.group(1) + WORD_JOINER + ":"


def safe_link_targets(text: str, replacement: str = "#") -> str:
    """Markdown whose links and images all go to http(s), mailto or a relative address: any
    other target (``javascript:``, ``data:``, also when escaped, encoded or spaced out)
    becomes ``replacement``."""
    text = _INLINE_TARGET.sub(lambda match: _safe_target(match, replacement), text)
    return _REFERENCE_TARGET.sub(lambda match: _safe_target(match, replacement), text)


def safe_markdown(text: str) -> str:
    """The facilitator's Markdown (the starting point) kept as Markdown, but inert: raw HTML
    and autolinks show as text, and links go only to http(s) or mailto, as on the screen."""
    text = text.replace("<", "&lt;")
    text = _BARE_SCHEME.sub(_inert_bare_scheme, text)
    return safe_link_targets(text)
