"""Property-based: every Socket.IO event, sent any payload at all, gets an ack: ``ok: true``,
or ``ok: false`` with a code, never ``internal_error`` and never silence; a refused payload
stores nothing. The same for the ``auth`` of a connection, and for raw packets that are not
valid Socket.IO.

The events are read from the server itself (``PARTICIPANT_EVENTS`` from a phone,
``FACILITATOR_EVENTS`` from the facilitator's program), so a new event is covered the day it
is added. Payloads: any JSON value, the event's own fields with right and wrong values, none
at all, or several arguments where one is expected. Through Flask-SocketIO's test client, in
process, over a real SQLite file.
"""

from __future__ import annotations

import uuid

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

from helpers import sio
from pblapp.web.sockets import FACILITATOR_EVENTS, PARTICIPANT_EVENTS

# A payload each event takes, from which the tests make ones with a thing wrong.
VALID = {
    "contribution:add": lambda w: {"client_id": str(uuid.uuid4()), "text": "Vad gäller?"},
    "reaction:set": lambda w: {"contribution_id": w.other_contribution_id, "kind": "agree"},
    "self_evaluation:answer": lambda w: {"answers": {"roles_clear": 4, "change": "Mer tid"}},
    "participant:consent": lambda w: {"consent": True, "consent_version": "x"},
    "participant:withdraw": lambda w: {"confirm": True},
    "contribution:delete": lambda w: {"id": w.contribution_id},
    "contribution:update": lambda w: {"id": w.contribution_id, "hidden": False},
    "contribution:merge": lambda w: {"id": w.contribution_id, "into": w.other_contribution_id},
    "agenda:command": lambda w: {"action": "start"},
    "agenda:edit": lambda w: {"steps": [{"id": w.step_id, "title": "Steg"}]},
    "agenda:notes": lambda w: {"step_id": w.step_id, "notes": "Anteckning"},
    "agenda:save_for_group": lambda w: {},
    "screen:command": lambda w: {"show_goals": True},
    "starting_point:set": lambda w: {"text": "Fallet Eva"},
    "question:add": lambda w: {"text": "Vad gäller?", "owner": {"pseudonym": "P01"}},
    "question:update": lambda w: {"id": w.question_id, "status": "open"},
    "decision:add": lambda w: {"text": "Vi bjuder in AF"},
    "action_item:add": lambda w: {"what": "Ring AF", "who": "Anna", "due": "2026-03-02"},
    "action_item:update": lambda w: {"id": w.item_id, "status": "done"},
    "self_evaluation:open": lambda w: {},
    "phase:decide": lambda w: {"phase": "storming", "note": "Mycket diskussion"},
    "participant:remove": lambda w: {"pseudonym": "P02"},
    "participant:readmit": lambda w: {"pseudonym": "P02"},
}
# Fields an event does not take but a client might send (the contribution update's newer
# ones, an id where none belongs).
EXTRA_FIELDS = {"id", "meeting_id", "approved", "reason", "clear_flags", "qtype", "carry_forward"}
EVENTS = sorted(PARTICIPANT_EVENTS) + sorted(FACILITATOR_EVENTS)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("property-sockets"))
    with app.app_context():
        app.config["FACILITATOR_TOKEN"] = users(app)
        yield app


def connected(app, event: str):
    """A fresh world, and the socket that may send ``event``: Anna's phone for a
    participant's event, the facilitator's program for the rest."""
    world = build_world(app, app.config["FACILITATOR_TOKEN"])
    if event in PARTICIPANT_EVENTS:
        if event == "self_evaluation:answer":
            answer = app.test_client().post(
                f"/api/v1/meetings/{world.live['id']}/self-evaluation", headers=world.headers
            )
            assert answer.status_code == 200
        socket = sio(app, auth={"token": world.tokens[0]})
    else:
        socket = sio(
            app, auth={"api_token": world.facilitator_token, "meeting_id": world.live["id"]}
        )
    assert socket.is_connected()
    socket.get_received()
    return world, socket


def arguments(event: str, world):
    """The event's arguments: one payload (a valid one with one thing wrong, the event's
    fields, any JSON), or none."""
    valid = VALID[event](world) if event in VALID else None
    keys = set(valid or {}) | EXTRA_FIELDS
    return st.one_of(payloads(keys, valid).map(lambda payload: [payload]), st.just([]))


