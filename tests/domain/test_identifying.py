"""The detectors of identifying details: personnummer, phone numbers, e-mail addresses and
roster names, what they flag and what they leave alone, and the masking and offsets the
phone, the screen and the exports rely on."""

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ordinary_sentences import ROSTER, SENTENCES

from pblapp.domain import identifying
from pblapp.domain.identifying import (
    MASK,
    Finding,
    email_spans,
    find,
    kinds,
    masked,
    name_spans,
    personnummer_spans,
    phone_spans,
    roster_names,
    utf16_span,
)

PROPERTY = settings(derandomize=True, max_examples=200, deadline=None)
NAMES = roster_names(["Anna Berg", "Åsa Öhman", "Per-Olof Ek", "Ali", "Mårten Älvén"])


def luhn(nine_digits: str) -> str:
    """The check digit, computed here independently of the module."""
    total = 0
    for index, character in enumerate(nine_digits):
        product = int(character) * (1 if index % 2 else 2)
        total += product // 10 + product % 10
    return str(-total % 10)


def personnummer(day: date, serial: int, samordning: bool = False, form: str = "YYMMDD-") -> str:
    """A valid number for ``day`` in one of the written forms: ``YYMMDD-``, ``YYMMDD+``,
    ``YYMMDD``, ``YYMMDD `` and the same with ``YYYY``."""
    day_part = day.day + 60 if samordning else day.day
    short = f"{day.year % 100:02d}{day.month:02d}{day_part:02d}{serial:03d}"
    check = luhn(short)
    date_part = (f"{day.year // 100}" if form.startswith("YYYY") else "") + short[:6]
    return date_part + form.lstrip("YMD") + short[6:] + check


def with_check_digit(number: str, check: int) -> str:
    return number[:-1] + str(check)


def spans_of(text, detector, *args):
    return [text[start:end] for start, end in detector(text, *args)]


# ---------------------------------------------------------------------------------------
# Personnummer


@pytest.mark.parametrize(
    "number",
    ["811218-9876", "811218+9876", "8112189876", "19811218-9876", "198112189876", "811218 9876"],
)
def test_a_personnummer_is_flagged_in_every_written_form(number):
    text = f"Klienten har nummer {number} enligt ansökan."
    start = text.index(number)
    assert find(text) == [Finding("personnummer", start, start + len(number))]


def test_a_samordningsnummer_has_sixty_added_to_the_day():
    number = personnummer(date(1990, 5, 31), 123, samordning=True)
    assert number[4:6] == "91"
    assert spans_of(f"Samordningsnummer {number}.", personnummer_spans) == [number]
    assert spans_of(personnummer(date(2001, 1, 1), 5, samordning=True), personnummer_spans)


def test_a_twelve_digit_personnummer_needs_a_century_of_18_19_or_20():
    for year in (1850, 1925, 2015):
        number = personnummer(date(year, 3, 1), 42, form="YYYYMMDD-")
        assert spans_of(number, personnummer_spans) == [number]
    wrong_century = "17" + personnummer(date(1925, 3, 1), 42, form="YYYYMMDD-")[2:]
    assert personnummer_spans(wrong_century) == []


def test_a_personnummer_with_a_wrong_check_digit_is_not_flagged():
    number = personnummer(date(1981, 12, 18), 987)
    for check in range(10):
        wrong = with_check_digit(number, check)
        assert bool(personnummer_spans(wrong)) == (wrong == number)


def test_a_date_that_does_not_exist_is_not_a_personnummer():
    for impossible in ("811318", "811200", "810231", "810431", "810229", "810192", "810160"):
        number = impossible + "123" + luhn(impossible + "123")
        assert personnummer_spans(number) == [], number
        assert personnummer_spans(number[:6] + "-" + number[6:]) == [], number


def test_29_february_is_a_day_only_in_a_leap_year():
    assert personnummer_spans(personnummer(date(2000, 2, 29), 11, form="YYYYMMDD-"))
    assert personnummer_spans(personnummer(date(1984, 2, 29), 11))
    leap_in_2000_only = "19000229-011" + luhn("000229011")
    assert personnummer_spans(leap_in_2000_only) == []
    assert personnummer_spans("000229-011" + luhn("000229011"))


def test_a_personnummer_inside_a_longer_number_is_not_flagged():
    number = personnummer(date(1981, 12, 18), 987)
    digits = number.replace("-", "")
    for longer in (
        "1" + number,
        number + "1",
        "7" + digits,
        digits + "7",
        "12-" + number,
        number + "-3",
        "2024-" + digits,
        "12 " + number.replace("-", " "),
        number.replace("-", " ") + " 45",
    ):
        assert personnummer_spans(longer) == [], longer


