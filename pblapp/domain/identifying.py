"""Detectors for identifying details in the short texts participants post: Swedish
personnummer and samordningsnummer, Swedish phone numbers, e-mail addresses, and the names
on the group's roster.

Plain functions over a ``str``, with no I/O. Every offset is a code-point index into the
text exactly as it was given (``text[start:end]``); ``utf16_span`` converts one for
JavaScript. ``find`` runs every detector and keeps one finding where spans overlap. The
rules are stated in each detector's docstring and repeated in docs/privacy.md, with what
they cannot catch.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

KINDS: tuple[str, ...] = ("personnummer", "phone", "email", "name")
MASK = "\u2022" * 4

# Where two findings overlap, the one whose kind comes first here is kept (then the
# longer one): a personnummer without dashes is also ten digits that start like a phone
# number, and an e-mail address often holds a name.
PRIORITY: tuple[str, ...] = ("personnummer", "email", "phone", "name")


@dataclass(frozen=True)
class Finding:
    """One detail found: its kind (one of ``KINDS``) and its span, ``text[start:end]``."""

    kind: str
    start: int
    end: int


def find(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Everything every detector finds in ``text``, with ``names`` as the roster for the
    name detector. Sorted by ``start`` and non-overlapping: of overlapping spans the one of
    the kind first in personnummer, email, phone, name is kept, then the longer one, then
    the earlier one."""
    candidates = [
        Finding(kind, start, end)
        for kind, spans in (
            ("personnummer", personnummer_spans(text)),
            ("email", email_spans(text)),
            ("phone", phone_spans(text)),
            ("name", name_spans(text, names)),
        )
        for start, end in spans
    ]
    candidates.sort(key=lambda f: (PRIORITY.index(f.kind), f.start - f.end, f.start))
    kept: list[Finding] = []
    for candidate in candidates:
        if all(candidate.end <= k.start or k.end <= candidate.start for k in kept):
            kept.append(candidate)
    kept.sort(key=lambda f: f.start)
    return kept


def kinds(findings: Iterable[Finding]) -> list[str]:
    """The distinct kinds among ``findings``, in ``KINDS`` order."""
    present = {finding.kind for finding in findings}
    return [kind for kind in KINDS if kind in present]


def masked(text: str, spans: Iterable, mask: str = MASK) -> str:
    """``text`` with every run of characters covered by ``spans`` replaced by one ``mask``
    (``MASK``; a redaction gives its replacement). ``spans`` holds ``(start, end)`` pairs
    or ``Finding`` objects, in any order; overlapping and touching spans make one run; a
    span that is empty or reaches outside the text is ignored."""
    pairs = sorted(
        (start, end) for start, end in map(_pair, spans) if 0 <= start < end <= len(text)
    )
    runs: list[list[int]] = []
    for start, end in pairs:
        if runs and start <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    pieces: list[str] = []
    position = 0
    for start, end in runs:
        pieces += [text[position:start], mask]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def utf16_span(text: str, finding) -> tuple[int, int]:
    """A ``Finding``'s (or a ``(start, end)`` pair's) offsets in UTF-16 code units, as
    JavaScript counts them: each character beyond U+FFFF (most emoji) counts two."""
    start, end = _pair(finding)
    return _utf16_offset(text, start), _utf16_offset(text, end)


def _utf16_offset(text: str, index: int) -> int:
    return index + sum(1 for character in text[:index] if ord(character) > 0xFFFF)


def _pair(span) -> tuple[int, int]:
    if isinstance(span, Finding):
        return span.start, span.end
    start, end = span
    return start, end


# ---------------------------------------------------------------------------------------
# Personnummer and samordningsnummer

_PERSONNUMMER = re.compile(
    r"(?<!\d)(?<!\d-)"
    r"(?P<date>\d{8}|\d{6})(?P<separator>[-+ ]?)(?P<serial>\d{4})"
    r"(?!\d)(?!-\d)"
)


def personnummer_spans(text: str) -> list[tuple[int, int]]:
    """Swedish personnummer and samordningsnummer.

    Written ``YYMMDD-NNNN``, ``YYMMDD+NNNN`` (someone aged 100 or more), ``YYMMDD NNNN``,
    ``YYMMDDNNNN``, ``YYYYMMDD-NNNN``, ``YYYYMMDD NNNN`` or ``YYYYMMDDNNNN``: six or eight
    digits, then a dash, a plus (six digits only), one space or nothing, then four
    digits. Flagged only when

    - the month is 01-12 and the day is a day of that month, or that day plus 60 (61-91,
      a samordningsnummer); 29 February only in a leap year (for six digits: a year
      ``YY`` divisible by four);
    - with eight digits, the century is 18, 19 or 20;
    - the last digit is the Luhn check digit of the ten-digit form ``YYMMDDNNN``;
    - it is not part of a longer number: no digit, and no digit and dash, directly
      before it; no digit, and no dash and digit, directly after it; with a space as the
      separator, also no digit and space before it and no space and digit after it.

    The span is the whole number, separator included."""
    spans = []
    for match in _PERSONNUMMER.finditer(text):
        date, separator, serial = match.group("date", "separator", "serial")
        start, end = match.span()
        if separator == "+" and len(date) == 8:
            continue
        if separator == " " and (
            re.match(r"\d ", text[max(start - 2, 0) : start]) or re.match(r" \d", text[end:])
        ):
            continue
        if _valid_personnummer(date, serial):
            spans.append((start, end))
    return spans


