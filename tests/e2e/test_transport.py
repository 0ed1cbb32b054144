"""The real server's transport: allowed hosts, the header-read timeout, HTTPS with a
certificate, the proxy's headers, too-large and too-deep bodies, unreadable socket packets.

The header timeout is one second here (``PBLAPP_HEADER_TIMEOUT``), so the tests stay fast.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid

import pytest
import requests
import socketio

from helpers import ROOT, ServerProcess, api, new_user_token

HEADER_TIMEOUT = 1.0
MARGIN = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server that also answers to ``pbl.example.se``; yields (server, token, meeting)."""
    data_dir = tmp_path_factory.mktemp("transport") / "data"
    token = new_user_token(data_dir, "Handledare Hanna")
    process = ServerProcess(
        data_dir,
        extra_args=("--allowed-host", "pbl.example.se"),
        env={"PBLAPP_HEADER_TIMEOUT": str(HEADER_TIMEOUT)},
    ).start()
    group = api(process, token, "POST", "/groups", json={"name": "Basgrupp", "kind": "pbl"})
    meeting = api(process, token, "POST", f"/groups/{group['id']}/meetings", json={})
    api(process, token, "POST", f"/meetings/{meeting['id']}/start")
    yield process, token, meeting
    process.stop()


def get(server, path, host):
    return requests.get(server.url + path, headers={"Host": host}, timeout=10)


def test_another_host_name_is_refused_on_pages_joins_and_the_socket_handshake(server):
    process, _token, meeting = server
    for path in ["/", f"/j/{meeting['join_code']}", "/socket.io/?EIO=4&transport=polling"]:
        response = get(process, path, "evil.example")
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] == "host_not_allowed"
        for host in ["localhost", f"localhost:{process.port}", "pbl.example.se", "[::1]"]:
            assert get(process, path, host).status_code == 200, (path, host)


def _closed_within(sock: socket.socket, seconds: float) -> tuple[float, bytes]:
    """Waits for the server to close ``sock``; how long it took and what it sent last."""
    start = time.monotonic()
    sock.settimeout(seconds)
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return time.monotonic() - start, received


def test_a_connection_that_sends_half_a_request_line_is_dropped(server):
    process, _token, _meeting = server
    with socket.create_connection(("127.0.0.1", process.port)) as sock:
        sock.sendall(b"GET / HT")
        waited, _ = _closed_within(sock, HEADER_TIMEOUT + MARGIN)
    assert HEADER_TIMEOUT - 0.2 <= waited <= HEADER_TIMEOUT + MARGIN


