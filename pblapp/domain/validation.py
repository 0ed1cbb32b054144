"""Checks for everything that comes from outside: API bodies and socket payloads.

Every limit here is listed in docs/protocol.md, and each has a test.
"""

from __future__ import annotations

import re
import uuid
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from pblapp.domain.clock import format_utc, parse_utc
from pblapp.domain.errors import DomainError
from pblapp.domain.privacy import RETENTION_DAYS_MAX, WITHDRAWAL_POLICIES
from pblapp.domain.vocabulary import AGENDA_TEMPLATES, GROUP_KINDS, QUESTION_TYPES

TEXT_MAX = 2000
DISPLAY_NAME_MAX = 60
GROUP_NAME_MAX = 120
TITLE_MAX = 200
CONSENT_TEXT_MAX = 5000
GOALS_MAX = 20000
ORG_CODE_MAX = 16
ORG_NAME_MAX = 80
ORGANIZATIONS_MAX = 30
PLANNED_MEETINGS_MAX = 100

ID_MAX = 2**63 - 1  # SQLite's largest integer: no id or seq can be larger

_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Characters with no visible mark: a text of only these (and spaces) counts as empty.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_ORG_CODE = re.compile(r"^[0-9A-Za-zÅÄÖåäöÆØæø_-]+$")


def require_object(payload: Any, *, allowed: set[str], required: set[str] = frozenset()) -> dict:
    """Refuse anything but a JSON object with known fields; report the first problem."""
    if not isinstance(payload, dict):
        raise DomainError("invalid_payload", "Expected a JSON object.")
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise DomainError("unknown_field", f"Unknown field: {unknown[0]}.")
    missing = sorted(required - set(payload))
    if missing:
        raise DomainError("missing_field", f"Missing field: {missing[0]}.")
    return payload


def is_text(value: Any) -> bool:
    """A string that can be stored and hashed: no lone surrogates (half an emoji)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _string(value: Any, field: str, *, max_len: int, min_len: int = 0, trim: bool = True) -> str:
    if not isinstance(value, str):
        raise DomainError(f"invalid_{field}", f"{field} must be a string.")
    if "\x00" in value:
        raise DomainError(f"invalid_{field}", f"{field} must not contain NUL characters.")
    if not is_text(value):
        # A lone surrogate ("\ud800" in JSON, half an emoji): not text SQLite can store.
        raise DomainError(f"invalid_{field}", f"{field} is not valid Unicode text.")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    # Other control characters (a pasted vertical tab, say) cannot live in XML, so a Word
    # export would fail on them; they carry no meaning in a post, so they become spaces.
    text = _CONTROL.sub(" ", text)
    if trim:
        text = text.strip()
    if len(text) < min_len or (min_len and not _INVISIBLE.sub("", text).strip()):
        raise DomainError(
            f"{field}_empty" if min_len == 1 else f"{field}_too_short",
            f"{field} must have at least {min_len} character(s).",
        )
    if len(text) > max_len:
        raise DomainError(f"{field}_too_long", f"{field} must have at most {max_len} characters.")
    return text


text_field = _string


def changed_fields(current: dict, wanted: dict) -> dict[str, dict[str, Any]]:
    """What an edit changes, as the log keeps it: ``{field: {"old": …, "new": …}}`` for each
    field of ``wanted`` whose value differs from ``current``."""
    return {
        field: {"old": current[field], "new": value}
        for field, value in wanted.items()
        if current[field] != value
    }


def record_id(value: Any, field: str = "id") -> int:
    """An id (or seq) from outside: a whole number that SQLite can hold."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ID_MAX:
        raise DomainError(f"invalid_{field}", f"{field} must be a whole number from 1 to 2^63-1.")
    return value


def _int(value: Any, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"invalid_{field}", f"{field} must be a whole number.")
    if not low <= value <= high:
        raise DomainError(f"invalid_{field}", f"{field} must be between {low} and {high}.")
    return value


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError(f"invalid_{field}", f"{field} must be true or false.")
    return value


def question_type(value: Any) -> str | None:
    """A question-type key, or ``None`` for untagged."""
    if value is None or value in QUESTION_TYPES:
        return value
    raise DomainError(
        "invalid_qtype", "qtype must be one of " + ", ".join(QUESTION_TYPES) + ", or null."
    )


