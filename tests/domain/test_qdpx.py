"""The REFI-QDA project (export.qdpx) built from plain data: the zip's layout, the schema,
GUIDs and their references, code-point offsets, the codebook, cases and meetings."""

from __future__ import annotations

import functools
import importlib.resources
import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile

import xmlschema

from pblapp.domain import minutes, qdpx
from pblapp.domain.vocabulary import QUESTION_TYPES

NS = {"q": "urn:QDA-XML:project:1.0"}
GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
# Attributes that name another element by its GUID.
REFERENCES = ("targetGUID", "creatingUser", "modifyingUser", "creatingUserGUID")

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 7 code points
FLAG = "\U0001f1f8\U0001f1ea"  # 🇸🇪, 2 code points

LABELS = {
    "question_types": "Frågetyper",
    "question_types_description": "Frågetypen för varje inlägg.",
    "qtypes": {
        "encyclopedic": "Encyklopedisk",
        "meaning": "Meningssökande",
        "relational": "Relationell",
        "value": "Värderande",
        "solution": "Lösningsinriktad",
    },
    "qtype_descriptions": {key: f"Om {key}." for key in QUESTION_TYPES},
    "phases": {
        "forming": "Orienteringsfas",
        "storming": "Konfliktfas",
        "norming": "Normfas",
        "performing": "Arbetsfas",
        "adjourning": "Avslutningsfas",
    },
    "decided": "beslutad av handledaren",
    "suggested": "föreslagen av appen, ännu inte bekräftad",
    "organization": "Organisation",
    "meeting_number": "Mötesnummer",
    "meeting_date": "Mötesdatum",
    "phase": "Fas",
    "phase_status": "Fasens status",
    "meeting": "Möte %(n)s",
    "minutes": "Protokoll",
    "description": "Exporterat från pblapp.",
}


def post(cid, text, qtype="meaning", pseudonym="P01", organization="FK"):
    return {
        "id": cid,
        "pseudonym": pseudonym,
        "organization": organization,
        "qtype": qtype,
        "text": text,
        "created_at": "2026-03-02T09:15:00.000Z",
        "updated_at": None,
    }


def project(**changes) -> dict:
    base = {
        "group": {
            "id": 7,
            "name": "Basgrupp Motala",
            "organizations": [
                {"code": "FK", "name": "Försäkringskassan"},
                {"code": "AF", "name": "Arbetsförmedlingen"},
            ],
            "created_at": "2026-03-01T08:00:00.000Z",
        },
        "participants": [
            {"id": 1, "pseudonym": "P01", "organization": "FK"},
            {"id": 2, "pseudonym": "P02", "organization": "AF"},
        ],
        "meetings": [
            {
                "id": 11,
                "number": 1,
                "title": "Rehabiliteringskedjan",
                "date": "2026-03-02",
                "started_at": "2026-03-02T09:00:00.000Z",
                "closed_at": "2026-03-02T11:00:00.000Z",
                "phase": {"key": "forming", "decided": True},
                "minutes": "# Protokoll\n\n- P01 (FK): Vad gäller?\n",
                "contributions": [
                    post(101, "Vad händer vid dag 180? Är det så här för åäö?", "encyclopedic"),
                    post(102, f"Bra 🙂 och {FLAG} och {FAMILY} – sen?", "value", "P02", "AF"),
                    post(103, "Rad ett\nrad två\r\nrad tre\u2028fyra", None),
                    post(104, "Samma som förut 🙂", "solution", "P02", "AF"),
                ],
            },
            {
                "id": 12,
                "number": 2,
                "title": "",
                "date": "2026-03-09",
                "started_at": "2026-03-09T09:00:00.000Z",
                "closed_at": None,
                "phase": {"key": "storming", "decided": False},
                "minutes": None,
                "contributions": [post(201, "Citat: <b>\"fet\"</b> & 'så' &amp;", "relational")],
            },
        ],
    }
    return {**base, **changes}