def test_a_personnummer_is_flagged_next_to_letters_and_punctuation():
    number = personnummer(date(1981, 12, 18), 987)
    for text in (f"pnr:{number}", f"({number})", f"{number}.", f"nr {number}, född"):
        assert spans_of(text, personnummer_spans) == [number]


def test_dates_amounts_and_case_numbers_are_not_personnummer():
    for text in (
        "2024-03-15",
        "20240315",
        "Dnr 2024/1234",
        "ärende 2023-04567",
        "ärende 1234-5678",
        "212000-1355",
        "1 200 000 kronor",
        "2024-03-15 10:30",
    ):
        assert personnummer_spans(text) == [], text


def test_a_personnummer_wins_over_a_phone_number_on_the_same_digits():
    number = personnummer(date(2005, 3, 15), 123, form="YYMMDD")
    assert number.startswith("05") and phone_spans(number)
    assert kinds(find(number)) == ["personnummer"]


# ---------------------------------------------------------------------------------------
# Phone numbers


@pytest.mark.parametrize(
    "number",
    [
        "070-123 45 67",
        "0701234567",
        "070 123 45 67",
        "070-1234567",
        "073-123 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "+46 (0)70-123 45 67",
        "08-123 456 78",
        "08-12 34 56",
        "031-123 45 67",
        "0480-123 45",
        "+46 8 123 456 78",
        "08 123 456 78",
        "081234567",
    ],
)
def test_a_swedish_phone_number_is_flagged(number):
    text = f"Ring {number} efter kl. 10."
    start = text.index(number)
    assert find(text) == [Finding("phone", start, start + len(number))]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-15",
        "15/3",
        "2024-03-15 10:30",
        "kl. 10.30",
        "kl 08:30-16:00",
        "12 500 kr",
        "1 200 000 kronor",
        "3 450:-",
        "SEK 12 000",
        "12 050 000 000 kr",
        "123 45 Göteborg",
        "SE-123 45",
        "år 2024",
        "25 %",
        "Dnr 2024/1234",
        "ärende 1234-5678",
        "FK 12345-2024",
        "2024-12345",
        "70 123 45 67",
        "123 456 78",
        "08-03-2024",
        "05 03 2024",
        "öppet 08-12 13-16",
        "kommunkod 0180 0181 0182",
        "0480-12 34",
        "070-123 45",
        "070-123 45 678",
        "A070-123 45 67",
        "070-123 45 67b",
    ],
)
def test_dates_times_amounts_postcodes_and_case_numbers_are_not_phone_numbers(text):
    assert phone_spans(text) == []


def test_a_phone_number_followed_by_another_number_is_still_found():
    text = "Ring 070-123 45 67 2 gånger, eller 070-123 45 67 08-123 456 78."
    assert spans_of(text, phone_spans) == ["070-123 45 67", "070-123 45 67", "08-123 456 78"]


# ---------------------------------------------------------------------------------------
# E-mail addresses


@pytest.mark.parametrize(
    "address",
    [
        "anna.berg@kommun.se",
        "a.b-c_d+e%f@sub.example.org",
        "handlaggare@forsakringskassan.se",
        "åsa@höör.se",
        "x@region-skane.se",
        "First.Last@Example.COM",
    ],
)
def test_an_email_address_is_flagged(address):
    text = f"Mejla ({address}), tack."
    start = text.index(address)
    assert find(text) == [Finding("email", start, start + len(address))]


def test_punctuation_after_an_email_address_is_not_part_of_it():
    for after in (".", ",", ")", "!", ":"):
        assert spans_of(f"skriv till anna@kommun.se{after}", email_spans) == ["anna@kommun.se"]


def test_things_that_only_look_like_email_addresses_are_not_flagged():
    for text in (
        "@kommun.se",
        "anna@",
        "anna@kommun",
        "anna@kommun.s",
        ".anna.@kommun.se",
        "a@b.1",
    ):
        assert email_spans(text) == [], text


def test_an_email_address_wins_over_the_name_or_number_inside_it():
    assert kinds(find("anna.berg@kommun.se", NAMES)) == ["email"]
    assert kinds(find("0701234567@sms.example.se")) == ["email"]


# ---------------------------------------------------------------------------------------
# Names


