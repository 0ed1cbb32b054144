"""Minutes (protokoll) of a meeting as Markdown.

The minutes are built from a plain dict (see ``Service.minutes``) and a dict of labels in
the UI language, so the same data renders to Markdown here and to HTML in a template.

Participant text is escaped so that it stays text in every common Markdown renderer:
HTML-significant characters become entities, Markdown punctuation is backslash-escaped,
and line breaks fold to spaces so no typed line can start a heading, list or quote.
"""

from __future__ import annotations

import re

# ASCII punctuation that Python-Markdown and CommonMark both let a backslash escape.
_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
_WHITESPACE = re.compile(r"\s+")


def escape_markdown(text: str) -> str:
    """Make ``text`` render as itself in Markdown, never as markup, a link or HTML."""
    text = _WHITESPACE.sub(" ", text).strip()
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(item: dict) -> str:
    """``P03 (FK): …`` for one contribution."""
    return f"{item['pseudonym']} ({item['organization']}): {item['text']}"


def render_markdown(minutes: dict, labels: dict) -> str:
    """The minutes as Markdown; every user-typed string goes through ``escape_markdown``."""
    e = escape_markdown
    meeting, group = minutes["meeting"], minutes["group"]
    lines = [f"# {e(labels['minutes'])}: {e(group['name'])}", ""]
    number = str(meeting["number"])
    if group.get("planned_meetings"):
        number += f" {labels['of']} {group['planned_meetings']}"
    header = [
        (labels["group"], e(group["name"])),
        (labels["meeting"], number + (f" – {e(meeting['title'])}" if meeting["title"] else "")),
        (labels["date"], meeting["date"] or "–"),
        (labels["time"], f"{meeting['start'] or '–'}–{meeting['end'] or ''}"),
        (labels["facilitator"], e(minutes["facilitator"] or "–")),
    ]
    lines += [f"- **{label}:** {value}" for label, value in header]
    lines += ["", f"## {labels['attendance']}", ""]
    if minutes["attendance"]:
        for org in minutes["attendance"]:
            names = ", ".join(org["pseudonyms"])
            lines.append(
                f"- **{e(org['code'])}** ({e(org['name'])}): {len(org['pseudonyms'])} – {names}"
            )
        lines.append(f"- **{labels['total']}:** {minutes['participant_count']}")
    else:
        lines.append(f"_{labels['none']}_")
    lines += ["", f"## {labels['contributions']}", ""]
    if not minutes["contributions_by_type"]:
        lines += [f"_{labels['none']}_", ""]
    for section in minutes["contributions_by_type"]:
        lines += [f"### {labels['qtypes'][section['qtype']]}", ""]
        lines += [f"- {quote({**item, 'text': e(item['text'])})}" for item in section["items"]]
        lines.append("")
    lines += [f"## {labels['carried']}", ""]
    if minutes["carried"]:
        lines += [f"- {quote({**item, 'text': e(item['text'])})}" for item in minutes["carried"]]
    else:
        lines.append(f"_{labels['none']}_")
    lines.append("")
    return "\n".join(lines)