def test_a_connection_that_stops_in_its_headers_gets_408_and_is_dropped(server):
    process, _token, _meeting = server
    with socket.create_connection(("127.0.0.1", process.port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slo")
        time.sleep(HEADER_TIMEOUT / 2)
        sock.sendall(b"w")  # trickling in does not extend the deadline
        waited, received = _closed_within(sock, HEADER_TIMEOUT + MARGIN)
    assert received.startswith(b"HTTP/1.1 408")
    assert waited <= HEADER_TIMEOUT + MARGIN


def test_a_websocket_that_idles_longer_than_the_header_timeout_stays(server):
    process, _token, meeting = server
    joined = requests.post(
        f"{process.url}/j/{meeting['join_code']}",
        json={"display_name": "Anna", "organization": "FK", "consent": True},
        timeout=10,
    ).json()
    client = socketio.Client(reconnection=False)
    client.connect(
        process.url, auth={"token": joined["token"]}, transports=["websocket"], wait_timeout=10
    )
    time.sleep(HEADER_TIMEOUT * 2.5)
    ack = client.call(
        "contribution:add",
        {"client_id": str(uuid.uuid4()), "text": "Efter en paus", "qtype": None},
        timeout=10,
    )
    assert ack["ok"], ack
    assert client.connected


def test_a_chunked_body_over_the_limit_answers_413_as_json(server):
    process, _token, meeting = server

    def chunks():
        for _ in range(7):
            yield b"x" * (1024 * 1024)

    response = requests.post(
        f"{process.url}/j/{meeting['join_code']}",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_entity_too_large"


def test_a_join_nested_too_deep_answers_400_invalid_json_not_500(server):
    process, _token, meeting = server
    response = requests.post(
        f"{process.url}/j/{meeting['join_code']}",
        data="[" * 100_000 + "]" * 100_000,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


class Polling:
    """A raw Engine.IO polling connection, to send packets no Socket.IO client would."""

    def __init__(self, process):
        self.http = requests.Session()
        base = f"{process.url}/socket.io/?EIO=4&transport=polling"
        sid = json.loads(self.http.get(base, timeout=10).text[1:])["sid"]
        self.url = f"{base}&sid={sid}"

    def send(self, packet: str) -> None:
        assert self.http.post(self.url, data=packet.encode(), timeout=10).ok

    def receive(self) -> list[str]:
        return self.http.get(self.url, timeout=30).text.split("\x1e")

    def answer_to(self, ack_id: int) -> dict:
        """The ack with ``ack_id``, skipping other packets."""
        for _ in range(10):
            for packet in self.receive():
                if packet.startswith(f"43{ack_id}["):
                    return json.loads(packet[len(f"43{ack_id}") :])[0]
        raise AssertionError(f"no ack {ack_id}")


def test_unreadable_socket_packets_get_an_ack_with_a_code(server):
    process, _token, meeting = server
    joined = requests.post(
        f"{process.url}/j/{meeting['join_code']}",
        json={"display_name": "Bo", "organization": "AF", "consent": True},
        timeout=10,
    ).json()
    polling = Polling(process)
    polling.send("40" + json.dumps({"token": joined["token"]}))
    for ack_id, packet, code in [
        (1, '["contribution:add", {"client_id": ', "invalid_json"),
        (2, '["contribution:add", ' + "[" * 40 + "]" * 40 + "]", "invalid_json"),
        (3, '["contribution:add", ' + "[" * 100_000 + "]" * 100_000 + "]", "invalid_json"),
        (4, '{"event": "contribution:add"}', "invalid_packet"),
        (5, "[]", "invalid_packet"),
    ]:
        polling.send(f"42{ack_id}{packet}")
        answer = polling.answer_to(ack_id)
        assert answer["ok"] is False and answer["error"]["code"] == code, (packet[:40], answer)
        assert ("nested deeper" in answer["error"]["message"]) == (ack_id in (2, 3))


def test_an_unreadable_connect_packet_is_refused_with_connect_error(server):
    process, _token, _meeting = server
    polling = Polling(process)
    polling.send('40{"token": ')
    refusal = next(packet for packet in polling.receive() if packet.startswith("44"))
    assert json.loads(refusal[2:])["data"]["code"] == "invalid_auth"


def test_behind_a_proxy_its_forwarded_host_and_scheme_count(tmp_path):
    process = ServerProcess(tmp_path / "data", extra_args=("--proxy",)).start()
    try:
        forwarded = {"Host": "127.0.0.1", "X-Forwarded-Host": "evil.example"}
        assert requests.get(process.url, headers=forwarded, timeout=10).status_code == 400
        forwarded = {"X-Forwarded-Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
        response = requests.get(process.url, headers=forwarded, timeout=10)
        assert response.status_code == 200
        assert "Secure" in response.headers["Set-Cookie"]
        plain = requests.get(process.url, timeout=10)
        assert "Secure" not in plain.headers["Set-Cookie"]
    finally:
        process.stop()


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, made with openssl as docs/deployment.md
    shows."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_with_a_certificate_the_server_speaks_https_with_secure_cookies(
    tmp_path, certificate, monkeypatch
):
    cert, key = certificate
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    process = ServerProcess(
        tmp_path / "data",
        extra_args=("--tls-cert", str(cert), "--tls-key", str(key)),
        env={"PBLAPP_HEADER_TIMEOUT": str(HEADER_TIMEOUT)},
    )
    process.url = process.url.replace("http://", "https://")
    process.start()
    try:
        response = requests.get(process.url, timeout=10)
        assert response.status_code == 200
        assert "Secure" in response.headers["Set-Cookie"]
        with pytest.raises(requests.ConnectionError):
            requests.get(process.url.replace("https://", "http://") + "/healthz", timeout=5)
        # A client that opens a connection and never starts the TLS handshake is dropped.
        with socket.create_connection(("127.0.0.1", process.port)) as sock:
            waited, _ = _closed_within(sock, HEADER_TIMEOUT + MARGIN)
        assert waited <= HEADER_TIMEOUT + MARGIN
        context = ssl.create_default_context(cafile=str(cert))
        connection = socket.create_connection(("127.0.0.1", process.port))
        with context.wrap_socket(connection, server_hostname="127.0.0.1") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        process.stop()
    assert f"phones join at {process.url}" in process.log.read_text()


def run_py(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )


def test_a_certificate_without_its_key_is_refused_with_a_clear_message(tmp_path):
    result = run_py("--data-dir", str(tmp_path), "--tls-cert", str(tmp_path / "cert.pem"))
    assert result.returncode == 2
    assert "--tls-cert and --tls-key go together" in result.stderr


def test_a_certificate_that_cannot_be_read_is_refused_before_serving(tmp_path):
    (tmp_path / "cert.pem").write_text("not a certificate")
    (tmp_path / "key.pem").write_text("not a key")
    result = run_py(
        "--data-dir",
        str(tmp_path / "data"),
        "--port",
        "0",
        "--tls-cert",
        str(tmp_path / "cert.pem"),
        "--tls-key",
        str(tmp_path / "key.pem"),
    )
    assert result.returncode == 1
    assert "cannot serve HTTPS" in result.stderr
