"""Notes under each agenda item: written in the console (socket or API), kept with the
step, shown in the group's own minutes under the item before its decisions, and never sent
to the room's screens and phones or to a researcher."""

import io
import json

from docx import Document

from helpers import (
    close_meeting,
    error_code,
    events,
    moderator_socket,
    participant_socket,
    rendered_html,
    sio,
)
from pblapp import ops

NOTES = (
    "Gruppen gick igenom fallet med Eva.\n"
    "Frågan om SGI (dag 180) återstår.\n"
    "\n"
    "- AF kontaktar arbetsgivaren\n"
    "- FK läser på om 27 kap. SFB"
)


def _notes_url(meeting_id, step_id):
    return f"/api/v1/meetings/{meeting_id}/agenda/{step_id}/notes"


def _first_step(client, facilitator, meeting_id) -> dict:
    answer = client.get(f"/api/v1/meetings/{meeting_id}/agenda", headers=facilitator["headers"])
    return answer.get_json()["steps"][0]


def test_the_facilitator_writes_notes_under_an_item_and_only_the_console_gets_them(
    app, client, facilitator, live_meeting
):
    mid = live_meeting["id"]
    console = moderator_socket(app, facilitator, mid)
    phone = participant_socket(app, client, live_meeting["join_code"])
    screen = sio(app, auth={"api_token": facilitator["token"], "meeting_id": mid, "view": "screen"})
    for socket in (console, phone, screen):
        socket.get_received()
    step = _first_step(client, facilitator, mid)
    ack = console.emit(
        "agenda:notes", {"step_id": step["id"], "notes": f"  {NOTES}\r\n"}, callback=True
    )
    assert ack["ok"] and ack["agenda"]["steps"][0]["notes"] == NOTES
    assert events(console, "agenda:state")[-1]["steps"][0]["notes"] == NOTES
    for room in (phone, screen):
        (state,) = events(room, "agenda:state")
        assert "notes" not in state["steps"][0]
        assert "Eva" not in json.dumps(state, ensure_ascii=False)
    # A phone or a screen that connects again gets the agenda without them too.
    again = participant_socket(app, client, live_meeting["join_code"], "Bo")
    (state,) = events(again, "agenda:state")
    assert all("notes" not in s for s in state["steps"])
    # A phone may not write them.
    refused = phone.emit("agenda:notes", {"step_id": step["id"], "notes": "Hej"}, callback=True)
    assert refused["error"]["code"] == "forbidden"
    # The log says that the notes changed and how long they are, never their words.
    (logged,) = [
        e
        for e in ops.records.events(app.extensions["pblapp.db"], group_id=live_meeting["group_id"])
        if e["type"] == "agenda.notes_changed"
    ]
    assert logged["data"]["length"] == len(NOTES) and "Eva" not in json.dumps(logged)


