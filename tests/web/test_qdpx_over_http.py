"""GET /api/v1/groups/<gid>/export.qdpx: a REFI-QDA project of a real group, checked against
the standard's schema, its GUID references, and the posts cut out of its sources."""

from __future__ import annotations

import functools
import importlib.resources
import io
import uuid
import xml.etree.ElementTree as ET
import zipfile

import pytest
import xmlschema
from flask_babel import force_locale

from helpers import close_meeting, error_code, join, next_meeting
from pblapp import ops
from pblapp.domain import qdpx
from pblapp.domain.vocabulary import QUESTION_TYPES
from pblapp.i18n import QUESTION_TYPE_DEFINITIONS, QUESTION_TYPE_LABELS
from pblapp.ops import records

NS = {"q": "urn:QDA-XML:project:1.0"}
REFERENCES = ("targetGUID", "creatingUser", "modifyingUser", "creatingUserGUID")
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
FLAG = "\U0001f1f8\U0001f1ea"


@functools.cache
def schema() -> xmlschema.XMLSchema:
    path = importlib.resources.files("qualitative_coding") / "refi_qda" / "schema.xsd"
    return xmlschema.XMLSchema(str(path))


def say(db, attendance, text, qtype=None) -> dict:
    payload = {"client_id": str(uuid.uuid4()), "text": text, "qtype": qtype}
    return ops.participation.post(db, attendance, payload)[0]


def person(client, db, join_code, name, organization):
    phone = client.application.test_client()
    return ops.participation.attendance(db, join(phone, join_code, name, organization)["token"])


@pytest.fixture
def group(client, db, facilitator, live_meeting):
    """Two meetings: the first closed with a decided phase, the second still running.
    Returns the group id and the contributions by name."""
    gid, mid = live_meeting["group"]["id"], live_meeting["id"]
    anna = person(client, db, live_meeting["join_code"], "Anna Andersson", "FK")
    bo = person(client, db, live_meeting["join_code"], "Bo Berg", "AF")
    posts = {
        "facts": say(db, anna, "Vad gäller vid dag 180? åäö ÅÄÖ", "encyclopedic"),
        "emoji": say(db, bo, f"Bra 🙂 {FLAG} {FAMILY} – och sen?", "value"),
        "lines": say(db, anna, "Första raden\nandra raden\n\ntredje", None),
        "markup": say(db, bo, "Skriv <b>\"fet\"</b> & 'kursiv' &amp; <script>x</script>", "value"),
        "hidden": say(db, anna, "Dolt inlägg", "meaning"),
        "duplicate": say(db, bo, "Vad gäller vid dag 180?", "encyclopedic"),
    }
    ops.moderation.moderate(
        db, facilitator["id"], mid, {"id": posts["hidden"]["id"], "hidden": True}
    )
    ops.moderation.merge(
        db, facilitator["id"], mid, {"id": posts["duplicate"]["id"], "into": posts["facts"]["id"]}
    )
    ops.phases.decide(db, facilitator["id"], mid, {"phase": "storming"})
    close_meeting(client, facilitator, mid)
    second = next_meeting(db, facilitator, gid)
    cecilia = person(client, db, second["join_code"], "Cecilia Ceder", "FK")
    posts["second"] = say(db, cecilia, "Hur går vi vidare?", "solution")
    return {"id": gid, "meetings": [mid, second["id"]], "posts": posts}


def download(client, user, gid):
    return client.get(f"/api/v1/groups/{gid}/export.qdpx", headers=user["headers"])


