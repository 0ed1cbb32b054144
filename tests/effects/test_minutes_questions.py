"""'Frågor till nästa gång' in the minutes: only the open questions; the answered ones under
their own heading, with the meeting that answered them, in md, html and docx."""

import io

import docx

from pblapp import ops


def _two_meetings(client, db, facilitator, live_meeting):
    """Meeting 1 raises two questions; meeting 2 answers one of them, raises and answers a
    third, and leaves the second open."""
    uid, gid, headers = facilitator["id"], live_meeting["group_id"], facilitator["headers"]
    first = live_meeting["id"]
    ops.followups.add_question(db, uid, first, {"text": "Vem äger rehabkedjan?"})
    ops.followups.add_question(db, uid, first, {"text": "Vad gäller dag 180 (RS)?"})
    owned, still_open = ops.followups.read(db, first)["questions"]
    client.post(f"/api/v1/meetings/{first}/close", headers=headers)
    second = ops.meetings.create(db, uid, gid, {})["id"]
    ops.meetings.start(db, uid, second)
    ops.followups.update_question(db, uid, second, {"id": owned["id"], "status": "answered"})
    ops.followups.add_question(db, uid, second, {"text": "Vem ringer AF?"})
    new = [q for q in ops.followups.read(db, second)["questions"] if q["text"] == "Vem ringer AF?"]
    ops.followups.update_question(db, uid, second, {"id": new[0]["id"], "status": "answered"})
    client.post(f"/api/v1/meetings/{second}/close", headers=headers)
    return second


def _section(text: str, heading: str) -> str:
    """The part of minutes.md under ``## heading``, up to the next heading of that level."""
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_questions_for_the_next_meeting_list_only_open_ones_and_answered_ones_apart(
    client, db, facilitator, live_meeting
):
    second = _two_meetings(client, db, facilitator, live_meeting)
    headers = facilitator["headers"]
    text = client.get(f"/api/v1/meetings/{second}/minutes.md", headers=headers).get_data(
        as_text=True
    )
    carried = _section(text, "Frågor till nästa gång")
    assert "Vad gäller dag 180 (RS)? – öppen, från möte 1" in carried
    assert "rehabkedjan" not in carried and "Vem ringer AF" not in carried
    answered = _section(text, "Besvarade frågor")
    assert "- Vem äger rehabkedjan? – besvarad vid möte 2, från möte 1" in answered
    assert "- Vem ringer AF? – besvarad vid möte 2" in answered
    assert "dag 180" not in answered
    assert text.index("## Frågor till nästa gång") < text.index("## Besvarade frågor")

    html = client.get(f"/api/v1/meetings/{second}/minutes.html", headers=headers).get_data(
        as_text=True
    )
    carried_html = html[html.index("Frågor till nästa gång") : html.index("Besvarade frågor")]
    assert "Vad gäller dag 180 (RS)?" in carried_html and "rehabkedjan" not in carried_html
    answered_html = html[html.index("Besvarade frågor") :]
    assert 'class="answered-questions"' in answered_html
    assert 'Vem äger rehabkedjan?</span> <span class="note">– besvarad vid möte 2' in html

    document = docx.Document(
        io.BytesIO(client.get(f"/api/v1/meetings/{second}/minutes.docx", headers=headers).data)
    )
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("Frågor till nästa gång")
    under = []
    for paragraph in document.paragraphs[start + 1 :]:
        if paragraph.style.name.startswith(("Heading", "Title")):
            break
        under.append(paragraph.text)
    assert any("dag 180" in line for line in under), under
    assert not any("rehabkedjan" in line or "Vem ringer AF" in line for line in under), under
    answered = paragraphs[paragraphs.index("Besvarade frågor") + 1 :]
    assert any("Vem äger rehabkedjan?" in ln and "besvarad vid möte 2" in ln for ln in answered)


def test_a_meeting_without_answered_questions_has_no_answered_heading(
    client, db, facilitator, live_meeting
):
    ops.followups.add_question(db, facilitator["id"], live_meeting["id"], {"text": "Vad nu?"})
    text = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.md", headers=facilitator["headers"]
    ).get_data(as_text=True)
    assert "- Vad nu? – öppen" in _section(text, "Frågor till nästa gång")
    assert "Besvarade frågor" not in text


def test_minutes_md_of_a_meeting_read_without_backslashes(client, db, facilitator, live_meeting):
    """The Swedish text of an ordinary meeting, as a civil servant pastes it into Outlook."""
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.meetings.update(db, uid, mid, {"next_meeting_at": "2026-11-30T13:00:00+01:00"})
    ops.decisions.add_decision(db, uid, mid, {"text": "Dag 180. Enligt 27 kap. 46 § SFB (RS)."})
    ops.decisions.add_action_item(
        db, uid, mid, {"what": "Kolla SGI-reglerna, 1 000 kr", "who": "FK", "due": "2026-11-30"}
    )
    text = client.get(
        f"/api/v1/meetings/{mid}/minutes.md", headers=facilitator["headers"]
    ).get_data(as_text=True)
    assert "| Beslut: Dag 180. Enligt 27 kap. 46 § SFB (RS). |  |  | beslutat |" in text
    assert "| Kolla SGI-reglerna, 1 000 kr | FK | 2026-11-30 | öppen |" in text
    assert "2026-11-30 13:00" in text
    assert "\\" not in text, text
