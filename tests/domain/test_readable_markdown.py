"""minutes.md read raw: ordinary text as typed, hostile text still inert in real renderers.

Renderers: Python-Markdown, markdown-it-py in CommonMark mode, markdown-it-py's "gfm-like"
preset with linkify (when linkify-it-py is installed) and GitHub's cmark-gfm (when cmarkgfm
is installed).
"""

from html.parser import HTMLParser

import markdown
import pytest
from markdown_it import MarkdownIt

from pblapp.domain.markdown_escape import WORD_JOINER
from pblapp.domain.minutes import escape_heading, escape_markdown

ORDINARY = [
    "Dag 180. Enligt 27 kap. 46 § SFB (RS) den 2026-11-30 kl. 13.00, 1 000 kr, 50 % och P03 (FK)",
    "Vi ses den 30/11 kl. 9.30–11.00 (lokal B-123), t.ex. på FK:s kontor, bl.a. med AF m.fl.",
    "Hon fick 80 % sjukpenning; SGI:n sänktes till 3/4 - se 28 a § (jfr RÅ 2002 ref. 5)!",
    "2026-11-30: 3 < 5 och 5 > 3, 5 * 3 = 15, P_01 & P_02, 100 %-ig och -5 grader, #1 prio",
    "Frågan: vad gäller 1 januari? Svar: se avsnitt 4.2.1 och 13.00-mötet.",
]


def renderers():
    """Each renderer as (name, function from Markdown to HTML)."""
    found = [
        ("python-markdown", markdown.markdown),
        ("commonmark", MarkdownIt("commonmark").render),
    ]
    try:
        found.append(("gfm-like+linkify", MarkdownIt("gfm-like").enable("linkify").render))
        found[-1][1]("www.example.org")
    except (ImportError, ModuleNotFoundError):
        pass
    try:
        import cmarkgfm

        found.append(("cmark-gfm", cmarkgfm.github_flavored_markdown_to_html))
    except ImportError:
        pass
    return found


class _Reader(HTMLParser):
    """The tags and the visible text of rendered HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def read(rendered: str) -> tuple[list, str]:
    """The tags, and the text as a reader sees it (the invisible word joiner that keeps an
    e-mail address from being linked is not seen)."""
    reader = _Reader()
    reader.feed(rendered)
    return reader.tags, " ".join("".join(reader.text).replace(WORD_JOINER, "").split())


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_swedish_text_comes_out_of_minutes_md_without_backslashes(text):
    escaped = escape_markdown(text)
    assert "\\" not in escaped
    assert "&#" not in escaped
    for name, render in renderers():
        tags, visible = read(render(escaped))
        assert visible == text, name
        assert [tag for tag, _ in tags] == ["p"], (name, tags)


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- kommentar --> <?php x ?> <![CDATA[x]]>",
    "[klicka här](javascript:alert(1))",
    "[klicka](https://example.org 'titel') och [ref][1] och [kort]",
    "![bild](http://example.org/x.png)",
    "<http://example.org> och <anna@example.org>",
    "se https://example.org/a?b=c och http://localhost:5000 och ftp://x.se",
    "www.example.org, WWW.FK.SE, fk.se/sida och sv.wikipedia.org",
    "mejla anna.andersson@forsakringskassan.se",
    "**fet** __fet__ *kursiv* _kursiv_ `kod` ``kod`` ~~struken~~ ~struken~",
    "a*b*c och x_y_ och _y_x",
    "&lt;script&gt; &amp; &#60;b&#62; &#x3C;i&#x3E; &copy;",
    "\\<b>backslash\\</b> och \\*inte\\* och slut\\",
    "[^1] fotnot och [x]: https://example.org",
    "```python",
    "~~~ beslut om samverkan",
    "| a | b |",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_participant_text_never_becomes_a_link_image_html_or_emphasis(text):
    escaped = escape_markdown(text)
    for prefix in ("", "- P01 (FK): ", "- ", "1. "):
        for name, render in renderers():
            tags, visible = read(render(prefix + escaped))
            made = {tag for tag, _ in tags} - {"p", "ul", "ol", "li"}
            assert made == set(), (name, prefix + escaped, tags)
            # And it reads as typed.
            assert visible.endswith(" ".join(text.split())), (name, visible)


BLOCK_STARTS = [
    "# Rubrik",
    "###### Rubrik",
    "#Rubrik",
    "> citat",
    "- punkt",
    "+ punkt",
    "* punkt",
    "-",
    "--",
    "---",
    "- - -",
    "***",
    "___",
    "===",
    "1. ett",
    "1) ett",
    "180. dagen",
    "```",
    "~~~",
    "    indraget",
    "<div>",
]


@pytest.mark.parametrize("text", BLOCK_STARTS)
def test_text_at_the_start_of_a_line_or_list_item_stays_one_paragraph_of_text(text):
    escaped = escape_markdown(text)
    for prefix, shape in (("", ["p"]), ("- ", ["ul", "li"]), ("1. ", ["ol", "li"])):
        for name, render in renderers():
            tags, visible = read(render(prefix + escaped))
            assert [tag for tag, _ in tags if tag != "p"] == [t for t in shape if t != "p"], (
                name,
                prefix + escaped,
                tags,
            )
            assert visible == text.strip(), (name, prefix + escaped)


@pytest.mark.parametrize("name", ["Grupp C#", "Grupp #", "###", "Basgrupp (FK) 2026-11-30"])
def test_a_group_name_in_a_heading_keeps_its_hashes(name):
    for renderer, render in renderers():
        tags, visible = read(render(f"# Protokoll: {escape_heading(name)}"))
        assert [tag for tag, _ in tags] == ["h1"], renderer
        assert visible == f"Protokoll: {name}", renderer


def test_only_what_would_become_markup_is_escaped():
    assert escape_markdown("Dag 180.") == "Dag 180."
    assert escape_markdown("180. dagen") == "180\\. dagen"
    assert escape_markdown("5 * 3 och *viktigt*") == "5 * 3 och \\*viktigt\\*"
    assert escape_markdown("3 < 5 men <b>") == "3 < 5 men &lt;b>"
    assert escape_markdown("A & B &amp; C") == "A & B &amp;amp; C"
    assert escape_markdown("t.ex. fk.se") == "t.ex. fk\\.se"
    # Text with brackets reads as typed: a pseudonym with its organisation, an organisation's
    # name, a word in brackets.
    assert escape_markdown("P03 (FK) har rätt") == "P03 (FK) har rätt"
    assert escape_markdown("Resurssamordnare (primärvård)") == "Resurssamordnare (primärvård)"
    assert escape_markdown("Handläggare (FK) ringde") == "Handläggare (FK) ringde"
