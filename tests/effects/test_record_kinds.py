"""Two kinds of record (minnesanteckningar and protokoll), their order for a reader in a
hurry, and the appendix of posts the facilitator can leave out: in md, html and docx, in
Swedish and English."""

import io
import uuid

import docx
import pytest

from helpers import close_meeting, error_code, join, rendered_html
from pblapp import ops
from pblapp.i18n import error_messages


def _group_and_meeting(client, facilitator, kind="pbl", language="sv", **extra):
    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={"name": "Referensgruppen", "kind": kind, "language": language, **extra},
        headers=headers,
    ).get_json()
    meeting = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={"title": "Rehab"}, headers=headers
    ).get_json()
    client.post(f"/api/v1/meetings/{meeting['id']}/start", headers=headers)
    return group, meeting


def _fill(client, db, facilitator, meeting_id, join_code):
    """A meeting with a post, a decision and an action item under the first agenda item."""
    uid = facilitator["id"]
    attendance = ops.participation.attendance(db, join(client, join_code)["token"])
    ops.agenda.command(db, uid, meeting_id, {"action": "start"})
    ops.participation.post(
        db,
        attendance,
        {"client_id": str(uuid.uuid4()), "text": "Vad innebär dag 180?", "qtype": "encyclopedic"},
    )
    ops.decisions.add_decision(db, uid, meeting_id, {"text": "Vi bjuder in AF."})
    ops.decisions.add_action_item(
        db, uid, meeting_id, {"what": "Boka lokal", "who": "Anna", "due": "2026-03-16"}
    )


def _get(client, facilitator, meeting_id, fmt, lang):
    response = client.get(
        f"/api/v1/meetings/{meeting_id}/minutes.{fmt}?lang={lang}", headers=facilitator["headers"]
    )
    assert response.status_code == 200
    return response.data if fmt == "docx" else response.get_data(as_text=True)


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


@pytest.mark.parametrize(
    ("kind", "lang", "title"),
    [
        ("pbl", "sv", "Minnesanteckningar"),
        ("focus", "sv", "Minnesanteckningar"),
        ("reference", "sv", "Protokoll"),
        ("pbl", "en", "Notes"),
        ("reference", "en", "Minutes"),
    ],
)
def test_base_and_focus_groups_get_notes_and_reference_groups_a_protocol_by_default(
    client, facilitator, kind, lang, title
):
    _, meeting = _group_and_meeting(client, facilitator, kind=kind)
    text = _get(client, facilitator, meeting["id"], "md", lang)
    assert text.startswith(f"# {title}: Referensgruppen")
    html = _get(client, facilitator, meeting["id"], "html", lang)
    assert f"<h1>{title}: Referensgruppen</h1>" in html
    assert _paragraphs(_get(client, facilitator, meeting["id"], "docx", lang))[0] == (
        f"{title}: Referensgruppen"
    )


