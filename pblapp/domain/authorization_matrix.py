"""The authorization matrix: what every HTTP route and every Socket.IO event answers to
each kind of caller, as one table.

``pblapp.domain.access`` says who may do what in words (actions, audiences); this module
says what the server answers, route by route and event by event, to an anonymous browser,
participants of this meeting and of others, a removed participant, the owning and another
facilitator, a granted and an ungranted researcher, and a screen link's holder. A test asks
every route of the app and every event with each of them and compares (so a route added
later without a row fails it), and ``docs/security.md`` holds the tables that
``python -m pblapp.domain.authorization_matrix`` prints (another test keeps them the same).
"""

from __future__ import annotations

import re

# The callers, in the tables' column order: key → who it is.
ROLES: dict[str, str] = {
    "anon": "anonymous: no login, no token, no cookie",
    "part": "a participant of this meeting (their phone's cookie; on the socket, their token)",
    "part_other": "a participant of another facilitator's meeting",
    "part_closed": "a participant of a closed meeting of the same group",
    "removed": "a participant of this meeting whom the facilitator removed",
    "owner": "the facilitator who owns the group (browser login; an API token for /api/v1)",
    "fac_other": "another facilitator, who owns another group",
    "res": "a researcher the group was granted to",
    "res_other": "a researcher the group was not granted to",
    "screen": "whoever holds this meeting's screen link (no login)",
}

# What a cell says. HTTP: the status, or one of these two redirects.
LOGIN = "login"  # a redirect to the login page (``/?next=…``)
JOIN = "join"  # a redirect to the meeting's join page (``/j/<code>``)
# Socket.IO: "ok", or the code of the refusal (``connect_error``'s ``data.code``, or the
# ack's ``error.code``); for an event, this when the role cannot open a socket at all.
OK = "ok"
NO_SOCKET = "—"

OUTCOMES: dict[str, str] = {
    "200, 201, 204": "allowed (the answer's status)",
    "302": "allowed: a form's redirect, or a page that sends the browser on",
    LOGIN: "a redirect to the login page",
    JOIN: "a redirect to the meeting's join page: the browser holds no token for it",
    "401": "no credentials the API takes (the API's `unauthorized`)",
    "403": "known, but not allowed (`forbidden`, `not_owner`, `participant_removed`)",
    "404": "as if it did not exist (another's group or meeting; a link not made)",
    OK: "Socket.IO: connected, or the event was done",
    NO_SOCKET: "Socket.IO: this role cannot open a socket (see the connect row)",
}


def _row(anon, part, part_other, part_closed, removed, owner, fac_other, res, res_other, screen):
    return (anon, part, part_other, part_closed, removed, owner, fac_other, res, res_other, screen)


def _api(owner: str, fac_other: str, res: str, res_other: str) -> tuple[str, ...]:
    """An API route: no account, no API access (401)."""
    return _row(*(["401"] * 5), owner, fac_other, res, res_other, "401")


def _page(owner: str, fac_other: str, res: str, res_other: str) -> tuple[str, ...]:
    """A page behind the login."""
    return _row(*([LOGIN] * 5), owner, fac_other, res, res_other, LOGIN)


def _everyone(status: str) -> tuple[str, ...]:
    return (status,) * len(ROLES)


# Reading a group one sees; a researcher the group was granted to reads it too.
API_READ = _api("200", "404", "200", "404")


def _api_change(status: str) -> tuple[str, ...]:
    """A change: the facilitator's. A researcher is refused before anything is looked up."""
    return _api(status, "404", "403", "403")


# The owner's own reading (grants, the audit log, the identities): not a granted user.
API_OWNER_READ = _api("200", "404", "403", "404")


def _api_code(status: str) -> tuple[str, ...]:
    """Case stories: research work, the granted researcher's as much as the owner's."""
    return _api(status, "404", status, "404")


PAGE_READ = _page("200", "404", "200", "404")
# The console and the projector screen pair names with pseudonyms: the facilitator's.
PAGE_LIVE = _page("200", "404", "403", "404")
# A facilitator's form; a researcher is refused before anything is looked up.
PAGE_CHANGE = _page("302", "404", "403", "403")
# The owner's own forms (grants): a granted researcher is known, an ungranted one is not.
PAGE_OWNER = _page("302", "404", "403", "404")
PAGE_CODE = _page("302", "404", "302", "404")


