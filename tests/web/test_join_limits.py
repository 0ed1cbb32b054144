"""Joins and code lookups are limited per address, generously: a room of 60 phones behind
one NAT address gets in, a script guessing codes is slowed to one a second, and the
machine itself is not limited unless the server runs behind a proxy."""

import pytest

from pblapp.domain import rate_limit

NAT = {"REMOTE_ADDR": "10.20.30.40"}


@pytest.fixture(autouse=True)
def a_clock_that_stands_still(app):
    """The buckets' clock stands still: a bucket of 300 refills one a second, and on a slow
    machine 300 requests take longer than that, which would make the counts below vary."""
    app.extensions["pblapp.buckets"].clock = lambda: 1000.0


def _join(client, code, n, environ=NAT):
    return client.post(
        f"/j/{code}",
        json={"display_name": f"Deltagare {n}", "organization": "FK", "consent": True},
        environ_base=environ,
    )


def test_sixty_phones_behind_one_address_all_get_in_within_the_minute(client, live_meeting):
    code = live_meeting["join_code"]
    for n in range(60):
        # Each phone opens the code page, the join page, then joins.
        assert client.get(f"/j?code={code}", environ_base=NAT).status_code == 302
        assert client.get(f"/j/{code}", environ_base=NAT).status_code == 200
        assert _join(client, code, n).status_code == 200
    # And the phone page of each (the JSON join gave no cookie: back to the join form).
    for _ in range(60):
        assert client.get(f"/j/{code}/live", environ_base=NAT).status_code == 302


def test_a_guesser_is_refused_with_the_wait_once_the_bucket_is_empty(client, live_meeting):
    answers = [
        client.get(f"/j/ABC{n:03d}", environ_base=NAT).status_code
        for n in range(int(rate_limit.JOINS.capacity))
    ]
    assert set(answers) == {404}
    page = client.get("/j/ZZZZZZ", environ_base=NAT)
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) >= 1
    assert "För många försök" in page.get_data(as_text=True)
    json_join = _join(client, live_meeting["join_code"], 1)
    assert json_join.status_code == 429
    error = json_join.get_json()["error"]
    assert error["code"] == "rate_limited" and 0 < error["retry_after"] <= 1.0
    # Another address is not held up.
    other = {"REMOTE_ADDR": "10.20.30.41"}
    assert _join(client, live_meeting["join_code"], 2, other).status_code == 200


def test_the_machine_itself_is_not_limited_unless_behind_a_proxy(app, client, live_meeting):
    local = {"REMOTE_ADDR": "127.0.0.1"}
    n = int(rate_limit.JOINS.capacity) + 5
    assert all(client.get("/j/ABCDEF", environ_base=local).status_code == 404 for _ in range(n))
    app.config["PROXY"] = True
    codes = [client.get("/j/ABCDEF", environ_base=local).status_code for _ in range(n)]
    assert codes.count(429) == 5


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/j/ABCDEF/live"), ("POST", "/j/ABCDEF/consent"), ("POST", "/j/ABCDEF/withdraw")],
)
def test_every_route_that_names_a_code_takes_from_the_same_bucket(client, method, path):
    answers = [
        client.open(path, method=method, environ_base=NAT).status_code
        for _ in range(int(rate_limit.JOINS.capacity) + 3)
    ]
    assert set(answers[:-3]) == {404} and answers[-3:] == [429, 429, 429]


@pytest.mark.parametrize("path", ["/j", "/", "/healthz"])
def test_pages_that_look_up_no_code_take_nothing(client, path):
    for _ in range(int(rate_limit.JOINS.capacity) + 1):
        assert client.get(path, environ_base=NAT).status_code != 429
