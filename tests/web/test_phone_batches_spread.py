"""A large meeting's lists spread over the second, through the app's own timers and rooms."""

import time

import pytest

from helpers import app_config, events, join, post, sio
from pblapp import create_app
from pblapp.effects import live


@pytest.fixture
def app(tmp_path, monkeypatch):
    # Every meeting counts as large; lists 0.4 s apart.
    monkeypatch.setattr(live, "SPREAD_FROM", 1)
    return create_app(app_config(tmp_path, PHONE_BATCH_INTERVAL=0.4))


def test_every_phone_page_of_a_large_meeting_gets_each_post_once(app, client, live_meeting):
    # Nine pages: every part of the batched phones, and one part twice.
    pages = []
    for n in range(9):
        token = join(client, live_meeting["join_code"], f"Deltagare {n}")["token"]
        pages.append(sio(app, auth={"token": token, "batch": True}))
    author = sio(app, auth={"token": join(client, live_meeting["join_code"], "Cia")["token"]})
    for page in pages:
        page.get_received()
    sent = post(author, "Vad innebär dag 180?")["contribution"]
    got = [[] for _ in pages]

    def collect():
        for page, ids in zip(pages, got, strict=True):
            for batch in events(page, "contributions:added"):
                ids.extend(c["id"] for c in batch["contributions"])

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(got):
        time.sleep(0.05)
        collect()
    time.sleep(0.5)  # nothing more comes
    collect()
    assert got == [[sent["id"]]] * len(pages)
