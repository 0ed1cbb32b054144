"""The OpenAPI description of the JSON API (``GET /api/v1/openapi.json``): it names every
route of ``/api/v1`` and no other, it is a valid OpenAPI 3.1 document, and requests that
``schemathesis`` generates from it, sent to a real server with an API token, never get a
server error and are answered as the document says."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
import schemathesis
import socketio
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from helpers import ServerProcess, api, new_user_token
from pblapp import create_app
from pblapp.web.openapi import PREFIX, document

# Generated requests per operation: half of them valid by the document, half not.
EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _documented(rule: str) -> list[str]:
    """A Flask rule as the document's paths write it: ``<int:meeting_id>`` as
    ``{meeting_id}``, one path per choice of ``<any(md, html):fmt>``, without the
    prefix."""
    paths = [rule.removeprefix(PREFIX)]
    match = re.search(r"<any\(([^)]*)\):\w+>", rule)
    if match:
        paths = [paths[0].replace(match[0], option.strip()) for option in match[1].split(",")]
    return [re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path) for path in paths]


def test_the_document_names_every_api_route_and_no_other(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SECRET_KEY": "test"})
    routes = {
        (path, method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for path in _documented(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {
        (path, method)
        for path, item in document()["paths"].items()
        for method in item
        if method != "parameters"
    }

    assert routes - described == set(), "routes the document does not describe"
    assert described - routes == set(), "operations the server does not have"


def test_the_document_is_valid_openapi_and_served_to_anyone(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SECRET_KEY": "test"})
    answer = app.test_client().get("/api/v1/openapi.json")

    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.get_json() == document()
    assert answer.get_json()["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(answer.get_json()).validate()


def _world(server: ServerProcess, token: str) -> dict:
    """A group with a live meeting holding two posts, a case story, a question and an
    action item, and a closed meeting: the ids the generated requests use."""
    group = api(
        server,
        token,
        "POST",
        "/groups",
        json={"name": "Basgrupp Motala", "kind": "pbl", "consent_text": "Jag samtycker."},
    )
    gid = group["id"]
    closed = api(server, token, "POST", f"/groups/{gid}/meetings", json={})
    api(server, token, "POST", f"/meetings/{closed['id']}/start")
    api(server, token, "POST", f"/meetings/{closed['id']}/close")
    meeting = api(server, token, "POST", f"/groups/{gid}/meetings", json={"title": "Dag 180"})
    mid = meeting["id"]
    api(server, token, "POST", f"/meetings/{mid}/start")
    joined = requests.post(
        f"{server.url}/j/{meeting['join_code']}",
        json={"display_name": "Anna", "organization": "FK", "consent": True},
        timeout=10,
    ).json()
    phone = socketio.Client(reconnection=False)
    phone.connect(server.url, auth={"token": joined["token"]}, transports=["websocket"])
    posts = []
    for text in ("Vad innebär dag 180?", "Vem bär ansvaret?"):
        payload = {"client_id": str(uuid.uuid4()), "text": text, "qtype": None}
        posts.append(phone.call("contribution:add", payload, timeout=10)["contribution"]["id"])
    phone.disconnect()
    case = api(server, token, "POST", f"/groups/{gid}/cases", json={"contribution_id": posts[0]})
    questions = api(server, token, "POST", f"/meetings/{mid}/questions", json={"text": "Varför?"})
    items = api(
        server, token, "POST", f"/meetings/{mid}/action-items", json={"what": "Ring", "who": "Bo"}
    )
    agenda = api(server, token, "GET", f"/meetings/{mid}/agenda")
    return {
        "group_id": gid,
        "meeting_id": mid,
        "contribution_id": posts[1],
        "case_id": case["id"],
        "question_id": questions["questions"][-1]["id"],
        "item_id": items["action_items"][-1]["id"],
        "step_id": agenda["steps"][0]["id"],
        "pseudonym": joined["participant"]["pseudonym"],
        "username": "Forskare Frida",
    }


def _last(operation) -> tuple[int, str]:
    """Changes that end things (closing, erasing, deleting) go last, so that the others
    meet a live meeting."""
    ending = operation.method == "DELETE" or operation.path.endswith(
        ("/close", "/erase", "/withdraw", "/removal")
    )
    return (1 if ending else 0, f"{operation.path} {operation.method}")


@pytest.mark.server
def test_generated_requests_get_no_server_error_and_documented_answers(tmp_path):
    data_dir = tmp_path / "server-data"
    token = new_user_token(data_dir, "Handledare Hanna")
    server = ServerProcess(data_dir).start()
    try:
        ids = _world(server, token)
        schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")
        auth = {"Authorization": f"Bearer {token}"}
        operations = sorted((result.ok() for result in schema.get_all_operations()), key=_last)
        failures = []
        for operation in operations:
            fixed = {name: ids[name] for name in re.findall(r"{(\w+)}", operation.path)}
            cases = st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
                operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
            )

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,  # the same requests on every run: no failure by chance
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(cases)
            def run(case):
                case.call_and_validate(base_url=server.url + PREFIX, headers=auth, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # noqa: BLE001 - every operation's failure is reported
                failures.append(f"{operation.method} {operation.path}: {exc}")
        assert failures == []
    finally:
        server.stop()