def _account(status: str) -> tuple[str, ...]:
    """Any logged-in user's own account."""
    return _page(status, status, status, status)


# The screen link's routes: only the link's holder has a token the server made.
SCREEN_LINK = _row(*(["404"] * 9), "200")
# The phone's forms after joining: only a browser that holds this meeting's token.
PHONE = _row(JOIN, "?", *([JOIN] * 8))


def _phone(status: str) -> tuple[str, ...]:
    return (PHONE[0], status, *PHONE[2:])


# Every HTTP route, ``METHOD /rule`` as Flask spells the rule.
HTTP: dict[str, tuple[str, ...]] = {
    # Public: the login page, the phone's first pages, files.
    "GET /": _row("200", "200", "200", "200", "200", "302", "302", "302", "302", "200"),
    "POST /": _everyone("302"),
    "POST /logout": _everyone("302"),
    # A setup link exists only while there is no facilitator.
    "GET /setup/<token>": _everyone("404"),
    "POST /setup/<token>": _everyone("404"),
    "GET /healthz": _everyone("200"),
    "GET /static/<path:filename>": _everyone("200"),
    "GET /language/<lang>": _everyone("302"),
    "GET /j": _everyone("200"),
    "GET /join": _everyone("302"),
    # The join code is on the projector: anyone in the room may join, but a removed
    # participant not again from the same browser; a phone that joined goes to its page.
    "GET /j/<code>": _row("200", "302", *(["200"] * 8)),
    "POST /j/<code>": _row("302", "302", "302", "302", "403", *(["302"] * 5)),
    "GET /j/<code>/live": _phone("200"),
    "POST /j/<code>/consent": _phone("302"),
    "POST /j/<code>/withdraw": _phone("200"),
    # The screen link.
    "GET /s/<token>": SCREEN_LINK,
    "GET /s/<token>/starting-point/image": SCREEN_LINK,
    "GET /s/<token>/timeline.svg": SCREEN_LINK,
    # One's own account.
    "GET /account": _account("200"),
    "POST /account/password": _account("302"),
    "POST /account/tokens": _account("200"),
    # Another user's token is not found (and stays); the page answers the same.
    "POST /account/tokens/<int:token_id>/revoke": _account("302"),
    # Pages.
    "GET /groups": _page("200", "200", "200", "200"),
    "POST /groups": _page("302", "302", "403", "403"),
    "GET /groups/<int:group_id>": PAGE_READ,
    "POST /groups/<int:group_id>/edit": PAGE_CHANGE,
    "POST /groups/<int:group_id>/meetings": PAGE_CHANGE,
    "POST /groups/<int:group_id>/cases": PAGE_CODE,
    "POST /groups/<int:group_id>/cases/<int:case_id>": PAGE_CODE,
    "POST /groups/<int:group_id>/cases/<int:case_id>/remove": PAGE_CODE,
    "POST /groups/<int:group_id>/grants": PAGE_OWNER,
    "POST /groups/<int:group_id>/grants/revoke": PAGE_OWNER,
    "GET /meetings/<int:meeting_id>": PAGE_LIVE,
    "GET /meetings/<int:meeting_id>/screen": PAGE_LIVE,
    "POST /meetings/<int:meeting_id>/<any(start, close):action>": PAGE_CHANGE,
    "POST /meetings/<int:meeting_id>/details": PAGE_CHANGE,
    "POST /meetings/<int:meeting_id>/screen-link": PAGE_CHANGE,
    "POST /meetings/<int:meeting_id>/screen-link/revoke": PAGE_CHANGE,
    "POST /meetings/<int:meeting_id>/starting-point": PAGE_CHANGE,
    "GET /meetings/<int:meeting_id>/starting-point/image": PAGE_READ,
    # The JSON API: its description is public; then groups.
    "GET /api/v1/openapi.json": _everyone("200"),
    "GET /api/v1/groups": _api("200", "200", "200", "200"),
    "POST /api/v1/groups": _api("201", "201", "403", "403"),
    "GET /api/v1/groups/<int:group_id>": API_READ,
    "PATCH /api/v1/groups/<int:group_id>": _api_change("200"),
    "POST /api/v1/groups/<int:group_id>/meetings": _api_change("201"),
    "GET /api/v1/groups/<int:group_id>/log.csv": API_READ,
    "GET /api/v1/groups/<int:group_id>/log.jsonl": API_READ,
    "GET /api/v1/groups/<int:group_id>/log.xlsx": API_READ,
    "GET /api/v1/groups/<int:group_id>/meetings.csv": API_READ,
    "GET /api/v1/groups/<int:group_id>/timeline.svg": API_READ,
    "GET /api/v1/groups/<int:group_id>/participants.csv": API_READ,
    "GET /api/v1/groups/<int:group_id>/codebook.csv": API_READ,
    "GET /api/v1/groups/<int:group_id>/content-analysis.<any(csv, xlsx):fmt>": API_READ,
    "GET /api/v1/groups/<int:group_id>/cases.csv": API_READ,
    "GET /api/v1/groups/<int:group_id>/cases-summary.csv": API_READ,
    "GET /api/v1/groups/<int:group_id>/export.qdpx": API_READ,
    "GET /api/v1/groups/<int:group_id>/archive.zip": API_READ,
    "GET /api/v1/groups/<int:group_id>/consent-texts": API_READ,
    "GET /api/v1/groups/<int:group_id>/consents": API_READ,
    "GET /api/v1/groups/<int:group_id>/cases": _api_code("200"),
    "POST /api/v1/groups/<int:group_id>/cases": _api_code("201"),
    "PATCH /api/v1/groups/<int:group_id>/cases/<int:case_id>": _api_code("200"),
    "DELETE /api/v1/groups/<int:group_id>/cases/<int:case_id>": _api_code("204"),
    "GET /api/v1/groups/<int:group_id>/grants": API_OWNER_READ,
    "POST /api/v1/groups/<int:group_id>/grants": _api_change("201"),
    "DELETE /api/v1/groups/<int:group_id>/grants/<path:username>": _api_change("204"),
    "GET /api/v1/groups/<int:group_id>/audit": API_OWNER_READ,
    "GET /api/v1/groups/<int:group_id>/participants": API_OWNER_READ,
    "PATCH /api/v1/groups/<int:group_id>/participants/<pseudonym>": _api_change("200"),
    "POST /api/v1/groups/<int:group_id>/participants/<pseudonym>/merge": _api_change("200"),
    "POST /api/v1/groups/<int:group_id>/participants/<pseudonym>/withdraw": _api_change("200"),
    "POST /api/v1/groups/<int:group_id>/participants/<pseudonym>/erase": _api_change("200"),
    # The JSON API: meetings.
    "GET /api/v1/meetings/<int:meeting_id>": API_READ,
    "PATCH /api/v1/meetings/<int:meeting_id>": _api_change("200"),
    "POST /api/v1/meetings/<int:meeting_id>/start": _api_change("200"),
    "POST /api/v1/meetings/<int:meeting_id>/close": _api_change("200"),
    "GET /api/v1/meetings/<int:meeting_id>/contributions": API_READ,
    "PATCH /api/v1/meetings/<int:meeting_id>/contributions/<int:contribution_id>": _api_change(
        "200"
    ),
    "POST /api/v1/meetings/<int:meeting_id>/contributions/<int:contribution_id>/merge": (
        _api_change("200")
    ),
    "POST /api/v1/meetings/<int:meeting_id>/contributions/<int:contribution_id>/redact": (
        _api_change("200")
    ),
    "GET /api/v1/meetings/<int:meeting_id>/agenda": API_READ,
    "POST /api/v1/meetings/<int:meeting_id>/agenda": _api_change("200"),
    "PUT /api/v1/meetings/<int:meeting_id>/agenda": _api_change("200"),
    "PUT /api/v1/meetings/<int:meeting_id>/agenda/<int:step_id>/notes": _api_change("200"),
    "POST /api/v1/meetings/<int:meeting_id>/agenda/save-for-group": _api_change("200"),
    "GET /api/v1/meetings/<int:meeting_id>/followups": API_READ,
    "POST /api/v1/meetings/<int:meeting_id>/questions": _api_change("201"),
    "PATCH /api/v1/meetings/<int:meeting_id>/questions/<int:question_id>": _api_change("200"),
    "POST /api/v1/meetings/<int:meeting_id>/decisions": _api_change("201"),
    "POST /api/v1/meetings/<int:meeting_id>/action-items": _api_change("201"),
    "PATCH /api/v1/meetings/<int:meeting_id>/action-items/<int:item_id>": _api_change("200"),
    "GET /api/v1/meetings/<int:meeting_id>/screen": API_READ,
    "POST /api/v1/meetings/<int:meeting_id>/screen": _api_change("200"),
    # The screen link is the facilitator's: a granted researcher is refused too.
    "GET /api/v1/meetings/<int:meeting_id>/screen-link": _api("200", "404", "403", "404"),
    "POST /api/v1/meetings/<int:meeting_id>/screen-link": _api_change("200"),
    "DELETE /api/v1/meetings/<int:meeting_id>/screen-link": _api_change("204"),
    "PUT /api/v1/meetings/<int:meeting_id>/starting-point": _api_change("200"),
    "GET /api/v1/meetings/<int:meeting_id>/starting-point/image": API_READ,
    "PUT /api/v1/meetings/<int:meeting_id>/starting-point/image": _api_change("200"),
    "DELETE /api/v1/meetings/<int:meeting_id>/starting-point/image": _api_change("200"),
    "POST /api/v1/meetings/<int:meeting_id>/attendance": _api_change("201"),
    "POST /api/v1/meetings/<int:meeting_id>/participants/<pseudonym>/removal": _api_change("200"),
    "DELETE /api/v1/meetings/<int:meeting_id>/participants/<pseudonym>/removal": _api_change("200"),
    "GET /api/v1/meetings/<int:meeting_id>/self-evaluation": API_READ,
    "POST /api/v1/meetings/<int:meeting_id>/self-evaluation": _api_change("200"),
    "GET /api/v1/meetings/<int:meeting_id>/phase": API_READ,
    "POST /api/v1/meetings/<int:meeting_id>/phase": _api_change("200"),
    "GET /api/v1/meetings/<int:meeting_id>/minutes.<any(md, html, docx):fmt>": API_READ,
    "POST /api/v1/meetings/<int:meeting_id>/minutes/approve": _api_change("200"),
    "GET /api/v1/meetings/<int:meeting_id>/minutes/versions": API_READ,
    "GET /api/v1/meetings/<int:meeting_id>/notice.<any(html, docx, ics):fmt>": API_READ,
    "GET /api/v1/meetings/<int:meeting_id>/log.csv": API_READ,
    "GET /api/v1/meetings/<int:meeting_id>/log.jsonl": API_READ,
    "GET /api/v1/meetings/<int:meeting_id>/log.xlsx": API_READ,
    "GET /api/v1/meetings/<int:meeting_id>/participants.csv": API_READ,
}

