"""Participant text and the starting point in Markdown minutes, checked in two renderers."""

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from helpers import rendered_html
from pblapp.domain.minutes import escape_markdown, safe_markdown

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


def test_escaped_text_at_the_start_of_a_list_item_does_not_open_a_code_fence():
    """Decisions and action items are written as ``- <escaped text>``; a leading ``~~~``
    is still a fence in CommonMark, and the text vanishes into an empty code block."""

    from pblapp.domain.minutes import escape_markdown

    html = MarkdownIt("commonmark").render("- " + escape_markdown("~~~ beslut om samverkan"))
    assert "<code" not in html
    assert "beslut om samverkan" in html


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

    for html in rendered_html(safe_markdown(text)):
        assert active_parts(html) == [], html


def test_the_starting_point_in_minutes_md_keeps_formatting_and_web_links():

    text = "**Fallet Eva** – läs [FK:s text](https://www.forsakringskassan.se/) och skriv 3 < 5"
    for html in rendered_html(safe_markdown(text)):
        assert "<strong>Fallet Eva</strong>" in html
        assert 'href="https://www.forsakringskassan.se/"' in html
        assert "3 &lt; 5" in html
