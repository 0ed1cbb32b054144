"""Ack latency of contribution:add against a real server, alone and under concurrency.

Starts ``python run.py`` on a free loopback port with a temporary data dir, then:
one phone posting alone, and N phones posting at once. Prints p50/p95 ack latency and
throughput for each, and the ratio between them (ratios from one run are comparable across
machines; absolute times are not).

    .venv/bin/python bench/post_latency.py [--phones 10] [--posts 30]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str, str]:
    token = (
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "run.py"),
                "create-user",
                "bench",
                "--role",
                "facilitator",
                "--data-dir",
                str(data_dir),
            ],
            input="benchmark-password\n",
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--public-url",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PBLAPP_SECRET_KEY": "bench"},
    )
    for _ in range(200):
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return process, url, token
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("server did not start")


def live_meeting(url: str, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    group = requests.post(
        f"{url}/api/v1/groups", json={"name": "bench", "kind": "pbl"}, headers=headers, timeout=10
    ).json()
    meeting = requests.post(
        f"{url}/api/v1/groups/{group['id']}/meetings", json={}, headers=headers, timeout=10
    ).json()
    requests.post(f"{url}/api/v1/meetings/{meeting['id']}/start", headers=headers, timeout=10)
    return meeting


def phone(url: str, meeting: dict, name: str) -> socketio.Client:
    token = requests.post(
        f"{url}/j/{meeting['join_code']}",
        timeout=10,
        json={"display_name": name, "organization": "FK"},
    ).json()["token"]
    client = socketio.Client(reconnection=False)
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client


def run_round(clients: list[socketio.Client], posts: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def send(client):
        for n in range(posts):
            started = time.perf_counter()
            ack = client.call(
                "contribution:add",
                {"client_id": str(uuid.uuid4()), "text": f"bench {n}", "qtype": None},
                timeout=30,
            )
            elapsed = time.perf_counter() - started
            assert ack["ok"], ack
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def summary(label: str, latencies: list[float], wall: float) -> dict:
    cuts = statistics.quantiles(latencies, n=20)
    row = {
        "p50": statistics.median(latencies) * 1000,
        "p95": cuts[18] * 1000,
        "rate": len(latencies) / wall,
    }
    print(
        f"{label:<22} posts={len(latencies):>4}  p50={row['p50']:7.1f} ms  "
        f"p95={row['p95']:7.1f} ms  throughput={row['rate']:7.1f} posts/s"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=10)
    parser.add_argument("--posts", type=int, default=30, help="posts per phone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, url, token = start_server(Path(tmp) / "data")
        try:
            meeting = live_meeting(url, token)
            clients = [phone(url, meeting, f"P{n}") for n in range(args.phones)]
            run_round(clients[:1], 5)  # warm up
            alone = summary("1 phone", *run_round(clients[:1], args.posts))
            crowd = summary(f"{args.phones} phones at once", *run_round(clients, args.posts))
            print(
                f"p50 latency ratio ({args.phones} phones / 1 phone): "
                f"{crowd['p50'] / alone['p50']:.2f}"
            )
            print(
                f"throughput ratio ({args.phones} phones / 1 phone): "
                f"{crowd['rate'] / alone['rate']:.2f}"
            )
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()


if __name__ == "__main__":
    main()