@functools.cache
def schema() -> xmlschema.XMLSchema:
    path = importlib.resources.files("qualitative_coding") / "refi_qda" / "schema.xsd"
    return xmlschema.XMLSchema(str(path))


def open_qdpx(data: bytes) -> tuple[ET.Element, dict[str, str], list[str]]:
    """The parsed project.qde, the source files' texts by path, and the zip's entry names."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
        sources = {n: archive.read(n).decode("utf-8") for n in names if n != "project.qde"}
    return ET.fromstring(qde), sources, names


def unresolved_references(root: ET.Element) -> list[str]:
    guids = {element.get("guid") for element in root.iter() if element.get("guid")}
    return [
        f"{element.tag} {attribute}={element.get(attribute)}"
        for element in root.iter()
        for attribute in REFERENCES
        if element.get(attribute) and element.get(attribute) not in guids
    ]


def cut_selections(root: ET.Element, sources: dict[str, str]) -> dict[str, str]:
    """Each selection's text, cut from its source file by its offsets as code points."""
    found = {}
    for source in root.iterfind(".//q:TextSource", NS):
        text = sources["sources/" + source.get("plainTextPath").removeprefix("internal://")]
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            found[selection.get("guid")] = text[start:end]
    return found


def test_the_zip_holds_project_qde_and_one_flat_text_file_per_meeting():
    root, sources, names = open_qdpx(qdpx.qdpx(project(), LABELS))
    assert names[0] == "project.qde"
    assert all(re.fullmatch(r"sources/[0-9A-F-]{36}\.txt", n) for n in names[1:])
    assert len(names) == 3 and not any(n.endswith("/") for n in names)
    paths = [s.get("plainTextPath") for s in root.iterfind(".//q:TextSource", NS)]
    assert sorted("sources/" + p.removeprefix("internal://") for p in paths) == sorted(names[1:])


def test_the_project_is_valid_against_the_refi_qda_schema():
    data = qdpx.build(project(), LABELS)["project.qde"]
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    schema().validate(data)


def test_every_guid_reference_resolves_to_an_element_of_the_project():
    root, _, _ = open_qdpx(qdpx.qdpx(project(), LABELS))
    assert unresolved_references(root) == []
    guids = [element.get("guid") for element in root.iter() if element.get("guid")]
    assert len(guids) == len(set(guids))
    assert all(GUID.match(g) for g in guids)
    members = root.findall(".//q:MemberSource", NS) + root.findall(".//q:SelectionRef", NS)
    assert members and all(m.get("targetGUID") in guids for m in members)


def test_each_selection_cut_out_by_code_points_is_exactly_its_posts_text():
    data = project()
    root, sources, _ = open_qdpx(qdpx.qdpx(data, LABELS))
    cut = cut_selections(root, sources)
    for meeting in data["meetings"]:
        for c in meeting["contributions"]:
            assert cut[qdpx.guid(f"pblapp:7:contribution:{c['id']}")] == qdpx.one_line(c["text"])
    assert len(cut) == 5


def test_offsets_count_code_points_not_utf16_units_or_bytes():
    data = project()
    text, spans = qdpx.source_text(data["meetings"][0]["contributions"])
    first_line, second_line = text.split("\n")[:2]
    # The third post starts after two lines that hold åäö, 🙂, a flag and a family.
    third = spans[2][0]
    assert third == len(first_line) + 1 + len(second_line) + 1 + len("P01 (FK): ")
    assert third < len(text[:third].encode("utf-16-le")) // 2 < len(text[:third].encode())
    assert spans[1][1] - spans[1][0] == len(f"Bra 🙂 och {FLAG} och {FAMILY} – sen?")


def test_a_post_with_line_breaks_stays_on_one_line_prefixed_with_pseudonym_and_organisation():
    text, _ = qdpx.source_text(project()["meetings"][0]["contributions"])
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 5
    assert lines[2] == "P01 (FK): Rad ett rad två rad tre fyra"
    assert lines[1].startswith("P02 (AF): Bra 🙂")


