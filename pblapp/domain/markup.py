"""Markdown written by facilitators (goals, starting points) rendered to safe HTML.

Markdown allows raw HTML, so the rendered result is always cleaned with nh3: only plain
formatting tags survive, links keep http(s) and mailto only, and no script or style can
come through. Link targets are judged before rendering too, as the minutes judge them
(``markdown_escape.safe_link_targets``): a target that is escaped, encoded or spaced out
into ``javascript:`` is replaced before any renderer reads it, by one that nh3 then removes,
so such a link is left as its text.
"""

import markdown
import nh3

from pblapp.domain.markdown_escape import safe_link_targets

_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "code",
    "pre",
    "hr",
    "a",
}


def markdown_to_html(text: str) -> str:
    # "about:invalid" is no allowed scheme: nh3 drops it, and the link keeps only its text.
    text = safe_link_targets(text or "", replacement="about:invalid")
    html = markdown.markdown(text, extensions=["sane_lists"])
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
