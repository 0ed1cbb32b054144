"""The minutes' content and forms: sections, language, escaping and images in md, html and docx."""

import io
import uuid
from pathlib import Path

from helpers import close_meeting, join, participant_socket, png, post, rendered_html
from pblapp import ops


def build_meeting(client, facilitator, live_meeting):
    a = join(client, live_meeting["join_code"], "Anna", "FK")["token"]
    b = join(client, live_meeting["join_code"], "Bosse", "AF")["token"]
    return a, b


def test_minutes_list_attendance_contributions_by_type_and_carried_questions(
    app, client, db, facilitator, live_meeting
):
    token_a, token_b = build_meeting(client, facilitator, live_meeting)
    a, b = ops.participation.attendance(db, token_a), ops.participation.attendance(db, token_b)
    import uuid

    first, _ = ops.participation.post(
        db,
        a,
        {"client_id": str(uuid.uuid4()), "text": "Vad innebär dag 180?", "qtype": "encyclopedic"},
    )
    ops.participation.post(
        db, b, {"client_id": str(uuid.uuid4()), "text": "Varför tidsgränser?", "qtype": "meaning"}
    )
    hidden, _ = ops.participation.post(
        db, b, {"client_id": str(uuid.uuid4()), "text": "Off topic", "qtype": None}
    )
    ops.moderation.moderate(
        db, facilitator["id"], live_meeting["id"], {"id": first["id"], "carry_forward": True}
    )
    ops.moderation.moderate(
        db, facilitator["id"], live_meeting["id"], {"id": hidden["id"], "hidden": True}
    )
    headers = facilitator["headers"]
    text = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.md?lang=en", headers=headers
    ).get_data(as_text=True)
    # A base group's record is notes (minnesanteckningar), not a protocol.
    assert "# Notes: Basgrupp Norrköping" in text
    assert "**Meeting:** 1 of 7 – Rehabiliteringskedjan" in text
    assert "**Facilitator:** Handledare Hanna" in text
    assert "- **FK**, Försäkringskassan: 1 (P01)" in text
    assert "- **AF**, Arbetsförmedlingen: 1 (P02)" in text
    encyclopedic = text.index("### Encyclopedic")
    meaning = text.index("### Meaning-oriented")
    assert encyclopedic < text.index("P01 (FK): Vad innebär dag 180?", encyclopedic) < meaning
    assert meaning < text.index("P02 (AF): Varför tidsgränser?")
    carried = text.index("## Questions for the next meeting")
    assert text.index("P01 (FK): Vad innebär dag 180?", carried) > carried
    assert "Off topic" not in text

    html = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.html?lang=en", headers=headers
    ).get_data(as_text=True)
    assert "Questions for the next meeting" in html
    assert 'P01 (FK):</span> <span class="text">Vad innebär dag 180?</span>' in html
    assert "@page" in html


def test_minutes_headings_are_swedish_by_default(client, facilitator, live_meeting):
    text = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.md", headers=facilitator["headers"]
    ).get_data(as_text=True)
    assert text.startswith("# Minnesanteckningar: Basgrupp Norrköping")
    assert "## Närvaro" in text
    assert "## Frågor till nästa gång" in text