def test_notes_over_the_api_are_checked_and_a_researcher_never_sees_them(
    client, db, facilitator, researcher, live_meeting
):
    mid, headers = live_meeting["id"], facilitator["headers"]
    step = _first_step(client, facilitator, mid)
    url = _notes_url(mid, step["id"])
    answer = client.put(url, json={"notes": NOTES}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["steps"][0]["notes"] == NOTES
    too_long = client.put(url, json={"notes": "x" * 10_001}, headers=headers)
    assert too_long.status_code == 400 and error_code(too_long) == "notes_too_long"
    assert error_code(client.put(url, json={"notes": 5}, headers=headers)) == "invalid_notes"
    assert error_code(client.put(url, json={}, headers=headers)) == "missing_field"
    elsewhere = client.put(_notes_url(mid, 999_999), json={"notes": "x"}, headers=headers)
    assert elsewhere.status_code == 404 and error_code(elsewhere) == "step_not_found"
    # Unchanged by the refusals; emptied by "".
    assert _first_step(client, facilitator, mid)["notes"] == NOTES
    ops.groups.grant(db, live_meeting["group_id"], researcher["id"])
    seen = client.get(f"/api/v1/meetings/{mid}/agenda", headers=researcher["headers"])
    assert seen.status_code == 200 and "notes" not in seen.get_json()["steps"][0]
    written = client.put(url, json={"notes": "x"}, headers=researcher["headers"])
    assert written.status_code == 403
    assert (
        client.put(url, json={"notes": ""}, headers=headers).get_json()["steps"][0]["notes"] == ""
    )


def test_the_minutes_show_the_notes_under_their_item_before_its_decisions(
    client, db, facilitator, researcher, live_meeting
):
    mid, headers = live_meeting["id"], facilitator["headers"]
    ops.agenda.command(db, facilitator["id"], mid, {"action": "start"})
    step = _first_step(client, facilitator, mid)
    client.put(_notes_url(mid, step["id"]), json={"notes": NOTES}, headers=headers)
    ops.decisions.add_decision(db, facilitator["id"], mid, {"text": "Vi bjuder in AF."})
    close_meeting(client, facilitator, mid)

    md = client.get(f"/api/v1/meetings/{mid}/minutes.md", headers=headers).get_data(as_text=True)
    order = [
        "### 1. ",
        "Gruppen gick igenom fallet med Eva.  \nFrågan om SGI (dag 180) återstår.",
        "* AF kontaktar arbetsgivaren\n* FK läser på om 27 kap. SFB",
        "- **Beslut:** Vi bjuder in AF.",
        "### 2. ",
    ]
    positions = [md.index(piece) for piece in order]
    assert positions == sorted(positions), md

    html = client.get(f"/api/v1/meetings/{mid}/minutes.html", headers=headers).get_data(
        as_text=True
    )
    assert (
        '<p class="item-notes">Gruppen gick igenom fallet med Eva.<br>'
        "Frågan om SGI (dag 180) återstår.</p>" in html
    )
    assert '<ul class="item-notes"><li>AF kontaktar arbetsgivaren</li>' in html

    answer = client.get(f"/api/v1/meetings/{mid}/minutes.docx", headers=headers)
    paragraphs = Document(io.BytesIO(answer.data)).paragraphs
    texts = [p.text for p in paragraphs]
    at = texts.index("Gruppen gick igenom fallet med Eva.\nFrågan om SGI (dag 180) återstår.")
    assert texts[at + 1 : at + 3] == ["AF kontaktar arbetsgivaren", "FK läser på om 27 kap. SFB"]
    assert paragraphs[at + 1].style.name == "List Bullet"

    # The research copy has none of it: the notes are the group's own.
    ops.groups.grant(db, live_meeting["group_id"], researcher["id"])
    for fmt in ("md", "html", "docx"):
        copy = client.get(f"/api/v1/meetings/{mid}/minutes.{fmt}", headers=researcher["headers"])
        assert copy.status_code == 200
        body = (
            copy.get_data(as_text=True)
            if fmt != "docx"
            else "\n".join(p.text for p in Document(io.BytesIO(copy.data)).paragraphs)
        )
        assert "Eva" not in body and "arbetsgivaren" not in body


def test_notes_stay_text_in_every_renderer(client, db, facilitator, live_meeting):
    mid, headers = live_meeting["id"], facilitator["headers"]
    step = _first_step(client, facilitator, mid)
    hostile = (
        "[klicka](javascript:alert(1)) <img src=x onerror=alert(1)> https://evil.example\n"
        "# Rubrik\n"
        "1. inte en lista\n"
        "- ![bild](http://evil.example/x.png)"
    )
    client.put(_notes_url(mid, step["id"]), json={"notes": hostile}, headers=headers)
    md = client.get(f"/api/v1/meetings/{mid}/minutes.md", headers=headers).get_data(as_text=True)
    for html in rendered_html(md):
        assert "<a " not in html and "<img" not in html and "<h1>Rubrik" not in html
        assert "<ol>" not in html
    page = client.get(f"/api/v1/meetings/{mid}/minutes.html", headers=headers).get_data(
        as_text=True
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_changing_notes_after_approval_makes_a_new_version(client, db, facilitator, live_meeting):
    mid, headers = live_meeting["id"], facilitator["headers"]
    close_meeting(client, facilitator, mid)
    approved = client.post(
        f"/api/v1/meetings/{mid}/minutes/approve", json={"adjusters": ["Anna"]}, headers=headers
    )
    assert approved.status_code == 200
    step = _first_step(client, facilitator, mid)
    answer = client.put(
        _notes_url(mid, step["id"]), json={"notes": "Skrivet efteråt."}, headers=headers
    )
    assert answer.status_code == 200
    versions = client.get(f"/api/v1/meetings/{mid}/minutes/versions", headers=headers).get_json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["note"] == "Ändrat efter justering: anteckningarna under en punkt"
    md = client.get(f"/api/v1/meetings/{mid}/minutes.md", headers=headers).get_data(as_text=True)
    assert "Skrivet efteråt." in md and "Version 2, ej justerad" in md
