"""Load benchmark: many phones and screens against a real pblapp and a bare Socket.IO server.

One command starts every server it needs (``python run.py`` on a temporary data dir, and
``bench/bare_server.py`` as the limit anchor), drives them with python-socketio AsyncClients
over real websockets from one asyncio loop, prints one table per scenario and stops every
server by its PID at the end, also on Ctrl+C or an error. See bench/README.md.

    .venv/bin/python bench/load.py                      # the standard set (long)
    .venv/bin/python bench/load.py --scenario B --phones 300 --duration 20
    .venv/bin/python bench/load.py --tiny               # a few seconds per scenario
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
BARE_SERVER = Path(__file__).resolve().parent / "bare_server.py"
TEXT = "Benchmark post {n}: what does day 180 mean for this person's sick pay?"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# ---------------------------------------------------------------------------------------
# Options


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark of pblapp against a bare Socket.IO server."
    )
    add = parser.add_argument
    add("--scenario", default="A,B,C,D", help="scenarios to run, e.g. B or A,C (A,B,C,D)")
    add("--targets", default="pblapp,bare", help="pblapp, bare or both (both)")
    add("--tiny", action="store_true", help="a few phones and seconds per scenario")
    add("--meetings", type=_sizes, default=[10, 25, 50], help="A: live meetings (10,25,50)")
    add("--meeting-phones", type=int, default=10, help="A: phones per meeting (10)")
    add("--phones", type=_sizes, default=[300, 1000, 2000], help="B: phones (300,1000,2000)")
    add("--screens", type=int, default=2, help="B: screens (2)")
    add("--rate", type=float, help="posts per second for A and B (A 20, B 10)")
    add("--duration", type=float, help="posting seconds for A and B (A 120, B 60)")
    add("--storm-phones", type=int, default=200, help="C: phones joining (200)")
    add("--storm-seconds", type=float, default=5.0, help="C: within this many seconds (5)")
    add("--contributions", type=_sizes, default=[1000, 5000], help="D: posts (1000,5000)")
    add(
        "--posting-phones",
        type=int,
        help="D: phones posting (default: one per 10 contributions, each within its burst "
        "of the participant rate limit)",
    )
    add("--processes", type=int, default=1, help="B: pblapp processes (1)")
    add("--message-queue", help="B with --processes > 1: redis://127.0.0.1:<port>/0")
    add("--redis", action="store_true", help="start a redis-server for --processes > 1")
    add("--grace", type=float, default=15.0, help="seconds to wait for late acks/events (15)")
    add("--json", metavar="F", help="also write every result as JSON to F")
    add("--svg", metavar="F", help="write the chart p99 post->screen against B's phones to F")
    add("--seed", type=int, default=1)
    add(
        "--pin",
        action=argparse.BooleanOptionalAction,
        help="on 2 or more CPUs, run a one-process server on the first CPU and the load "
        "client on the others, for both targets (default: in A and C, whose client is "
        "light; B and D share the CPUs, since their client receives a thousand phones' "
        "messages); --no-pin lets them share in every scenario",
    )
    args = parser.parse_args(argv)
    args.scenarios = [s.strip().upper() for s in args.scenario.split(",") if s.strip()]
    args.target_names = [t.strip() for t in args.targets.split(",") if t.strip()]
    if args.tiny:
        args.meetings, args.meeting_phones, args.phones = [2], 3, [8]
        args.storm_phones, args.storm_seconds = 10, 1.0
        args.contributions, args.posting_phones = [60], 6
        args.grace = min(args.grace, 8.0)
    args.a_rate = args.rate or (4.0 if args.tiny else 20.0)
    args.b_rate = args.rate or (5.0 if args.tiny else 10.0)
    args.a_duration = args.duration or (3.0 if args.tiny else 120.0)
    args.b_duration = args.duration or (3.0 if args.tiny else 60.0)
    if args.processes > 1 and not (args.message_queue or args.redis):
        parser.error("--processes > 1 needs --message-queue URL or --redis")
    return args


# ---------------------------------------------------------------------------------------
# Server processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process has had, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Processes:
    """Every process the benchmark starts; all are killed by PID in ``stop_all``."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.started: list[subprocess.Popen] = []

    def start(self, argv: list[str], name: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.workdir / f"{name}-{len(self.started)}.log", "wb")
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            # Its own process group: a Ctrl+C reaches the benchmark, which then kills it.
            start_new_session=True,
        )
        log.close()
        process.log_path = log.name
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.started:
            self.stop(process)
        self.started.clear()


