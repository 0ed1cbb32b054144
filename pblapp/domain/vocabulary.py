"""Stable keys of the domain, as in PRODUCT.md. Labels live in ``pblapp.labels``."""

QUESTION_TYPES: tuple[str, ...] = ("encyclopedic", "meaning", "relational", "value", "solution")
UNTAGGED = "untagged"

GROUP_KINDS: tuple[str, ...] = ("pbl", "focus", "reference")

PHASES: tuple[str, ...] = ("forming", "storming", "norming", "performing", "adjourning")

REACTION_KINDS: tuple[str, ...] = ("agree", "disagree", "build_on")

AGENDA_TEMPLATES: tuple[str, ...] = ("pbl-cycle", "seven-jump", "focus-group", "free")

MEETING_STATUSES: tuple[str, ...] = ("planned", "live", "closed")

DEFAULT_ORGANIZATIONS: tuple[dict[str, str], ...] = (
    {"code": "FK", "name": "Försäkringskassan"},
    {"code": "AF", "name": "Arbetsförmedlingen"},
    {"code": "AG", "name": "Arbetsgivare"},
    {"code": "AT", "name": "Arbetsterapeut"},
    {"code": "RS", "name": "Resurssamordnare (primärvård)"},
    {"code": "Psyk", "name": "Psykiatrin"},
    {"code": "Soc", "name": "Socialtjänst / kommunal rehab"},
    {"code": "LJ", "name": "Landstinget/regionen"},
    {"code": "Annan", "name": "Annan"},
)


def pseudonym(number: int) -> str:
    """``P01`` … ``P99``, then ``P100``: sortable for the first 99, readable after."""
    return f"P{number:02d}"