def test_minutes_html_escapes_participant_text(app, client, db, facilitator, live_meeting):
    import uuid

    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    ops.participation.post(
        db,
        attendance,
        {"client_id": str(uuid.uuid4()), "text": "<script>alert(1)</script>", "qtype": None},
    )
    response = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.html", headers=facilitator["headers"]
    )
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_full_minutes_place_everything_in_its_section_in_md_html_and_docx(
    client, db, facilitator, live_meeting, monkeypatch
):
    from datetime import UTC, datetime, timedelta

    import docx

    clock = {"now": datetime(2026, 3, 2, 12, 0, tzinfo=UTC)}
    monkeypatch.setattr("pblapp.ops.agenda._now", lambda: clock["now"])
    uid, mid, headers = facilitator["id"], live_meeting["id"], facilitator["headers"]
    ops.meetings.update(
        db,
        uid,
        mid,
        {"place": "Vårdcentralen <Norr>", "next_meeting_at": "2026-03-16T13:00:00+01:00"},
    )
    ops.screen.set_starting_point(db, uid, mid, {"text": "Fallet **Eva**"})
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])

    def post(text, qtype):
        return ops.participation.post(
            db, attendance, {"client_id": str(uuid.uuid4()), "text": text, "qtype": qtype}
        )[0]

    import uuid

    ops.agenda.command(db, uid, mid, {"action": "start"})
    early = post("Vad hände sist?", "encyclopedic")
    clock["now"] += timedelta(minutes=12)
    ops.agenda.command(db, uid, mid, {"action": "next"})
    clock["now"] += timedelta(minutes=11)
    ops.agenda.command(db, uid, mid, {"action": "next"})
    later = post("Vad innebär *dag 180*?", "encyclopedic")
    duplicate = post("Vad betyder dag 180?", "encyclopedic")
    ops.moderation.merge(db, uid, mid, {"id": duplicate["id"], "into": later["id"]})
    ops.moderation.moderate(db, uid, mid, {"id": later["id"], "carry_forward": True})
    ops.decisions.add_decision(db, uid, mid, {"text": "Vi bjuder in AF."})
    ops.decisions.add_action_item(
        db, uid, mid, {"what": "Kolla SGI-reglerna", "who": "P01 (FK)", "due": "2026-03-16"}
    )
    client.post(f"/api/v1/meetings/{mid}/close", headers=headers)

    text = client.get(f"/api/v1/meetings/{mid}/minutes.md?lang=en", headers=headers).get_data(
        as_text=True
    )
    order = [
        "**Place:** Vårdcentralen &lt;Norr>",
        "## Attendance",
        "## Decisions and action items",
        "| What | Who | When | Status |",
        "| Decision: Vi bjuder in AF. |  |  | decided |",
        "| Kolla SGI-reglerna | P01 (FK) | 2026-03-16 | open |",
        "## Starting point",
        "> Fallet **Eva**",
        "## Agenda items",
        "### 1. Report back on last meeting's questions",
        "planned 15 min, used 12 min",
        "### 2. Starting point",
        "planned 10 min, used 11 min",
        "### 3. What do we see?",
        "- **Decision:** Vi bjuder in AF.",
        "not started",
        "## Questions for the next meeting",
        "- P01 (FK): Vad innebär \\*dag 180\\*? – open",
        "## Next meeting",
        "2026-03-16 13:00",
        "## Appendix: posts",
        "### Encyclopedic",
        "#### Report back on last meeting's questions",
        "P01 (FK): Vad hände sist?",
        "#### What do we see?",
        "- P01 (FK): Vad innebär \\*dag 180\\*?\n  - duplicate: P01 (FK): Vad betyder dag 180?",
    ]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions), text

    html = client.get(f"/api/v1/meetings/{mid}/minutes.html?lang=en", headers=headers).get_data(
        as_text=True
    )
    for piece in (
        "Vårdcentralen &lt;Norr&gt;",
        "<strong>Eva</strong>",
        "Vi bjuder in AF.",
        '<td class="text">Kolla SGI-reglerna</td><td class="text">P01 (FK)</td>',
        "2026-03-16 13:00",
        "planned 10 min, used 11 min",
    ):
        assert piece in html

    response = client.get(f"/api/v1/meetings/{mid}/minutes.docx?lang=en", headers=headers)
    assert response.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(response.data))
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)  # A4
    paragraphs = [p.text for p in document.paragraphs]
    for heading, following in (
        ("Agenda items", "1. Report back on last meeting's questions"),
        ("Next meeting", "2026-03-16 13:00"),
    ):
        assert paragraphs[paragraphs.index(heading) + 1] == following
    # Decisions and action items are a table (what, who, when, status).
    [actions] = document.tables
    assert [cell.text for cell in actions.rows[1].cells] == [
        "Decision: Vi bjuder in AF.",
        "",
        "",
        "decided",
    ]
    assert [cell.text for cell in actions.rows[2].cells] == [
        "Kolla SGI-reglerna",
        "P01 (FK)",
        "2026-03-16",
        "open",
    ]
    assert "P01 (FK): Vad innebär *dag 180*?" in paragraphs
    assert early["agenda_step_id"] != later["agenda_step_id"]