def wait_healthy(process: subprocess.Popen, url: str, seconds: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    tail = Path(process.log_path).read_text(errors="replace")[-2000:]
    raise RuntimeError(f"server at {url} did not start:\n{tail}")


@dataclass
class Target:
    """A running server (one or more processes) and how to set up meetings on it."""

    name: str
    urls: list[str]
    pids: list[int]
    api_token: str | None = None
    meetings_made: int = 0

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def peak_rss(self) -> float:
        return sum(peak_rss_mb(pid) for pid in self.pids)

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.api_token}"}

    async def live_meeting(self, http: aiohttp.ClientSession) -> dict:
        """A started meeting in a group of its own: ``{"id", "join_code"}``."""
        self.meetings_made += 1
        if self.api_token is None:  # the bare server takes any code
            return {"id": self.meetings_made, "join_code": f"M{self.meetings_made}"}
        api = self.urls[0] + "/api/v1"
        name = f"bench {self.meetings_made}"
        group = await _json(
            http.post(f"{api}/groups", json={"name": name, "kind": "pbl"}, headers=self.headers)
        )
        meeting = await _json(
            http.post(f"{api}/groups/{group['id']}/meetings", json={}, headers=self.headers)
        )
        await _json(http.post(f"{api}/meetings/{meeting['id']}/start", headers=self.headers))
        return {"id": meeting["id"], "join_code": meeting["join_code"]}

    def screen_auth(self, meeting: dict, since_seq: int | None = None) -> dict:
        auth = {
            "api_token": self.api_token or "bare",
            "meeting_id": meeting["id"],
            "view": "screen",
        }
        if since_seq is not None:
            auth["since_seq"] = since_seq
        return auth


async def _json(request) -> dict:
    async with request as reply:
        if reply.status >= 300:
            raise RuntimeError(f"{reply.method} {reply.url} answered {reply.status}")
        return await reply.json()


def start_pblapp(procs: Processes, processes: int = 1, message_queue: str | None = None) -> Target:
    data_dir = Path(tempfile.mkdtemp(prefix="data-", dir=procs.workdir))
    made = subprocess.run(
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
        timeout=60,
    )
    token = made.stdout.strip().splitlines()[-1]
    urls, pids = [], []
    for _ in range(processes):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        argv = [
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
        ]
        if message_queue:
            argv += ["--message-queue", message_queue]
        process = procs.start(argv, "pblapp", {"PBLAPP_SECRET_KEY": "bench"})
        wait_healthy(process, url)
        urls.append(url)
        pids.append(process.pid)
    return Target("pblapp", urls, pids, api_token=token)


def start_bare(procs: Processes) -> Target:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = procs.start([sys.executable, str(BARE_SERVER), "--port", str(port)], "bare")
    wait_healthy(process, url)
    return Target("bare", [url], [process.pid])


def start_redis(procs: Processes) -> str:
    if not shutil.which("redis-server"):
        raise SystemExit("--redis needs redis-server on PATH")
    port = free_port()
    process = procs.start(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        "redis",
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not start: {process.log_path}")


def message_queue_supported() -> bool:
    usage = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "--help"], capture_output=True, text=True
    ).stdout
    return "--message-queue" in usage


# ---------------------------------------------------------------------------------------
# Measurements of one scenario against one target


