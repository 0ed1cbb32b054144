"""The load benchmark still runs: ``bench/load.py --tiny`` against a real pblapp and the bare
server, every scenario, every metric in its table, no errors, and a chart that is valid SVG.

This checks the harness, not the figures: a few phones for a few seconds say nothing about
speed, only that ``make bench`` will work when someone needs the numbers."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]

POSTING_METRICS = [
    "posts",
    "post->screen p50 ms",
    "post->screen p95 ms",
    "post->screen p99 ms",
    "ack p50 ms",
    "ack p99 ms",
    "join p50 ms",
    "join p99 ms",
    "join http p50 ms",
    "join http p99 ms",
    "join socket p50 ms",
    "join socket p99 ms",
    "errors: failed joins",
    "errors: refused acks",
    "errors: timed-out acks",
    "errors: missed on screens",
    "errors: duplicates on screens",
    "server CPU s",
    "server peak RSS MB",
    "bytes received per post",
]
STORM_METRICS = ["join p50 ms", "join p99 ms", "connected at the end", "errors: failed joins"]
LONG_MEETING_METRICS = [
    "contributions",
    "ack p99 ms",
    "screen load s",
    "phone replay s",
    "minutes.md ms",
    "log.csv ms",
    "errors: incomplete replays",
    "server CPU s",
    "server peak RSS MB",
]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--tiny",
            "--json",
            str(out / "latest.json"),
            "--svg",
            str(out / "chart.svg"),
        ],
        capture_output=True,
        text=True,
        timeout=150,
        cwd=ROOT,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout, out


def tables(stdout: str) -> dict[str, dict[str, list[str]]]:
    """Each printed table by scenario letter: metric -> its cells."""
    found, current = {}, None
    for line in stdout.splitlines():
        if line.startswith("Scenario "):
            current = found.setdefault(line.split()[1].rstrip(":"), {})
        elif current is not None and line and not line.startswith(("-", "metric ")):
            label, _, cells = line.partition("  ")
            current[label.strip()] = cells.split()
    return found


def test_every_scenario_prints_every_metric_for_both_targets(tiny_run):
    printed = tables(tiny_run[0])
    assert set(printed) == {"A", "B", "C", "D"}
    for scenario in "AB":
        assert set(POSTING_METRICS) <= set(printed[scenario])
        # pblapp, bare, and their ratio for the latencies
        assert len(printed[scenario]["post->screen p99 ms"]) == 3
    assert set(STORM_METRICS) <= set(printed["C"])
    assert set(LONG_MEETING_METRICS) <= set(printed["D"])


def test_a_tiny_run_has_no_errors_and_every_post_reaches_the_screens(tiny_run):
    for scenario, rows in tables(tiny_run[0]).items():
        for label, cells in rows.items():
            if label.startswith("errors"):
                assert set(cells) == {"0"}, (scenario, label, cells)
        if scenario in "AB":
            assert "-" not in rows["post->screen p99 ms"], scenario


def test_the_results_and_the_chart_are_written(tiny_run):
    out = tiny_run[1]
    results = json.loads((out / "latest.json").read_text())["results"]
    assert {(r["scenario"], r["target"]) for r in results} >= {("B", "pblapp"), ("B", "bare")}
    svg = ElementTree.parse(out / "chart.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(svg.findall("{http://www.w3.org/2000/svg}polyline")) == 2


def test_the_privacy_benchmark_prints_its_false_positive_rate_and_recall():
    """``bench/privacy_false_positives.py --tiny`` runs and reports the corpus's rate (no
    ordinary sentence flagged) and each kind's recall."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "privacy_false_positives.py"), "--tiny"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = run.stdout.splitlines()
    assert any(line.startswith("False positives: ") for line in lines)
    [any_kind] = [line for line in lines if line.startswith("any ")]
    assert any_kind.split()[1:3] == ["0", "0.0"]
    for kind in ("personnummer", "phone", "email", "name"):
        assert any(line.split()[:2] == [kind, "100"] for line in lines), kind