def _valid_personnummer(date: str, serial: str) -> bool:
    if len(date) == 8:
        if date[:2] not in ("18", "19", "20"):
            return False
        year = int(date[:4])
    else:
        # The century is not written: 2000 + YY is a leap year exactly when some century
        # makes YY one (1900 is not, but 2000 is).
        year = 2000 + int(date[:2])
    ten = date[-6:] + serial
    month, day = int(ten[2:4]), int(ten[4:6])
    if day > 60:
        day -= 60
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    return _luhn_check_digit(ten[:9]) == int(ten[9])


def _luhn_check_digit(digits: str) -> int:
    total = 0
    for index, digit in enumerate(digits):
        product = int(digit) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


# ---------------------------------------------------------------------------------------
# Phone numbers

# A run of digit groups joined by single dashes or spaces, with an optional country code
# in front. The run is taken whole (an atomic group: no backtracking into it), so that a
# phone number is never found inside a date, an amount or a case number; it may not start
# right after a letter, a digit, a plus, or a digit and a separator.
_PHONE_RUN = re.compile(
    r"(?<![^\W_])(?<!\+)(?<!\d[-/.:,])(?<!\d )"
    r"(?P<country>(?:\+|00)46[- ]?(?:\(0\)[- ]?)?)?"
    r"(?P<body>(?>\d+(?:[- ]\d+)*))"
    r"(?![^\W_])(?![-/.:,]\d)"
)
_DIGITS = re.compile(r"\d+")


def phone_spans(text: str) -> list[tuple[int, int]]:
    """Swedish phone numbers, mobile and landline, national and international.

    A candidate is a run of digit groups joined by a single dash or a single space, not
    directly after a letter, a digit, a plus sign, or a digit and a dash, slash, dot,
    colon, comma or space, and not directly before a letter, a digit, or a dash, slash,
    dot, colon or comma and a digit. It may start with a country code ``+46`` or
    ``0046``, then an optional dash or space, an optional ``(0)``, and another optional
    dash or space; with it the national form is a 0 followed by the digits after it (a
    leading 0 there is kept as it is).

    A phone number starts at the beginning of the run, in the national form:

    - it starts with 0 and a digit 1-9;
    - written without separators: 10 digits when it starts with 07 (a mobile number),
      otherwise 8-10 digits (with 08, not 0 as the third);
    - written in groups: the first group, the area code, has 3 or 4 digits, or is ``08``
      (``8`` after the country code); every later group has at least 2 digits; the
      separators after the second group are all the same; a number starting with 07 has
      10 digits; any other has 8-10 digits, of which 5-8 come after the area code and
      the first of those is not 0.

    When the whole run is not a phone number, its longest beginning that is, and ends at
    a space, is taken; after a number found in a run, the rest of the run is searched the
    same way (two numbers separated by a space). The span runs from the country code, if
    any, to the last digit."""
    spans = []
    for match in _PHONE_RUN.finditer(text):
        country, body = match.group("country", "body")
        offset = match.start("body")
        groups = [(m.start() + offset, m.end() + offset) for m in _DIGITS.finditer(body)]
        first = 0
        while first < len(groups):
            found = None
            for last in range(len(groups) - 1, first - 1, -1):
                if last < len(groups) - 1 and text[groups[last][1]] != " ":
                    continue
                digits = [text[s:e] for s, e in groups[first : last + 1]]
                separators = [text[groups[i][1]] for i in range(first, last)]
                if _phone_number(digits, separators, international=bool(country) and first == 0):
                    found = last
                    break
            if found is None:
                break
            start = match.start() if country and first == 0 else groups[first][0]
            spans.append((start, groups[found][1]))
            first = found + 1
    return spans


def _phone_number(groups: list[str], separators: list[str], international: bool) -> bool:
    if international and not groups[0].startswith("0"):
        groups = ["0" + groups[0], *groups[1:]]
    national = "".join(groups)
    if len(national) < 2 or national[0] != "0" or national[1] == "0":
        return False
    mobile = national.startswith("07")
    if len(groups) == 1:
        if mobile:
            return len(national) == 10
        return 8 <= len(national) <= 10 and not national.startswith("080")
    area = groups[0]
    if len(area) == 2 and area != "08" or len(area) > 4:
        return False
    if any(len(group) < 2 for group in groups[1:]) or len(set(separators[1:])) > 1:
        return False
    if mobile:
        return len(national) == 10
    subscriber = len(national) - len(area)
    return 8 <= len(national) <= 10 and 5 <= subscriber <= 8 and groups[1][0] != "0"


