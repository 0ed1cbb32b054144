"""Who may do what, and what each audience sees: the one place for the access rules.

Roles are the names stored with a user account (``facilitator``, ``researcher``) and the
participant, who has no account but a token for one meeting. Which groups a user sees at
all (the ones they own or were granted) is a question for the database and lives in
``pblapp.ops.lookup``; this module answers everything after that: may this role do this
action, and which fields of a contribution, meeting or group does this audience get.

``docs/security.md`` holds the same rules as a table; ``python -m pblapp.domain.access``
prints it, and a test keeps the two the same.
"""

from __future__ import annotations

import json

from pblapp.domain import identifying

FACILITATOR = "facilitator"
RESEARCHER = "researcher"
PARTICIPANT = "participant"
# Whoever opened a meeting's screen link (``/s/<token>``): no account, no name, the
# projector screen of that one meeting, read only.
SCREEN_LINK = "screen_link"
# The roles a user account can have.
ROLES: tuple[str, ...] = (FACILITATOR, RESEARCHER)
# The actor the log names for what the server does by itself (creating a user).
SYSTEM = "system"

# Actions, as the web layer asks for them.
READ = "read"
CHANGE = "change"
WATCH_LIVE = "watch_live"
# The projector screen alone, as the room sees it (the screen audience), changing nothing.
WATCH_SCREEN = "watch_screen"
POST = "post"
# Research work on a group one sees: marking and coding case stories.
CODE = "code"
# The owner's own: only the user who owns a group (its ``owner_id``) does these, see
# :func:`may_manage`.
MANAGE = "manage"

ACTIONS: dict[str, str] = {
    READ: "read their groups, meetings, agendas, follow-ups, minutes and logs",
    CHANGE: (
        "create and edit groups and meetings, run the agenda, moderate, record follow-ups, "
        "open the self-evaluation, decide the group's phase"
    ),
    WATCH_LIVE: "open the console, the projector screen and the staff socket",
    WATCH_SCREEN: (
        "follow one meeting's projector screen, as the room sees it, without changing anything"
    ),
    POST: (
        "post, delete their own posts, react to others' posts and answer the "
        "self-evaluation, in the one meeting their token is for"
    ),
    MANAGE: (
        "in a group they own (not one they were granted): grant and revoke researchers, "
        "read the audit log, merge pseudonyms, record attendance without a phone, change a "
        "participant's organisation, redact, record withdrawals"
    ),
    CODE: "mark contributions as case stories, add typed ones, and code them",
}

_ALLOWED: dict[str, frozenset[str]] = {
    READ: frozenset({FACILITATOR, RESEARCHER}),
    CHANGE: frozenset({FACILITATOR}),
    # The live view pairs display names with pseudonyms: that key is the facilitator's.
    WATCH_LIVE: frozenset({FACILITATOR}),
    # A screen link opens the screen without a login: what the room sees anyway.
    WATCH_SCREEN: frozenset({FACILITATOR, SCREEN_LINK}),
    POST: frozenset({PARTICIPANT}),
    # Coding is research work: the researcher's as much as the facilitator's.
    CODE: frozenset({FACILITATOR, RESEARCHER}),
    MANAGE: frozenset({FACILITATOR}),
}