def test_the_roster_gives_whole_names_and_first_names_longest_first():
    assert roster_names(["Anna Karlsson", "Per-Olof", " Åsa ", "Anna Berg", "A", "Bo"]) == [
        "Anna Karlsson",
        "Anna Berg",
        "Per-Olof",
        "Anna",
        "Åsa",
        "Bo",
    ]


def test_the_roster_drops_repeats_ignoring_case_and_normalises_the_names():
    decomposed = unicodedata.normalize("NFD", "Åsa Öhman")
    assert roster_names([decomposed, "ÅSA", "åsa öhman", "Anna  Berg", "anna berg", "", "J."]) == [
        "Åsa Öhman",
        "Anna Berg",
        "Anna",
        "Åsa",
    ]


def test_a_roster_name_is_flagged_whatever_its_case():
    for written in ("Åsa", "åsa", "ÅSA", "åSa"):
        text = f"Jag pratade med {written} i går."
        assert spans_of(text, name_spans, NAMES) == [written]


def test_a_first_name_alone_is_flagged_and_a_whole_name_as_one_span():
    text = "Anna sa att Anna Berg och Mårten Älvén kommer."
    assert spans_of(text, name_spans, NAMES) == ["Anna", "Anna Berg", "Mårten Älvén"]


def test_the_words_of_a_name_may_be_separated_by_any_whitespace():
    text = "Anna \n Berg\tkommer, och Anna\u00a0Berg också."
    assert spans_of(text, name_spans, NAMES) == ["Anna \n Berg", "Anna\u00a0Berg"]


def test_a_name_in_the_genitive_is_flagged_with_its_s():
    text = "Annas mamma, Åsas bil, Anna's dog, Ali:s kurs och Anna Bergs ärende."
    assert spans_of(text, name_spans, NAMES) == ["Annas", "Åsas", "Anna's", "Ali:s", "Anna Bergs"]


def test_a_name_inside_a_longer_word_is_not_flagged():
    names = roster_names(["Anna Berg", "Åsa", "Per", "Ali", "Ann"])
    text = "Annars bar hon påsar; en persona med alibi i Alingsås, Bergen och Annika."
    assert name_spans(text, names) == []
    assert spans_of("Anna och Ann", name_spans, names) == ["Anna", "Ann"]


def test_a_name_next_to_a_digit_is_not_flagged_and_next_to_punctuation_it_is():
    assert name_spans("Anna2 och 3Ali", NAMES) == []
    text = "(Anna), -Ali- och «Åsa»."
    assert spans_of(text, name_spans, NAMES) == ["Anna", "Ali", "Åsa"]


def test_name_offsets_are_into_the_text_as_given_even_when_it_is_decomposed():
    text = unicodedata.normalize("NFD", "Pågående: Åsa Öhman och Mårten ställde frågor.")
    assert not unicodedata.is_normalized("NFC", text)
    spans = name_spans(text, NAMES)
    assert [unicodedata.normalize("NFC", text[s:e]) for s, e in spans] == ["Åsa Öhman", "Mårten"]
    assert masked(text, spans).count(MASK) == 2
    assert "A\u030a" not in masked(text, spans)


def test_name_offsets_stay_right_after_characters_whose_case_folding_is_longer():
    text = "Großmutter STRAßE och ﬁ, sedan Anna."
    [(start, end)] = name_spans(text, NAMES)
    assert text[start:end] == "Anna"


def test_without_a_roster_no_name_is_flagged():
    assert name_spans("Anna Berg", []) == []
    assert name_spans("Anna Berg", ["", "  "]) == []


# ---------------------------------------------------------------------------------------
# Findings, kinds, masking, offsets


def test_find_sorts_the_findings_and_keeps_one_where_they_overlap():
    number = personnummer(date(1981, 12, 18), 987)
    text = f"Anna ({number}) 070-123 45 67 anna@kommun.se Åsa"
    found = find(text, NAMES)
    assert [f.kind for f in found] == ["name", "personnummer", "phone", "email", "name"]
    assert [text[f.start : f.end] for f in found] == [
        "Anna",
        number,
        "070-123 45 67",
        "anna@kommun.se",
        "Åsa",
    ]


def test_kinds_lists_each_kind_once_in_a_fixed_order():
    found = [Finding("name", 0, 1), Finding("phone", 2, 3), Finding("name", 4, 5)]
    assert kinds(found) == ["phone", "name"]
    assert kinds([]) == []
    assert kinds(Finding(*span) for span in [["email", 0, 3], ["personnummer", 4, 8]]) == [
        "personnummer",
        "email",
    ]


