"""Property-based: every JSON route, sent any body at all, answers a success or a 4xx with a
code in the API's error format, never a server error, an exception or silence, and a refused
body stores nothing.

The routes are read from the app itself (every ``POST``, ``PUT`` and ``PATCH`` under
``/api/v1``, and the phone's JSON join), so a new route is covered the day it is added. The
bodies: any JSON value (nested lists and objects, huge integers, NaN and infinities, lone
surrogates), objects of the route's own fields with right and wrong values, bytes that are no
JSON or no UTF-8, and nesting thousands deep.
"""

from __future__ import annotations

import json
import tempfile

import pytest
from hostile_json import (
    SETTINGS,
    build_world,
    fingerprint,
    make_app,
    payloads,
    users,
    within,
)
from hypothesis import given
from hypothesis import strategies as st

from pblapp.domain.validation import MEETING_FIELDS

GROUP_FIELDS = {
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
}
CASE_FIELDS = {"text", "outcome", "organization", "problem", "decisive_factor", "perspective"}
# Each route's own fields (by endpoint); a route not named here gets any JSON at all.
FIELDS = {
    "api.create_group": GROUP_FIELDS,
    "api.update_group": GROUP_FIELDS - {"kind"},
    "api.create_meeting": {"title", "scheduled_at", "agenda"},
    "api.update_meeting": MEETING_FIELDS | {"premoderation"},
    "api.command_agenda": {"action", "step_id"},
    "api.edit_agenda": {"steps"},
    "api.set_agenda_notes": {"notes"},
    "api.add_question": {"text", "owner"},
    "api.update_question": {"status", "text", "owner"},
    "api.add_decision": {"text"},
    "api.add_action_item": {"what", "who", "due"},
    "api.update_action_item": {"status"},
    "api.command_screen": {
        "pin",
        "hide_contributions",
        "show_goals",
        "show_starting_point",
        "show_carried_questions",
        "show_reactions",
        "show_timeline",
        "author_display",
    },
    "api.update_contribution": {"qtype", "hidden", "carry_forward", "approved", "clear_flags"},
    "api.merge_contribution": {"into"},
    "api.set_starting_point": {"text"},
    "development.decide_phase": {"phase", "note"},
    "exports.add_case": CASE_FIELDS | {"contribution_id", "meeting_id"},
    "exports.update_case": CASE_FIELDS,
    "minutes_versions.approve": {"adjusters"},
    "privacy.redact": {"replacement"},
    "research.add_grant": {"username"},
    "research.update_participant": {"organization"},
    "research.merge_participant": {"into"},
    "research.add_attendance": {"pseudonym", "consent"},
    "phone.join": {"display_name", "organization", "consent", "consent_version"},
}


# A body each route takes (by endpoint), from which the tests make ones with a thing wrong.
VALID = {
    "api.create_group": lambda w: {"name": "Basgrupp", "kind": "pbl"},
    "api.update_group": lambda w: {"name": "Basgrupp Linköping"},
    "api.create_meeting": lambda w: {"title": "Möte"},
    "api.update_meeting": lambda w: {"place": "Rum 3"},
    "api.command_agenda": lambda w: {"action": "start"},
    "api.edit_agenda": lambda w: {"steps": [{"id": w.step_id, "title": "Steg"}]},
    "api.set_agenda_notes": lambda w: {"notes": "Anteckning"},
    "api.add_question": lambda w: {"text": "Vad gäller?"},
    "api.update_question": lambda w: {"status": "open"},
    "api.add_decision": lambda w: {"text": "Vi bjuder in AF"},
    "api.add_action_item": lambda w: {"what": "Ring AF", "who": "Anna"},
    "api.update_action_item": lambda w: {"status": "done"},
    "api.command_screen": lambda w: {"show_goals": True},
    "api.update_contribution": lambda w: {"hidden": False},
    "api.merge_contribution": lambda w: {"into": w.other_contribution_id},
    "api.set_starting_point": lambda w: {"text": "Fallet Eva"},
    "development.decide_phase": lambda w: {"phase": "storming"},
    "exports.add_case": lambda w: {"text": "Eva fick hjälp", "meeting_id": w.live["id"]},
    "exports.update_case": lambda w: {"outcome": "failed"},
    "minutes_versions.approve": lambda w: {"adjusters": ["Anna"]},
    "privacy.redact": lambda w: {"replacement": "[maskerat]"},
    "research.add_grant": lambda w: {"username": "forskare"},
    "research.update_participant": lambda w: {"organization": "AF"},
    "research.merge_participant": lambda w: {"into": "P02"},
    "research.add_attendance": lambda w: {"pseudonym": "P02"},
    "phone.join": lambda w: {"display_name": "Cecilia", "organization": "FK", "consent": True},
}


