"""The authorization matrix: every HTTP route and every Socket.IO event, asked by every role,
answers as ``pblapp/domain/authorization_matrix.py`` says, and ``docs/security.md``
publishes that same table.

One world is built for the whole module: a group with a live meeting ("this meeting"), a
closed one, another facilitator's group with its own live meeting, participants of each, a
removed participant, a granted and an ungranted researcher, and the meeting's screen link.
Each role asks each route once (a route with ``<any(...)>`` once per choice), with the path
filled from the world and a body that would succeed for a role that may. A change that
would spoil the world for the other rows acts on spare objects (a meeting of its own, a
spare participant, a spare case story); where a role is expected to succeed and another
allowed role could use up the object, it gets a fresh one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask_socketio import ConnectionRefusedError

from helpers import PASSWORD, app_config, png
from pblapp import create_app, ops
from pblapp.domain import authorization_matrix as matrix
from pblapp.domain.privacy import consent_version
from pblapp.domain.selfeval import SCALE_KEYS
from pblapp.web import sockets

ROOT = Path(__file__).resolve().parents[2]
CONSENT = "Jag samtycker till att mina inlägg används i forskningen."
ROLES = tuple(matrix.ROLES)
STAFF = ("owner", "fac_other", "res", "res_other")
NOTHING = object()


class World:
    """Everything the rows need: the app, the ids of the objects, and each role's
    credentials (a session cookie, an API token, the socket's ``auth``)."""

    def __init__(self, app):
        self.app = app
        self.db = app.extensions["pblapp.db"]
        self.cookies: dict[str, str | None] = dict.fromkeys(ROLES)
        self.api_tokens: dict[str, str | None] = dict.fromkeys(ROLES)
        self.user_ids: dict[str, int] = {}
        self.socket_auth: dict[str, dict] = {}
        # Participant tokens, by role; Bo's, whose posts the rows act on.
        self.tokens: dict[str, str] = {}
        self.bo_token = ""
        self.screen_token = ""
        self.values: dict[str, Any] = {}
        self.spare: dict[str, Any] = {}

    # -- making things -------------------------------------------------------------------

    def user(self, name: str, role: str) -> tuple[dict, str]:
        return ops.accounts.create_user(self.db, name, role, PASSWORD)

    def meeting(self, group_id: int | None = None) -> dict:
        """A live meeting of the owner's group (or of the other facilitator's)."""
        owner = self.user_ids["owner"] if group_id is None else self.user_ids["fac_other"]
        meeting = ops.meetings.create(self.db, owner, group_id or self.values["group_id"], {})
        ops.meetings.start(self.db, owner, meeting["id"])
        return meeting

    def browser_join(self, code: str, name: str):
        """Join in a browser, as a phone does; returns the client (with its cookie)."""
        client = self.app.test_client()
        form = {"display_name": name, "organization": "FK", "consent": "on"}
        answer = client.post(f"/j/{code}", data=form)
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return client

    def json_join(self, code: str, name: str) -> dict:
        """Join as a program does: ``{"pseudonym", "token"}``."""
        answer = self.app.test_client().post(
            f"/j/{code}", json={"display_name": name, "organization": "FK", "consent": True}
        )
        assert answer.status_code == 200, answer.get_json()
        return {"pseudonym": answer.get_json()["participant"]["pseudonym"], **answer.get_json()}

    def post(self, token: str, text: str = "Vad gäller dag 180?") -> int:
        attendance = ops.participation.attendance(self.db, token)
        payload = {"client_id": str(uuid.uuid4()), "text": text, "qtype": "meaning"}
        return ops.participation.post(self.db, attendance, payload)[0]["id"]

    def case(self) -> int:
        owner = ops.accounts.user(self.db, self.user_ids["owner"])
        payload = {"text": "Ett fall", "meeting_id": self.values["meeting_id"]}
        return ops.cases.add(self.db, owner, self.values["group_id"], payload)["id"]

    def login(self, role: str) -> str:
        """A new browser login of the role's user: its session cookie."""
        client = self.app.test_client()
        name = ops.accounts.user(self.db, self.user_ids[role])["name"]
        assert client.post("/", data={"name": name, "password": PASSWORD}).status_code == 302
        return _session_cookie(client)


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _token_of(client, meeting_id: int) -> str:
    with client.session_transaction() as session:
        return session["attend"][str(meeting_id)]


def build_world(app) -> World:
    w = World(app)
    db = w.db
    # Users.
    owner, w.api_tokens["owner"] = w.user("Ägare Olga", "facilitator")
    other, w.api_tokens["fac_other"] = w.user("Annan Anders", "facilitator")
    res, w.api_tokens["res"] = w.user("Forskare Frida", "researcher")
    res_other, w.api_tokens["res_other"] = w.user("Forskare Fredrik", "researcher")
    w.user_ids.update(
        owner=owner["id"], fac_other=other["id"], res=res["id"], res_other=res_other["id"]
    )
    spare_researcher, _ = w.user("Reserv Rut", "researcher")
    granted_spare, _ = w.user("Reserv Rolf", "researcher")
    # The owner's group, granted to one researcher, with this meeting live.
    group = ops.groups.create(
        db, owner["id"], {"name": "Basgrupp", "kind": "pbl", "consent_text": CONSENT}
    )
    w.values["group_id"] = group["id"]
    for name in (res["name"], granted_spare["name"]):
        ops.groups.grant_by_name(db, group["id"], name)
    spare_group = ops.groups.create(db, owner["id"], {"name": "Reservgrupp", "kind": "focus"})
    ops.groups.grant_by_name(db, spare_group["id"], res["name"])
    meeting = w.meeting()
    mid, code = meeting["id"], meeting["join_code"]
    w.values.update(meeting_id=mid, code=code)
    # The other facilitator's group and its live meeting.
    other_group = ops.groups.create(
        db, other["id"], {"name": "Annan grupp", "kind": "pbl", "consent_text": CONSENT}
    )
    w.values["other_group_id"] = other_group["id"]
    other_meeting = w.meeting(group_id=other_group["id"])
    w.values["other_meeting_id"] = other_meeting["id"]
    # A closed meeting of the owner's group, with a participant (and a spare) in it.
    closed = w.meeting()
    closed_phone = w.browser_join(closed["join_code"], "Eva")
    closed_spare = w.json_join(closed["join_code"], "Eskil")
    ops.meetings.close(db, owner["id"], closed["id"])
    w.values["closed_meeting_id"] = closed["id"]
    # Participants: of this meeting, of the other meeting, the removed one.
    phones = {
        "part": w.browser_join(code, "Anna"),
        "part_other": w.browser_join(other_meeting["join_code"], "Dan"),
        "part_closed": closed_phone,
        "removed": w.browser_join(code, "Cilla"),
    }
    tokens = {
        "part": _token_of(phones["part"], mid),
        "part_other": _token_of(phones["part_other"], other_meeting["id"]),
        "part_closed": _token_of(phones["part_closed"], closed["id"]),
        "removed": _token_of(phones["removed"], mid),
    }
    removed_pseudonym = ops.participation.attendance(db, tokens["removed"]).pseudonym
    ops.removal.remove(db, owner["id"], mid, removed_pseudonym)
    for role, phone in phones.items():
        w.cookies[role] = _session_cookie(phone)
        w.socket_auth[role] = {"token": tokens[role]}
    w.tokens.update(tokens)
    # Another participant of this meeting, whose post the others react to and moderate.
    bo = w.json_join(code, "Bo")
    w.values["pseudonym"] = bo["pseudonym"]
    w.values["contribution_id"] = w.post(bo["token"])
    w.values["other_contribution_id"] = w.post(bo["token"], "Vem bär ansvaret?")
    w.bo_token = bo["token"]
    # The record of this meeting: a case story, a question, an action item, an agenda
    # step, a starting-point image, the self-evaluation open.
    w.values["case_id"] = w.case()
    state = ops.followups.add_question(db, owner["id"], mid, {"text": "Vad säger lagen?"})
    w.values["question_id"] = state["questions"][-1]["id"]
    state = ops.decisions.add_action_item(db, owner["id"], mid, {"what": "Ring FK", "who": "Bo"})
    w.values["item_id"] = state["action_items"][-1]["id"]
    w.values["step_ids"] = [step["id"] for step in ops.agenda.state(db, mid)["steps"]]
    w.values["step_id"] = w.values["step_ids"][0]
    ops.screen.set_starting_point_image(db, owner["id"], mid, png())
    ops.selfeval.open_(db, owner["id"], mid)
    ops.meetings.update(db, owner["id"], mid, {"scheduled_at": "2026-03-02T12:00:00Z"})
    # The screen link, held by the screen role only.
    w.screen_token = ops.screen_link.create(db, owner["id"], mid, app.config["SECRET_KEY"])
    w.socket_auth["screen"] = {"screen_token": w.screen_token}
    # Staff: a browser login each, an API token each, and the socket of a program.
    for role in STAFF:
        w.cookies[role] = w.login(role)
        w.socket_auth[role] = {"api_token": w.api_tokens[role], "meeting_id": mid}
    w.socket_auth["anon"] = {"meeting_id": mid}
    # Spares: what a change acts on where it would spoil the world for the other rows.
    spare_meeting = w.meeting()
    joined = {name: w.json_join(code, name) for name in ("Gun", "Hans", "Ida", "Jan", "Kim")}
    merge_meeting = w.meeting()
    merge_from = w.json_join(merge_meeting["join_code"], "Lisa")
    merge_into = w.json_join(merge_meeting["join_code"], "Lasse")
    to_update = w.json_join(merge_meeting["join_code"], "Lena")
    ops.meetings.close(db, owner["id"], merge_meeting["id"])
    ops.removal.remove(db, owner["id"], mid, joined["Hans"]["pseudonym"])
    ops.removal.remove(db, owner["id"], mid, joined["Kim"]["pseudonym"])
    w.spare.update(
        group_id=spare_group["id"],
        meeting_id=spare_meeting["id"],
        researcher=spare_researcher["name"],
        granted_researcher=granted_spare["name"],
        to_remove=joined["Gun"]["pseudonym"],
        removed=joined["Hans"]["pseudonym"],
        to_withdraw=joined["Ida"]["pseudonym"],
        to_erase=joined["Jan"]["pseudonym"],
        removed_for_socket=joined["Kim"]["pseudonym"],
        to_remove_for_socket=w.json_join(code, "Mona")["pseudonym"],
        merge_from=merge_from["pseudonym"],
        merge_into=merge_into["pseudonym"],
        to_update=to_update["pseudonym"],
        post_to_redact=w.post(bo["token"], "Klienten heter Kalle"),
        case_id=w.case(),
        token=ops.accounts.create_api_token(db, owner["id"], "reserv"),
        withdraw_tokens={
            "part": w.json_join(code, "Nils")["token"],
            "part_other": w.json_join(other_meeting["join_code"], "Olle")["token"],
            "part_closed": closed_spare["token"],
        },
    )
    return w


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # CSRF tokens have tests of their own; here each form counts as sent from its page
    # (app_config turns them off), so that what answers is the access rule.
    app = create_app(app_config(tmp_path_factory.mktemp("matrix")))
    with app.app_context():
        yield build_world(app)


# -- HTTP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How a row asks its route: the body, path values beyond the world's, and for a cell
    the matrix expects to succeed, ``fresh(world, role)``: path values (and a ``cookie``)
    for objects of its own."""

    json: Any = NOTHING
    form: dict | None = None
    raw: bytes | None = None
    values: Callable[[World], dict] | None = None
    fresh: Callable[[World, str], dict] | None = None
    # A body made from the world and the row's values (its ids).
    body: Callable[[World, dict], Any] | None = None


def _fresh_login(w: World, role: str) -> dict:
    return {"cookie": w.login(role)} if role in STAFF else {}


def _fresh_token(w: World, role: str) -> dict:
    """The owner revokes a token of their own; every other user asks to revoke the owner's
    spare token (which stays: see the test below)."""
    if role != "owner":
        return {}
    token = ops.accounts.create_api_token(w.db, w.user_ids[role], "matrix")[0]
    return {"token_id": token["id"]}


def _fresh_meeting(w: World, role: str) -> dict:
    return {"meeting_id": w.meeting()["id"]}


def _fresh_case(w: World, role: str) -> dict:
    return {"case_id": w.case()}


def _fresh_post(w: World, role: str) -> dict:
    """A post of this meeting that is no case story yet."""
    return {"contribution_id": w.post(w.bo_token, "Ett nytt fall")}


def _fresh_phone(w: World, role: str) -> dict:
    if role != "part":
        return {}
    return {"cookie": _session_cookie(w.browser_join(w.values["code"], "Pia"))}


def _group_form(name: str) -> dict:
    return {"name": name, "kind": "pbl", "organizations": "FK Försäkringskassan"}


def _spare_meeting(w: World) -> dict:
    return {"meeting_id": w.spare["meeting_id"]}


PLANS: dict[str, Plan] = {
    "GET /": Plan(),
    "POST /": Plan(form={"name": "Ägare Olga", "password": PASSWORD}),
    "POST /logout": Plan(fresh=_fresh_login),
    "GET /setup/<token>": Plan(),
    "POST /setup/<token>": Plan(form={}),
    "GET /healthz": Plan(),
    "GET /static/<path:filename>": Plan(),
    "GET /language/<lang>": Plan(),
    "GET /account": Plan(),
    "POST /account/password": Plan(
        form={
            "current_password": PASSWORD,
            "new_password": "tre gröna stolar i snön",
            "new_password2": "tre gröna stolar i snön",
        }
    ),
    "POST /account/tokens": Plan(form={"label": "R-skript"}),
    "POST /account/tokens/<int:token_id>/revoke": Plan(
        values=lambda w: {"token_id": w.spare["token"][0]["id"]}, fresh=_fresh_token
    ),
    # The phone.
    "GET /j": Plan(),
    "GET /join": Plan(),
    "GET /j/<code>": Plan(),
    # Joining again from the same browser gives the phone a new token (the old one ends).
    "POST /j/<code>": Plan(
        form={"display_name": "Ny", "organization": "FK", "consent": "on"}, fresh=_fresh_phone
    ),
    "POST /j/<code>/consent": Plan(
        form={"consent": "on", "consent_version": consent_version(CONSENT)}
    ),
    "GET /j/<code>/live": Plan(),
    "POST /j/<code>/withdraw": Plan(form={"confirm": "yes"}, fresh=_fresh_phone),
    # The screen link.
    "GET /s/<token>": Plan(),
    "GET /s/<token>/starting-point/image": Plan(),
    "GET /s/<token>/timeline.svg": Plan(),
    # Pages.
    "GET /groups": Plan(),
    "POST /groups": Plan(form=_group_form("Ny grupp")),
    "GET /groups/<int:group_id>": Plan(),
    "POST /groups/<int:group_id>/edit": Plan(
        form=_group_form("Reservgrupp"), values=lambda w: {"group_id": w.spare["group_id"]}
    ),
    "POST /groups/<int:group_id>/meetings": Plan(form={"title": "Nästa möte"}),
    "POST /groups/<int:group_id>/cases": Plan(
        body=lambda w, v: {"contribution_id": str(v["contribution_id"])}, fresh=_fresh_post
    ),
    "POST /groups/<int:group_id>/cases/<int:case_id>": Plan(form={"outcome": "successful"}),
    "POST /groups/<int:group_id>/cases/<int:case_id>/remove": Plan(
        form={}, values=lambda w: {"case_id": w.spare["case_id"]}, fresh=_fresh_case
    ),
    "POST /groups/<int:group_id>/grants": Plan(
        body=lambda w, v: {"username": w.spare["researcher"]}
    ),
    "POST /groups/<int:group_id>/grants/revoke": Plan(
        body=lambda w, v: {"username": w.spare["granted_researcher"]}
    ),
    "GET /meetings/<int:meeting_id>": Plan(),
    "POST /meetings/<int:meeting_id>/<any(start, close):action>": Plan(
        form={}, values=_spare_meeting, fresh=_fresh_meeting
    ),
    "POST /meetings/<int:meeting_id>/details": Plan(form={"place": "Rum 2"}),
    "GET /meetings/<int:meeting_id>/screen": Plan(),
    "POST /meetings/<int:meeting_id>/screen-link": Plan(
        form={}, values=_spare_meeting, fresh=_fresh_meeting
    ),
    "POST /meetings/<int:meeting_id>/screen-link/revoke": Plan(
        form={}, values=_spare_meeting, fresh=_fresh_meeting
    ),
    "POST /meetings/<int:meeting_id>/starting-point": Plan(form={"text": "Fallet Kim"}),
    "GET /meetings/<int:meeting_id>/starting-point/image": Plan(),
    # The JSON API: its description; groups.
    "GET /api/v1/openapi.json": Plan(),
    "POST /api/v1/groups": Plan(json={"name": "API-grupp", "kind": "focus"}),
    "GET /api/v1/groups": Plan(),
    "GET /api/v1/groups/<int:group_id>": Plan(),
    "PATCH /api/v1/groups/<int:group_id>": Plan(json={"goals": "Att lära av varandra."}),
    "GET /api/v1/groups/<int:group_id>/archive.zip": Plan(),
    "GET /api/v1/groups/<int:group_id>/audit": Plan(),
    "GET /api/v1/groups/<int:group_id>/cases": Plan(),
    "POST /api/v1/groups/<int:group_id>/cases": Plan(
        body=lambda w, v: {"contribution_id": v["contribution_id"]}, fresh=_fresh_post
    ),
    "GET /api/v1/groups/<int:group_id>/cases-summary.csv": Plan(),
    "GET /api/v1/groups/<int:group_id>/cases.csv": Plan(),
    "PATCH /api/v1/groups/<int:group_id>/cases/<int:case_id>": Plan(json={"outcome": "successful"}),
    "DELETE /api/v1/groups/<int:group_id>/cases/<int:case_id>": Plan(
        values=lambda w: {"case_id": w.spare["case_id"]}, fresh=_fresh_case
    ),
    "GET /api/v1/groups/<int:group_id>/codebook.csv": Plan(),
    "GET /api/v1/groups/<int:group_id>/consent-texts": Plan(),
    "GET /api/v1/groups/<int:group_id>/consents": Plan(),
    "GET /api/v1/groups/<int:group_id>/content-analysis.<any(csv, xlsx):fmt>": Plan(),
    "GET /api/v1/groups/<int:group_id>/export.qdpx": Plan(),
    "GET /api/v1/groups/<int:group_id>/grants": Plan(),
    "POST /api/v1/groups/<int:group_id>/grants": Plan(
        body=lambda w, v: {"username": w.spare["researcher"]}
    ),
    "DELETE /api/v1/groups/<int:group_id>/grants/<path:username>": Plan(
        values=lambda w: {"username": w.spare["granted_researcher"]}
    ),
    "GET /api/v1/groups/<int:group_id>/log.csv": Plan(),
    "GET /api/v1/groups/<int:group_id>/log.jsonl": Plan(),
    "GET /api/v1/groups/<int:group_id>/log.xlsx": Plan(),
    "POST /api/v1/groups/<int:group_id>/meetings": Plan(json={"title": "API-möte"}),
    "GET /api/v1/groups/<int:group_id>/meetings.csv": Plan(),
    "GET /api/v1/groups/<int:group_id>/participants": Plan(),
    "GET /api/v1/groups/<int:group_id>/participants.csv": Plan(),
    # A participant's organisation is corrected once no meeting of theirs is open.
    "PATCH /api/v1/groups/<int:group_id>/participants/<pseudonym>": Plan(
        json={"organization": "AF"}, values=lambda w: {"pseudonym": w.spare["to_update"]}
    ),
    "POST /api/v1/groups/<int:group_id>/participants/<pseudonym>/erase": Plan(
        values=lambda w: {"pseudonym": w.spare["to_erase"]}
    ),
    "POST /api/v1/groups/<int:group_id>/participants/<pseudonym>/merge": Plan(
        values=lambda w: {"pseudonym": w.spare["merge_from"]},
        body=lambda w, v: {"into": w.spare["merge_into"]},
    ),
    "POST /api/v1/groups/<int:group_id>/participants/<pseudonym>/withdraw": Plan(
        values=lambda w: {"pseudonym": w.spare["to_withdraw"]}
    ),
    "GET /api/v1/groups/<int:group_id>/timeline.svg": Plan(),
    # The JSON API: meetings.
    "GET /api/v1/meetings/<int:meeting_id>": Plan(),
    "PATCH /api/v1/meetings/<int:meeting_id>": Plan(json={"place": "Rum 3"}),
    "POST /api/v1/meetings/<int:meeting_id>/action-items": Plan(json={"what": "Ring", "who": "Bo"}),
    "PATCH /api/v1/meetings/<int:meeting_id>/action-items/<int:item_id>": Plan(
        json={"status": "open"}
    ),
    "GET /api/v1/meetings/<int:meeting_id>/agenda": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/agenda": Plan(json={"action": "start"}),
    "PUT /api/v1/meetings/<int:meeting_id>/agenda": Plan(
        body=lambda w, v: {"steps": [{"id": step} for step in w.values["step_ids"]]}
    ),
    "PUT /api/v1/meetings/<int:meeting_id>/agenda/<int:step_id>/notes": Plan(
        json={"notes": "Vi talade om dag 180."}
    ),
    "POST /api/v1/meetings/<int:meeting_id>/agenda/save-for-group": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/attendance": Plan(
        json={"display_name": "Gäst", "organization": "FK"}
    ),
    "POST /api/v1/meetings/<int:meeting_id>/close": Plan(values=_spare_meeting),
    "GET /api/v1/meetings/<int:meeting_id>/contributions": Plan(),
    "PATCH /api/v1/meetings/<int:meeting_id>/contributions/<int:contribution_id>": Plan(
        json={"qtype": "relational"}
    ),
    "POST /api/v1/meetings/<int:meeting_id>/contributions/<int:contribution_id>/merge": Plan(
        json={"into": None}
    ),
    "POST /api/v1/meetings/<int:meeting_id>/contributions/<int:contribution_id>/redact": Plan(
        values=lambda w: {"contribution_id": w.spare["post_to_redact"]}
    ),
    "POST /api/v1/meetings/<int:meeting_id>/decisions": Plan(json={"text": "Vi bjuder in AF."}),
    "GET /api/v1/meetings/<int:meeting_id>/followups": Plan(),
    "GET /api/v1/meetings/<int:meeting_id>/log.csv": Plan(),
    "GET /api/v1/meetings/<int:meeting_id>/log.jsonl": Plan(),
    "GET /api/v1/meetings/<int:meeting_id>/log.xlsx": Plan(),
    "GET /api/v1/meetings/<int:meeting_id>/minutes.<any(md, html, docx):fmt>": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/minutes/approve": Plan(
        json={"adjusters": ["Anna"]},
        values=lambda w: {"meeting_id": w.values["closed_meeting_id"]},
    ),
    "GET /api/v1/meetings/<int:meeting_id>/minutes/versions": Plan(),
    "GET /api/v1/meetings/<int:meeting_id>/notice.<any(html, docx, ics):fmt>": Plan(),
    "GET /api/v1/meetings/<int:meeting_id>/participants.csv": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/participants/<pseudonym>/removal": Plan(
        values=lambda w: {"pseudonym": w.spare["to_remove"]}
    ),
    "DELETE /api/v1/meetings/<int:meeting_id>/participants/<pseudonym>/removal": Plan(
        values=lambda w: {"pseudonym": w.spare["removed"]}
    ),
    "GET /api/v1/meetings/<int:meeting_id>/phase": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/phase": Plan(json={"phase": "forming"}),
    "POST /api/v1/meetings/<int:meeting_id>/questions": Plan(json={"text": "Vem ansvarar?"}),
    "PATCH /api/v1/meetings/<int:meeting_id>/questions/<int:question_id>": Plan(
        json={"status": "open"}
    ),
    "GET /api/v1/meetings/<int:meeting_id>/screen": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/screen": Plan(json={"show_goals": False}),
    "GET /api/v1/meetings/<int:meeting_id>/screen-link": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/screen-link": Plan(values=_spare_meeting),
    "DELETE /api/v1/meetings/<int:meeting_id>/screen-link": Plan(values=_spare_meeting),
    "GET /api/v1/meetings/<int:meeting_id>/self-evaluation": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/self-evaluation": Plan(),
    "POST /api/v1/meetings/<int:meeting_id>/start": Plan(),
    "PUT /api/v1/meetings/<int:meeting_id>/starting-point": Plan(json={"text": "Fallet Kim"}),
    "GET /api/v1/meetings/<int:meeting_id>/starting-point/image": Plan(),
    "PUT /api/v1/meetings/<int:meeting_id>/starting-point/image": Plan(raw=png()),
    "DELETE /api/v1/meetings/<int:meeting_id>/starting-point/image": Plan(values=_spare_meeting),
}
# Run last: it changes each user's password (the row's own login stays open).
LAST = ("POST /account/password",)


def route_rows(app) -> dict[str, object]:
    """Every route of the app as the matrix names it, ``METHOD /rule`` (one row per method
    of a rule), with its rule."""
    return {
        f"{method} {rule.rule}": rule
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    }


def _choices(rule) -> list[dict]:
    """One set of values per choice of each ``<any(...)>`` in the rule."""
    found = re.findall(r"<any\(([^)]*)\):(\w+)>", rule.rule)
    sets = [{}]
    for options, name in found:
        sets = [
            {**values, name: option.strip()} for values in sets for option in options.split(",")
        ]
    return sets


def _values(w: World, role: str) -> dict:
    values = dict(w.values)
    values.update(
        filename="css/app.css",
        lang="en",
        token_id=w.spare["token"][0]["id"],
        username=w.spare["granted_researcher"],
        # A link held only by the screen role; everyone else's has the right shape and
        # was never made by the server. A setup link (there is a facilitator) is gone.
        token=w.screen_token if role == "screen" else f"{w.values['meeting_id']}.{'A' * 32}",
    )
    return values


def outcome(response, code: str) -> str:
    """A response as the matrix names it: its status, or ``login`` (a redirect to the login
    page) or ``join`` (to the meeting's join page)."""
    if response.status_code in (301, 302, 303):
        location = response.location
        if location.startswith("/?next="):
            return "login"
        if location == f"/j/{code}":
            return "join"
    return str(response.status_code)


def ask(w: World, row: str, rule, role: str, expected: str | None) -> list[str]:
    """What ``role`` gets from the row's route: one outcome per ``<any>`` choice."""
    plan = PLANS[row]
    method = row.split(" ", 1)[0]
    answers = []
    for choice in _choices(rule):
        values = {**_values(w, role), **choice}
        if plan.values:
            values.update(plan.values(w))
        fresh = {}
        if plan.fresh and matrix.allowed(expected):
            fresh = plan.fresh(w, role)
        cookie = fresh.pop("cookie", w.cookies[role])
        values.update(fresh)
        path = rule.build(values, append_unknown=False)[1]
        client = w.app.test_client()
        if cookie:
            client.set_cookie("session", cookie)
        headers = {}
        if path.startswith("/api/") and w.api_tokens[role]:
            headers["Authorization"] = f"Bearer {w.api_tokens[role]}"
        kwargs: dict[str, Any] = {"headers": headers}
        body = plan.body(w, values) if plan.body else plan.json
        if plan.form is not None or (plan.body and not path.startswith("/api/")):
            kwargs["data"] = plan.form if plan.form is not None else body
        elif plan.raw is not None:
            kwargs.update(data=plan.raw, content_type="image/png")
        elif body is not NOTHING:
            kwargs["json"] = body
        response = client.open(path, method=method, **kwargs)
        answers.append(outcome(response, w.values["code"]))
    return answers


def observe_http(w: World) -> dict[str, tuple[str, ...]]:
    rows = route_rows(w.app)
    order = [row for row in sorted(rows) if row not in LAST] + [r for r in LAST if r in rows]
    observed = {}
    for row in order:
        if row not in PLANS or row not in matrix.HTTP:
            continue  # a route without a row: the test of rows says which
        cells = []
        for index, role in enumerate(ROLES):
            expected = matrix.HTTP[row][index]
            answers = set(ask(w, row, rows[row], role, expected))
            cells.append(answers.pop() if len(answers) == 1 else "/".join(sorted(answers)))
        observed[row] = tuple(cells)
    return observed


# -- Socket.IO ----------------------------------------------------------------------------


def _socket(w: World, auth: dict, cookie: str | None = None):
    client = None
    if cookie:
        client = w.app.test_client()
        client.set_cookie("session", cookie)
    return w.app.extensions["socketio"].test_client(w.app, auth=auth, flask_test_client=client)


class Refusals:
    """The ``data`` of each refused connection (``connect_error``), read where the server
    raises it: the test client keeps only that the connection is closed."""

    def __init__(self, app):
        handlers = app.extensions["socketio"].server.handlers["/"]
        self.codes: list[str] = []
        original = self.original = handlers["connect"]

        def connect(*args):
            try:
                return original(*args)
            except ConnectionRefusedError as exc:
                self.codes.append(exc.error_args["data"]["code"])
                raise

        handlers["connect"] = connect
        self.handlers = handlers

    def restore(self) -> None:
        self.handlers["connect"] = self.original


def connect_outcome(w: World, refusals: Refusals, auth: dict, cookie=None):
    """A connection and what it got: ``ok``, or the refusal's code."""
    refusals.codes.clear()
    client = _socket(w, auth, cookie)
    if client.is_connected():
        return client, "ok"
    return None, refusals.codes[-1] if refusals.codes else "refused"


@dataclass(frozen=True)
class Event:
    """A row's payload (naming this meeting's objects), and for a cell the matrix expects
    to succeed, ``fresh(world, role)``: a payload of its own, or a ``token`` to connect
    with instead of the role's."""

    payload: Callable[[World], Any]
    fresh: Callable[[World, str], dict] | None = None


def _own_post(w: World, role: str) -> dict:
    if role != "part":
        return {}
    return {"payload": {"id": w.post(w.tokens[role], "Mitt eget inlägg")}}


def _withdrawing_phone(w: World, role: str) -> dict:
    token = w.spare["withdraw_tokens"].get(role)
    return {"token": token} if token else {}


EVENTS: dict[str, Event] = {
    "contribution:add": Event(
        lambda w: {"client_id": str(uuid.uuid4()), "text": "Vad gäller?", "qtype": None}
    ),
    "reaction:set": Event(
        lambda w: {"contribution_id": w.values["contribution_id"], "kind": "agree"}
    ),
    "self_evaluation:answer": Event(lambda w: {"answers": {SCALE_KEYS[0]: 4}}),
    "participant:consent": Event(
        lambda w: {"consent": True, "consent_version": consent_version(CONSENT)}
    ),
    "contribution:delete": Event(
        lambda w: {"id": w.values["other_contribution_id"]}, fresh=_own_post
    ),
    "participant:withdraw": Event(lambda w: {"confirm": True}, fresh=_withdrawing_phone),
    "contribution:check": Event(lambda w: {"text": "Ring 070-123 45 67"}),
    "meeting:update": Event(lambda w: {"premoderation": False}),
    "contribution:update": Event(lambda w: {"id": w.values["contribution_id"], "qtype": "value"}),
    "contribution:merge": Event(lambda w: {"id": w.values["contribution_id"], "into": None}),
    "agenda:command": Event(lambda w: {"action": "start"}),
    "agenda:edit": Event(lambda w: {"steps": [{"id": step} for step in w.values["step_ids"]]}),
    "agenda:notes": Event(lambda w: {"step_id": w.values["step_id"], "notes": "Anteckning"}),
    "agenda:save_for_group": Event(lambda w: {}),
    "screen:command": Event(lambda w: {"show_goals": False}),
    "starting_point:set": Event(lambda w: {"text": "Fallet Kim"}),
    "question:add": Event(lambda w: {"text": "Vad säger lagen?"}),
    "question:update": Event(lambda w: {"id": w.values["question_id"], "status": "open"}),
    "decision:add": Event(lambda w: {"text": "Vi bjuder in AF."}),
    "action_item:add": Event(lambda w: {"what": "Ring FK", "who": "Bo"}),
    "action_item:update": Event(lambda w: {"id": w.values["item_id"], "status": "open"}),
    "self_evaluation:open": Event(lambda w: {}),
    "phase:decide": Event(lambda w: {"phase": "forming"}),
    "participant:remove": Event(lambda w: {"pseudonym": w.spare["to_remove_for_socket"]}),
    "participant:readmit": Event(lambda w: {"pseudonym": w.spare["removed_for_socket"]}),
}


def observe_sockets(w: World) -> dict[str, tuple[str, ...]]:
    refusals = Refusals(w.app)
    try:
        connections, observed = {}, {}
        cells = []
        for role in ROLES:
            connections[role], answer = connect_outcome(w, refusals, w.socket_auth[role])
            cells.append(answer)
        observed["connect"] = tuple(cells)
        cells = []
        for role in ROLES:
            _, answer = connect_outcome(
                w, refusals, {"meeting_id": w.values["meeting_id"]}, w.cookies[role]
            )
            cells.append(answer)
        observed["connect (browser)"] = tuple(cells)
        for name, event in EVENTS.items():
            cells = []
            for index, role in enumerate(ROLES):
                expected = matrix.SOCKET.get(name, (None,) * len(ROLES))[index]
                connection = connections[role]
                fresh = {}
                if event.fresh and matrix.allowed(expected):
                    fresh = event.fresh(w, role)
                if "token" in fresh:
                    connection, _ = connect_outcome(w, refusals, {"token": fresh["token"]})
                if connection is None:
                    cells.append(matrix.NO_SOCKET)
                    continue
                payload = fresh.get("payload", event.payload(w))
                ack = connection.emit(name, payload, callback=True)
                cells.append("ok" if ack["ok"] else ack["error"]["code"])
            observed[name] = tuple(cells)
        return observed
    finally:
        refusals.restore()


# -- the tests ------------------------------------------------------------------------------


def _differences(observed: dict, expected: dict) -> list[str]:
    return [
        f"{row} as {role}: the matrix says {want}, the server answered {got}"
        for row, cells in observed.items()
        for role, want, got in zip(ROLES, expected[row], cells, strict=True)
        if want != got
    ]


def test_every_route_and_every_event_has_a_row_in_the_matrix(world):
    routes = set(route_rows(world.app))
    assert routes == set(matrix.HTTP), "routes without a row, or rows without a route"
    assert routes == set(PLANS)
    events = set(sockets.PARTICIPANT_EVENTS) | set(sockets.FACILITATOR_EVENTS)
    assert set(matrix.SOCKET) == events | set(matrix.CONNECT_ROWS)
    assert set(EVENTS) == events
    assert all(
        len(cells) == len(ROLES) for cells in [*matrix.HTTP.values(), *matrix.SOCKET.values()]
    )


def test_every_route_answers_every_role_as_the_matrix_says(world):
    observed = observe_http(world)

    assert _differences(observed, matrix.HTTP) == []


def test_every_socket_event_answers_every_role_as_the_matrix_says(world):
    observed = observe_sockets(world)

    assert _differences(observed, matrix.SOCKET) == []


def test_no_user_revokes_another_users_api_token(world):
    row, token = world.spare["token"]
    for role in ("fac_other", "res", "res_other"):
        client = world.app.test_client()
        client.set_cookie("session", world.cookies[role])
        client.post(f"/account/tokens/{row['id']}/revoke")
    answer = world.app.test_client().get(
        "/api/v1/groups", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200


def test_another_facilitator_cannot_reach_this_meetings_objects_from_their_own_meeting(world):
    """The ids in a path or a payload are looked up in the caller's own meeting or group:
    another facilitator's meeting with this meeting's ids finds nothing."""
    w = world
    other_meeting, other_group = w.values["other_meeting_id"], w.values["other_group_id"]
    own_post = w.post(w.tokens["part_other"], "Ett inlägg i det andra mötet")
    before = ops.participation.contributions(w.db, w.values["meeting_id"])
    api = {"Authorization": f"Bearer {w.api_tokens['fac_other']}"}
    base = f"/api/v1/meetings/{other_meeting}"
    requests = [
        ("PATCH", f"{base}/contributions/{w.values['contribution_id']}", {"hidden": True}),
        ("POST", f"{base}/contributions/{w.values['contribution_id']}/merge", {"into": None}),
        ("POST", f"{base}/contributions/{own_post}/merge", {"into": w.values["contribution_id"]}),
        ("POST", f"{base}/contributions/{w.values['contribution_id']}/redact", {}),
        ("PATCH", f"{base}/questions/{w.values['question_id']}", {"status": "answered"}),
        ("PATCH", f"{base}/action-items/{w.values['item_id']}", {"status": "done"}),
        ("PUT", f"{base}/agenda/{w.values['step_id']}/notes", {"notes": "x"}),
        ("POST", f"{base}/screen", {"pin": w.values["contribution_id"]}),
        (
            "PATCH",
            f"/api/v1/groups/{other_group}/cases/{w.values['case_id']}",
            {"outcome": "failed"},
        ),
        (
            "PATCH",
            f"/api/v1/groups/{other_group}/participants/{w.values['pseudonym']}",
            {"organization": "AF"},
        ),
    ]
    for method, path, body in requests:
        answer = w.app.test_client().open(path, method=method, json=body, headers=api)
        assert answer.status_code == 404, (method, path, answer.get_json())
        assert answer.get_json()["error"]["code"].endswith("_not_found")
    console = _socket(w, {"api_token": w.api_tokens["fac_other"], "meeting_id": other_meeting})
    assert console.is_connected()
    payloads = [
        ("contribution:update", {"id": w.values["contribution_id"], "hidden": True}),
        ("contribution:merge", {"id": own_post, "into": w.values["contribution_id"]}),
        ("agenda:command", {"action": "goto", "step_id": w.values["step_id"]}),
        ("agenda:edit", {"steps": [{"id": w.values["step_id"], "title": "Min"}]}),
        ("agenda:notes", {"step_id": w.values["step_id"], "notes": "x"}),
        ("question:update", {"id": w.values["question_id"], "status": "answered"}),
        ("action_item:update", {"id": w.values["item_id"], "status": "done"}),
        ("screen:command", {"pin": w.values["contribution_id"]}),
    ]
    for name, payload in payloads:
        ack = console.emit(name, payload, callback=True)
        assert ack["ok"] is False and ack["error"]["code"].endswith("_not_found"), (name, ack)
    assert ops.participation.contributions(w.db, w.values["meeting_id"]) == before


def test_docs_security_publishes_the_matrix():
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert matrix.matrix_tables() in page
