"""Approval (justering) of the minutes and their versions, under ``/api/v1``.

``POST /meetings/<mid>/minutes/approve`` ``{"adjusters": [str]}`` → ``{"version",
"approved_at"}``: only the group's owner, for a closed meeting; an API token, or the
console's logged-in browser with its CSRF token in ``X-CSRFToken``.
``GET /meetings/<mid>/minutes/versions`` → ``[{"version", "approved_at", "note", …}]``;
``minutes.<ext>?version=N`` (``web.api``) serves one.
"""

from __future__ import annotations

from flask import Blueprint, g, url_for

from pblapp import ops
from pblapp.domain import access
from pblapp.domain.errors import DomainError
from pblapp.effects import minutes
from pblapp.effects import minutes_versions as version_text
from pblapp.ops import minutes_versions
from pblapp.web import api, db
from pblapp.web.auth import csrf
from pblapp.web.privacy import staff_user

bp = Blueprint("minutes_versions", __name__, url_prefix="/api/v1")
# A token has no cookie; the console's browser sends its CSRF token in a header
# (``staff_user`` checks it).
csrf.exempt(bp)
bp.register_error_handler(DomainError, api.domain_error)


@bp.post("/meetings/<int:meeting_id>/minutes/approve")
@staff_user
def approve(meeting_id: int):
    body = api.json_body()
    # Checked first, so that no one but the owner has the minutes assembled.
    ops.lookup.owned_meeting(db(), g.user["id"], meeting_id)
    minutes_versions.adjusters_field(body)
    data = minutes.versioned_data(db(), meeting_id, ops.groups.meeting_timezone(db(), meeting_id))
    return minutes_versions.approve(db(), g.user["id"], meeting_id, body, data)


@bp.get("/meetings/<int:meeting_id>/minutes/versions")
@api.api_user
def versions(meeting_id: int):
    api.visible_meeting(meeting_id)
    # The adjusters are people's names: a researcher sees none.
    names = access.audience_of(g.user["role"]) != access.RESEARCH
    return [
        {
            "version": row["version"],
            "approved_at": row["approved_at"],
            "note": row["note"],
            **({"adjusters": row["adjusters"]} if names else {}),
        }
        for row in minutes_versions.versions(db(), meeting_id)
    ]


@bp.app_template_global()
def minutes_versions_of(meeting_id: int, language: str) -> list[dict]:
    """For the console's approval form: each version, its line as the minutes say it, its
    note, and its files."""
    timezone = ops.groups.meeting_timezone(db(), meeting_id)
    return [
        {
            **row,
            "line": version_text.version_line(row, timezone, language),
            "files": {
                fmt: url_for(
                    "api.minutes_file", meeting_id=meeting_id, fmt=fmt, version=row["version"]
                )
                for fmt in ("html", "md", "docx")
            },
        }
        for row in minutes_versions.versions(db(), meeting_id)
    ]