# ---------------------------------------------------------------------------------------
# E-mail addresses

_EMAIL = re.compile(
    r"(?<![\w.%+-])"
    r"[\w%+-]+(?:\.[\w%+-]+)*"
    r"@"
    r"(?:[^\W_]+(?:-+[^\W_]+)*\.)+"
    r"[^\W\d_]{2,}"
    r"(?![\w-])"
)


def email_spans(text: str) -> list[tuple[int, int]]:
    """E-mail addresses, by a practical rule rather than the full standard.

    A local part of letters, digits and ``_ % + -``, in parts joined by single dots (so
    it neither starts nor ends with a dot), not directly after any of those characters or
    a dot; then ``@``; then one or more domain labels, each letters and digits (any
    alphabet, so å, ä and ö too) with single or repeated hyphens inside, each followed by
    a dot; then a top-level domain of two or more letters, not directly followed by a
    letter, digit, underscore or hyphen. Letters are Unicode letters in the local part
    too, a superset of ``A-Za-z``. Punctuation after the address (``.``, ``,``, ``)``) is
    not part of the span."""
    return [match.span() for match in _EMAIL.finditer(text)]


# ---------------------------------------------------------------------------------------
# Names on the roster

_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


def roster_names(display_names: Iterable[str]) -> list[str]:
    """The names to look for, from the roster's display names: each whole name and, on
    its own, its first name (the first whitespace-separated token, without punctuation
    at its ends). Each is stripped, NFC-normalised and has its runs of whitespace made
    one space; names with fewer than two letters are left out; of names equal under
    ``casefold`` the first seen is kept. Longest first (ties in the order seen)."""
    seen: set[str] = set()
    names: list[str] = []
    for display_name in display_names:
        whole = " ".join(unicodedata.normalize("NFC", display_name or "").split())
        if not whole:
            continue
        first = _EDGE_PUNCTUATION.sub("", whole.split(" ")[0])
        for name in (whole, first):
            key = name.casefold()
            if key in seen or sum(character.isalpha() for character in name) < 2:
                continue
            seen.add(key)
            names.append(name)
    names.sort(key=len, reverse=True)
    return names


def name_spans(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """The roster's names in ``text``.

    Text and names are compared in NFC, case-insensitively (Python's ``re.IGNORECASE``,
    which keeps every character's length, so offsets stay exact). A name is found as a
    whole word: no letter or digit directly before it, and no letter, digit or combining
    mark directly after it, so ``Åsa`` is not found in ``Påsar`` nor ``Ann`` in ``Anna``.
    The words of a name of several words may be separated by any run of whitespace. A
    genitive ``s``, ``'s``, ``’s`` or ``:s`` directly after the name (``Annas``,
    ``Anna's``) is found too, and is part of the span. Where names overlap, the longer is
    taken. A name with fewer than two letters is never looked for. Offsets are into
    ``text`` as given, also where it was not in NFC."""
    pattern = _names_pattern(tuple(names))
    if pattern is None or not text:
        return []
    normalized, starts, ends = _nfc_with_offsets(text)
    spans = []
    for match in pattern.finditer(normalized):
        start, end = match.span()
        if starts is not None:
            start, end = starts[start], ends[end - 1]
        spans.append((start, end))
    return spans


@lru_cache(maxsize=256)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    alternatives = {}
    for name in names:
        words = unicodedata.normalize("NFC", name or "").split()
        if sum(character.isalpha() for character in "".join(words)) >= 2:
            alternatives[" ".join(words).casefold()] = r"\s+".join(map(re.escape, words))
    if not alternatives:
        return None
    # Longest first, so that "Anna Berg" wins over "Anna" where both start.
    ordered = sorted(alternatives.values(), key=len, reverse=True)
    return re.compile(
        r"(?<![^\W_])(?:" + "|".join(ordered) + r")(?:['’:]?s)?(?![^\W_]|[\u0300-\u036f])",
        re.IGNORECASE,
    )


def _nfc_with_offsets(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """``text`` in NFC and, unless it already was, for each of its characters the start
    and end in ``text`` of the piece it came from (a character and the combining marks
    after it)."""
    if unicodedata.is_normalized("NFC", text):
        return text, None, None
    boundaries = [0]
    for index in range(1, len(text)):
        if unicodedata.combining(text[index]) == 0:
            boundaries.append(index)
    boundaries.append(len(text))
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in zip(boundaries, boundaries[1:], strict=False):
        piece = unicodedata.normalize("NFC", text[start:end])
        pieces.append(piece)
        starts += [start] * len(piece)
        ends += [end] * len(piece)
    normalized = "".join(pieces)
    if normalized != unicodedata.normalize("NFC", text):
        # Composition across pieces (Hangul syllables, some Indic vowels): search the
        # text as given rather than guess the offsets.
        return text, None, None
    return normalized, starts, ends