def test_organisation_codes_in_quotes_are_text_too(client, db, facilitator):
    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={"name": "G", "kind": "pbl", "organizations": [{"code": "__b__", "name": "B"}]},
        headers=headers,
    ).get_json()
    meeting = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={}, headers=headers
    ).get_json()
    client.post(f"/api/v1/meetings/{meeting['id']}/start", headers=headers)
    token = client.post(
        f"/j/{meeting['join_code']}", json={"display_name": "A", "organization": "__b__"}
    ).get_json()["token"]
    ops.participation.post(
        db, ops.participation.attendance(db, token), {"client_id": str(uuid.uuid4()), "text": "hej"}
    )
    source = client.get(f"/api/v1/meetings/{meeting['id']}/minutes.md", headers=headers).get_data(
        as_text=True
    )
    for html in rendered_html(source):
        assert "<strong>b</strong>" not in html and "P01 (__b__): hej" in html


def test_the_starting_point_image_is_in_every_form_of_the_minutes(
    app, client, db, facilitator, live_meeting
):
    from pathlib import Path

    import docx

    uid, mid, headers = facilitator["id"], live_meeting["id"], facilitator["headers"]
    ops.screen.set_starting_point(db, uid, mid, {"text": "Fallet Eva"})
    ops.screen.set_starting_point_image(db, uid, mid, png())
    client.post(f"/api/v1/meetings/{mid}/close", headers=headers)

    html = client.get(f"/api/v1/meetings/{mid}/minutes.html", headers=headers)
    assert 'src="data:image/png;base64,' in html.get_data(as_text=True)
    assert "img-src 'self' data:" in html.headers["Content-Security-Policy"]
    word = client.get(f"/api/v1/meetings/{mid}/minutes.docx", headers=headers)
    assert len(docx.Document(io.BytesIO(word.data)).inline_shapes) == 1
    folder = Path(app.config["DATA_DIR"]) / str(live_meeting["group_id"]) / "1"
    assert (folder / "starting-point.png").read_bytes() == png()
    assert "](starting-point.png)" in (folder / "minutes.md").read_text(encoding="utf-8")


def test_a_jpeg_word_cannot_read_still_gives_all_the_minutes(
    app, client, db, facilitator, live_meeting
):

    import docx

    jpeg = b"\xff\xd8\xff\xe2" + b"\x00" * 200  # a JPEG without the JFIF header Word's reader wants
    ops.screen.set_starting_point_image(db, facilitator["id"], live_meeting["id"], jpeg)
    close_meeting(client, facilitator, live_meeting["id"])
    word = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.docx", headers=facilitator["headers"]
    )
    assert word.status_code == 200
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs]
    assert any(p.endswith("starting-point.jpg") for p in paragraphs)
    folder = Path(app.config["DATA_DIR"]) / str(live_meeting["group_id"]) / "1"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["minutes.docx", "minutes.html", "minutes.md", "starting-point.jpg"]


def test_a_control_character_in_a_post_does_not_break_closing_and_the_docx_minutes(
    app, client, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    assert post(phone, "Vad gäller\x0bdag 180?")["ok"]
    closed = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"]
    )
    assert closed.status_code == 200, closed.get_data(as_text=True)[:300]
    docx = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.docx", headers=facilitator["headers"]
    )
    assert docx.status_code == 200


def test_an_organisation_whose_name_has_brackets_reads_without_doubled_brackets(
    client, facilitator, live_meeting
):
    headers = facilitator["headers"]
    organizations = [{"code": "RS", "name": "Resurssamordnare (primärvård)"}]
    changed = client.patch(
        f"/api/v1/groups/{live_meeting['group']['id']}",
        json={"organizations": organizations},
        headers=headers,
    )
    assert changed.status_code == 200, changed.get_json()
    join(client, live_meeting["join_code"], name="Rut", organization="RS")
    base = f"/api/v1/meetings/{live_meeting['id']}/minutes"
    text = client.get(f"{base}.md", headers=headers).get_data(as_text=True)
    html = client.get(f"{base}.html", headers=headers).get_data(as_text=True)
    assert "- **RS**, Resurssamordnare (primärvård): 1 (P01)" in text
    assert "Resurssamordnare (primärvård): 1 (P01)" in html
    assert "))" not in text and "))" not in html
