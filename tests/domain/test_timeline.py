"""The group timeline SVG and its accessible table, checked on the parsed XML."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pblapp.domain.timeline import render_svg, text_table

SVG = "{http://www.w3.org/2000/svg}"

LABELS = {
    "title": "Gruppens utveckling",
    "desc": "Fas, frågetyper och deltagandebalans per möte.",
    "meeting": "Möte",
    "phase": "Fas",
    "suggested": "föreslagen",
    "mix": "Frågetyper",
    "balance": "Deltagandebalans",
    "phases": {
        "forming": "Forming",
        "storming": "Storming",
        "norming": "Norming",
        "performing": "Performing",
        "adjourning": "Adjourning",
    },
    "qtypes": {
        "encyclopedic": "Encyklopedisk",
        "meaning": "Betydelse",
        "relational": "Relationell",
        "value": "Värdering",
        "solution": "Lösning",
        "untagged": "Otaggad",
    },
}

KEYS = ("encyclopedic", "meaning", "relational", "value", "solution", "untagged")


def held(number, decided=None, suggested=None, mix=(0.6, 0.2, 0.1, 0.1, 0, 0), gini=0.31):
    return {
        "number": number,
        "date": f"2026-11-{number:02d}",
        "decided": decided,
        "suggested": suggested,
        "mix": dict(zip(KEYS, mix, strict=True)) if mix is not None else None,
        "gini": gini,
        "planned": False,
    }


def planned(number):
    return {
        "number": number,
        "date": "",
        "decided": None,
        "suggested": None,
        "mix": None,
        "gini": None,
        "planned": True,
    }


SERIES = [
    held(1, decided="forming"),
    held(2, decided="storming", suggested="storming"),
    held(3, suggested="storming"),
    held(4, decided="norming", mix=(0.25, 0.2, 0.2, 0.15, 0.15, 0.05), gini=0.2),
    held(5, suggested="performing", mix=None, gini=None),
    planned(6),
    planned(7),
]


def parse(meetings=SERIES, labels=LABELS):
    return ET.fromstring(render_svg(meetings, labels))


def classes(element):
    return element.get("class", "").split()


def columns(root):
    return [g for g in root.iter(f"{SVG}g") if "meeting" in classes(g)]


def column(root, number):
    (found,) = [g for g in columns(root) if g.get("data-meeting") == str(number)]
    return found


def texts(element):
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


def test_svg_parses_with_title_and_desc_first_and_labelled_by_them():
    root = parse()
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 1600 900"
    first, second = list(root)[:2]
    assert first.tag == f"{SVG}title" and first.text == "Gruppens utveckling"
    assert second.tag == f"{SVG}desc" and second.text == LABELS["desc"]
    assert root.get("aria-labelledby").split() == [first.get("id"), second.get("id")]


def test_seven_meetings_give_seven_labelled_columns_with_dates():
    root = parse()
    found = columns(root)
    assert [g.get("data-meeting") for g in found] == [str(n) for n in range(1, 8)]
    assert texts(column(root, 1))[:2] == ["Möte 1", "2026-11-01"]
    # A planned meeting without a date shows only its label.
    assert texts(column(root, 6)) == ["Möte 6"]


def test_decided_phase_is_a_solid_band_with_its_label():
    root = parse()
    band = column(root, 1).find(f"{SVG}g")
    assert classes(band) == ["phase", "decided"]
    rect = band.find(f"{SVG}rect")
    assert rect.get("fill").startswith("#")
    assert rect.get("stroke-dasharray") is None
    assert texts(band) == ["Forming"]


def test_decision_wins_over_a_suggestion_for_the_same_meeting():
    band = column(parse(), 2).find(f"{SVG}g")
    assert classes(band) == ["phase", "decided"]


def test_suggested_phase_is_hatched_dashed_and_carries_the_suggested_word():
    root = parse()
    band = column(root, 3).find(f"{SVG}g")
    assert classes(band) == ["phase", "suggested"]
    rect = band.find(f"{SVG}rect")
    assert rect.get("fill").startswith("url(#")
    assert rect.get("stroke-dasharray")
    assert texts(band) == ["Storming", "(föreslagen)"]
    # The hatch it points at is defined inside the same document.
    pattern_id = rect.get("fill")[len("url(#") : -1]
    assert any(p.get("id") == pattern_id for p in root.iter(f"{SVG}pattern"))


def test_planned_meetings_have_no_phase_bar_or_balance_dot():
    root = parse()
    for number in (6, 7):
        col = column(root, number)
        assert "planned" in classes(col)
        assert not [g for g in col.iter(f"{SVG}g") if "phase" in classes(g)]
        assert not list(col.iter(f"{SVG}rect"))
    dots = [c for c in root.iter(f"{SVG}circle") if "balance-dot" in classes(c)]
    # Meetings 1-4 have a Gini; 5 was held without posts, 6-7 are planned.
    assert len(dots) == 4


def test_planned_meeting_ignores_leftover_phase_mix_and_gini():
    stale = {**held(1, suggested="norming"), "planned": True}
    col = column(parse([stale]), 1)
    assert texts(col) == ["Möte 1", "2026-11-01"]
    assert not list(col.iter(f"{SVG}rect"))
    assert text_table([stale], LABELS)[0]["phase"] == ""


def test_meeting_without_posts_draws_an_empty_outline_not_segments():
    col = column(parse(), 5)
    mix = [g for g in col.iter(f"{SVG}g") if "mix" in classes(g)]
    assert [classes(g) for g in mix] == [["mix", "empty"]]
    assert not [r for r in col.iter(f"{SVG}rect") if "mix-segment" in classes(r)]


@pytest.mark.parametrize(
    "hostile",
    ["<script>alert(1)</script>", "Grupp & co", "a\"b'c", "tab\tand\x00nul\x1b"],
)
def test_text_from_the_arguments_stays_text(hostile):
    labels = {
        **LABELS,
        "title": hostile,
        "desc": hostile,
        "meeting": hostile,
        "suggested": hostile,
        "phases": {**LABELS["phases"], "forming": hostile},
        "qtypes": {**LABELS["qtypes"], "meaning": hostile},
    }
    meetings = [{**held(1, decided="forming"), "date": hostile}, held(2, suggested="forming")]
    svg = render_svg(meetings, labels)
    assert "<script" not in svg
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    # XML-forbidden control characters are dropped; everything else reads as typed.
    readable = hostile.replace("\x00", "").replace("\x1b", "")
    assert root.find(f"{SVG}title").text == readable
    assert readable in texts(column(root, 1))
    assert f"({readable})" in texts(column(root, 2))


def test_svg_references_nothing_outside_itself():
    svg = render_svg(SERIES, LABELS)
    root = ET.fromstring(svg)
    for element in root.iter():
        assert element.tag.removeprefix(SVG) not in {"image", "style", "script", "use", "a"}
        for name, value in element.attrib.items():
            assert "href" not in name
            assert "url(" not in value or value.startswith("url(#")
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize(
    "mix",
    [
        (0.6, 0.2, 0.1, 0.1, 0.0, 0.0),
        (1 / 3, 1 / 3, 1 / 3, 0, 0, 0),
        (0.17, 0.17, 0.17, 0.17, 0.17, 0.17),  # rounded inputs that do not sum to 1
        (0.001, 0, 0, 0, 0, 0.999),
    ],
)
def test_stacked_segments_fill_the_whole_bar(mix):
    col = column(parse([held(1, mix=mix)]), 1)
    (bar,) = [g for g in col.iter(f"{SVG}g") if "mix" in classes(g)]
    full = float(bar.get("data-full-height"))
    segments = [r for r in bar.iter(f"{SVG}rect") if "mix-segment" in classes(r)]
    assert [s.get("data-qtype") for s in segments] == [
        key for key, share in zip(KEYS, mix, strict=True) if share > 0
    ]
    assert sum(float(s.get("height")) for s in segments) == pytest.approx(full, abs=0.05)
    # Stacked without gaps or overlaps: each segment starts where the one below ends.
    for lower, upper in zip(segments, segments[1:], strict=False):
        top_of_lower = float(lower.get("y"))
        bottom_of_upper = float(upper.get("y")) + float(upper.get("height"))
        assert bottom_of_upper == pytest.approx(top_of_lower, abs=0.02)


def test_legend_names_every_question_type_in_the_colour_the_pages_use():
    root = parse()
    (legend,) = [g for g in root.iter(f"{SVG}g") if "legend" in classes(g)]
    swatches = {r.get("data-qtype"): r.get("fill") for r in legend.iter(f"{SVG}rect")}
    css = (Path(__file__).resolve().parents[2] / "pblapp/static/css/app.css").read_text()
    page_colours = dict(
        re.findall(
            r"--(encyclopedic|meaning|relational|value|solution|untagged): (#[0-9a-f]{6});", css
        )
    )
    assert swatches == page_colours and len(swatches) == 6
    assert set(LABELS["qtypes"].values()) <= set(texts(legend))


def test_text_is_never_below_twenty_units_for_a_seven_meeting_series():
    sizes = [float(t.get("font-size")) for t in parse().iter(f"{SVG}text")]
    assert min(sizes) >= 20


def test_a_long_two_word_phase_name_wraps_and_every_band_shares_one_size():
    labels = {**LABELS, "phases": {**LABELS["phases"], "norming": "Normerande fas"}}
    meetings = [held(n, decided="norming" if n == 4 else "forming") for n in range(1, 8)]
    root = parse(meetings, labels)
    band = column(root, 4).find(f"{SVG}g")
    assert texts(band) == ["Normerande", "fas"]
    bands = [g for g in root.iter(f"{SVG}g") if "phase" in classes(g)]
    sizes = {t.get("font-size") for g in bands for t in g.iter(f"{SVG}text")}
    assert len(sizes) == 1 and float(sizes.pop()) >= 22


def test_an_empty_series_still_renders():
    root = parse([])
    assert columns(root) == []
    assert root.find(f"{SVG}title").text == "Gruppens utveckling"


def test_id_prefix_keeps_ids_apart_and_refuses_markup():
    root = ET.fromstring(render_svg(SERIES, LABELS, id_prefix="tl2"))
    assert root.get("aria-labelledby") == "tl2-title tl2-desc"
    with pytest.raises(ValueError):
        render_svg(SERIES, LABELS, id_prefix='x" onload="alert(1)')


def test_text_table_has_one_row_per_meeting():
    rows = text_table(SERIES, LABELS)
    assert rows[0] == {
        "meeting": "Möte 1",
        "date": "2026-11-01",
        "phase": "Forming",
        "phase_is_suggestion": False,
        "mix": "Encyklopedisk 60 %, Betydelse 20 %, Relationell 10 %, Värdering 10 %",
        "balance": "0.69",
    }
    assert rows[2]["phase"] == "Storming" and rows[2]["phase_is_suggestion"] is True
    assert rows[1]["phase_is_suggestion"] is False  # decided, though also suggested
    assert rows[4] == {
        "meeting": "Möte 5",
        "date": "2026-11-05",
        "phase": "Performing",
        "phase_is_suggestion": True,
        "mix": "",
        "balance": "",
    }
    assert rows[5] == {
        "meeting": "Möte 6",
        "date": "",
        "phase": "",
        "phase_is_suggestion": False,
        "mix": "",
        "balance": "",
    }


def test_text_table_mix_lists_largest_first_and_keeps_tiny_shares_visible():
    meeting = held(1, mix=(0.2, 0.3, 0.2, 0.0, 0.296, 0.004), gini=0.0)
    (row,) = text_table([meeting], LABELS)
    # Ties keep the vocabulary order; a share that rounds to 0 is still shown.
    assert row["mix"] == (
        "Betydelse 30 %, Lösning 30 %, Encyklopedisk 20 %, Relationell 20 %, Otaggad <1 %"
    )
    assert row["balance"] == "1.00"


def test_participation_balance_uses_the_readers_decimal_mark():
    meetings = [held(1, decided="forming")]
    rows = text_table(meetings, {**LABELS, "decimal_mark": ","})
    assert "," in rows[0]["balance"] and "." not in rows[0]["balance"]
    assert rows[0]["balance"] in render_svg(meetings, {**LABELS, "decimal_mark": ","})
