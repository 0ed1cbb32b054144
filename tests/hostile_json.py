"""What the property-based tests share: Hypothesis strategies for any JSON a client could
send (nested, huge numbers, NaN, lone surrogates, wrong types for each known field), a small
meeting to send it to, and a fingerprint of the database that tells whether anything was
stored.

Used by ``tests/web/test_property_bodies.py`` (every JSON route) and
``tests/web/test_property_socket_payloads.py`` (every Socket.IO event).
"""

from __future__ import annotations

import signal
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from helpers import PASSWORD, app_config
from pblapp import create_app, ops

# Every example shares its test's meeting (that is the point: a refusal must leave it as
# it was); modest numbers of examples, and no example database left in the project. The
# examples are the same on every run, so that a run of `make test` never fails by chance.
SETTINGS = settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Numbers at and around the edges: SQLite's integer range, JavaScript's safe integers.
EDGE_INTEGERS = (0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30)

text = st.text(st.characters(exclude_categories=()), max_size=40)  # surrogates included
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(EDGE_INTEGERS),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)

# Values that pass a field's first check, so that examples reach the later ones.
PLAUSIBLE = (
    "pbl",
    "reference",
    "sv",
    "en",
    "FK",
    "AF",
    "P01",
    "P02",
    "Basgrupp",
    "Europe/Stockholm",
    "2026-03-02T13:00:00Z",
    "0999-01-01T00:00:00Z",
    "2026-03-02",
    "pbl-cycle",
    "free",
    "start",
    "next",
    "goto",
    "pause",
    "open",
    "done",
    "answered",
    "meaning",
    "value",
    "agree",
    "storming",
    "name",
    "notes",
    "protocol",
    "delete",
    "successful",
    "client",
    "forskare",
    str(uuid.UUID(int=1)),
    1,
    2,
    3,
    5,
    [],
    {},
    [{"code": "FK", "name": "Försäkringskassan"}],
    [{"title": "Steg"}],
    {"pseudonym": "P01"},
    {"change": "Mer tid", "roles_clear": 4},
)


# Texts every text field must refuse or store as text.
HOSTILE_TEXTS = ("", " ", "\x00", "a\x00b", "\ud800", "x\udfff", "\u200b", "\x1b[31m", "x" * 2001)
hostile = st.sampled_from(HOSTILE_TEXTS)
field_values = st.one_of(
    st.sampled_from(PLAUSIBLE),
    hostile,
    hostile,
    st.lists(hostile, min_size=1, max_size=3),
    st.lists(st.one_of(hostile, st.sampled_from(PLAUSIBLE)), min_size=1, max_size=3),
    json_values,
)


def plausible_for(keys):
    """A JSON object of some of ``keys`` (each value plausible, hostile, or anything at
    all), at times with an unknown field too."""
    known = st.dictionaries(st.sampled_from(sorted(keys)), field_values, min_size=1)
    extra = st.dictionaries(text, field_values, min_size=1, max_size=2)
    return st.one_of(known, known, known, st.builds(lambda a, b: {**a, **b}, known, extra))


def mutations(valid: dict, keys):
    """``valid`` with one thing wrong: a field changed to a hostile, odd or mistyped value,
    a field left out, or an unknown one added."""
    fields = sorted(set(keys) | set(valid))
    added = st.builds(lambda k, v: {**valid, k: v}, text, field_values)
    if not fields:
        return added
    changed = st.builds(lambda k, v: {**valid, k: v}, st.sampled_from(fields), field_values)
    if not valid:
        return st.one_of(changed, added)
    dropped = st.sampled_from(sorted(valid)).map(
        lambda gone: {k: v for k, v in valid.items() if k != gone}
    )
    return st.one_of(changed, changed, changed, dropped, added)


def payloads(keys, valid: dict | None = None):
    """Anything a client could send for an event or a body whose fields are ``keys``:
    mostly a ``valid`` one with one thing wrong, or objects of those fields, else any JSON
    value."""
    options = [json_values]
    if keys:
        options += [plausible_for(keys)] * 2
    if valid is not None:
        options += [mutations(valid, keys)] * 4
    return st.one_of(*options)


