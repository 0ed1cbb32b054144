"""Minutes: what they contain, in which language, and that participant text stays text."""

import re
import uuid
from html.parser import HTMLParser

import markdown
import pytest
from markdown_it import MarkdownIt

from conftest import join
from pblapp import ops
from pblapp.domain.minutes import escape_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klicka här](javascript:alert(1))",
    "![bild](http://example.org/x.png)",
    "<http://example.org>",
    "# Rubrik\n- lista\n> citat\n1. ett",
    "**fet** _kursiv_ `kod`",
    "&lt;script&gt; &amp; &#60;b&#62;",
    "rad ett\n===\nrad två\n---",
    "\\<b>backslash\\</b>",
]


def rendered_html(source: str) -> list[str]:
    return [markdown.markdown(source), MarkdownIt("commonmark").render(source)]


@pytest.mark.parametrize("text", HOSTILE)
def test_participant_text_renders_as_plain_text_in_common_markdown_renderers(text):
    source = f"- P01 (FK): {escape_markdown(text)}"
    for html in rendered_html(source):
        body = html.strip().removeprefix("<ul>").removesuffix("</ul>").strip()
        body = body.removeprefix("<li>").removesuffix("</li>")
        for tag in (
            "<script",
            "<img",
            "<a ",
            "<strong",
            "<em",
            "<code",
            "<h1",
            "<blockquote",
            "<ol",
            "<h2",
            "<hr",
            "<b>",
        ):
            assert tag not in body, (text, html)


def test_escaped_text_reads_the_same_after_rendering():
    text = "Vad innebär dag 180 (rehabkedjan)? 50 % – *inte* <säker> & [osäker]"
    for html in rendered_html(escape_markdown(text)):
        visible = (
            html.replace("<p>", "")
            .replace("</p>", "")
            .strip()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
        )
        assert visible == text


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
    ops.participation.moderate(
        db, facilitator["id"], live_meeting["id"], {"id": first["id"], "carry_forward": True}
    )
    ops.participation.moderate(
        db, facilitator["id"], live_meeting["id"], {"id": hidden["id"], "hidden": True}
    )
    headers = facilitator["headers"]
    text = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.md?lang=en", headers=headers
    ).get_data(as_text=True)
    assert "# Minutes: Basgrupp Norrköping" in text
    assert "**Meeting:** 1 of 7 – Rehabiliteringskedjan" in text
    assert "**Facilitator:** Handledare Hanna" in text
    assert "- **FK** (Försäkringskassan): 1 – P01" in text
    assert "- **AF** (Arbetsförmedlingen): 1 – P02" in text
    encyclopedic = text.index("### Encyclopedic")
    meaning = text.index("### Meaning-oriented")
    assert encyclopedic < text.index("P01 (FK): Vad innebär dag 180?") < meaning
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
    assert text.startswith("# Protokoll: Basgrupp Norrköping")
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
    import io
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
    ops.participation.merge(db, uid, mid, {"id": duplicate["id"], "into": later["id"]})
    ops.participation.moderate(db, uid, mid, {"id": later["id"], "carry_forward": True})
    ops.decisions.add_decision(db, uid, mid, {"text": "Vi bjuder in AF."})
    ops.decisions.add_action_item(
        db, uid, mid, {"what": "Kolla SGI-reglerna", "who": "P01 (FK)", "due": "2026-03-16"}
    )
    client.post(f"/api/v1/meetings/{mid}/close", headers=headers)

    text = client.get(f"/api/v1/meetings/{mid}/minutes.md?lang=en", headers=headers).get_data(
        as_text=True
    )
    order = [
        "**Place:** Vårdcentralen &lt;Norr&gt;",
        "## Attendance",
        "## Agenda",
        "1. Report back on last meeting's questions: planned 15 min, used 12 min",
        "Starting point: planned 10 min, used 11 min",
        "not started",
        "## Starting point",
        "> Fallet **Eva**",
        "## Contributions by question type",
        "### Encyclopedic",
        "#### Report back on last meeting's questions",
        "P01 (FK): Vad hände sist?",
        "#### What do we see?",
        "P01 (FK): Vad innebär \\*dag 180\\*?",
        "  - duplicate: P01 (FK): Vad betyder dag 180?",
        "## Decisions",
        "- Vi bjuder in AF\\.",
        "## Action items",
        "P01 \\(FK\\): Kolla SGI\\-reglerna \\(by 2026\\-03\\-16\\) – open",
        "## Questions for the next meeting",
        "- P01 (FK): Vad innebär \\*dag 180\\*? – open",
        "## Next meeting",
        "2026\\-03\\-16 13:00",
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
        "Kolla SGI-reglerna (by 2026-03-16)",
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
        ("Decisions", "Vi bjuder in AF."),
        ("Action items", "P01 (FK): Kolla SGI-reglerna (by 2026-03-16) – open"),
        ("Next meeting", "2026-03-16 13:00"),
    ):
        assert paragraphs[paragraphs.index(heading) + 1] == following
    assert "P01 (FK): Vad innebär *dag 180*?" in paragraphs
    assert early["agenda_step_id"] != later["agenda_step_id"]


