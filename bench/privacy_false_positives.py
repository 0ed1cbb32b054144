"""False positives and recall of the privacy guard's detectors (pblapp.domain.identifying).

Runs every detector over the corpus of ordinary caseworker posts in
tests/domain/ordinary_sentences.py and counts what it flags there (each flag there is a
false positive); then over generated posts, each an ordinary sentence with one valid
personnummer, phone number, e-mail address or roster name in it (seeded, so every run is
the same), and counts what it finds; then over the same kinds of detail written in ways
the rules do not cover; and times ``find`` per 1,000 texts. See docs/privacy.md.

    .venv/bin/python bench/privacy_false_positives.py            # 1,000 posts per kind
    .venv/bin/python bench/privacy_false_positives.py --tiny     # 100 posts per kind
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "domain")]

from ordinary_sentences import ROSTER, SENTENCES, WORD_NAMES  # noqa: E402

from pblapp.domain import identifying  # noqa: E402

NAMES = identifying.roster_names(ROSTER)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="False positives and recall of the detectors.")
    add = parser.add_argument
    add("--count", type=int, default=1000, help="generated posts per kind (1000)")
    add("--tiny", action="store_true", help="100 generated posts per kind, a quick run")
    add("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.tiny:
        args.count = 100
    return args


# ---------------------------------------------------------------------------------------
# Details written the ways the rules cover


def luhn(nine_digits: str) -> str:
    total = 0
    for index, character in enumerate(nine_digits):
        product = int(character) * (1 if index % 2 else 2)
        total += product // 10 + product % 10
    return str(-total % 10)


def ten_digits(rng: random.Random) -> tuple[str, str]:
    """A valid personnummer (one in five a samordningsnummer) as ten digits, and its
    century."""
    day = date(1900, 1, 1) + timedelta(days=rng.randrange(365 * 125))
    day_part = day.day + 60 if rng.random() < 0.2 else day.day
    short = f"{day.year % 100:02d}{day.month:02d}{day_part:02d}{rng.randrange(1000):03d}"
    return short + luhn(short), str(day.year // 100)


def a_personnummer(rng: random.Random) -> str:
    short, century = ten_digits(rng)
    return rng.choice(
        [
            f"{short[:6]}-{short[6:]}",
            short,
            f"{short[:6]} {short[6:]}",
            f"{century}{short[:6]}-{short[6:]}",
            f"{century}{short}",
        ]
    )


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def grouped(number: str) -> str:
    """A number in the usual groups: 123 45, 12 34 56, 123 45 67, 123 456 78."""
    sizes = {5: [3, 2], 6: [2, 2, 2], 7: [3, 2, 2], 8: [3, 3, 2]}[len(number)]
    groups, position = [], 0
    for size in sizes:
        groups.append(number[position : position + size])
        position += size
    return " ".join(groups)


def a_phone_number(rng: random.Random) -> str:
    if rng.random() < 0.6:
        prefix, rest = "07" + rng.choice("02369"), digits(rng, 7)
        return rng.choice(
            [
                f"{prefix}-{grouped(rest)}",
                f"{prefix}{rest}",
                f"{prefix} {grouped(rest)}",
                f"{prefix}-{rest}",
                f"+46 {prefix[1:]} {grouped(rest)}",
                f"+46{prefix[1:]}{rest}",
                f"0046 {prefix[1:]} {grouped(rest)}",
                f"+46 (0){prefix[1:]}-{grouped(rest)}",
            ]
        )
    area = rng.choice(["08", "08", "031", "040", "018", "013", "0480", "0920", "0650"])
    length = rng.choice({2: [6, 7, 8], 3: [5, 6, 7], 4: [5, 6]}[len(area)])
    subscriber = str(rng.randint(1, 9)) + digits(rng, length - 1)
    return rng.choice(
        [
            f"{area}-{grouped(subscriber)}",
            f"{area} {grouped(subscriber)}",
            f"{area}-{subscriber}",
            f"+46 {area[1:]} {grouped(subscriber)}",
        ]
    )


FIRST = ["anna", "erik", "maria", "johan", "sara", "karl", "lisa", "ahmed", "fatima", "jon"]
LAST = ["berg", "nilsson", "svensson", "hassan", "lind", "ek", "karlsson", "ali", "holm"]
DOMAINS = [
    "kommun.se",
    "forsakringskassan.se",
    "arbetsformedlingen.se",
    "regionskane.se",
    "vgregion.se",
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "telia.com",
    "höör.se",
    "student.lu.se",
]


def an_email_address(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = rng.choice(
        [
            f"{first}.{last}",
            f"{first}{last}{rng.randint(1, 99)}",
            f"{first[0]}{last}",
            f"{first}_{last}",
            f"{first}-{last}",
            f"{first}.{last}+pbl",
        ]
    )
    if rng.random() < 0.3:
        local = local.capitalize()
    return f"{local}@{rng.choice(DOMAINS)}"


def a_name(rng: random.Random) -> str:
    name = rng.choice(NAMES)
    return rng.choice([name, name, name.lower(), name.upper(), name + "s"])


# ---------------------------------------------------------------------------------------
# The same details written in ways the rules do not cover


def a_personnummer_off_the_rules(rng: random.Random) -> str:
    short, _ = ten_digits(rng)
    return rng.choice(
        [
            f"{short[:2]}-{short[2:4]}-{short[4:6]}-{short[6:]}",
            f"{short[:6]} - {short[6:]}",
            f"{short[:6]}–{short[6:]}",
            f"{short[:2]} {short[2:4]} {short[4:6]} {short[6:]}",
            f"{short[:6]}-{short[6:9]}",
        ]
    )


def a_phone_number_off_the_rules(rng: random.Random) -> str:
    rest = digits(rng, 7)
    return rng.choice(
        [
            f"070.{rest[:3]}.{rest[3:5]}.{rest[5:]}",
            f"070 - {grouped(rest)}",
            f"(08) {grouped(str(rng.randint(1, 9)) + digits(rng, 7))}",
            f"070‑{grouped(rest)}",
            f"+46 70 {rest[:3]}  {rest[3:5]} {rest[5:]}",
            f"0 7 0 {' '.join(rest)}",
        ]
    )


def an_email_address_off_the_rules(rng: random.Random) -> str:
    address = an_email_address(rng)
    local, domain = address.split("@")
    return rng.choice(
        [
            f"{local} at {domain}",
            f"{local}(at){domain}",
            f"{local} @ {domain}",
            f"{local}@{domain.replace('.', ' punkt ')}",
        ]
    )


def a_name_off_the_rules(rng: random.Random) -> str:
    name = rng.choice(NAMES)
    first = name.split()[0]
    return rng.choice(
        [
            first[:-1] if len(first) > 3 else first + first[-1],  # a letter short or long
            first[0] + ".",  # an initial
            first[:2] + first[1:],  # a letter typed twice
            name.replace(" ", "") if " " in name else name + "son",
        ]
    )


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "personnummer": a_personnummer,
    "phone": a_phone_number,
    "email": an_email_address,
    "name": a_name,
}
OFF_THE_RULES: dict[str, Callable[[random.Random], str]] = {
    "personnummer": a_personnummer_off_the_rules,
    "phone": a_phone_number_off_the_rules,
    "email": an_email_address_off_the_rules,
    "name": a_name_off_the_rules,
}


def embedded(rng: random.Random, detail: str) -> tuple[str, tuple[int, int]]:
    """An ordinary sentence, the detail, and another sentence; and the detail's span."""
    before = rng.choice(SENTENCES) + rng.choice([" ", " Nummer: ", " (", "\n", " Skriv till "])
    after = rng.choice([". ", ", ", ") ", "; ", "!\n", " och "]) + rng.choice(SENTENCES)
    return before + detail + after, (len(before), len(before) + len(detail))