def client_id(value: Any) -> str:
    if value is None:
        raise DomainError("missing_client_id", "client_id is required.")
    if not isinstance(value, str):
        raise DomainError("invalid_client_id", "client_id must be a UUID string.")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise DomainError("invalid_client_id", "client_id must be a UUID string.") from None


def contribution_text(value: Any) -> str:
    return _string(value, "text", max_len=TEXT_MAX, min_len=1)


def new_contribution(payload: Any) -> dict:
    """``contribution:add``: ``{"client_id", "text", "qtype"}``."""
    require_object(payload, allowed={"client_id", "text", "qtype"}, required={"text"})
    return {
        "client_id": client_id(payload.get("client_id")),
        "text": contribution_text(payload["text"]),
        "qtype": question_type(payload.get("qtype")),
    }


MODERATION_REASON_MAX = 200


def contribution_update(payload: Any) -> dict:
    """``contribution:update``: ``{"id", "qtype"?, "hidden"?, "carry_forward"?}``, or the
    privacy guard's ``{"id", "approved": bool, "reason"?}`` and ``{"id", "clear_flags": true}``
    (which go with the others too)."""
    require_object(
        payload,
        allowed={"id", "qtype", "hidden", "carry_forward", "approved", "reason", "clear_flags"},
        required={"id"},
    )
    changes: dict[str, Any] = {}
    if "approved" in payload:
        changes["approved"] = _bool(payload["approved"], "approved")
    if "reason" in payload:
        if changes.get("approved") is not False:
            raise DomainError("reason_without_rejection", "A reason goes with approved: false.")
        changes["reason"] = _string(payload["reason"], "reason", max_len=MODERATION_REASON_MAX)
    if "clear_flags" in payload:
        if payload["clear_flags"] is not True:
            raise DomainError("invalid_clear_flags", "clear_flags is true: the flags were checked.")
        changes["clear_flags"] = True
    if "qtype" in payload:
        changes["qtype"] = question_type(payload["qtype"])
    if "hidden" in payload:
        changes["hidden"] = _bool(payload["hidden"], "hidden")
    if "carry_forward" in payload:
        changes["carry_forward"] = _bool(payload["carry_forward"], "carry_forward")
    if not changes:
        raise DomainError(
            "nothing_to_change", "Give qtype, hidden, carry_forward, approved or clear_flags."
        )
    return {"id": record_id(payload["id"]), "changes": changes}