def json_routes() -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every route that takes a JSON body."""
    with tempfile.TemporaryDirectory() as data:
        app = make_app(data)
        rules = list(app.url_map.iter_rules())
        app.extensions["pblapp.db"].close()
    found = []
    for rule in rules:
        if not (rule.rule.startswith("/api/v1/") or rule.endpoint == "phone.join"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            found.append((method, rule.rule, rule.endpoint))
    return sorted(found)


ROUTES = json_routes()


def path_of(rule: str, endpoint: str, world) -> str:
    """The rule with the world's own ids: the live meeting, unless the route wants a planned
    (start) or a closed one (approve)."""
    meeting = {"api.start_meeting": world.planned, "minutes_versions.approve": world.closed}.get(
        endpoint, world.live
    )
    values = {
        "group_id": world.group_id,
        "meeting_id": meeting["id"],
        "step_id": world.step_id,
        "question_id": world.question_id,
        "item_id": world.item_id,
        "contribution_id": world.contribution_id,
        "case_id": world.case_id,
        "pseudonym": "P01",
        "code": world.live["join_code"],
    }
    path = rule
    for name, value in values.items():
        for converter in ("int:", ""):
            path = path.replace(f"<{converter}{name}>", str(value))
    assert "<" not in path, path
    return path


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("property-bodies"))
    with app.app_context():
        app.config["FACILITATOR_TOKEN"] = users(app)
        yield app


def bodies(endpoint: str, world):
    """What is sent: a JSON text of any value (mostly a body the route takes with one thing
    wrong), bytes that are not JSON, nesting deeper than any parser's recursion, or no body
    at all."""
    valid = VALID[endpoint](world) if endpoint in VALID else None
    as_json = payloads(FIELDS.get(endpoint, set()), valid).map(
        lambda value: json.dumps(value, allow_nan=True).encode()
    )
    deep = st.integers(min_value=33, max_value=100_000).flatmap(
        lambda n: st.sampled_from(
            ["[" * n + "]" * n, '{"a":' * n + "1" + "}" * n, '{"name":' + "[" * n + "]" * n + "}"]
        ).map(str.encode)
    )
    return st.one_of(as_json, as_json, as_json, st.binary(max_size=40), deep, st.just(b""))


def assert_refused_in_the_api_format_or_done(answer) -> bool:
    """A 2xx, or a 4xx with ``{"error": {"code", "message"}}``; whether it was refused."""
    assert answer.status_code < 500, answer.data[:300]
    if answer.status_code < 400:
        return False
    body = answer.get_json(silent=True)
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), answer.data[:300]
    code = body["error"].get("code")
    assert isinstance(code, str) and code and code != "internal_error", body
    return True


@pytest.mark.parametrize(
    ("method", "rule", "endpoint"), ROUTES, ids=[f"{m} {r}" for m, r, _ in ROUTES]
)
def test_any_body_gets_an_answer_with_a_code_and_a_refusal_stores_nothing(
    app, method, rule, endpoint
):
    world = build_world(app, app.config["FACILITATOR_TOKEN"])
    path = path_of(rule, endpoint, world)
    client = app.test_client()

    @SETTINGS
    @given(body=bodies(endpoint, world))
    def answers(body: bytes):
        before = fingerprint(world.database)
        with within(10):
            answer = client.open(
                path,
                method=method,
                data=body,
                content_type="application/json",
                headers=world.headers,
            )
        if assert_refused_in_the_api_format_or_done(answer):
            assert fingerprint(world.database) == before, (path, body[:200], answer.get_json())

    answers()


def test_the_routes_under_test_include_every_json_route_the_docs_name():
    endpoints = {endpoint for _, _, endpoint in ROUTES}
    assert set(FIELDS) <= endpoints, set(FIELDS) - endpoints
    assert len(ROUTES) >= 30


@pytest.mark.parametrize("value", [None, [], "x", 1, 1.5, True])
def test_a_json_body_that_is_not_an_object_is_refused_on_every_route(app, value):
    """Not random: the same non-object value to every route, as a quick overall check."""
    world = build_world(app, app.config["FACILITATOR_TOKEN"])
    client = app.test_client()
    for method, rule, endpoint in ROUTES:
        if endpoint == "api.set_starting_point_image":
            continue  # its body is an image, not JSON
        answer = client.open(
            path_of(rule, endpoint, world),
            method=method,
            data=json.dumps(value),
            content_type="application/json",
            headers=world.headers,
        )
        assert assert_refused_in_the_api_format_or_done(answer), (rule, answer.get_json())
        assert answer.status_code == 400, (rule, answer.status_code)
