"""The rows every research file of a group is made from, read once in the group's time zone
and language, with withdrawn participants left out: the contributions of ``log.csv`` (and
of ``log.xlsx``, the content-analysis sheet and the case stories' words), and the
attendances of ``participants.csv``.

Kept apart from the routes so that ``web.api`` (``log.csv``) and ``web.exports`` read the
same rows without importing each other.
"""

from __future__ import annotations

from flask_babel import force_locale

from pblapp import ops
from pblapp.i18n import AGENDA_STEP_LABELS, QUESTION_TYPE_LABELS
from pblapp.web import db


def zone(group_id: int) -> str:
    """The group's time zone, for local dates and times."""
    return ops.groups.timezone(db(), group_id)


def labels_in(language: str, labels: dict) -> dict[str, str]:
    """``labels`` (lazy gettext strings) as plain strings in ``language``."""
    with force_locale(language):
        return {key: str(label) for key, label in labels.items()}


def _language(group_id: int) -> str:
    return ops.lookup.group_row(db(), group_id)["language"]


def log_rows(group_id: int, meeting_id: int | None = None) -> list[dict]:
    """The rows of ``log.csv``: every contribution of the group (or of one meeting), with
    local dates and agenda steps in the group's language; none of a withdrawn
    participant."""
    rows = ops.records.export_rows(
        db(),
        group_id=group_id,
        meeting_id=meeting_id,
        zone=zone(group_id),
        step_labels=labels_in(_language(group_id), AGENDA_STEP_LABELS),
    )
    withdrawn = ops.records.withdrawn_pseudonyms(db(), group_id)
    return [row for row in rows if row["pseudonym"] not in withdrawn]


def participant_rows(group_id: int, meeting_id: int | None = None) -> list[dict]:
    """The rows of ``participants.csv``."""
    return ops.records.participant_rows(
        db(), group_id=group_id, meeting_id=meeting_id, zone=zone(group_id)
    )


def qtype_labels(language: str) -> dict[str, str]:
    return labels_in(language, QUESTION_TYPE_LABELS)


def research_cases(group_id: int, rows: list[dict] | None = None) -> list[dict]:
    """The group's case stories as research files show them. A story marked on a
    contribution has that contribution's words as ``log.csv`` has them, so it is gone when
    its author withdrew; a typed story keeps its own."""
    rows = log_rows(group_id) if rows is None else rows
    posts = {row["contribution_id"]: row for row in rows}
    shown = []
    for case in ops.cases.in_group(db(), group_id):
        if case["contribution_id"] is not None:
            post = posts.get(case["contribution_id"])
            if post is None:
                continue
            case = {**case, "text": post["text"], "pseudonym": post["pseudonym"]}
        shown.append({key: value for key, value in case.items() if key != "participant_id"})
    return shown