def unpack(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        files = {name: archive.read(name) for name in names}
    return ET.fromstring(files["project.qde"]), files, names


def selections(root, files) -> dict[str, str]:
    """Each selection's text, cut from its source file by code-point offsets."""
    found = {}
    for source in root.iterfind(".//q:TextSource", NS):
        path = "sources/" + source.get("plainTextPath").removeprefix("internal://")
        text = files[path].decode("utf-8")
        for selection in source.iterfind("q:PlainTextSelection", NS):
            found[selection.get("guid")] = text[
                int(selection.get("startPosition")) : int(selection.get("endPosition"))
            ]
    return found


def selection_guid(gid, post) -> str:
    return qdpx.guid(f"pblapp:{gid}:contribution:{post['id']}")


def test_the_export_is_a_zip_attachment_named_after_the_group(client, facilitator, group):
    response = download(client, facilitator, group["id"])
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="group-{group["id"]}.qdpx"'
    )
    _, _, names = unpack(response.get_data())
    assert names[0] == "project.qde" and len(names) == 3
    assert all(n.startswith("sources/") and n.count("/") == 1 for n in names[1:])


def test_the_project_is_valid_and_every_guid_reference_resolves(client, facilitator, group):
    root, files, _ = unpack(download(client, facilitator, group["id"]).get_data())
    schema().validate(files["project.qde"])
    guids = {e.get("guid") for e in root.iter() if e.get("guid")}
    references = [e.get(a) for e in root.iter() for a in REFERENCES if e.get(a)]
    assert references and set(references) <= guids
    for source in root.iterfind(".//q:TextSource", NS):
        assert "sources/" + source.get("plainTextPath").removeprefix("internal://") in files


def test_each_selection_cut_out_of_its_source_is_its_posts_text(client, facilitator, group):
    root, files, _ = unpack(download(client, facilitator, group["id"]).get_data())
    cut = selections(root, files)
    posts = group["posts"]
    for name in ("facts", "emoji", "markup", "duplicate", "second"):
        assert cut[selection_guid(group["id"], posts[name])] == posts[name]["text"]
    assert cut[selection_guid(group["id"], posts["lines"])] == ("Första raden andra raden  tredje")
    assert selection_guid(group["id"], posts["hidden"]) not in cut
    lines = [
        files[name].decode("utf-8").split("\n") for name in sorted(files) if name != "project.qde"
    ]
    first = next(text for text in lines if len(text) == 6)
    assert first[0] == "P01 (FK): Vad gäller vid dag 180? åäö ÅÄÖ" and first[-1] == ""
    assert first[1].startswith("P02 (AF): Bra 🙂")


def test_participant_markup_stays_text_and_no_display_name_is_in_the_project(
    client, facilitator, group
):
    data = download(client, facilitator, group["id"]).get_data()
    root, files, _ = unpack(data)
    assert root.find(".//q:b", NS) is None and root.find(".//script") is None
    everything = b"".join(files.values()).decode("utf-8")
    for name in ("Anna Andersson", "Bo Berg", "Cecilia Ceder"):
        assert name not in everything
    assert "Skriv <b>\"fet\"</b> & 'kursiv' &amp; <script>x</script>" in everything


def test_posts_are_coded_with_their_type_and_pseudonyms_are_cases(app, client, facilitator, group):
    root, _, _ = unpack(download(client, facilitator, group["id"]).get_data())
    codes = {c.get("guid"): c for c in root.iter("{urn:QDA-XML:project:1.0}Code")}
    (parent,) = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert parent.get("isCodable") == "false" and parent.get("name") == "Frågetyper"
    with app.test_request_context(), force_locale("sv"):
        swedish = [str(QUESTION_TYPE_LABELS[key]) for key in QUESTION_TYPES]
    assert swedish[0] == "Encyklopedisk"
    assert [c.get("name") for c in parent.findall("q:Code", NS)] == swedish
    with app.test_request_context(), force_locale("sv"):
        definitions = [str(QUESTION_TYPE_DEFINITIONS[key]) for key in QUESTION_TYPES]
    assert [c.find("q:Description", NS).text for c in parent.findall("q:Code", NS)] == (definitions)
    (user,) = root.findall("q:Users/q:User", NS)
    coded = {}
    for selection in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"):
        codings = selection.findall("q:Coding", NS)
        assert all(c.get("creatingUser") == user.get("guid") for c in codings)
        coded[selection.get("guid")] = [
            codes[c.find("q:CodeRef", NS).get("targetGUID")].get("name") for c in codings
        ]
    posts, gid = group["posts"], group["id"]
    assert coded[selection_guid(gid, posts["emoji"])] == [swedish[3]]
    assert coded[selection_guid(gid, posts["lines"])] == []
    cases = {c.get("name"): c for c in root.iterfind("q:Cases/q:Case", NS)}
    assert sorted(cases) == ["P01", "P02", "P03"]
    assert cases["P02"].find("q:VariableValue/q:TextValue", NS).text == "AF"
    assert [r.get("targetGUID") for r in cases["P03"].findall("q:SelectionRef", NS)] == [
        selection_guid(gid, posts["second"])
    ]