# Socket.IO. A participant's token decides the meeting: a participant of another meeting
# (or of the closed one) is connected to their own, and the event rows send them payloads
# that name this meeting's objects. A facilitator's or researcher's program connects with
# its API token and this meeting's id.
_CONNECTED = ("ok", "ok", "ok")  # part, part_other, part_closed
_NO_STAFF_SOCKET = (NO_SOCKET, NO_SOCKET, NO_SOCKET)  # fac_other, res, res_other


def _participant_event(part_other: str, part_closed: str) -> tuple[str, ...]:
    return _row(
        NO_SOCKET,
        OK,
        part_other,
        part_closed,
        NO_SOCKET,
        "not_participant",
        *_NO_STAFF_SOCKET,
        "forbidden",
    )


FACILITATOR_EVENT = _row(
    NO_SOCKET,
    "forbidden",
    "forbidden",
    "forbidden",
    NO_SOCKET,
    OK,
    *_NO_STAFF_SOCKET,
    "forbidden",
)

SOCKET: dict[str, tuple[str, ...]] = {
    # The client's own way in: a phone's token, a program's API token with this meeting's
    # id, a screen link's token; anonymous sends only the meeting's id.
    "connect": _row(
        "unauthorized",
        *_CONNECTED,
        "participant_removed",
        OK,
        "meeting_not_found",
        "forbidden",
        "meeting_not_found",
        OK,
    ),
    # A browser page's way in: its cookie (a login, or a phone's participant cookie) and
    # this meeting's id.
    "connect (browser)": _row(
        "unauthorized",
        OK,
        "unauthorized",
        "unauthorized",
        "unauthorized",
        OK,
        "meeting_not_found",
        "forbidden",
        "meeting_not_found",
        "unauthorized",
    ),
    # A participant's events act in their own meeting only.
    "contribution:add": _participant_event(OK, "meeting_not_live"),
    "reaction:set": _participant_event("contribution_not_found", "contribution_not_found"),
    "self_evaluation:answer": _participant_event(
        "self_evaluation_not_open", "self_evaluation_not_open"
    ),
    "participant:consent": _participant_event(OK, OK),
    "contribution:delete": _participant_event("not_found", "not_found"),
    # Asks what the privacy guard would flag; stores nothing, so any time is fine.
    "contribution:check": _participant_event(OK, OK),
    "participant:withdraw": _participant_event(OK, OK),
    # The facilitator's commands.
    "contribution:update": FACILITATOR_EVENT,
    "meeting:update": FACILITATOR_EVENT,
    "contribution:merge": FACILITATOR_EVENT,
    "agenda:command": FACILITATOR_EVENT,
    "agenda:edit": FACILITATOR_EVENT,
    "agenda:notes": FACILITATOR_EVENT,
    "agenda:save_for_group": FACILITATOR_EVENT,
    "screen:command": FACILITATOR_EVENT,
    "starting_point:set": FACILITATOR_EVENT,
    "question:add": FACILITATOR_EVENT,
    "question:update": FACILITATOR_EVENT,
    "decision:add": FACILITATOR_EVENT,
    "action_item:add": FACILITATOR_EVENT,
    "action_item:update": FACILITATOR_EVENT,
    "self_evaluation:open": FACILITATOR_EVENT,
    "phase:decide": FACILITATOR_EVENT,
    "participant:remove": FACILITATOR_EVENT,
    "participant:readmit": FACILITATOR_EVENT,
}

