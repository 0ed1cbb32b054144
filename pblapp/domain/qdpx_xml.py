"""``project.qde`` of the REFI-QDA export (``pblapp.domain.qdpx``): the XML elements of
the QDA-XML project schema 1.0, in the order the schema's sequences ask for.

What goes where (docs/data-formats.md, "REFI-QDA project"):

- ``Users``: one ``User``, the app, the ``creatingUser`` of every source, selection,
  coding and note.
- ``CodeBook``: a parent code for the question types that cannot itself be coded
  (``isCodable="false"``), the five types under it, named and described in the group's
  language, in the app's colours.
- ``Variables``: ``Organization`` (of a case) and, of a meeting's source, its number, its
  date, its phase and whether the facilitator decided that phase or the app suggested it.
  Only variables that some element has a value of are declared.
- ``Cases``: one per pseudonym with its organisation and a ``SelectionRef`` to each of its
  posts.
- ``Sources``: one ``TextSource`` per meeting, its text in ``sources/``; a
  ``PlainTextSelection`` per post, with a ``Coding`` of its type unless it is untagged; a
  ``NoteRef`` to its minutes and the meeting's variables.
- ``Notes``: the minutes of each meeting, as Markdown in ``PlainTextContent``.
- ``Sets``: the meetings by phase, one set per phase and status ("decided" or
  "suggested").

Containers with nothing in them are left out, as the schema wants at least one child.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from pblapp.domain.timeline_facts import QTYPE_COLORS
from pblapp.domain.vocabulary import PHASES, QUESTION_TYPES

NAMESPACE = "urn:QDA-XML:project:1.0"
APP_USER = "pblapp"
DECIDED, SUGGESTED = "decided", "suggested"

# Characters XML 1.0 cannot hold at all; none should reach here, but a file that no
# program opens would be worse than a lost control character.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _add(parent: ET.Element, tag: str, text: str | None = None, /, **attributes) -> ET.Element:
    """A child element; attributes that are ``None`` or ``""`` are left out."""
    element = ET.SubElement(
        parent,
        tag,
        {key: _clean(value) for key, value in attributes.items() if value not in (None, "")},
    )
    if text is not None:
        element.text = _clean(text)
    return element


def _container(parent: ET.Element, name: str, children: list[Callable[[ET.Element], None]]):
    """``name`` with one child per maker in ``children``; nothing if there are none."""
    if children:
        element = _add(parent, name)
        for make in children:
            make(element)


def _value(parent: ET.Element, variable_guid: str, kind: str, value: object) -> None:
    element = _add(parent, "VariableValue")
    _add(element, "VariableRef", targetGUID=variable_guid)
    _add(element, kind, str(value))


def _meeting_values(meeting: dict, labels: dict) -> list[tuple[str, str, object]]:
    """The meeting's variables as ``(key, value element, value)``."""
    values: list[tuple[str, str, object]] = [("meeting_number", "IntegerValue", meeting["number"])]
    if meeting.get("date"):
        values.append(("meeting_date", "DateValue", meeting["date"]))
    phase = meeting.get("phase")
    if phase:
        status = DECIDED if phase["decided"] else SUGGESTED
        values.append(("phase", "TextValue", labels["phases"][phase["key"]]))
        values.append(("phase_status", "TextValue", labels[status]))
    return values


def _variables(project: dict, labels: dict) -> dict[str, tuple[str, str]]:
    """The variables some element has a value of: ``{key: (typeOfVariable, description)}``,
    in a fixed order."""
    used = {
        key for meeting in project["meetings"] for key, _, _ in _meeting_values(meeting, labels)
    }
    if project["participants"]:
        used.add("organization")
    organizations = "; ".join(
        f"{o['code']} = {o['name']}" for o in project["group"]["organizations"]
    )
    declared = {
        "organization": ("Text", organizations),
        "meeting_number": ("Integer", ""),
        "meeting_date": ("Date", ""),
        "phase": ("Text", ""),
        "phase_status": ("Text", f"{labels[DECIDED]} / {labels[SUGGESTED]}"),
    }
    return {key: declared[key] for key in declared if key in used}