def test_meetings_carry_their_phase_and_their_minutes(client, facilitator, group):
    root, _, _ = unpack(download(client, facilitator, group["id"]).get_data())
    names = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    sources = root.findall("q:Sources/q:TextSource", NS)
    values = [
        {names[v[0].get("targetGUID")]: v[1].text for v in s.findall("q:VariableValue", NS)}
        for s in sources
    ]
    assert [v["Mötesnummer"] for v in values] == ["1", "2"]
    assert values[0]["Fas"] == "Konfliktfas"
    assert values[0]["Fasens status"] == "beslutad av handledaren"
    assert values[1]["Fasens status"] == "föreslagen av appen, ännu inte bekräftad"
    assert all(len(v["Mötesdatum"]) == 10 for v in values)
    notes = {n.get("guid"): n for n in root.iterfind("q:Notes/q:Note", NS)}
    minutes = notes[sources[0].find("q:NoteRef", NS).get("targetGUID")]
    content = minutes.find("q:PlainTextContent", NS).text
    assert content.startswith("# Minnesanteckningar") and "Vad gäller vid dag 180?" in content
    # The note is named as the group's record is titled, not "Protokoll" for a base group.
    assert minutes.get("name") == "Minnesanteckningar: Möte 1"
    sets = [s.get("name") for s in root.iterfind("q:Sets/q:Set", NS)]
    assert "Fas: Konfliktfas – beslutad av handledaren" in sets


def test_the_names_are_in_the_groups_language(client, db, facilitator, group):
    ops.groups.update(db, facilitator["id"], group["id"], {"language": "en"})
    root, _, _ = unpack(download(client, facilitator, group["id"]).get_data())
    (parent,) = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert parent.get("name") == "Question types"
    assert parent.find("q:Code", NS).get("name") == "Encyclopedic"
    assert root.find("q:Sources/q:TextSource", NS).get("name").startswith("Meeting 1 (")


def test_a_second_export_names_every_element_the_same(client, facilitator, group):
    first_bytes = download(client, facilitator, group["id"]).get_data()
    second_bytes = download(client, facilitator, group["id"]).get_data()
    first, _, _ = unpack(first_bytes)
    second, _, _ = unpack(second_bytes)
    assert [e.get("guid") for e in first.iter()] == [e.get("guid") for e in second.iter()]
    # Nothing of the moment of the download is in the file: the same record, the same bytes.
    assert first_bytes == second_bytes


def test_withdrawn_participants_leave_no_post_case_or_coding(
    client, db, facilitator, group, monkeypatch
):
    anna = {p["id"] for p in db.query("SELECT id FROM participants WHERE pseudonym = 'P01'")}
    monkeypatch.setattr(records, "withdrawn_ids", lambda _db, _gid: anna)
    root, files, _ = unpack(download(client, facilitator, group["id"]).get_data())
    schema().validate(files["project.qde"])
    assert [c.get("name") for c in root.iterfind("q:Cases/q:Case", NS)] == ["P02", "P03"]
    cut = selections(root, files)
    assert selection_guid(group["id"], group["posts"]["facts"]) not in cut
    assert selection_guid(group["id"], group["posts"]["emoji"]) in cut
    everything = b"".join(files.values()).decode("utf-8")
    # Their words are nowhere: not in the sources, not in the minutes.
    assert "åäö" not in everything and "Första raden" not in everything
    assert "Vad gäller vid dag 180? åäö" not in everything
    sources = b"".join(data for name, data in files.items() if name != "project.qde")
    assert b"P01" not in sources