# ---------------------------------------------------------------------------------------
# Measuring


def false_positives(names: list[str]) -> dict[str, int]:
    """Sentences of the corpus with a finding of each kind, and with any."""
    counts = dict.fromkeys([*identifying.KINDS, "any"], 0)
    for sentence in SENTENCES:
        found = identifying.kinds(identifying.find(sentence, names))
        for kind in found:
            counts[kind] += 1
        counts["any"] += bool(found)
    return counts


def recall(generators, count: int, seed: int) -> dict[str, tuple[int, int]]:
    """Per kind: generated posts whose detail was found with its exact span and kind, and
    those where some finding covers the whole detail (of any kind, so it is masked)."""
    results = {}
    for kind, generate in generators.items():
        rng = random.Random(f"{seed}-{kind}")
        exact = covered = 0
        for _ in range(count):
            text, (start, end) = embedded(rng, generate(rng))
            found = identifying.find(text, NAMES)
            exact += identifying.Finding(kind, start, end) in found
            covered += any(f.start <= start and end <= f.end for f in found)
        results[kind] = (exact, covered)
    return results


def timing(count: int, seed: int) -> tuple[float, float]:
    """Milliseconds per 1,000 texts for ``find`` with the roster, and the texts' mean
    length: the corpus and generated posts of every kind, in equal parts."""
    rng = random.Random(f"{seed}-timing")
    texts = list(SENTENCES)
    for generate in GENERATORS.values():
        texts += [embedded(rng, generate(rng))[0] for _ in range(max(count // 4, 50))]
    rounds = max(1, 5000 // len(texts))
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            identifying.find(text, NAMES)
    elapsed = time.perf_counter() - started
    return elapsed / (rounds * len(texts)) * 1000 * 1000, sum(map(len, texts)) / len(texts)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def table(title: str, header: list[str], rows: list[list[str]]) -> str:
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [title, "-" * len(title)]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    total = len(SENTENCES)
    roster = false_positives(NAMES)
    words = false_positives(identifying.roster_names(WORD_NAMES))
    print(
        table(
            f"False positives: {total} ordinary sentences",
            ["kind", "flagged", "rate", "with names that are words", "rate "],
            [
                [kind, str(roster[kind]), percent(roster[kind], total)]
                + [str(words[kind]), percent(words[kind], total)]
                for kind in [*identifying.KINDS, "any"]
            ],
        )
    )
    print(f"roster: {', '.join(ROSTER)}")
    print(f"names that are words: {', '.join(WORD_NAMES)}\n")
    for title, generators in (
        (f"Recall: {args.count} generated posts per kind", GENERATORS),
        (f"Written off the rules: {args.count} generated posts per kind", OFF_THE_RULES),
    ):
        found = recall(generators, args.count, args.seed)
        rows = [
            [
                kind,
                str(exact),
                percent(exact, args.count),
                str(covered),
                percent(covered, args.count),
            ]
            for kind, (exact, covered) in found.items()
        ]
        print(table(title, ["kind", "exact", "recall", "masked", "rate"], rows))
    per_thousand, length = timing(args.count, args.seed)
    print(f"find(): {per_thousand:.1f} ms per 1,000 texts (mean length {length:.0f} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