# The connect rows; every other row of SOCKET is an event.
CONNECT_ROWS = ("connect", "connect (browser)")


def allowed(cell: str | None) -> bool:
    """Whether a cell says the caller gets what they asked for (``None``: not known)."""
    return cell is None or cell == OK or cell[0] in "23"


def _shown_rule(row: str) -> str:
    """A row as the tables show it: ``<int:group_id>`` as ``<group_id>``, and
    ``<any(md, html):fmt>`` as ``<md|html>``."""
    row = re.sub(r"<any\(([^)]*)\):\w+>", lambda m: "<" + m[1].replace(", ", "|") + ">", row)
    return re.sub(r"<\w+:(\w+)>", r"<\1>", row)


def _table(first: str, rows: dict[str, tuple[str, ...]]) -> list[str]:
    lines = [
        f"| {first} | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for row, cells in rows.items():
        lines.append(f"| `{_shown_rule(row)}` | " + " | ".join(cells) + " |")
    return lines


def _route_order(row: str) -> tuple[str, str]:
    method, rule = row.split(" ", 1)
    return (rule, method)


def matrix_tables() -> str:
    """The roles, the outcomes and the two tables (HTTP routes, Socket.IO), in Markdown."""
    lines = ["| role | who |", "|---|---|"]
    lines += [f"| {key} | {who} |" for key, who in ROLES.items()]
    lines += ["", "| answer | means |", "|---|---|"]
    lines += [f"| {key} | {meaning} |" for key, meaning in OUTCOMES.items()]
    lines.append("")
    routes = {row: HTTP[row] for row in sorted(HTTP, key=_route_order)}
    lines += _table("route", routes)
    lines.append("")
    lines += _table("Socket.IO", SOCKET)
    return "\n".join(lines)


if __name__ == "__main__":
    print(matrix_tables())
