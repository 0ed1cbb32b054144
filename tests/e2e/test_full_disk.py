"""A full disk, against a real server: posts are refused with storage_full and nothing is
acked that was not stored; the console is told; the phone keeps the post in its outbox and
sends it once there is room again.

The server runs with a page limit (``PBLAPP_MAX_PAGE_COUNT``, for tests only); the test
fills the rest of the "disk" from a connection of its own, as another program filling the
laptop's disk would, and frees it again by deleting what it wrote."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio
from playwright.sync_api import expect

import test_browser
from helpers import ServerProcess, new_user_token
from test_browser import CONSENT, LAPTOP, PHONE, Api, join, log_in, outbox_on, own_post

browser, contexts = test_browser.browser, test_browser.contexts
pytestmark = pytest.mark.server

MAX_PAGES = 2000  # 8 MB
# 2,000 characters of two bytes each: more than the room left in any page, so a post of
# it needs new pages.
LONG = "å" * 2000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server whose database may grow to MAX_PAGES pages; (process, API token)."""
    data_dir = tmp_path_factory.mktemp("full-disk") / "data"
    token = new_user_token(data_dir, "Handledare Hanna")
    env = {"PBLAPP_MAX_PAGE_COUNT": str(MAX_PAGES), "PBLAPP_PARTICIPANT_RATE_LIMITS": "0"}
    process = ServerProcess(data_dir, env=env).start()
    yield process, token
    process.stop()


def fill_the_disk(process: ServerProcess) -> None:
    """Another program fills the disk: ballast up to the page limit, in ever smaller
    pieces, until not even a small one fits."""
    connection = sqlite3.connect(Path(process.data_dir, "pblapp.sqlite3"), isolation_level=None)
    try:
        connection.execute(f"PRAGMA max_page_count = {MAX_PAGES}")
        connection.execute("CREATE TABLE IF NOT EXISTS ballast (data BLOB)")
        for size in (1_000_000, 100_000, 10_000, 1_000, 100):
            while True:
                try:
                    connection.execute("INSERT INTO ballast VALUES (zeroblob(?))", [size])
                except sqlite3.OperationalError as error:
                    assert "full" in str(error)
                    break
    finally:
        connection.close()


def free_space(process: ServerProcess) -> None:
    connection = sqlite3.connect(Path(process.data_dir, "pblapp.sqlite3"), isolation_level=None)
    try:
        connection.execute("DELETE FROM ballast")
    finally:
        connection.close()


def _client(process: ServerProcess, auth: dict) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(process.url, auth=auth, transports=["websocket"], wait_timeout=10)
    return client


def test_posts_are_refused_with_storage_full_and_stored_once_the_disk_has_room(server):
    process, token = server
    meeting = Api(server).meeting({"name": "Basgrupp Motala"}, start=True)
    joined = requests.post(
        f"{process.url}/j/{meeting['join_code']}",
        json={"display_name": "Anna", "organization": "FK", "consent": True},
        timeout=10,
    ).json()
    phone = _client(process, {"token": joined["token"]})
    told = []
    console = socketio.Client(reconnection=False)
    console.on("storage:full", told.append)
    console.connect(
        process.url,
        auth={"api_token": token, "meeting_id": meeting["id"]},
        transports=["websocket"],
        wait_timeout=10,
    )
    fill_the_disk(process)

    # Sent together, so that the writer takes several in one commit.
    posts = [
        {"client_id": str(uuid.uuid4()), "text": text, "qtype": None}
        for text in [LONG, "Kort fråga?", LONG, LONG, "Och en till?", LONG]
    ]
    answers: dict[str, dict] = {}
    answered = threading.Event()

    def ack(client_id):
        def record(answer):
            answers[client_id] = answer
            if len(answers) == len(posts):
                answered.set()

        return record

    for post in posts:
        phone.emit("contribution:add", post, callback=ack(post["client_id"]))
    assert answered.wait(10)

    codes = {answer["error"]["code"] for answer in answers.values() if not answer["ok"]}
    assert codes == {"storage_full"}
    assert all(not answers[p["client_id"]]["ok"] for p in posts if p["text"] == LONG)
    # The console hears of it on its own socket, a moment after the phone's ack.
    deadline = time.monotonic() + 5
    while {"meeting_id": meeting["id"]} not in told and time.monotonic() < deadline:
        time.sleep(0.05)
    assert {"meeting_id": meeting["id"]} in told
    # Nothing is stored that was not acked, and everything acked is stored.
    listed = Api(server).get(f"/meetings/{meeting['id']}/contributions")
    acked = {client_id for client_id, answer in answers.items() if answer["ok"]}
    assert {c["client_id"] for c in listed} == acked

    free_space(process)
    for post in posts:  # the phone's outbox, sent again with the same client_ids
        assert phone.call("contribution:add", post, timeout=10)["ok"]
    listed = Api(server).get(f"/meetings/{meeting['id']}/contributions")
    assert sorted(c["client_id"] for c in listed) == sorted(p["client_id"] for p in posts)


@pytest.mark.browser
def test_the_phone_keeps_a_post_the_full_disk_refused_and_sends_it_when_there_is_room(
    server, contexts
):
    process, _ = server
    meeting = Api(server).meeting({"name": "Basgrupp Kalmar", "consent_text": CONSENT}, start=True)
    console = contexts(**LAPTOP).new_page()
    log_in(console, process.url)
    console.goto(f"{process.url}/meetings/{meeting['id']}")
    phone = contexts(**PHONE).new_page()
    phone.clock.install()  # so that the ten seconds before the phone tries again pass at once
    join(phone, meeting["join_url"], "Bo", "AF")
    fill_the_disk(process)

    phone.get_by_test_id("text").fill(LONG)
    phone.get_by_test_id("send").click()
    waiting = "Servern kan inte spara just nu; ditt inlägg skickas när det går."
    mine = own_post(phone, LONG)
    expect(mine).to_contain_text(waiting)
    expect(phone.get_by_test_id("post-status")).to_have_text(waiting)
    assert [post["text"] for post in outbox_on(phone)] == [LONG]
    banner = console.get_by_test_id("storage-full")
    expect(banner).to_have_text("Disken är full: inlägg sparas inte. Frigör utrymme.")

    free_space(process)
    phone.clock.run_for(11_000)
    expect(mine.get_by_test_id("delivered")).to_be_visible()
    assert outbox_on(phone) == []
    expect(console.get_by_test_id("contribution")).to_have_count(1)
    expect(banner).to_be_hidden()