def organizations(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise DomainError("invalid_organizations", "organizations must be a non-empty list.")
    if len(value) > ORGANIZATIONS_MAX:
        raise DomainError("invalid_organizations", f"At most {ORGANIZATIONS_MAX} organizations.")
    result, seen = [], set()
    for item in value:
        require_object(item, allowed={"code", "name"}, required={"code", "name"})
        code = _string(item["code"], "organization_code", max_len=ORG_CODE_MAX, min_len=1)
        if not _ORG_CODE.match(code):
            raise DomainError(
                "invalid_organization_code",
                "An organization code is letters, digits, '-' or '_' only.",
            )
        if code.lower() in seen:
            raise DomainError("duplicate_organization", f"Organization code {code} is repeated.")
        seen.add(code.lower())
        name = _string(item["name"], "organization_name", max_len=ORG_NAME_MAX, min_len=1)
        result.append({"code": code, "name": name})
    return result


def new_group(payload: Any) -> dict:
    require_object(
        payload,
        allowed={
            "name",
            "kind",
            "organizations",
            "planned_meetings",
            "consent_text",
            "goals",
            "language",
            "retention_days",
            "withdrawal_policy",
            "timezone",
            "record_kind",
            "minutes_names",
        },
        required={"name", "kind"},
    )
    kind = payload["kind"]
    if kind not in GROUP_KINDS:
        raise DomainError("invalid_kind", "kind must be one of " + ", ".join(GROUP_KINDS) + ".")
    group = {
        "name": _string(payload["name"], "name", max_len=GROUP_NAME_MAX, min_len=1),
        "kind": kind,
        "organizations": None,
        "planned_meetings": None,
        "consent_text": "",
        "goals": "",
        "language": "sv" if payload.get("language") is None else payload["language"],
    }
    if group["language"] not in ("sv", "en"):
        raise DomainError("invalid_language", "language is sv or en.")
    if payload.get("organizations") is not None:
        group["organizations"] = organizations(payload["organizations"])
    if payload.get("planned_meetings") is not None:
        group["planned_meetings"] = _int(
            payload["planned_meetings"], "planned_meetings", low=1, high=PLANNED_MEETINGS_MAX
        )
    if payload.get("consent_text") is not None:
        group["consent_text"] = _string(
            payload["consent_text"], "consent_text", max_len=CONSENT_TEXT_MAX
        )
    if payload.get("goals") is not None:
        group["goals"] = _string(payload["goals"], "goals", max_len=GOALS_MAX)
    group.update(_privacy_fields(payload))
    # None: the app's default zone, filled in where the group is made.
    group["timezone"] = None if payload.get("timezone") is None else timezone(payload["timezone"])
    group["record_kind"] = (
        default_record_kind(kind)
        if payload.get("record_kind") is None
        else record_kind(payload["record_kind"])
    )
    group["minutes_names"] = (
        False if payload.get("minutes_names") is None else minutes_names(payload["minutes_names"])
    )
    return group


def minutes_names(value: Any) -> bool:
    """Whether the group's own minutes show display names instead of pseudonyms."""
    if not isinstance(value, bool):
        raise DomainError("invalid_minutes_names", "minutes_names is true or false.")
    return value


RECORD_KINDS = ("notes", "protocol")


def default_record_kind(kind: str) -> str:
    """Minnesanteckningar for base and focus groups, a protokoll for reference groups."""
    return "protocol" if kind == "reference" else "notes"


def record_kind(value: Any) -> str:
    if value not in RECORD_KINDS:
        raise DomainError("invalid_record_kind", "record_kind is notes or protocol.")
    return value


def timezone(value: Any) -> str:
    """An IANA time zone name, such as ``Europe/Stockholm``: one the system knows."""
    if isinstance(value, str) and value.strip() in _time_zones():
        name = value.strip()
        try:
            ZoneInfo(name)
            return name
        except (KeyError, ValueError):
            pass
    raise DomainError(
        "invalid_timezone", "timezone must be an IANA time zone name, such as Europe/Stockholm."
    )


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _privacy_fields(payload: dict) -> dict:
    """``retention_days``: days after the group's last meeting closed until its names and
    name-to-pseudonym key are purged, or null to keep them; ``withdrawal_policy``: what
    happens to a withdrawn participant's texts."""
    retention = payload.get("retention_days")
    policy = payload.get("withdrawal_policy")
    if policy is None:
        policy = WITHDRAWAL_POLICIES[0]
    if policy not in WITHDRAWAL_POLICIES:
        raise DomainError(
            "invalid_withdrawal_policy",
            "withdrawal_policy is one of " + ", ".join(WITHDRAWAL_POLICIES) + ".",
        )
    if retention is not None:
        retention = _int(retention, "retention_days", low=0, high=RETENTION_DAYS_MAX)
    return {"retention_days": retention, "withdrawal_policy": policy}


def group_update(payload: Any) -> dict:
    """``PATCH /groups/<gid>``: any of the fields of a new group except ``kind``."""
    require_object(
        payload,
        allowed={
            "name",
            "organizations",
            "planned_meetings",
            "consent_text",
            "goals",
            "language",
            "retention_days",
            "withdrawal_policy",
            "timezone",
            "record_kind",
            "minutes_names",
        },
    )
    # As everywhere, null means the same as leaving the field out: it never clears the
    # organisations or the consent text by accident (send "" to remove a consent text).
    # retention_days is the exception: null is its value "keep the data".
    given = {
        field: value
        for field, value in payload.items()
        if value is not None or field == "retention_days"
    }
    if not given:
        raise DomainError("nothing_to_change", "Give a field to change.")
    # The same checks as a new group; the placeholders are replaced by what was sent.
    checked = new_group({"name": "-", "kind": "pbl", **given})
    return {field: checked[field] for field in given}


# A meeting's time lies in these years (UTC): a typo such as 0999 or 20266 is refused
# rather than stored, so the pages, the minutes and the calendar file never meet it.
YEARS = (2000, 2100)


def scheduled_at(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DomainError("invalid_scheduled_at", "scheduled_at must be an ISO 8601 time.")
    try:
        moment = parse_utc(value)
    except (ValueError, OverflowError):  # also a year 1 or 9999 pushed over by its zone
        raise DomainError(
            "invalid_scheduled_at", "scheduled_at must be an ISO 8601 time."
        ) from None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise DomainError(
            "invalid_scheduled_at",
            f"scheduled_at must be in the years {YEARS[0]} to {YEARS[1]}.",
        )
    return format_utc(moment)


def new_meeting(payload: Any) -> dict:
    require_object(payload, allowed={"title", "scheduled_at", "agenda"})
    agenda = payload.get("agenda")
    agenda = "pbl-cycle" if agenda in (None, "") else agenda
    if agenda not in (*AGENDA_TEMPLATES, "group"):
        raise DomainError(
            "invalid_agenda",
            "agenda must be one of " + ", ".join(AGENDA_TEMPLATES) + ", or group.",
        )
    title = payload.get("title")
    return {
        "title": "" if title is None else _string(title, "title", max_len=TITLE_MAX),
        "scheduled_at": scheduled_at(payload.get("scheduled_at")),
        "agenda": agenda,
    }


def join(payload: Any, *, organization_codes: list[str], consent_required: bool) -> dict:
    """A participant's join form: ``{"display_name", "organization", "consent"}``."""
    require_object(
        payload,
        allowed={"display_name", "organization", "consent", "consent_version"},
        required={"display_name"},
    )
    name = _string(payload["display_name"], "display_name", max_len=DISPLAY_NAME_MAX, min_len=1)
    organization = payload.get("organization")
    if organization not in organization_codes:
        raise DomainError("invalid_organization", "Choose one of the group's organizations.")
    consent = payload.get("consent", False)
    if isinstance(consent, str):
        consent = consent.lower() in {"true", "on", "1", "yes"}
    if not isinstance(consent, bool):
        raise DomainError("invalid_consent", "consent must be true or false.")
    if consent_required and not consent:
        raise DomainError("consent_required", "You must consent before you can take part.")
    version = payload.get("consent_version")
    if version is not None and not (isinstance(version, str) and len(version) <= 64):
        raise DomainError("invalid_consent_version", "consent_version is the text's hash.")
    return {
        "display_name": name,
        "organization": organization,
        "consent": consent,
        "consent_version": version,
    }


PLACE_MAX = 200
PERSON_NAME_MAX = 120
MEETING_FIELDS = {
    "title",
    "place",
    "scheduled_at",
    "next_meeting_at",
    "secretary",
    "adjusters",
    "minutes_appendix",
    "premoderation",
}


def adjusters(value: Any) -> list[str]:
    """The minutes' adjusters (justerare): none, one or two names, each stored like every
    other text (a NUL or half an emoji refused, control characters made spaces)."""
    refusal = DomainError(
        "invalid_adjusters", "adjusters is a list of one or two names (or empty)."
    )
    if not isinstance(value, list) or len(value) > 2:
        raise refusal
    try:
        return [_string(name, "adjuster", max_len=PERSON_NAME_MAX, min_len=1) for name in value]
    except DomainError:
        raise refusal from None


def meeting_update(payload: Any) -> dict:
    """``PATCH /meetings/<mid>``: ``{"title"?, "place"?, "scheduled_at"?, "next_meeting_at"?,
    "secretary"?, "adjusters"?, "minutes_appendix"?, "premoderation"?}``."""
    require_object(payload, allowed=MEETING_FIELDS)
    changes: dict[str, Any] = {}
    if "secretary" in payload:
        secretary = payload["secretary"]
        changes["secretary"] = (
            "" if secretary is None else _string(secretary, "secretary", max_len=PERSON_NAME_MAX)
        )
    if "adjusters" in payload:
        changes["adjusters"] = adjusters(
            [] if payload["adjusters"] is None else payload["adjusters"]
        )
    if "minutes_appendix" in payload:
        changes["minutes_appendix"] = _bool(payload["minutes_appendix"], "minutes_appendix")
    if "premoderation" in payload:
        changes["premoderation"] = _bool(payload["premoderation"], "premoderation")
    if "title" in payload:
        title = payload["title"]
        changes["title"] = "" if title is None else _string(title, "title", max_len=TITLE_MAX)
    if "place" in payload:
        place = payload["place"]
        changes["place"] = "" if place is None else _string(place, "place", max_len=PLACE_MAX)
    for field in ("scheduled_at", "next_meeting_at"):
        if field in payload:
            try:
                changes[field] = scheduled_at(payload[field])
            except DomainError as exc:
                raise DomainError(
                    f"invalid_{field}", exc.message.replace("scheduled_at", field)
                ) from None
    if not changes:
        raise DomainError(
            "nothing_to_change", "Give one of " + ", ".join(sorted(MEETING_FIELDS)) + "."
        )
    return changes