def test_masking_replaces_each_covered_run_once():
    text = "abcdefghij"
    assert masked(text, [(1, 3)]) == f"a{MASK}defghij"
    assert masked(text, [(5, 8), (1, 3), (2, 4)]) == f"a{MASK}e{MASK}ij"
    assert masked(text, [(1, 3), (3, 5)]) == f"a{MASK}fghij"
    assert masked(text, [Finding("name", 0, 10)]) == MASK


def test_masking_ignores_empty_and_out_of_range_spans():
    text = "abcdef"
    assert masked(text, [(2, 2), (4, 3), (-1, 2), (3, 7), (6, 9)]) == text
    assert masked(text, []) == text
    assert masked("", [(0, 0)]) == ""


def test_utf16_offsets_count_emoji_twice():
    text = "😀 Anna 👍🏽 Åsa"
    found = find(text, NAMES)
    assert [utf16_span(text, f) for f in found] == [(3, 7), (13, 16)]
    assert utf16_span(text, (0, 1)) == (0, 2)
    assert utf16_span("abc", (1, 2)) == (1, 2)


def test_mask_is_four_bullets():
    assert MASK == "\u2022" * 4
    assert identifying.KINDS == ("personnummer", "phone", "email", "name")


# ---------------------------------------------------------------------------------------
# Properties

BEFORE = st.sampled_from([" ", ": ", " (", "\n", " nr ", ", "])
AFTER = st.sampled_from([". ", ", ", ") ", "; ", "!\n", " och ", ")."])
SENTENCE = st.sampled_from(SENTENCES)
FORMS = ["YYMMDD-", "YYMMDD+", "YYMMDD", "YYMMDD ", "YYYYMMDD-", "YYYYMMDD", "YYYYMMDD "]


@st.composite
def personnummer_numbers(draw):
    day = draw(st.dates(min_value=date(1850, 1, 1), max_value=date(2029, 12, 31)))
    return personnummer(
        day,
        draw(st.integers(0, 999)),
        samordning=draw(st.booleans()),
        form=draw(st.sampled_from(FORMS)),
    )


def grouped(digits: str, sizes: list[int], separator: str = " ") -> str:
    groups, position = [], 0
    for size in sizes:
        groups.append(digits[position : position + size])
        position += size
    return separator.join(groups)


SUBSCRIBER_GROUPS = {5: [3, 2], 6: [2, 2, 2], 7: [3, 2, 2], 8: [3, 3, 2]}


@st.composite
def phone_numbers(draw):
    if draw(st.booleans()):
        prefix = "07" + draw(st.sampled_from("02369"))
        rest = draw(st.from_regex(r"[0-9]{7}", fullmatch=True))
        form = draw(st.integers(0, 7))
        return [
            f"{prefix}-{grouped(rest, [3, 2, 2])}",
            f"{prefix}{rest}",
            f"{prefix} {grouped(rest, [3, 2, 2])}",
            f"{prefix}-{rest}",
            f"+46 {prefix[1:]} {grouped(rest, [3, 2, 2])}",
            f"+46{prefix[1:]}{rest}",
            f"0046 {prefix[1:]} {grouped(rest, [3, 2, 2])}",
            f"+46 (0){prefix[1:]}-{grouped(rest, [3, 2, 2])}",
        ][form]
    area = draw(st.sampled_from(["08", "031", "040", "018", "0480", "0922", "0650"]))
    length = draw(st.integers(5, 10 - len(area)).filter(lambda n: n >= 6 or area != "08"))
    subscriber = str(draw(st.integers(1, 9))) + draw(
        st.from_regex(f"[0-9]{{{length - 1}}}", fullmatch=True)
    )
    form = draw(st.integers(0, 3))
    return [
        f"{area}-{grouped(subscriber, SUBSCRIBER_GROUPS[length])}",
        f"{area} {grouped(subscriber, SUBSCRIBER_GROUPS[length])}",
        f"+46 {area[1:]} {grouped(subscriber, SUBSCRIBER_GROUPS[length])}",
        f"{area}-{subscriber}",
    ][form]


LOCAL_PART = st.from_regex(r"[A-Za-z][A-Za-z0-9_%+-]{0,7}", fullmatch=True)
LABEL = st.from_regex(r"[a-z0-9åäö]([a-z0-9åäö-]{0,6}[a-z0-9åäö])?", fullmatch=True)


@st.composite
def email_addresses(draw):
    local = ".".join(draw(st.lists(LOCAL_PART, min_size=1, max_size=3)))
    domain = ".".join(draw(st.lists(LABEL, min_size=1, max_size=3)))
    return f"{local}@{domain}.{draw(st.from_regex(r'[a-z]{2,6}', fullmatch=True))}"


