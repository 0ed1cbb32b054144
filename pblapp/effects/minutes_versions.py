"""Which version the minutes are: the line under their title, and the note a change after
the approval leaves (``ops.minutes_versions`` keeps the versions)."""

from __future__ import annotations

import copy
import io

from docx import Document
from flask_babel import force_locale, gettext
from markupsafe import escape

from pblapp.db import Event
from pblapp.domain.clock import local_time
from pblapp.domain.markdown_escape import escape_markdown


def _what_changed() -> dict[str, str]:
    """Each event that changes approved minutes, in words (in the current locale)."""
    return {
        "meeting.updated": gettext("the meeting's details"),
        "agenda.notes_changed": gettext("the notes under an agenda item"),
        "contribution.updated": gettext("a post re-tagged or hidden"),
        "contribution.updated:status": gettext("a post approved or rejected"),
        "contribution.updated:flags_cleared": gettext("a post's flagged details checked"),
        "contribution.merged": gettext("posts merged"),
        "contribution.unmerged": gettext("merged posts separated"),
        "starting_point.changed": gettext("the starting point"),
        "starting_point.image_changed": gettext("the starting point's image"),
        "phase.suggested": gettext("the phase"),
        "phase.decided": gettext("the phase"),
        "contribution.redacted": gettext("a post redacted"),
        "contribution.deleted": gettext("a post deleted"),
        "participant.withdrawn": gettext("a participant withdrew"),
        "participant.erased": gettext("a participant erased"),
        "group.purged": gettext("names deleted after the retention period"),
        "group.updated": gettext("the group's settings"),
    }


def _kinds_of(event: Event) -> list[str]:
    """The keys of :func:`_what_changed` an event stands for: a post's update by what it
    changed (pre-moderation and the privacy guard's flags have words of their own)."""
    if event.type != "contribution.updated":
        return [event.type]
    changes = event.data.get("changes", {})
    kinds = [f"{event.type}:{field}" for field in ("status", "flags_cleared") if field in changes]
    if set(changes) - {"status", "flags_cleared", "hidden"} or (
        "hidden" in changes and "status" not in changes
    ):
        kinds.append(event.type)
    return kinds or [event.type]


def change_note(events: list[Event], language: str) -> str:
    """``Changed after approval: …`` with what ``events`` did, in ``language``."""
    with force_locale(language):
        words = _what_changed()
        kinds = [kind for event in events for kind in _kinds_of(event)]
        what = list(dict.fromkeys(words[kind] for kind in kinds if kind in words))
        return gettext("Changed after approval: %(what)s", what=", ".join(what) or "–")


def version_line(version: dict, timezone: str, language: str) -> str:
    """``Version 2 (approved 2026-12-01 by Anna, Bo)`` or ``Version 2, not approved``."""
    with force_locale(language):
        if version["approved_at"]:
            return gettext(
                "Version %(number)s (approved %(date)s by %(names)s)",
                number=version["version"],
                date=local_time(version["approved_at"], timezone)[0],
                names=", ".join(version["adjusters"]),
            )
        return gettext("Version %(number)s, not approved", number=version["version"])


def stamp(body: str | bytes, fmt: str, line: str) -> str | bytes:
    """The rendered minutes with ``line`` right under their title (as text, never markup)."""
    if fmt == "md":
        head, _, rest = str(body).partition("\n")
        return f"{head}\n\n_{escape_markdown(line)}_\n{rest}"
    if fmt == "html":
        html = str(body)
        mark = "</h1>"
        at = html.find(mark)
        if at < 0:
            return html
        at += len(mark)
        return f'{html[:at]}\n<p class="minutes-version">{escape(line)}</p>{html[at:]}'
    document = Document(io.BytesIO(body))
    title = document.paragraphs[0]
    added = copy.deepcopy(title._p)
    title._p.addnext(added)
    paragraph = document.paragraphs[1]
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    paragraph.style = document.styles["Normal"]
    if paragraph.runs:
        paragraph.runs[0].text = line
        paragraph.runs[0].italic = True
    else:
        paragraph.add_run(line).italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