def test_the_codebook_is_the_five_question_types_under_a_parent_that_cannot_be_coded():
    root, _, _ = open_qdpx(qdpx.qdpx(project(), LABELS))
    (parent,) = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert parent.get("isCodable") == "false" and parent.get("name") == "Frågetyper"
    assert parent.find("q:Description", NS).text == "Frågetypen för varje inlägg."
    codes = parent.findall("q:Code", NS)
    assert [c.get("name") for c in codes] == [LABELS["qtypes"][k] for k in QUESTION_TYPES]
    assert {c.get("isCodable") for c in codes} == {"true"}
    assert [c.find("q:Description", NS).text for c in codes] == [f"Om {k}." for k in QUESTION_TYPES]


def test_posts_are_coded_with_their_type_by_the_app_and_untagged_posts_are_not_coded():
    root, _, _ = open_qdpx(qdpx.qdpx(project(), LABELS))
    (user,) = root.findall("q:Users/q:User", NS)
    assert user.get("name") == "pblapp"
    code_of = {c.get("guid"): c.get("name") for c in root.iter("{urn:QDA-XML:project:1.0}Code")}
    coded = {}
    for selection in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"):
        codings = selection.findall("q:Coding", NS)
        assert all(c.get("creatingUser") == user.get("guid") for c in codings)
        coded[selection.get("guid")] = [
            code_of[c.find("q:CodeRef", NS).get("targetGUID")] for c in codings
        ]
    by_id = {cid: coded[qdpx.guid(f"pblapp:7:contribution:{cid}")] for cid in (101, 103, 201)}
    assert by_id == {101: ["Encyklopedisk"], 103: [], 201: ["Relationell"]}


def test_a_second_export_gives_the_same_guids_and_the_same_bytes():
    first, second = qdpx.qdpx(project(), LABELS), qdpx.qdpx(project(), LABELS)
    assert first == second
    root, _, _ = open_qdpx(first)
    selection = root.find(".//q:PlainTextSelection", NS).get("guid")
    name = "pblapp:7:contribution:101"
    assert selection == str(uuid.uuid5(qdpx.GUID_NAMESPACE, name)).upper()


def test_markup_and_quotes_in_participant_text_stay_text():
    data = project()
    data["meetings"][1]["minutes"] = '- P01 (FK): <script>alert(1)</script> & "x"'
    root, sources, _ = open_qdpx(qdpx.qdpx(data, LABELS))
    texts = cut_selections(root, sources).values()
    assert "Citat: <b>\"fet\"</b> & 'så' &amp;" in texts
    notes = [n.text for n in root.iterfind(".//q:Note/q:PlainTextContent", NS)]
    assert notes[1] == data["meetings"][1]["minutes"]
    assert root.find(".//q:Note//q:b", NS) is None and not root.findall(".//script")


def test_empty_containers_are_left_out():
    empty = project(participants=[], meetings=[])
    data = qdpx.build(empty, LABELS)
    assert list(data) == ["project.qde"]
    schema().validate(data["project.qde"])
    root = ET.fromstring(data["project.qde"])
    assert [child.tag.split("}")[1] for child in root] == ["Users", "CodeBook", "Description"]
    meeting = {**project()["meetings"][1], "contributions": [], "phase": None}
    root = ET.fromstring(qdpx.build(project(meetings=[meeting]), LABELS)["project.qde"])
    assert [child.tag.split("}")[1] for child in root] == [
        "Users",
        "CodeBook",
        "Variables",
        "Cases",
        "Sources",
        "Description",
    ]
    assert root.find(".//q:TextSource", NS).find("q:PlainTextSelection", NS) is None


def test_cases_are_pseudonyms_with_their_organisation_and_their_selections():
    root, _, _ = open_qdpx(qdpx.qdpx(project(), LABELS))
    variables = {v.get("guid"): v for v in root.iterfind("q:Variables/q:Variable", NS)}
    cases = root.findall("q:Cases/q:Case", NS)
    assert [c.get("name") for c in cases] == ["P01", "P02"]
    value = cases[1].find("q:VariableValue", NS)
    variable = variables[value.find("q:VariableRef", NS).get("targetGUID")]
    assert (variable.get("name"), variable.get("typeOfVariable")) == ("Organisation", "Text")
    assert value.find("q:TextValue", NS).text == "AF"
    assert "FK = Försäkringskassan" in variable.find("q:Description", NS).text
    refs = [r.get("targetGUID") for r in cases[1].findall("q:SelectionRef", NS)]
    assert refs == [qdpx.guid(f"pblapp:7:contribution:{cid}") for cid in (102, 104)]