@st.composite
def names_as_written(draw):
    name = draw(st.sampled_from(NAMES))
    return draw(st.sampled_from([name, name.upper(), name.lower(), name + "s"]))


def embedded(detail):
    return st.tuples(SENTENCE, BEFORE, detail, AFTER, SENTENCE)


def located(parts):
    before, gap, detail, after, rest = parts
    text = before + gap + detail + after + rest
    start = len(before + gap)
    return text, (start, start + len(detail))


@PROPERTY
@given(embedded(personnummer_numbers()))
def test_a_valid_personnummer_in_ordinary_text_is_always_found_exactly(parts):
    text, span = located(parts)
    assert Finding("personnummer", *span) in find(text, roster_names(ROSTER))


@PROPERTY
@given(embedded(personnummer_numbers()), st.integers(1, 9))
def test_a_personnummer_with_a_changed_check_digit_is_never_found(parts, change):
    before, gap, number, after, rest = parts
    wrong = with_check_digit(number, (int(number[-1]) + change) % 10)
    assert personnummer_spans(before + gap + wrong + after + rest) == []


@PROPERTY
@given(embedded(phone_numbers()))
def test_a_phone_number_in_a_common_format_is_found_exactly(parts):
    text, span = located(parts)
    assert span in phone_spans(text)
    start, end = span
    # Ten digits without separators may also be a valid personnummer, which wins.
    kind = "personnummer" if personnummer_spans(text[start:end]) else "phone"
    assert Finding(kind, *span) in find(text)


@PROPERTY
@given(embedded(email_addresses()))
def test_an_email_address_is_found_exactly(parts):
    text, span = located(parts)
    assert Finding("email", *span) in find(text, roster_names(ROSTER))


@PROPERTY
@given(embedded(names_as_written()))
def test_a_roster_name_in_ordinary_text_is_found_exactly(parts):
    text, span = located(parts)
    assert Finding("name", *span) in find(text, NAMES)


FILLER = st.sampled_from(["och", "sedan", "möte", "hon", "kom", "i dag", "bra", "intyg", "ärendet"])
DETAIL = st.one_of(
    personnummer_numbers(), phone_numbers(), email_addresses(), names_as_written(), FILLER
)
JOINER = st.sampled_from([" ", ", ", "; ", " – ", "\n"])


@PROPERTY
@given(st.lists(st.tuples(DETAIL, JOINER), min_size=1, max_size=8))
def test_the_masked_text_never_shows_what_was_found(parts):
    text = "".join(detail + joiner for detail, joiner in parts)
    found = find(text, NAMES)
    shown = masked(text, found)
    for finding in found:
        assert text[finding.start : finding.end] not in shown


EMOJI = st.sampled_from(["😀", "👍🏽", "🇸🇪", "𝔸", "é", "ß", "\u0301", " "])
MIXED_TEXT = st.lists(st.one_of(DETAIL, EMOJI, st.text(max_size=5)), max_size=10).map("".join)


@PROPERTY
@given(MIXED_TEXT)
def test_findings_are_sorted_non_overlapping_and_inside_the_text(text):
    found = find(text, NAMES)
    for finding in found:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.kind in identifying.KINDS
    for first, second in zip(found, found[1:], strict=False):
        assert first.end <= second.start


@PROPERTY
@given(MIXED_TEXT, st.data())
def test_utf16_offsets_match_the_text_encoded_as_utf16(text, data):
    def utf16(index):
        return len(text[:index].encode("utf-16-le")) // 2

    for finding in find(text, NAMES):
        assert utf16_span(text, finding) == (utf16(finding.start), utf16(finding.end))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert utf16_span(text, (start, end)) == (utf16(start), utf16(end))


@PROPERTY
@given(
    st.text(),
    st.lists(st.text(max_size=12), max_size=5),
    st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60)), max_size=5),
)
def test_arbitrary_text_never_raises(text, display_names, spans):
    found = find(text, roster_names(display_names))
    name_spans(text, display_names)
    kinds(found)
    masked(text, found)
    masked(text, spans)
    for finding in found:
        utf16_span(text, finding)


# ---------------------------------------------------------------------------------------
# The corpus of ordinary sentences


def test_no_ordinary_sentence_is_flagged():
    assert len(SENTENCES) >= 200
    names = roster_names(ROSTER)
    flagged = {sentence: find(sentence, names) for sentence in SENTENCES}
    assert {sentence: found for sentence, found in flagged.items() if found} == {}