def project_xml(project: dict, layouts: list, labels: dict, ids: dict) -> bytes:
    """``project.qde`` as UTF-8 bytes. ``layouts``: per meeting, ``(meeting, spans, path)``
    with each contribution's ``(start, end)`` and the source's path in the zip; ``ids``:
    the GUID makers of ``qdpx.guids``; ``labels``: ``question_types`` (the parent code's
    name) and ``question_types_description``, ``qtypes`` and ``qtype_descriptions`` by
    key, ``phases`` by key, ``decided``, ``suggested``, ``organization``,
    ``meeting_number``, ``meeting_date``, ``phase``, ``phase_status``, ``meeting`` (with
    ``%(n)s``), ``minutes`` and ``description`` (of the project)."""
    group = project["group"]
    user = ids["user"]
    # The namespace as a plain xmlns attribute on unqualified tags: ElementTree cannot
    # write a default namespace together with (always unqualified) attributes.
    root = ET.Element(
        "Project",
        {
            "xmlns": NAMESPACE,
            "name": _clean(group["name"]),
            "origin": APP_USER,
            "creatingUserGUID": user,
            **({"creationDateTime": group["created_at"]} if group.get("created_at") else {}),
        },
    )
    users = _add(root, "Users")
    _add(users, "User", guid=user, name=APP_USER)
    _codebook(root, labels, ids)

    variables = _variables(project, labels)
    _container(
        root,
        "Variables",
        [
            _variable_maker(key, kind, description, labels, ids)
            for key, (kind, description) in variables.items()
        ],
    )

    selections: dict[str, list[str]] = {}
    for meeting, _, _ in layouts:
        for contribution in meeting["contributions"]:
            selections.setdefault(contribution["pseudonym"], []).append(
                ids["selection"](contribution["id"])
            )
    _container(root, "Cases", [_case_maker(p, selections, ids) for p in project["participants"]])
    _container(root, "Sources", [_source_maker(layout, labels, ids, user) for layout in layouts])
    _container(
        root,
        "Notes",
        [
            _note_maker(meeting, labels, ids, user)
            for meeting, _, _ in layouts
            if meeting.get("minutes")
        ],
    )
    _container(root, "Sets", _set_makers(project["meetings"], labels, ids))
    _add(root, "Description", labels["description"])
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _codebook(root: ET.Element, labels: dict, ids: dict) -> None:
    codes = _add(_add(root, "CodeBook"), "Codes")
    parent = _add(
        codes, "Code", guid=ids["code_root"], name=labels["question_types"], isCodable="false"
    )
    _add(parent, "Description", labels["question_types_description"])
    for qtype in QUESTION_TYPES:
        code = _add(
            parent,
            "Code",
            guid=ids["code"](qtype),
            name=labels["qtypes"][qtype],
            isCodable="true",
            color=QTYPE_COLORS[qtype],
        )
        _add(code, "Description", labels["qtype_descriptions"][qtype])


def _variable_maker(key: str, kind: str, description: str, labels: dict, ids: dict):
    def make(parent: ET.Element) -> None:
        variable = _add(
            parent, "Variable", guid=ids["variable"](key), name=labels[key], typeOfVariable=kind
        )
        if description:
            _add(variable, "Description", description)

    return make


def _case_maker(participant: dict, selections: dict, ids: dict):
    def make(parent: ET.Element) -> None:
        case = _add(
            parent, "Case", guid=ids["case"](participant["id"]), name=participant["pseudonym"]
        )
        _value(case, ids["variable"]("organization"), "TextValue", participant["organization"])
        for selection in selections.get(participant["pseudonym"], []):
            _add(case, "SelectionRef", targetGUID=selection)

    return make


def _source_maker(layout: tuple, labels: dict, ids: dict, user: str):
    meeting, spans, path = layout

    def make(parent: ET.Element) -> None:
        name = labels["meeting"] % {"n": meeting["number"]}
        source = _add(
            parent,
            "TextSource",
            guid=ids["source"](meeting["id"]),
            name=f"{name} ({meeting['date']})" if meeting.get("date") else name,
            plainTextPath="internal://" + path.split("/", 1)[1],
            creatingUser=user,
            creationDateTime=meeting.get("started_at"),
        )
        if meeting.get("title"):
            _add(source, "Description", meeting["title"])
        for contribution, (start, end) in zip(meeting["contributions"], spans, strict=True):
            _selection(source, contribution, start, end, ids, user)
        if meeting.get("minutes"):
            _add(source, "NoteRef", targetGUID=ids["note"](meeting["id"]))
        for key, kind, value in _meeting_values(meeting, labels):
            _value(source, ids["variable"](key), kind, value)

    return make


def _selection(source: ET.Element, contribution: dict, start: int, end: int, ids: dict, user: str):
    selection = _add(
        source,
        "PlainTextSelection",
        guid=ids["selection"](contribution["id"]),
        name=f"{contribution['pseudonym']} ({contribution['organization']})",
        startPosition=start,
        endPosition=end,
        creatingUser=user,
        creationDateTime=contribution.get("created_at"),
    )
    qtype = contribution.get("qtype")
    if qtype in QUESTION_TYPES:
        coding = _add(
            selection,
            "Coding",
            guid=ids["coding"](contribution["id"], qtype),
            creatingUser=user,
            creationDateTime=contribution.get("updated_at") or contribution.get("created_at"),
        )
        _add(coding, "CodeRef", targetGUID=ids["code"](qtype))


def _note_maker(meeting: dict, labels: dict, ids: dict, user: str):
    def make(parent: ET.Element) -> None:
        name = f"{labels['minutes']}: {labels['meeting'] % {'n': meeting['number']}}"
        note = _add(
            parent,
            "Note",
            guid=ids["note"](meeting["id"]),
            name=name,
            creatingUser=user,
            creationDateTime=meeting.get("closed_at") or meeting.get("started_at"),
        )
        _add(note, "PlainTextContent", meeting["minutes"])

    return make


def _set_makers(meetings: list[dict], labels: dict, ids: dict) -> list:
    """One set per phase and status that some meeting has, in phase order, decided first."""
    members: dict[tuple[str, str], list[dict]] = {}
    for meeting in meetings:
        phase = meeting.get("phase")
        if phase:
            status = DECIDED if phase["decided"] else SUGGESTED
            members.setdefault((phase["key"], status), []).append(meeting)
    order = [(key, status) for key in PHASES for status in (DECIDED, SUGGESTED)]

    def maker(key: str, status: str):
        def make(parent: ET.Element) -> None:
            name = f"{labels['phase']}: {labels['phases'][key]} – {labels[status]}"
            group = _add(parent, "Set", guid=ids["set"](key, status), name=name)
            for meeting in members[(key, status)]:
                _add(group, "MemberSource", targetGUID=ids["source"](meeting["id"]))

        return make

    return [maker(key, status) for key, status in order if (key, status) in members]