def meeting_variables(root: ET.Element) -> list[dict]:
    names = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    return [
        {
            names[value.find("q:VariableRef", NS).get("targetGUID")]: value[1].text
            for value in source.findall("q:VariableValue", NS)
        }
        for source in root.iterfind("q:Sources/q:TextSource", NS)
    ]


def test_meetings_carry_number_date_and_phase_with_the_suggestion_marked_as_such():
    root, _, _ = open_qdpx(qdpx.qdpx(project(), LABELS))
    assert meeting_variables(root) == [
        {
            "Mötesnummer": "1",
            "Mötesdatum": "2026-03-02",
            "Fas": "Orienteringsfas",
            "Fasens status": "beslutad av handledaren",
        },
        {
            "Mötesnummer": "2",
            "Mötesdatum": "2026-03-09",
            "Fas": "Konfliktfas",
            "Fasens status": "föreslagen av appen, ännu inte bekräftad",
        },
    ]
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == ["Möte 1 (2026-03-02)", "Möte 2 (2026-03-09)"]
    sets = {
        s.get("name"): [m.get("targetGUID") for m in s.findall("q:MemberSource", NS)]
        for s in root.iterfind("q:Sets/q:Set", NS)
    }
    assert sets == {
        "Fas: Orienteringsfas – beslutad av handledaren": [sources[0].get("guid")],
        "Fas: Konfliktfas – föreslagen av appen, ännu inte bekräftad": [sources[1].get("guid")],
    }


def test_the_minutes_of_a_meeting_are_a_note_its_source_refers_to():
    root, _, _ = open_qdpx(qdpx.qdpx(project(), LABELS))
    (note,) = root.findall("q:Notes/q:Note", NS)
    assert note.get("name") == "Protokoll: Möte 1"
    assert note.find("q:PlainTextContent", NS).text == project()["meetings"][0]["minutes"]
    first, second = root.findall("q:Sources/q:TextSource", NS)
    assert first.find("q:NoteRef", NS).get("targetGUID") == note.get("guid")
    assert second.find("q:NoteRef", NS) is None


def _minutes_with(*posts, questions=()):
    return {
        "contributions_by_type": [
            {"qtype": "meaning", "groups": [{"step": None, "items": list(posts)}]}
        ],
        "questions": list(questions),
        "answered_questions": [],
    }


def _post(pseudonym, text, duplicates=()):
    return {
        "pseudonym": pseudonym,
        "organization": "FK",
        "text": text,
        "duplicates": list(duplicates),
    }


def test_a_withdrawn_participants_posts_duplicates_and_questions_leave_the_minutes():
    own = _post("P03", "Mitt eget inlägg")
    # Someone else's post that reads like a quote of the withdrawn participant stays.
    other = _post("P01", "P03 (FK): Mitt eget inlägg", [_post("P03", "Samma igen")])
    question = {"text": "En fråga", "author": {"pseudonym": "P03", "organization": "FK"}}
    typed = {"text": "Facilitatorns fråga", "author": None}
    data = _minutes_with(own, other, questions=[question, typed])
    kept = minutes.without_people(data, {"P03"})
    (section,) = kept["contributions_by_type"]
    assert section["groups"][0]["items"] == [{**other, "duplicates": []}]
    assert kept["questions"] == [typed]


def test_a_type_left_without_posts_leaves_the_minutes_and_no_one_withdrawn_changes_nothing():
    data = _minutes_with(_post("P03", "Bara mitt"))
    assert minutes.without_people(data, {"P03"})["contributions_by_type"] == []
    assert minutes.without_people(data, set()) is data
