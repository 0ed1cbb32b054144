"""The REFI-QDA project of a group (``export.qdpx``), for NVivo, ATLAS.ti, MAXQDA and
QualCoder: plain data in, the zip's bytes out (docs/data-formats.md has the layout).

The zip holds ``project.qde`` (the project, XML in the ``urn:QDA-XML:project:1.0``
namespace) and one UTF-8 text file per meeting in a flat ``sources/``. A meeting's text is
one line per contribution, ``P03 (FK): text``; each contribution is a
``PlainTextSelection`` over exactly its text, its position counted in Unicode code points,
coded with its question type. The XML itself is put together in ``qdpx_xml``.

Every GUID is a UUID 5 of a stable name, so a second export names every element as the
first did, and the bytes are the same as long as the record is.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile

from pblapp.domain.qdpx_xml import project_xml

# Our own namespace for the UUID 5 names; never change it, or every GUID changes.
GUID_NAMESPACE = uuid.UUID("8a836661-8ddd-4082-bdd1-ea8d0f7f3e70")

PROJECT_FILE = "project.qde"
SOURCES_FOLDER = "sources"

# Line breaks as editors and str.splitlines see them; a post stays on its own line.
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# A fixed time for every zip entry: the same record gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def guid(name: str) -> str:
    """The GUID of the element named ``name`` (``pblapp:<gid>:contribution:<id>``):
    upper-case hex in 8-4-4-4-12 groups, as the schema's GUIDType allows and as the QDA
    programs write them."""
    return str(uuid.uuid5(GUID_NAMESPACE, name)).upper()


def guids(group_id: int) -> dict:
    """The GUID makers of one group's project. Names of things the app shares across
    groups (its user, the codes, the variables) carry no group id, so that projects of two
    groups merge their codebooks when imported into one project."""
    prefix = f"pblapp:{group_id}"
    return {
        "user": guid("pblapp:user:pblapp"),
        "code_root": guid("pblapp:code:question-types"),
        "code": lambda qtype: guid(f"pblapp:code:{qtype}"),
        "variable": lambda key: guid(f"pblapp:variable:{key}"),
        "case": lambda pid: guid(f"{prefix}:participant:{pid}"),
        "source": lambda mid: guid(f"{prefix}:meeting:{mid}"),
        "note": lambda mid: guid(f"{prefix}:minutes:{mid}"),
        "selection": lambda cid: guid(f"{prefix}:contribution:{cid}"),
        # A re-tagged post is coded anew: the type is part of the coding's name.
        "coding": lambda cid, qtype: guid(f"{prefix}:coding:{cid}:{qtype}"),
        "set": lambda phase, status: guid(f"{prefix}:set:phase:{phase}:{status}"),
    }


def one_line(text: str) -> str:
    """A post on one line: each line break (``\\r\\n`` counts as one) becomes a space."""
    return _LINE_BREAK.sub(" ", text)


def prefix(contribution: dict) -> str:
    """What comes before a post's text on its line: ``P03 (FK): ``."""
    return f"{contribution['pseudonym']} ({contribution['organization']}): "


def source_text(contributions: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    """A meeting's text source, one line per contribution (each line ends in ``\\n``),
    and where each contribution's own text lies in it: ``(start, end)`` in code points,
    ``start`` inclusive, ``end`` exclusive, the ``P03 (FK): `` before it left out."""
    lines: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for contribution in contributions:
        head, text = prefix(contribution), one_line(contribution["text"])
        start = position + len(head)  # len() of a str counts code points
        spans.append((start, start + len(text)))
        lines.append(head + text + "\n")
        position += len(lines[-1])
    return "".join(lines), spans


def source_path(source_guid: str) -> str:
    """The file of a text source inside the zip."""
    return f"{SOURCES_FOLDER}/{source_guid}.txt"


def build(project: dict, labels: dict) -> dict[str, bytes]:
    """The files of the project: ``{"project.qde": …, "sources/<GUID>.txt": …}``.

    ``project``: ``group`` (``id``, ``name``, ``organizations``, ``created_at``),
    ``participants`` (``id``, ``pseudonym``, ``organization``; withdrawn ones already left
    out), and ``meetings`` in order, each with ``id``, ``number``, ``title``, ``date``
    (``YYYY-MM-DD`` or ``""``), ``started_at``, ``closed_at``, ``phase`` (``{"key",
    "decided": bool}`` or ``None``), ``minutes`` (Markdown or ``None``) and
    ``contributions`` (``id``,
    ``pseudonym``, ``organization``, ``qtype``, ``text``, ``created_at``, ``updated_at``),
    the ones to leave out already gone. ``labels``: the names and descriptions in the
    group's language (see ``qdpx_xml.project_xml``).
    """
    ids = guids(project["group"]["id"])
    files: dict[str, bytes] = {}
    layouts = []
    for meeting in project["meetings"]:
        text, spans = source_text(meeting["contributions"])
        path = source_path(ids["source"](meeting["id"]))
        files[path] = text.encode("utf-8")
        layouts.append((meeting, spans, path))
    return {PROJECT_FILE: project_xml(project, layouts, labels, ids), **files}


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """The ``.qdpx``: a zip of ``files`` in their order, compressed, with a fixed time on
    every entry and no directory entries (the paths say where each file lies)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return buffer.getvalue()


def qdpx(project: dict, labels: dict) -> bytes:
    """The ``.qdpx`` file of ``project`` (see :func:`build`)."""
    return zip_bytes(build(project, labels))