def may(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (in a group it can see)."""
    return role in _ALLOWED[action]


def may_manage(role: str | None, user_id: int, owner_id: int) -> bool:
    """Whether the user ``user_id`` (with ``role``) may do the owner's own actions
    (:data:`MANAGE`) in a group whose ``owner_id`` is given: only its owner may, never a
    user it was granted to."""
    return may(role, MANAGE) and user_id == owner_id


# Audiences: who receives a contribution, a meeting or a group, and in which form.
CONSOLE = "console"  # the facilitator's console
SCREEN = "screen"  # the projector screen (the facilitator's, or opened by a screen link)
PHONE = "phone"  # a participant's phone
RESEARCH = "researcher"  # a granted researcher, through the API
EXPORT = "export"  # log.csv and log.jsonl

AUDIENCES: tuple[str, ...] = (CONSOLE, SCREEN, PHONE, RESEARCH, EXPORT)

# How the projector names a post's author (the facilitator's choice, ``author_display`` of
# the screen state): by display name, by pseudonym, or not at all.
AUTHOR_DISPLAYS: tuple[str, ...] = ("name", "pseudonym", "none")
# The author field each choice shows on the screen; the screen gets no other.
_AUTHOR_FIELD = {"name": "display_name", "pseudonym": "pseudonym", "none": None}

# The privacy guard's: the flagged spans masked, and where they are and why a post was
# rejected left out.
_GUARDED = frozenset({"flagged_spans", "flag_spans", "moderation_reason"})

# What each audience does not get. "display_name" is the key between names and
# pseudonyms (PRODUCT.md: the facilitator's only); a hidden post's text is for staff.
_WITHHELD: dict[str, dict[str, frozenset[str]]] = {
    "contribution": {
        CONSOLE: frozenset(),
        # "author_not_shown": of display_name and pseudonym, the one author_display does
        # not show (both under "none"): a screen never holds the key between the two.
        # "flagged_spans": what the privacy guard found is masked until the facilitator
        # cleared the flags; where it was found ("flag_spans") and why a post was rejected
        # are the console's.
        SCREEN: frozenset({"author_not_shown", "text_if_hidden", *_GUARDED}),
        # The counts of a small group's reactions would tell who reacted.
        PHONE: frozenset({"display_name", "text_if_hidden", "reactions", *_GUARDED}),
        RESEARCH: frozenset({"display_name", *_GUARDED}),
        EXPORT: frozenset({"display_name", *_GUARDED}),
    },
    # A phone learns whether the self-evaluation is open and how many answered; the
    # aggregates are for the room's screen and the facilitator.
    "self_evaluation": {
        CONSOLE: frozenset(),
        SCREEN: frozenset(),
        PHONE: frozenset({"items"}),
        RESEARCH: frozenset(),
        EXPORT: frozenset(),
    },
    # An agenda item's notes are the group's own record, written by the facilitator with
    # names in mind: the console's only, never the room's or a researcher's.
    "agenda": {
        CONSOLE: frozenset(),
        SCREEN: frozenset({"notes"}),
        PHONE: frozenset({"notes"}),
        RESEARCH: frozenset({"notes"}),
        EXPORT: frozenset({"notes"}),
    },
    # Joining is for the people in the room.
    "meeting": {
        CONSOLE: frozenset(),
        SCREEN: frozenset(),
        PHONE: frozenset(),
        RESEARCH: frozenset({"join_code"}),
        EXPORT: frozenset({"join_code"}),
    },
}


def audience_of(role: str | None) -> str:
    """The audience a caller of the API or a socket belongs to, by role."""
    return {FACILITATOR: CONSOLE, PARTICIPANT: PHONE, SCREEN_LINK: SCREEN}.get(role or "", RESEARCH)


def withheld(kind: str, audience: str) -> frozenset[str]:
    """The fields of a ``kind`` ("contribution", "agenda", "meeting", "self_evaluation") that
    ``audience`` never gets."""
    return _WITHHELD[kind][audience]


def contribution_for(audience: str, contribution: dict, author_display: str = "name") -> dict:
    """A contribution as ``audience`` gets it. Phones and screens learn that a post was
    hidden, not what it said; nobody but the facilitator learns whose name goes with which
    pseudonym. The screen gets the author only as ``author_display`` shows it: the display
    name, the pseudonym, or neither. Names and texts keep their place (emptied, not
    removed), so that every audience reads one shape; a phone gets no reaction counts."""
    withheld_fields = withheld("contribution", audience)
    shown = dict(contribution)
    if "display_name" in withheld_fields:
        shown["display_name"] = ""
    if "author_not_shown" in withheld_fields:
        for field in ("display_name", "pseudonym"):
            if field != _AUTHOR_FIELD.get(author_display):
                shown[field] = ""
    if "text_if_hidden" in withheld_fields and contribution.get("hidden"):
        shown["text"] = ""
    if "reactions" in withheld_fields:
        shown.pop("reactions", None)
    if "flagged_spans" in withheld_fields:
        shown["text"] = text_as_shown(shown["text"], contribution)
    for field in ("flag_spans", "moderation_reason"):
        if field in withheld_fields:
            shown.pop(field, None)
    return shown


def text_as_shown(text: str, contribution: dict) -> str:
    """A contribution's ``text`` as anyone but the console shows it: with what the privacy
    guard found masked (``••••``) until the facilitator cleared the flags. ``flag_spans``
    is the contribution object's list, or the column's JSON as stored."""
    spans = contribution.get("flag_spans") or ()
    if not spans or contribution.get("flags_cleared"):
        return text
    if isinstance(spans, str):
        spans = json.loads(spans)
    return identifying.masked(text, [(start, end) for _kind, start, end in spans])


def meeting_for(audience: str, meeting: dict) -> dict:
    """A meeting (or its live state) as ``audience`` gets it."""
    withheld_fields = withheld("meeting", audience)
    return {key: value for key, value in meeting.items() if key not in withheld_fields}


def agenda_for(audience: str, state: dict) -> dict:
    """The agenda state as ``audience`` gets it: each step without the fields withheld
    (its notes, for everyone but the console)."""
    withheld_fields = withheld("agenda", audience)
    if not withheld_fields:
        return state
    steps = [
        {key: value for key, value in step.items() if key not in withheld_fields}
        for step in state["steps"]
    ]
    return {**state, "steps": steps}


def followups_for(audience: str, state: dict) -> dict:
    """The follow-ups as ``audience`` gets them. The screen gets what it shows: the open
    questions carried from earlier meetings, their text only (no author, no owner), and no
    decisions or action items. Phones get none (a question may quote a hidden post); the
    web layer does not send them."""
    if audience != SCREEN:
        return state
    questions = [
        {**question, "author": None, "owner": None}
        for question in state["questions"]
        if question["carried_from_earlier"] and question["status"] != "answered"
    ]
    return {**state, "questions": questions, "decisions": [], "action_items": []}


def self_evaluation_for(audience: str, state: dict) -> dict:
    """The self-evaluation as ``audience`` gets it: phones learn whether it is open and how
    many have answered, never the aggregates (those are for the room's screen)."""
    withheld_fields = withheld("self_evaluation", audience)
    return {key: value for key, value in state.items() if key not in withheld_fields}


# What a participant who is joining sees of a group: no owner, no grants, no goals yet.
PUBLIC_GROUP_FIELDS: tuple[str, ...] = ("id", "name", "kind", "organizations", "consent_text")


def group_for_joining(group: dict) -> dict:
    return {key: group[key] for key in PUBLIC_GROUP_FIELDS}


def rules_table() -> str:
    """The roles × actions table of ``docs/security.md``, in Markdown."""
    roles = (FACILITATOR, RESEARCHER, PARTICIPANT, SCREEN_LINK)
    lines = [
        "| action | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for action, meaning in ACTIONS.items():
        cells = ["yes" if may(role, action) else "no" for role in roles]
        lines.append(f"| {action}: {meaning} | " + " | ".join(cells) + " |")
    kinds = ("contribution", "agenda", "meeting", "self_evaluation")
    lines += ["", "| audience | " + " | ".join(f"{kind} fields withheld" for kind in kinds) + " |"]
    lines.append("|---|" + "---|" * len(kinds))
    for audience in AUDIENCES:
        cells = [", ".join(sorted(withheld(kind, audience))) or "none" for kind in kinds]
        lines.append(f"| {audience} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(rules_table())