def assert_answered(ack) -> bool:
    """An ack ``ok: true``, or ``ok: false`` with a code that is not ``internal_error``;
    whether it refused."""
    assert isinstance(ack, dict), f"no ack, or not an object: {ack!r}"
    if ack.get("ok") is True:
        return False
    assert ack.get("ok") is False, ack
    code = ack.get("error", {}).get("code")
    assert isinstance(code, str) and code and code != "internal_error", ack
    return True


@pytest.mark.parametrize("event", EVENTS)
def test_any_payload_gets_an_ack_with_a_code_and_a_refusal_stores_nothing(app, event):
    world, socket = connected(app, event)

    @SETTINGS
    @given(args=arguments(event, world))
    def answers(args: list):
        before = fingerprint(world.database)
        with within(10):
            ack = socket.emit(event, *args, callback=True)
        socket.get_received()
        if assert_answered(ack):
            assert fingerprint(world.database) == before, (event, args, ack)

    answers()


def test_an_event_sent_with_several_arguments_is_refused_with_a_code(app):
    """A client that sends two or three arguments where the event takes one payload."""
    world = build_world(app, app.config["FACILITATOR_TOKEN"])
    phone = sio(app, auth={"token": world.tokens[0]})
    program = sio(app, auth={"api_token": world.facilitator_token, "meeting_id": world.live["id"]})
    for event in EVENTS:
        socket = phone if event in PARTICIPANT_EVENTS else program
        valid = VALID[event](world) if event in VALID else {}
        for extra in ([valid], [valid, "x"]):
            before = fingerprint(world.database)
            ack = socket.emit(event, valid, *extra, callback=True)
            ack = ack[0] if isinstance(ack, list) else ack
            assert assert_answered(ack), (event, ack)
            assert fingerprint(world.database) == before, event


@pytest.mark.parametrize("event", EVENTS)
def test_an_event_from_the_wrong_side_is_refused_and_stores_nothing(app, event):
    world = build_world(app, app.config["FACILITATOR_TOKEN"])
    phone = sio(app, auth={"token": world.tokens[0]})
    program = sio(app, auth={"api_token": world.facilitator_token, "meeting_id": world.live["id"]})
    wrong = program if event in PARTICIPANT_EVENTS else phone
    before = fingerprint(world.database)
    ack = wrong.emit(event, VALID[event](world) if event in VALID else {}, callback=True)
    assert assert_answered(ack)
    assert ack["error"]["code"] in ("not_participant", "forbidden"), ack
    assert fingerprint(world.database) == before


def test_any_auth_connects_or_is_refused_and_stores_nothing(app):
    world = build_world(app, app.config["FACILITATOR_TOKEN"])
    keys = {"token", "api_token", "meeting_id", "since_seq", "view", "batch", "screen_token"}
    valid = {"token": world.tokens[0], "since_seq": 0}

    @SETTINGS
    @given(auth=payloads(keys, valid))
    def connects(auth):
        before = fingerprint(world.database)
        with within(10):
            socket = sio(app, auth=auth)
        if socket.is_connected():
            assert socket.get_received()[0]["name"] == "meeting:state"
            socket.disconnect()
        assert fingerprint(world.database) == before

    connects()


def test_a_raw_packet_that_is_no_event_gets_a_refusal_with_a_code(app):
    """What a broken or hostile client writes on the wire: an event packet with an ack id
    whose data is anything at all."""
    world, phone = connected(app, "contribution:add")
    server = app.extensions["socketio"].server
    # After the packet type and its ack id (2 and 7); never a digit first, which would
    # only make the id longer.
    data = st.one_of(
        st.text(max_size=60).filter(lambda text: not text[:1].isdigit()),
        st.sampled_from(["", "[", "[]", "[1]", "{}", '["x"]', "[null]", '["contribution:add",']),
        st.integers(min_value=1, max_value=5000).map(lambda n: '["x",' + "[" * n + "]" * n + "]"),
    )

    @SETTINGS
    @given(data=data)
    def refused(data: str):
        before = fingerprint(world.database)
        phone.acks = None
        with within(10):
            server._handle_eio_message(phone.eio_sid, "2" + "7" + data)
        ack = phone.acks["args"][0] if phone.acks else None
        if assert_answered(ack):
            assert fingerprint(world.database) == before, (data, ack)
        phone.get_received()

    refused()
    # And the phone is still heard.
    post = {"client_id": str(uuid.uuid4()), "text": "Fortfarande här"}
    assert phone.emit("contribution:add", post, callback=True)["ok"]