def test_closing_writes_the_minutes_in_the_groups_language_to_the_data_dir(
    app, client, facilitator
):
    from pathlib import Path

    import docx

    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={"name": "Reference group", "kind": "reference", "language": "en"},
        headers=headers,
    ).get_json()
    assert group["language"] == "en"
    meeting = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={}, headers=headers
    ).get_json()
    client.post(f"/api/v1/meetings/{meeting['id']}/start", headers=headers)
    client.post(f"/api/v1/meetings/{meeting['id']}/close", headers=headers)
    folder = Path(app.config["DATA_DIR"]) / str(group["id"]) / "1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "minutes.docx",
        "minutes.html",
        "minutes.md",
    ]
    assert (folder / "minutes.md").read_text().startswith("# Minutes: Reference group")
    assert docx.Document(str(folder / "minutes.docx")).paragraphs[0].text == (
        "Minutes: Reference group"
    )


class _ActiveParts(HTMLParser):
    """Collects what in rendered HTML could run or load: elements and attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style"):
            self.found.append(tag)
        for name, value in attrs:
            target = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or (
                name in ("href", "src")
                and re.match(r"^[a-z][a-z0-9+.-]*:", target)
                and not target.startswith(("http:", "https:", "mailto:"))
            ):
                self.found.append(f"{name}={value}")


def active_parts(html: str) -> list[str]:
    parser = _ActiveParts()
    parser.feed(html)
    return parser.found


STARTING_POINTS = [
    "<script>window.x=1</script>",
    "<img src=x onerror=alert(1)>",
    "[läs](javascript:alert(1))",
    "[läs](JaVa&#115;cript:alert(1))",
    "[läs]( java\tscript:alert(1))",
    "[r]: javascript:alert(1)\n\n[läs][r]",
    "<javascript:alert(1)>",
    "![bild](data:text/html,hej)",
    "<iframe src=http://example.org></iframe>",
]


@pytest.mark.parametrize("text", STARTING_POINTS)
def test_the_starting_point_in_minutes_md_keeps_its_markdown_but_nothing_active(text):
    from pblapp.domain.minutes import safe_markdown

    for html in rendered_html(safe_markdown(text)):
        assert active_parts(html) == [], html


def test_the_starting_point_in_minutes_md_keeps_formatting_and_web_links():
    from pblapp.domain.minutes import safe_markdown

    text = "**Fallet Eva** – läs [FK:s text](https://www.forsakringskassan.se/) och skriv 3 < 5"
    for html in rendered_html(safe_markdown(text)):
        assert "<strong>Fallet Eva</strong>" in html
        assert 'href="https://www.forsakringskassan.se/"' in html
        assert "3 &lt; 5" in html


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
    import io
    from pathlib import Path

    import docx

    from conftest import png

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