@dataclass
class Run:
    """What the clients saw. All times from ``time.perf_counter`` in this one process."""

    sent: dict = field(default_factory=dict)  # client_id -> (send time, meeting id)
    screens_of: dict = field(default_factory=dict)  # meeting id -> screens in it
    ack_ms: list = field(default_factory=list)
    acked_ok: set = field(default_factory=set)
    refused: int = 0
    answered: int = 0
    post_ms: list = field(default_factory=list)
    received: int = 0
    duplicates: int = 0
    join_ms: list = field(default_factory=list)
    join_http_ms: list = field(default_factory=list)
    join_socket_ms: list = field(default_factory=list)
    failed_joins: int = 0
    counting: bool = False
    bytes_received: int = 0

    def on_ack(self, client_id: str, started: float, ack=None) -> None:
        self.answered += 1
        if isinstance(ack, dict) and ack.get("ok"):
            self.ack_ms.append((time.perf_counter() - started) * 1000)
            self.acked_ok.add(client_id)
        else:
            self.refused += 1

    def expected_deliveries(self) -> int:
        return sum(self.screens_of.get(self.sent[cid][1], 0) for cid in self.acked_ok)

    def settled(self) -> bool:
        return self.answered == len(self.sent) and self.received >= self.expected_deliveries()


def count_received_bytes(client: socketio.AsyncClient, run: Run) -> None:
    """Counts the payload of every websocket message the client receives while
    ``run.counting``, by wrapping the aiohttp websocket's ``receive`` (the engine.io client
    reads every packet through it). Text frames count their characters, which are bytes
    for the ASCII texts this benchmark posts."""
    ws = client.eio.ws
    receive = ws.receive

    async def counted(*args, **kwargs):
        message = await receive(*args, **kwargs)
        if run.counting and isinstance(message.data, (str, bytes)):
            run.bytes_received += len(message.data)
        return message

    ws.receive = counted


def new_client(http: aiohttp.ClientSession) -> socketio.AsyncClient:
    return socketio.AsyncClient(reconnection=False, http_session=http, request_timeout=30)


async def connect(client, url: str, auth: dict, run: Run) -> None:
    await client.connect(url, auth=auth, transports=["websocket"], wait_timeout=30)
    count_received_bytes(client, run)


async def join_phone(run: Run, http, url: str, meeting: dict, name: str):
    """The phone's HTTP join, then its socket; None (and a failed join) on any error."""
    started = time.perf_counter()
    try:
        body = await _json(
            http.post(
                f"{url}/j/{meeting['join_code']}",
                json={"display_name": name, "organization": "FK", "consent": True},
            )
        )
        joined = time.perf_counter()
        client = new_client(http)
        client.bench_token = body["token"]
        # As the phone page does: the others' new posts in batches (pblapp; the bare
        # server ignores it and sends every post to every phone).
        await connect(client, url, {"token": body["token"], "batch": True}, run)
    except Exception:  # noqa: BLE001 - any failure is one failed join
        run.failed_joins += 1
        return None
    done = time.perf_counter()
    run.join_http_ms.append((joined - started) * 1000)
    run.join_socket_ms.append((done - joined) * 1000)
    run.join_ms.append((done - started) * 1000)
    return client


async def join_many(run: Run, http, plan: list[tuple[str, dict]], parallel: int = 20) -> list:
    """Joins phones (url, meeting) a few at a time; returns (client, meeting id) pairs."""
    gate = asyncio.Semaphore(parallel)

    async def one(n, url, meeting):
        async with gate:
            client = await join_phone(run, http, url, meeting, f"Phone {n}")
            return (client, meeting["id"]) if client else None

    joined = await asyncio.gather(*(one(n, u, m) for n, (u, m) in enumerate(plan)))
    return [pair for pair in joined if pair]


async def open_screen(run: Run, http, url: str, target: Target, meeting: dict):
    client = new_client(http)
    seen: set[str] = set()

    @client.on("contribution:added")
    def added(contribution):
        client_id = contribution.get("client_id")
        if client_id not in run.sent:
            return
        if client_id in seen:
            run.duplicates += 1
            return
        seen.add(client_id)
        run.received += 1
        run.post_ms.append((time.perf_counter() - run.sent[client_id][0]) * 1000)

    await connect(client, url, target.screen_auth(meeting), run)
    run.screens_of[meeting["id"]] = run.screens_of.get(meeting["id"], 0) + 1
    return client


