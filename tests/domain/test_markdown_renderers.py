"""Links in the minutes' Markdown, in every renderer a reader might use.

Participant text, as the minutes quote it, never becomes a link or HTML: not in
Python-Markdown, not in CommonMark (markdown-it-py), not with markdown-it-py's linkify, and
not in GitHub-flavoured Markdown (cmark-gfm with its autolink extension, also in its
"unsafe" mode that lets raw HTML through). A facilitator's starting point keeps its links,
but only to http, https and mailto, however the target is escaped, encoded or spaced out.
"""

import re
from html.parser import HTMLParser

import cmarkgfm
import markdown
import pytest
from cmarkgfm.cmark import Options
from markdown_it import MarkdownIt

from pblapp.domain.markdown_escape import WORD_JOINER
from pblapp.domain.markup import markdown_to_html
from pblapp.domain.minutes import quote, safe_markdown

RENDERERS = {
    "python-markdown": markdown.markdown,
    "commonmark": MarkdownIt("commonmark").render,
    "markdown-it+linkify": MarkdownIt("gfm-like").enable("linkify").render,
    "cmark-gfm": cmarkgfm.github_flavored_markdown_to_html,
    "cmark-gfm-unsafe": lambda text: cmarkgfm.github_flavored_markdown_to_html(
        text, options=Options.CMARK_OPT_UNSAFE
    ),
}


class _Parts(HTMLParser):
    """The elements and the visible text of rendered HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.elements.append(("!--", {}))


def parts(html: str) -> tuple[list, str]:
    parser = _Parts()
    parser.feed(html)
    visible = "".join(parser.text).replace(WORD_JOINER, "")
    return parser.elements, " ".join(visible.split())


ADDRESSES = [
    "https://evil。example/x",
    "http://3232235842/x",
    "http://0xC0A80001/x",
    "www.evil.example",
    "WWW.EVIL.EXAMPLE/x",
    "anna@example.se",
    "Mejla anna.andersson@forsakringskassan.se, tack.",
    "mailto:anna@example.se",
    "xmpp:anna@example.se/mobil",
    "ftp://files.example.se/a",
    "//evil.example/x",
    "https：//evil.example",
    "anna＠example.se",
    "evil.example och fk.se/sida",
    "http://[::1]:5000/x",
    "https://evil.example/x?a=b&c=d#e",
]


@pytest.mark.parametrize("text", ADDRESSES)
def test_participant_text_in_the_minutes_is_never_a_link_in_any_renderer(text):
    line = "- " + quote({"pseudonym": "P03", "organization": "FK", "text": text})
    for name, render in RENDERERS.items():
        elements, visible = parts(render(line))
        assert [tag for tag, _ in elements] == ["ul", "li"], (name, line, elements)
        assert visible == f"P03 (FK): {text}", (name, line)


RAW_HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='https://evil.example'>här</a>",
    "<!-- x --> <details open ontoggle=alert(1)>",
    "&lt;b&gt; och &#60;i&#62;",
]


@pytest.mark.parametrize("text", RAW_HTML)
def test_participant_text_in_the_minutes_is_never_html_in_any_renderer(text):
    line = "- " + quote({"pseudonym": "P03", "organization": "FK", "text": text})
    for name, render in RENDERERS.items():
        elements, visible = parts(render(line))
        assert [tag for tag, _ in elements] == ["ul", "li"], (name, line, elements)
        assert visible == f"P03 (FK): {text}", (name, line)


def test_an_e_mail_address_reads_as_typed_in_the_raw_minutes():
    quoted = quote({"pseudonym": "P03", "organization": "FK", "text": "anna@example.se"})
    assert quoted.replace(WORD_JOINER, "") == "P03 (FK): anna@example\\.se"


def _targets(html: str) -> list[str]:
    elements, _ = parts(html)
    return [
        attrs.get(name) or ""
        for _tag, attrs in elements
        for name in ("href", "src")
        if name in attrs
    ]


def _allowed(target: str) -> bool:
    """http(s), mailto, or a relative address (no scheme at all), read as a browser reads
    it (and stricter: every space and control character dropped)."""
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", "".join(ch for ch in target if ch > " ").lower())
    return scheme is None or scheme.group(1) in ("http", "https", "mailto")


STARTING_POINT_LINKS = [
    "[läs](javascript\\:alert(1))",
    "[läs](javascript&colon;alert(1))",
    "[läs](java&#115;cript:alert(1))",
    "[läs](&#x6A;avascript:alert(1))",
    "[läs](JaVaScRiPt:alert(1))",
    "[läs]( java\tscript:alert(1))",
    "[läs](java\nscript:alert(1))",
    "> [läs](java\n> script:alert(1))",
    "[läs](\u200bjavascript:alert(1))",
    "[läs](\njavascript:alert(1))",
    "[läs](javascript:alert(document.cookie) 'titel')",
    "[läs](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[läs](vbscript:msgbox(1))",
    "![bild](javascript:alert(1))",
    "[r]: javascript:alert(1)\n\n[läs][r]",
    "[r]:\n  javascript\\:alert(1)\n\n[läs][r]",
    "> [r]: javascript:alert(1)\n>\n> [läs][r]",
    "> [r]:\n> javascript:alert(1)\n>\n> [läs][r]",
    "- [r]: javascript:alert(1)\n\n[läs][r]",
    "> [läs](\n> javascript:alert(1))",
    "<javascript:alert(1)>",
    "[läs](<javascript:alert(1)>)",
    "ftp://files.example.se/a och xmpp:anna@example.se",
]


@pytest.mark.parametrize("text", STARTING_POINT_LINKS)
def test_starting_point_links_go_only_to_http_https_or_mailto_in_any_renderer(text):
    for name, render in RENDERERS.items():
        targets = _targets(render(safe_markdown(text)))
        assert all(_allowed(target) for target in targets), (name, text, targets)


@pytest.mark.parametrize("text", STARTING_POINT_LINKS)
def test_starting_point_links_on_pages_go_only_to_http_https_or_mailto(text):
    targets = _targets(markdown_to_html(text))
    assert all(_allowed(target) for target in targets), (text, targets)


def test_starting_point_keeps_its_web_and_mail_links_and_its_prose():
    text = (
        "Läs [FK:s text](https://www.forsakringskassan.se/a_(b)) och [mejla](mailto:a@fk.se).\n\n"
        "[r]: http://example.org/r\n\n[referens][r]. Obs: titta nu. FK:s kontor kl. 13:00."
    )
    for name, render in RENDERERS.items():
        html = render(safe_markdown(text))
        assert 'href="https://www.forsakringskassan.se/a_(b)"' in html, name
        assert 'href="mailto:a@fk.se"' in html, name
        assert 'href="http://example.org/r"' in html, name
        assert "Obs: titta nu. FK:s kontor kl. 13:00." in parts(html)[1], name
    page = markdown_to_html(text)
    assert 'href="https://www.forsakringskassan.se/a_(b)"' in page
    assert 'href="http://example.org/r"' in page


def test_a_refused_link_on_a_page_keeps_its_text():
    html = markdown_to_html("Se [det här](javascript\\:alert(1)).")
    assert html == '<p>Se <a rel="noopener noreferrer">det här</a>.</p>'