def test_a_group_can_choose_its_kind_of_record_against_its_default(client, facilitator):
    group, meeting = _group_and_meeting(client, facilitator, kind="pbl", record_kind="protocol")
    assert _get(client, facilitator, meeting["id"], "md", "sv").startswith("# Protokoll:")
    changed = client.patch(
        f"/api/v1/groups/{group['id']}",
        json={"record_kind": "notes"},
        headers=facilitator["headers"],
    )
    assert changed.get_json()["record_kind"] == "notes"
    assert _get(client, facilitator, meeting["id"], "md", "sv").startswith("# Minnesanteckningar:")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("sv", {"chair": "Ordförande", "secretary": "Sekreterare", "adjusted": "Justeras"}),
        ("en", {"chair": "Chair", "secretary": "Secretary", "adjusted": "Adjusted"}),
    ],
)
def test_a_protocol_numbers_its_items_and_ends_with_signature_lines_for_chair_secretary_adjusters(
    client, db, facilitator, lang, words
):
    _, meeting = _group_and_meeting(client, facilitator, kind="reference")
    mid = meeting["id"]
    answer = client.patch(
        f"/api/v1/meetings/{mid}",
        json={"secretary": "Sara Sekreterare", "adjusters": ["Jens Justerare", "Jonna J"]},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 200
    assert answer.get_json()["adjusters"] == ["Jens Justerare", "Jonna J"]
    _fill(client, db, facilitator, mid, meeting["join_code"])
    close_meeting(client, facilitator, mid)

    text = _get(client, facilitator, mid, "md", lang)
    assert "### § 1 " in text and "### § 2 " in text
    assert f"- **{words['chair']}:** Handledare Hanna" in text
    assert f"- **{words['secretary']}:** Sara Sekreterare" in text
    assert "Jens Justerare, Jonna J" in text
    signatures = text[text.index("## " + ("Underskrifter" if lang == "sv" else "Signatures")) :]
    for name, role in (
        ("Handledare Hanna", words["chair"]),
        ("Sara Sekreterare", words["secretary"]),
        ("Jens Justerare", words["adjusted"]),
        ("Jonna J", words["adjusted"]),
    ):
        assert f"{name}  \n{role}" in signatures

    html = _get(client, facilitator, mid, "html", lang)
    assert "<h3>§ 1 " in html
    assert html.count('<div class="signature">') == 4
    assert f'<div>Jonna J</div><div class="note">{words["adjusted"]}</div>' in html

    data = _get(client, facilitator, mid, "docx", lang)
    paragraphs = _paragraphs(data)
    assert any(p.startswith("§ 1 ") for p in paragraphs)
    assert any(p.startswith("§ 2 ") for p in paragraphs)
    # The signatures: two a row, each a line to sign on, the name and the role.
    summary, signatures = docx.Document(io.BytesIO(data)).tables
    cells = [[p.text for p in cell.paragraphs] for row in signatures.rows for cell in row.cells]
    assert cells == [
        ["_" * 34, "Handledare Hanna", words["chair"]],
        ["_" * 34, "Sara Sekreterare", words["secretary"]],
        ["_" * 34, "Jens Justerare", words["adjusted"]],
        ["_" * 34, "Jonna J", words["adjusted"]],
    ]
    assert summary.rows[1].cells[0].text.endswith("Vi bjuder in AF.")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_notes_have_no_paragraph_signs_secretary_or_signature_lines(
    client, db, facilitator, live_meeting, lang
):
    mid = live_meeting["id"]
    _fill(client, db, facilitator, mid, live_meeting["join_code"])
    close_meeting(client, facilitator, mid)
    text = _get(client, facilitator, mid, "md", lang)
    html = _get(client, facilitator, mid, "html", lang)
    paragraphs = _paragraphs(_get(client, facilitator, mid, "docx", lang))
    for word in ("§", "Sekreterare", "Secretary", "Justeras", "Adjusted", "Underskrifter"):
        assert word not in text and word not in html and word not in "\n".join(paragraphs)
    assert "### 1. " in text and "<h3>1. " in html


@pytest.mark.parametrize(
    ("lang", "headings"),
    [
        (
            "sv",
            [
                "Närvaro",
                "Beslut och åtgärder",
                "Dagordningens punkter",
                "Frågor till nästa gång",
                "Bilaga: inlägg",
            ],
        ),
        (
            "en",
            [
                "Attendance",
                "Decisions and action items",
                "Agenda items",
                "Questions for the next meeting",
                "Appendix: posts",
            ],
        ),
    ],
)
def test_the_minutes_put_who_was_there_and_the_table_first_and_the_posts_last_in_every_format(
    client, db, facilitator, live_meeting, lang, headings
):
    mid = live_meeting["id"]
    _fill(client, db, facilitator, mid, live_meeting["join_code"])
    ops.followups.add_question(db, facilitator["id"], mid, {"text": "Vem äger kedjan?"})
    close_meeting(client, facilitator, mid)

    text = _get(client, facilitator, mid, "md", lang)
    positions = [text.index(f"## {h}") for h in headings]
    assert positions == sorted(positions)
    # The post is only in the appendix; the decision is in the table and under its item.
    assert text.index("Vad innebär dag 180?") > positions[-1]
    assert positions[1] < text.index("Vi bjuder in AF.") < positions[2]
    assert positions[2] < text.index("Vi bjuder in AF.", positions[2]) < positions[3]

    html = _get(client, facilitator, mid, "html", lang)
    positions = [html.index(f"<h2>{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    assert html.index("Vad innebär dag 180?") > positions[-1]

    data = _get(client, facilitator, mid, "docx", lang)
    paragraphs = _paragraphs(data)
    positions = [paragraphs.index(h) for h in headings]
    assert positions == sorted(positions)
    post = next(i for i, p in enumerate(paragraphs) if "Vad innebär dag 180?" in p)
    assert post > positions[-1]
    [table] = docx.Document(io.BytesIO(data)).tables
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    decided = "beslutat" if lang == "sv" else "decided"
    decision = "Beslut" if lang == "sv" else "Decision"
    assert cells[1] == [f"{decision}: Vi bjuder in AF.", "", "", decided]
    assert cells[2][:3] == ["Boka lokal", "Anna", "2026-03-16"]


def test_the_facilitator_can_leave_the_appendix_of_posts_out(client, db, facilitator, live_meeting):
    mid = live_meeting["id"]
    _fill(client, db, facilitator, mid, live_meeting["join_code"])
    answer = client.patch(
        f"/api/v1/meetings/{mid}", json={"minutes_appendix": False}, headers=facilitator["headers"]
    )
    assert answer.get_json()["minutes_appendix"] is False
    close_meeting(client, facilitator, mid)
    for lang, appendix in (("sv", "Bilaga: inlägg"), ("en", "Appendix: posts")):
        text = _get(client, facilitator, mid, "md", lang)
        html = _get(client, facilitator, mid, "html", lang)
        word = "\n".join(_paragraphs(_get(client, facilitator, mid, "docx", lang)))
        for rendered in (text, html, word):
            assert appendix not in rendered
            assert "Vad innebär dag 180?" not in rendered
            assert "Vi bjuder in AF." in rendered


def test_hostile_names_of_secretary_and_adjusters_and_table_cells_stay_text(
    client, db, facilitator
):
    _, meeting = _group_and_meeting(client, facilitator, kind="reference")
    mid, uid = meeting["id"], facilitator["id"]
    hostile = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) | ![i](http://e/i.png)"
    client.patch(
        f"/api/v1/meetings/{mid}",
        json={"secretary": hostile, "adjusters": [hostile]},
        headers=facilitator["headers"],
    )
    ops.decisions.add_decision(db, uid, mid, {"text": hostile})
    ops.decisions.add_action_item(db, uid, mid, {"what": hostile, "who": hostile})
    close_meeting(client, facilitator, mid)
    for html in rendered_html(_get(client, facilitator, mid, "md", "sv")):
        assert "<img" not in html and "<a " not in html
    page = _get(client, facilitator, mid, "html", "sv")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    # The table keeps its four columns: a typed | does not add one.
    text = _get(client, facilitator, mid, "md", "sv")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert all(line.replace("\\|", "").count("|") == 5 for line in rows)


@pytest.mark.parametrize(
    ("path_kind", "payload", "code"),
    [
        ("group", {"record_kind": "protokoll"}, "invalid_record_kind"),
        ("group", {"record_kind": 1}, "invalid_record_kind"),
        ("meeting", {"adjusters": ["A", "B", "C"]}, "invalid_adjusters"),
        ("meeting", {"adjusters": "A"}, "invalid_adjusters"),
        ("meeting", {"adjusters": [""]}, "invalid_adjusters"),
        ("meeting", {"adjusters": ["x" * 121]}, "invalid_adjusters"),
        ("meeting", {"minutes_appendix": "no"}, "invalid_minutes_appendix"),
    ],
)
def test_a_bad_record_kind_or_adjusters_is_refused(
    client, facilitator, live_meeting, path_kind, payload, code
):
    path = (
        f"/api/v1/groups/{live_meeting['group_id']}"
        if path_kind == "group"
        else f"/api/v1/meetings/{live_meeting['id']}"
    )
    answer = client.patch(path, json=payload, headers=facilitator["headers"])
    assert answer.status_code == 400
    assert error_code(answer) == code


def test_a_new_group_with_a_bad_record_kind_is_refused(client, facilitator):
    answer = client.post(
        "/api/v1/groups",
        json={"name": "G", "kind": "pbl", "record_kind": "minutes"},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 400 and error_code(answer) == "invalid_record_kind"


def test_the_refusals_have_swedish_messages(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("sv"):
        messages = error_messages()
        assert messages["invalid_record_kind"].startswith("Välj minnesanteckningar")
        assert messages["invalid_adjusters"] == "Ange en eller två justerare med namn."
