"""Minutes: what they contain, in which language, and that participant text stays text."""

import markdown
import pytest
from markdown_it import MarkdownIt

from conftest import join
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
    app, client, service, facilitator, live_meeting
):
    token_a, token_b = build_meeting(client, facilitator, live_meeting)
    a, b = service.attendance(token_a), service.attendance(token_b)
    import uuid

    first, _ = service.add_contribution(
        a, {"client_id": str(uuid.uuid4()), "text": "Vad innebär dag 180?", "qtype": "encyclopedic"}
    )
    service.add_contribution(
        b, {"client_id": str(uuid.uuid4()), "text": "Varför tidsgränser?", "qtype": "meaning"}
    )
    hidden, _ = service.add_contribution(
        b, {"client_id": str(uuid.uuid4()), "text": "Off topic", "qtype": None}
    )
    service.update_contribution(
        facilitator["id"], live_meeting["id"], {"id": first["id"], "carry_forward": True}
    )
    service.update_contribution(
        facilitator["id"], live_meeting["id"], {"id": hidden["id"], "hidden": True}
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
    assert "P01 (FK):</span> Vad innebär dag 180?" in html
    assert "@page" in html


def test_minutes_headings_are_swedish_by_default(client, facilitator, live_meeting):
    text = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.md", headers=facilitator["headers"]
    ).get_data(as_text=True)
    assert text.startswith("# Protokoll: Basgrupp Norrköping")
    assert "## Närvaro" in text
    assert "## Frågor till nästa gång" in text


def test_minutes_html_escapes_participant_text(app, client, service, facilitator, live_meeting):
    import uuid

    attendance = service.attendance(join(client, live_meeting["join_code"])["token"])
    service.add_contribution(
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
