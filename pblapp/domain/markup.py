"""Markdown written by facilitators (goals, starting points) rendered to safe HTML.

Markdown allows raw HTML, so the rendered result is always cleaned with nh3: only plain
formatting tags survive, links keep http(s) and mailto only, and no script or style can
come through.
"""

import markdown
import nh3

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
    html = markdown.markdown(text or "", extensions=["sane_lists"])
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
