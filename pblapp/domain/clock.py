"""Timestamps: ISO 8601, UTC, milliseconds and ``Z``, everywhere."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utc_now() -> str:
    return format_utc(datetime.now(UTC))


def format_utc(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_utc(text: str) -> datetime:
    """Parse an ISO 8601 time; a naive one is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_time(moment: str | None, zone: str) -> tuple[str, str]:
    """A stored UTC time as (``YYYY-MM-DD``, ``HH:MM``) in the IANA time zone ``zone``
    (UTC if the zone is unknown); ``("", "")`` for no time."""
    if not moment:
        return "", ""
    try:
        where = ZoneInfo(zone)
    except (KeyError, ValueError):
        where = ZoneInfo("UTC")
    local = parse_utc(moment).astimezone(where)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")
