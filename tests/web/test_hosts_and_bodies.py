"""The Host check, the proxy's headers and the secure cookie, and bodies that are too large
or nested too deep, in an app made in-process (the real server has tests/e2e/test_transport.py)."""

import pytest

from helpers import error_code
from pblapp import create_app, netinfo
from pblapp.web.hosts import allowed_names, hostname
from pblapp.web.payloads import MAX_DEPTH, nested_deeper_than


def served_app(tmp_path, **config):
    """An app configured as ``run.py`` configures it (the Host check on)."""
    return create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": "test",
            "PUBLIC_URL": "https://pbl.example.se",
            "ALLOWED_HOSTS": ["rum-4.example.se"],
            **config,
        }
    )


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("localhost:5000", "localhost"),
        ("LocalHost.", "localhost"),
        ("[::1]:5000", "::1"),
        ("[0:0:0:0:0:0:0:1]", "::1"),
        ("192.168.1.20:5000", "192.168.1.20"),
        ("pbl.example.se", "pbl.example.se"),
        ("", None),
        ("evil.example:abc", None),
        ("[::1", None),
        ("[not-an-address]", None),
        ("two words", None),
        ("exämple.se", None),
    ],
)
def test_a_host_header_is_read_as_its_host_name_without_the_port(header, name):
    assert hostname(header) == name


def test_the_allowed_names_are_the_public_urls_host_the_machine_and_the_extra_names():
    assert allowed_names("https://pbl.example.se:8443/", ["Rum-4.example.se:80", "[::1]"]) == {
        "pbl.example.se",
        "rum-4.example.se",
        "localhost",
        "127.0.0.1",
        "::1",
    }


def test_a_request_for_another_host_name_is_refused_everywhere(tmp_path):
    client = served_app(tmp_path).test_client()
    for path in ["/", "/j/ABCDEF", "/healthz", "/socket.io/?EIO=4&transport=polling"]:
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert error_code(response) == "host_not_allowed"


def test_the_public_url_the_machine_and_an_allowed_host_are_served(tmp_path):
    client = served_app(tmp_path).test_client()
    for host in ["pbl.example.se", "rum-4.example.se:5000", "localhost:5000", "127.0.0.1", "[::1]"]:
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host


def test_the_lan_address_the_join_url_shows_is_served(tmp_path):
    address = netinfo.lan_address()
    if address is None:
        pytest.skip("this machine has no LAN address")
    client = served_app(tmp_path, PUBLIC_URL=None).test_client()
    assert client.get("/healthz", headers={"Host": f"{address}:5000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "203.0.113.9:5000"}).status_code == 400


def test_an_app_made_without_allowed_hosts_answers_any_host(client):
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 200


def test_behind_the_proxy_its_forwarded_host_is_checked(tmp_path):
    client = served_app(tmp_path, PROXY=True).test_client()
    forwarded = {"Host": "127.0.0.1:5000", "X-Forwarded-Host": "evil.example"}
    assert client.get("/healthz", headers=forwarded).status_code == 400
    forwarded["X-Forwarded-Host"] = "pbl.example.se"
    assert client.get("/healthz", headers=forwarded).status_code == 200


def _session_cookie(response) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if "session=" in value)


def test_behind_the_proxy_the_session_cookie_is_secure_when_the_browser_used_https(tmp_path):
    app = served_app(tmp_path, PROXY=True, PUBLIC_URL="http://pbl.example.se")
    client = app.test_client()
    https = client.get("/", headers={"Host": "localhost", "X-Forwarded-Proto": "https"})
    assert "; Secure" in _session_cookie(https)
    http = app.test_client().get("/", headers={"Host": "localhost"})
    assert "; Secure" not in _session_cookie(http)


def test_without_the_proxy_option_a_forwarded_scheme_and_host_are_ignored(tmp_path):
    app = served_app(tmp_path, PUBLIC_URL="http://pbl.example.se")
    forged = {"Host": "localhost", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "x.example"}
    response = app.test_client().get("/", headers=forged)
    assert response.status_code == 200
    assert "; Secure" not in _session_cookie(response)


def test_the_session_cookie_is_secure_when_the_server_says_so(tmp_path):
    app = served_app(tmp_path, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/", headers={"Host": "localhost"})
    assert "; Secure" in _session_cookie(response)


# -- bodies ---------------------------------------------------------------------------------


def nested(depth: int) -> str:
    """A JSON object whose field holds arrays ``depth`` levels deep in all."""
    return '{"display_name": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_nesting_is_counted_outside_strings_only():
    assert not nested_deeper_than(nested(MAX_DEPTH))
    assert nested_deeper_than(nested(MAX_DEPTH + 1))
    assert not nested_deeper_than('{"text": "' + "[{" * 100 + '\\"]"}')
    assert nested_deeper_than("[" * 100_000)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_a_join_nested_too_deep_is_refused_as_invalid_json(client, live_meeting, depth):
    response = client.post(
        f"/j/{live_meeting['join_code']}", data=nested(depth), content_type="application/json"
    )
    assert response.status_code == 400
    assert error_code(response) == "invalid_json"
    assert "nested deeper than 32" in response.get_json()["error"]["message"]


def test_a_join_nested_32_deep_is_read_and_refused_for_its_content(client, live_meeting):
    response = client.post(
        f"/j/{live_meeting['join_code']}", data=nested(MAX_DEPTH), content_type="application/json"
    )
    assert response.status_code == 400
    assert error_code(response) == "invalid_display_name"


def test_api_bodies_nested_too_deep_are_refused_as_invalid_json(client, facilitator, live_meeting):
    deep = "[" * 50_000 + "]" * 50_000
    for path in [
        "/api/v1/groups",
        f"/api/v1/groups/{live_meeting['group']['id']}/grants",
        f"/api/v1/meetings/{live_meeting['id']}/phase",
    ]:
        response = client.post(
            path, data=deep, content_type="application/json", headers=facilitator["headers"]
        )
        assert response.status_code == 400, path
        assert error_code(response) == "invalid_json"


TOO_LARGE = b"x" * (6 * 1024 * 1024 + 1)


def test_a_body_over_the_limit_answers_413_as_json(client, facilitator, live_meeting):
    for path, content_type in [
        (f"/j/{live_meeting['join_code']}", "application/json"),
        (f"/j/{live_meeting['join_code']}", "application/x-www-form-urlencoded"),
        ("/", "application/x-www-form-urlencoded"),
        ("/api/v1/groups", "application/json"),
    ]:
        response = client.post(
            path, data=TOO_LARGE, content_type=content_type, headers=facilitator["headers"]
        )
        assert response.status_code == 413, path
        assert error_code(response) == "request_entity_too_large"