async def post(run: Run, client, meeting_id: int, n: int) -> None:
    client_id = str(uuid.uuid4())
    started = time.perf_counter()
    run.sent[client_id] = (started, meeting_id)
    try:
        await client.emit(
            "contribution:add",
            {"client_id": client_id, "text": TEXT.format(n=n), "qtype": None},
            callback=lambda ack=None: run.on_ack(client_id, started, ack),
        )
    except Exception:  # noqa: BLE001 - a post that could not be sent is refused
        run.answered += 1
        run.refused += 1


async def post_on_schedule(run: Run, phones: list, rate: float, seconds: float) -> None:
    """Open loop: post number k leaves at k / rate seconds, from a random phone, whether
    or not earlier posts have been acked."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for n in range(int(rate * seconds)):
        delay = start + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        client, meeting_id = random.choice(phones)
        tasks.append(asyncio.create_task(post(run, client, meeting_id, n)))
    await asyncio.gather(*tasks)


async def wait_until(check, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def disconnect_all(clients: list) -> None:
    async def one(client):
        try:
            await asyncio.wait_for(client.disconnect(), 5)
        except Exception:  # noqa: BLE001 - the server goes away next anyway
            pass

    await asyncio.gather(*(one(c) for c in clients))


# ---------------------------------------------------------------------------------------
# Metrics


def pct(values: list, q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def join_metrics(run: Run) -> dict:
    return {
        "join p50 ms": pct(run.join_ms, 50),
        "join p99 ms": pct(run.join_ms, 99),
        "join http p50 ms": pct(run.join_http_ms, 50),
        "join http p99 ms": pct(run.join_http_ms, 99),
        "join socket p50 ms": pct(run.join_socket_ms, 50),
        "join socket p99 ms": pct(run.join_socket_ms, 99),
    }


def posting_metrics(run: Run, cpu: float, rss: float) -> dict:
    posts = len(run.sent)
    return {
        "posts": posts,
        "post->screen p50 ms": pct(run.post_ms, 50),
        "post->screen p95 ms": pct(run.post_ms, 95),
        "post->screen p99 ms": pct(run.post_ms, 99),
        "ack p50 ms": pct(run.ack_ms, 50),
        "ack p99 ms": pct(run.ack_ms, 99),
        **join_metrics(run),
        "errors: failed joins": run.failed_joins,
        "errors: refused acks": run.refused,
        "errors: timed-out acks": posts - run.answered,
        "errors: missed on screens": max(0, run.expected_deliveries() - run.received),
        "errors: duplicates on screens": run.duplicates,
        "server CPU s": cpu,
        "server peak RSS MB": rss,
        "bytes received per post": run.bytes_received / posts if posts else float("nan"),
    }


# ---------------------------------------------------------------------------------------
# Scenarios


async def posting_scenario(
    target: Target, rooms: list[tuple[dict, list, list]], rate, seconds, grace
):
    """Joins the phones and screens of every room (meeting, phone urls, screen urls), posts
    on schedule, waits for the stragglers, and measures."""
    run = Run()
    async with client_session() as http:
        clients = []
        try:
            for meeting, _, screen_urls in rooms:
                for url in screen_urls:
                    clients.append(await open_screen(run, http, url, target, meeting))
            plan = [(url, meeting) for meeting, phone_urls, _ in rooms for url in phone_urls]
            phones = await join_many(run, http, plan)
            clients += [client for client, _ in phones]
            cpu_before = target.cpu()
            run.counting = True
            await post_on_schedule(run, phones, rate, seconds)
            await wait_until(run.settled, grace)
            run.counting = False
            cpu = target.cpu() - cpu_before
            return posting_metrics(run, cpu, target.peak_rss())
        finally:
            await disconnect_all(clients)


def scenario_a(target: Target, args, meetings: int):
    async def go():
        async with client_session() as http:
            made = [await target.live_meeting(http) for _ in range(meetings)]
        url = target.urls[0]
        rooms = [(m, [url] * args.meeting_phones, [url]) for m in made]
        return await posting_scenario(target, rooms, args.a_rate, args.a_duration, args.grace)

    return go()


def scenario_b(target: Target, args, phones: int):
    async def go():
        async with client_session() as http:
            meeting = await target.live_meeting(http)
        urls = target.urls
        phone_urls = [urls[n % len(urls)] for n in range(phones)]
        screen_urls = [urls[n % len(urls)] for n in range(args.screens)]
        rooms = [(meeting, phone_urls, screen_urls)]
        return await posting_scenario(target, rooms, args.b_rate, args.b_duration, args.grace)

    return go()


async def scenario_c(target: Target, args, phones: int):
    """Join storm: phone n starts joining at n * seconds / phones."""
    run = Run()
    async with client_session() as http:
        meeting = await target.live_meeting(http)
        cpu_before = target.cpu()
        spacing = args.storm_seconds / phones

        async def one(n):
            await asyncio.sleep(n * spacing)
            return await join_phone(run, http, target.urls[0], meeting, f"Phone {n}")

        clients = [c for c in await asyncio.gather(*(one(n) for n in range(phones))) if c]
        try:
            await asyncio.sleep(1.0)
            cpu = target.cpu() - cpu_before
            connected = sum(1 for client in clients if client.connected)
            return {
                **join_metrics(run),
                "phones joining": phones,
                "connected at the end": connected,
                "errors: failed joins": run.failed_joins,
                "errors: dropped after joining": len(clients) - connected,
                "server CPU s": cpu,
                "server peak RSS MB": target.peak_rss(),
            }
        finally:
            await disconnect_all(clients)


def rate_limit_burst() -> int:
    """How many posts a participant may send at once (pblapp.domain.rate_limit.POSTS)."""
    sys.path.insert(0, str(ROOT))
    from pblapp.domain.rate_limit import POSTS

    return int(POSTS.capacity)


async def scenario_d(target: Target, args, contributions: int):
    """A long meeting: fill it as fast as acks allow, then time the replays and exports."""
    run = Run()
    url = target.urls[0]
    async with client_session() as http:
        meeting = await target.live_meeting(http)
        # A participant may post 10 at once, then one a second (the rate limit): a long
        # meeting is filled by many phones, as a plenary fills it.
        posting = args.posting_phones or math.ceil(contributions / rate_limit_burst())
        plan = [(url, meeting)] * posting
        phones = await join_many(run, http, plan)
        tokens = {}
        remaining = [contributions]
        cpu_before = target.cpu()

        # Each phone posts its share, never more than a participant's burst.
        share = math.ceil(contributions / max(1, len(phones)))

        async def fill(client):
            for _ in range(share):
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
                client_id = str(uuid.uuid4())
                started = time.perf_counter()
                run.sent[client_id] = (started, meeting["id"])
                try:
                    ack = await client.call(
                        "contribution:add",
                        {
                            "client_id": client_id,
                            "text": TEXT.format(n=remaining[0]),
                            "qtype": None,
                        },
                        timeout=30,
                    )
                except Exception:  # noqa: BLE001 - a timeout or a lost connection
                    ack = None
                run.on_ack(client_id, started, ack)

        started = time.perf_counter()
        await asyncio.gather(*(fill(client) for client, _ in phones))
        fill_seconds = time.perf_counter() - started
        for client, _ in phones:
            tokens[client] = client.bench_token
        await disconnect_all([client for client, _ in phones])
        stored = len(run.acked_ok)
        screen_s = await replay_seconds(http, url, target.screen_auth(meeting, 0), stored)
        phone_auth = (
            {"token": next(iter(tokens.values())), "since_seq": 0, "batch": True} if tokens else {}
        )
        phone_s = await replay_seconds(http, url, phone_auth, stored)
        # While each download runs, /healthz is asked every 10 ms: how long the server's
        # loop is held up by an export shows in its slowest answer.
        minutes_ms, minutes_wait = await download_probed(
            http, target, f"/api/v1/meetings/{meeting['id']}/minutes.md"
        )
        csv_ms, csv_wait = await download_probed(
            http, target, f"/api/v1/meetings/{meeting['id']}/log.csv"
        )
        cpu = target.cpu() - cpu_before
    return {
        "contributions": stored,
        "fill posts/s": stored / fill_seconds if fill_seconds else float("nan"),
        "ack p50 ms": pct(run.ack_ms, 50),
        "ack p99 ms": pct(run.ack_ms, 99),
        "screen load s": screen_s,
        "phone replay s": phone_s,
        "minutes.md ms": minutes_ms,
        "log.csv ms": csv_ms,
        "healthz max ms during minutes": minutes_wait,
        "healthz max ms during log.csv": csv_wait,
        "errors: failed joins": run.failed_joins,
        "errors: refused acks": run.refused,
        "errors: timed-out acks": len(run.sent) - run.answered,
        "errors: incomplete replays": int(screen_s != screen_s) + int(phone_s != phone_s),
        "server CPU s": cpu,
        "server peak RSS MB": target.peak_rss(),
    }


async def replay_seconds(http, url: str, auth: dict, expected: int) -> float:
    """From connect until the ``expected``-th ``contribution:added``; NaN if it never comes."""
    client = new_client(http)
    got = [0]
    done = asyncio.get_running_loop().create_future()

    def count(n: int) -> None:
        got[0] += n
        if got[0] >= expected and not done.done():
            done.set_result(time.perf_counter())

    @client.on("contribution:added")
    def added(_contribution):
        count(1)

    @client.on("contributions:added")
    def added_batch(batch):
        count(len(batch["contributions"]))

    started = time.perf_counter()
    try:
        await client.connect(url, auth=auth, transports=["websocket"], wait_timeout=30)
        return await asyncio.wait_for(done, 120) - started
    except Exception:  # noqa: BLE001 - counted as an incomplete replay
        return float("nan")
    finally:
        await disconnect_all([client])


async def download_probed(http, target: Target, path: str) -> tuple[float, float]:
    """The download's time, and the slowest ``/healthz`` answer while it ran (ms)."""
    slowest = [0.0]
    running = [True]

    async def probe() -> None:
        while running[0]:
            started = time.perf_counter()
            async with http.get(target.urls[0] + "/healthz") as reply:
                await reply.read()
            slowest[0] = max(slowest[0], (time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)

    prober = asyncio.create_task(probe())
    try:
        took = await download_ms(http, target, path)
    finally:
        running[0] = False
        await prober
    return took, slowest[0]


async def download_ms(http, target: Target, path: str) -> float:
    started = time.perf_counter()
    async with http.get(target.urls[0] + path, headers=target.headers) as reply:
        await reply.read()
        if reply.status != 200:
            return float("nan")
    return (time.perf_counter() - started) * 1000


def client_session() -> aiohttp.ClientSession:
    """One HTTP pool for every client: no connection limit, no cookies shared by mistake."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=60),
    )


# ---------------------------------------------------------------------------------------
# The plan, the tables, the chart


def plan(args) -> list[tuple[str, str, int]]:
    """(scenario, label of its size, size) in the order they run."""
    steps = []
    for scenario in args.scenarios:
        if scenario == "A":
            steps += [
                ("A", f"meetings={m} x {args.meeting_phones} phones", m) for m in args.meetings
            ]
        elif scenario == "B":
            steps += [("B", f"phones={n}", n) for n in args.phones]
        elif scenario == "C":
            steps.append(
                ("C", f"phones={args.storm_phones} in {args.storm_seconds:g} s", args.storm_phones)
            )
        elif scenario == "D":
            steps += [("D", f"contributions={n}", n) for n in args.contributions]
    return steps


def targets_for(scenario: str, args) -> list[str]:
    if scenario == "D":
        return [t for t in args.target_names if t == "pblapp"]
    return args.target_names


def run_one(scenario: str, size: int, target: Target, args) -> dict:
    budget = {"A": args.a_duration, "B": args.b_duration}.get(scenario, 0) + args.grace + 600
    coroutine = {
        "A": lambda: scenario_a(target, args, size),
        "B": lambda: scenario_b(target, args, size),
        "C": lambda: scenario_c(target, args, size),
        "D": lambda: scenario_d(target, args, size),
    }[scenario]()
    return asyncio.run(asyncio.wait_for(coroutine, budget))


def format_value(value) -> str:
    if isinstance(value, int):
        return str(value)
    if value != value:
        return "-"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def table(title: str, results: list[dict]) -> str:
    """Metrics as rows, targets as columns, and pblapp / bare for the latencies."""
    columns = [r["target"] for r in results]
    by_target = {r["target"]: r["metrics"] for r in results}
    with_ratio = {"pblapp", "bare"} <= set(columns)
    header = ["metric", *columns] + (["pblapp/bare"] if with_ratio else [])
    rows = [header]
    for metric in results[0]["metrics"]:
        row = [metric, *(format_value(by_target[c].get(metric, float("nan"))) for c in columns)]
        if with_ratio:
            ours, bare = by_target["pblapp"].get(metric), by_target["bare"].get(metric)
            latency = metric.endswith(" ms") and not metric.startswith("errors")
            row.append(f"{ours / bare:.2f}" if latency and bare else "")
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [title, "-" * len(title)]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


# The target for scenario B's p99 (issue 12), drawn as a dashed line on the chart.
P99_TARGET_MS = 100


def chart(results: list[dict]) -> str:
    """An SVG line chart: p99 post->screen against the phones of scenario B, per target, on
    a logarithmic time axis (from 1 ms to the next power of ten above the slowest), with
    the 100 ms target dashed."""
    width, height, left, right, top, bottom = 640, 400, 70, 20, 40, 50
    series: dict[str, list[tuple[float, float]]] = {}
    for r in results:
        value = r["metrics"].get("post->screen p99 ms", float("nan"))
        if r["scenario"] == "B" and value == value and value > 0:
            series.setdefault(r["target"], []).append((r["size"], value))
    points = [p for line in series.values() for p in line] or [(1, 1)]
    xs = sorted({x for x, _ in points})
    decades = max(1, math.ceil(math.log10(max(max(y for _, y in points), P99_TARGET_MS) * 1.01)))

    def px(x: float) -> float:
        # The phone counts evenly spaced: 300, 1,000 and 2,000 are the sizes measured.
        return left + (xs.index(x) + 0.5) / len(xs) * (width - left - right)

    def py(y: float) -> float:
        share = math.log10(max(y, 1)) / decades
        return height - bottom - share * (height - top - bottom)

    highest = {x: max(y for at, y in points if at == x) for x in xs}
    colours = {"pblapp": "#c0392b", "bare": "#2c6fbb"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">'
        "Scenario B: p99 post to screen (ms, log scale) against phones</text>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" '
        f'y2="{height - bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>',
        f'<text x="{width / 2}" y="{height - 10}" text-anchor="middle">phones</text>',
        f'<text x="16" y="{height / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {height / 2})">p99 ms</text>',
    ]
    for power in range(decades + 1):
        y = py(10**power)
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{10**power:,}</text>')
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#dddddd"/>'
        )
    target = py(P99_TARGET_MS)
    parts.append(
        f'<line x1="{left}" y1="{target:.1f}" x2="{width - right}" y2="{target:.1f}" '
        'stroke="#555555" stroke-dasharray="6 4"/>'
    )
    parts.append(
        f'<text x="{width - right - 4}" y="{target - 5:.1f}" text-anchor="end" '
        f'fill="#555555">target {P99_TARGET_MS} ms</text>'
    )
    for x in xs:
        parts.append(
            f'<text x="{px(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{x:,}</text>'
        )
    for n, (name, line) in enumerate(sorted(series.items())):
        colour = colours.get(name, "#555555")
        coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in sorted(line))
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for x, y in line:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{colour}"/>')
            # The higher of two values at one size is labelled above its point, the lower
            # below: close values would otherwise print over each other.
            label_y = py(y) - 6 if y >= highest[x] else py(y) + 16
            parts.append(
                f'<text x="{px(x) + 6:.1f}" y="{label_y:.1f}" fill="{colour}">{y:,.0f}</text>'
            )
        parts.append(
            f'<text x="{left + 12}" y="{top + 14 + 16 * n}" fill="{colour}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def raise_open_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def start_target(name: str, procs: Processes, processes: int, queue: str | None) -> Target:
    if name == "bare":
        return start_bare(procs)
    return start_pblapp(procs, processes, queue if processes > 1 else None)


ALL_CPUS = frozenset(os.sched_getaffinity(0))


def pin(target: Target, wanted: bool) -> str:
    """Give a one-process server the first CPU and this client the others, when ``wanted``
    and there are two or more; else let everything run anywhere. Says which it did.

    On one machine, Linux wakes the receiver of a loopback message on the sender's CPU, so
    a client sharing the server's CPU waits until the server has finished the rest of its
    work before it reads a message that already arrived: an artefact of the harness, since
    the phones and screens of a real meeting have CPUs of their own, and one that charges
    each server for how busy it stays after it sent the screen's message."""
    cpus = sorted(ALL_CPUS)
    if wanted and len(cpus) >= 2 and len(target.pids) == 1:
        os.sched_setaffinity(target.pids[0], {cpus[0]})
        os.sched_setaffinity(0, set(cpus[1:]))
        return f"server on CPU {cpus[0]}, client on CPU {','.join(map(str, cpus[1:]))}"
    os.sched_setaffinity(0, ALL_CPUS)
    return "server and client share the CPUs"


def run_all(args, procs: Processes) -> list[dict]:
    queue = args.message_queue
    if args.processes > 1 and "B" in args.scenarios:
        if not message_queue_supported():
            raise SystemExit("run.py has no --message-queue option yet: run B with one process")
        queue = queue or start_redis(procs)
    results = []
    for scenario, label, size in plan(args):
        group = []
        for name in targets_for(scenario, args):
            processes = args.processes if scenario == "B" and name == "pblapp" else 1
            target = start_target(name, procs, processes, queue)
            placement = pin(target, scenario in "AC" if args.pin is None else args.pin)
            try:
                random.seed(args.seed)
                metrics = run_one(scenario, size, target, args)
            finally:
                for process in [p for p in procs.started if p.pid in target.pids]:
                    procs.stop(process)
                    procs.started.remove(process)
            where = f" ({processes} processes)" if processes > 1 else ""
            group.append(
                {
                    "scenario": scenario,
                    "size": size,
                    "label": label,
                    "target": name + where,
                    "placement": placement,
                    "metrics": metrics,
                }
            )
        title = f"Scenario {scenario}: {label}"
        if scenario in "AB":
            rate = args.a_rate if scenario == "A" else args.b_rate
            seconds = args.a_duration if scenario == "A" else args.b_duration
            title += f", {rate:g} posts/s for {seconds:g} s"
        if scenario == "B" and args.processes > 1:
            title += f", pblapp on {args.processes} processes sharing rooms through Redis"
        placements = {g["placement"] for g in group}
        if len(placements) == 1:
            title += "; " + placements.pop()
        else:
            title += "; " + "; ".join(f"{g['target']}: {g['placement']}" for g in group)
        print(table(title, [{**g, "target": g["target"].split(" ")[0]} for g in group]), flush=True)
        results += group
    return results


def _interrupted(_signum, _frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_open_file_limit()
    # A SIGTERM ends the run like Ctrl+C does: through the finally below.
    signal.signal(signal.SIGTERM, _interrupted)
    workdir = Path(tempfile.mkdtemp(prefix="pblapp-bench-"))
    procs = Processes(workdir)
    try:
        results = run_all(args, procs)
    finally:
        procs.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        report = {"options": vars_for_json(args), "results": without_nan(results)}
        Path(args.json).write_text(json.dumps(report, indent=2, allow_nan=False))
    if args.svg:
        Path(args.svg).parent.mkdir(parents=True, exist_ok=True)
        Path(args.svg).write_text(chart(results))
    return 0


def vars_for_json(args) -> dict:
    return {
        k: v for k, v in vars(args).items() if isinstance(v, (int, float, str, list, type(None)))
    }


def without_nan(value):
    """JSON has no NaN: a metric that could not be measured is null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nan(v) for v in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