@pytest.mark.parametrize("policy", ["delete", "keep_for_minutes"])
def test_a_withdrawal_through_the_api_reaches_the_export_whatever_the_policy(
    client, db, facilitator, group, policy
):
    gid, headers = group["id"], facilitator["headers"]
    ops.groups.update(db, facilitator["id"], gid, {"withdrawal_policy": policy})
    answer = client.post(f"/api/v1/groups/{gid}/participants/P02/withdraw", headers=headers)
    assert answer.status_code == 200
    own = client.get(f"/api/v1/meetings/{group['meetings'][0]}/minutes.md", headers=headers)
    # Only the group's own minutes may keep the words; the research project never does.
    assert ("Bra 🙂" in own.get_data(as_text=True)) == (policy == "keep_for_minutes")
    root, files, _ = unpack(download(client, facilitator, gid).get_data())
    everything = b"".join(files.values()).decode("utf-8")
    assert "Bra 🙂" not in everything and "kursiv" not in everything
    assert [c.get("name") for c in root.iterfind("q:Cases/q:Case", NS)] == ["P01", "P03"]
    assert selection_guid(gid, group["posts"]["emoji"]) not in selections(root, files)


def test_a_pseudonym_merged_into_another_is_no_case_of_its_own(client, db, facilitator, group):
    ops.identities.merge(db, facilitator["id"], group["id"], "P02", {"into": "P01"})
    root, files, _ = unpack(download(client, facilitator, group["id"]).get_data())
    schema().validate(files["project.qde"])
    cases = {c.get("name"): c for c in root.iterfind("q:Cases/q:Case", NS)}
    assert sorted(cases) == ["P01", "P03"]
    refs = [r.get("targetGUID") for r in cases["P01"].findall("q:SelectionRef", NS)]
    assert selection_guid(group["id"], group["posts"]["emoji"]) in refs
    assert selections(root, files)[refs[1]] == group["posts"]["emoji"]["text"]


def test_only_the_owner_and_a_granted_researcher_may_download(
    client, db, facilitator, researcher, group
):
    assert download(client, researcher, group["id"]).status_code == 404
    assert error_code(download(client, researcher, group["id"])) == "group_not_found"
    ops.groups.grant(db, group["id"], researcher["id"])
    response = download(client, researcher, group["id"])
    assert response.status_code == 200
    assert b"Andersson" not in response.get_data()
    assert client.get(f"/api/v1/groups/{group['id']}/export.qdpx").status_code == 401
    assert download(client, facilitator, 999999).status_code == 404
    assert client.post(
        f"/api/v1/groups/{group['id']}/export.qdpx", headers=researcher["headers"]
    ).status_code in (403, 405)


def test_each_download_is_recorded_in_the_groups_audit_log(
    client, db, facilitator, researcher, group
):
    ops.groups.grant(db, group["id"], researcher["id"])
    assert download(client, researcher, group["id"]).status_code == 200
    assert download(client, researcher, 999999).status_code == 404
    downloads = [
        entry
        for entry in ops.audit.entries(db, facilitator["id"], group["id"])
        if entry["action"] == "download"
    ]
    assert [(e["user"], e["path"]) for e in downloads] == [
        (researcher["name"], f"/api/v1/groups/{group['id']}/export.qdpx")
    ]


def test_a_group_without_meetings_exports_a_valid_project(client, facilitator):
    gid = client.post(
        "/api/v1/groups", json={"name": "Tom grupp", "kind": "pbl"}, headers=facilitator["headers"]
    ).get_json()["id"]
    root, files, names = unpack(download(client, facilitator, gid).get_data())
    assert names == ["project.qde"]
    schema().validate(files["project.qde"])
    assert root.find("q:Cases", NS) is None and root.find("q:Sources", NS) is None