class TooSlow(Exception):
    pass


@contextmanager
def within(seconds: int):
    """Fail an example that takes longer than ``seconds``: an answer that never comes."""

    def alarm(*_):
        raise TooSlow(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def fingerprint(database) -> dict[str, int]:
    """The number of rows in every table, and the log's last ``seq``: equal before and
    after a request exactly when it stored nothing (and deleted nothing)."""
    tables = [
        row["name"]
        for row in database.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts = {
        name: database.query_one(f'SELECT count(*) AS n FROM "{name}"')["n"] for name in tables
    }
    counts["events.seq"] = database.query_one("SELECT coalesce(max(seq), 0) AS n FROM events")["n"]
    return counts


def make_app(data_dir) -> object:
    return create_app(app_config(Path(data_dir), DATA_DIR=str(data_dir)))


@dataclass
class World:
    """A group with a live meeting (two participants, their posts, a question, an action
    item, a case story), a planned meeting and a closed one, and a researcher to grant."""

    app: object
    headers: dict
    facilitator_token: str
    group_id: int
    live: dict
    planned: dict
    closed: dict
    step_id: int
    question_id: int
    item_id: int
    contribution_id: int
    other_contribution_id: int
    case_id: int
    tokens: list[str]

    @property
    def database(self):
        return self.app.extensions["pblapp.db"]


def users(app) -> tuple[str, str]:
    """A facilitator's API token; a researcher named ``forskare`` exists too."""
    database = app.extensions["pblapp.db"]
    _, token = ops.accounts.create_user(database, "Handledare Hanna", "facilitator", PASSWORD)
    ops.accounts.create_user(database, "forskare", "researcher", PASSWORD)
    return token


def build_world(app, token: str) -> World:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def send(method, path, body=None):
        answer = client.open("/api/v1" + path, method=method, json=body, headers=headers)
        assert answer.status_code in (200, 201), (path, answer.get_json())
        return answer.get_json()

    group = send("POST", "/groups", {"name": "Basgrupp Motala", "kind": "pbl"})
    gid = group["id"]
    live = send("POST", f"/groups/{gid}/meetings", {"title": "Dag 180"})
    planned = send("POST", f"/groups/{gid}/meetings", {})
    closed = send("POST", f"/groups/{gid}/meetings", {})
    for meeting in (closed, live):
        send("POST", f"/meetings/{meeting['id']}/start")
    send("POST", f"/meetings/{closed['id']}/close")
    tokens, posts = [], []
    for name, organization in (("Anna", "FK"), ("Bo", "AF")):
        joined = client.post(
            f"/j/{live['join_code']}",
            json={"display_name": name, "organization": organization, "consent": True},
        ).get_json()
        tokens.append(joined["token"])
        attendance = ops.participation.attendance(app.extensions["pblapp.db"], joined["token"])
        payload = {"client_id": str(uuid.uuid4()), "text": f"{name}s fråga", "qtype": None}
        posts.append(ops.participation.post(app.extensions["pblapp.db"], attendance, payload)[0])
    mid = live["id"]
    followups = send("POST", f"/meetings/{mid}/questions", {"text": "Vad gäller?"})
    send("POST", f"/meetings/{mid}/action-items", {"what": "Ring AF", "who": "Anna"})
    followups = send("GET", f"/meetings/{mid}/followups")
    case = send("POST", f"/groups/{gid}/cases", {"contribution_id": posts[0]["id"]})
    agenda = send("GET", f"/meetings/{mid}/agenda")
    return World(
        app=app,
        headers=headers,
        facilitator_token=token,
        group_id=gid,
        live=live,
        planned=planned,
        closed=closed,
        step_id=agenda["steps"][0]["id"],
        question_id=followups["questions"][0]["id"],
        item_id=followups["action_items"][0]["id"],
        contribution_id=posts[0]["id"],
        other_contribution_id=posts[1]["id"],
        case_id=case["id"],
        tokens=tokens,
    )
