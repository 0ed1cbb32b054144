"""New posts in batches for the phones that ask for them (the phone page): one message a
second at most in a plenary, instead of one per post, and the replay in a few pieces."""

import uuid

from helpers import events, join, post, sio
from pblapp import ops, web
from pblapp.effects.live import LiveFanOut


def _phone(app, client, live_meeting, name, **auth):
    token = join(client, live_meeting["join_code"], name)["token"]
    return sio(app, auth={"token": token, **auth})


def test_a_phone_page_gets_others_posts_as_lists_and_a_program_one_by_one(
    app, client, live_meeting
):
    page = _phone(app, client, live_meeting, "Anna", batch=True)
    program = _phone(app, client, live_meeting, "Bo")
    author = _phone(app, client, live_meeting, "Cia")
    for socket in (page, program):
        socket.get_received()
    sent = post(author, "Vad innebär dag 180?")["contribution"]
    received = page.get_received()
    assert [e["name"] for e in received] == ["contributions:added"]
    (batch,) = received[0]["args"]
    assert batch["meeting_id"] == live_meeting["id"]
    assert [c["id"] for c in batch["contributions"]] == [sent["id"]]
    assert batch["contributions"][0]["display_name"] == ""  # as every phone gets a post
    assert [c["id"] for c in events(program, "contribution:added")] == [sent["id"]]


def test_the_replay_comes_in_pieces_in_seq_order(app, client, live_meeting, monkeypatch):
    monkeypatch.setattr(web.sockets, "REPLAY_BATCH", 2)
    author = _phone(app, client, live_meeting, "Anna")
    ids = [post(author, f"Inlägg {n}")["contribution"]["id"] for n in range(5)]
    page = _phone(app, client, live_meeting, "Bo", batch=True)
    pieces = events(page, "contributions:added")
    assert [len(p["contributions"]) for p in pieces] == [2, 2, 1]
    assert [c["id"] for p in pieces for c in p["contributions"]] == ids
    assert events(page, "contribution:added") == []


def test_batch_must_be_true_or_false(app, client, live_meeting):
    token = join(client, live_meeting["join_code"], "Anna")["token"]
    socket = sio(app, auth={"token": token, "batch": "yes"})
    assert not socket.is_connected()


def test_posts_in_a_burst_wait_for_one_batch_as_they_are_then(
    client, db, facilitator, live_meeting
):
    mid = live_meeting["id"]
    sent, waiting = [], []
    db.subscribe(
        LiveFanOut(
            db,
            lambda name, payload, room: sent.append((name, room, payload)),
            batch_interval=1.0,
            later=lambda delay, fn: waiting.append((delay, fn)),
        )
    )
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])

    def add(text):
        payload = {"client_id": str(uuid.uuid4()), "text": text, "qtype": None}
        return ops.participation.post(db, attendance, payload)[0]

    def batches():
        return [p["contributions"] for name, _, p in sent if name == "contributions:added"]

    first = add("Först")
    assert [[c["id"] for c in b] for b in batches()] == [[first["id"]]]  # at once
    later = [add(f"Sedan {n}") for n in range(4)]
    assert len(batches()) == 1 and len(waiting) == 1
    # Before the batch goes, one is hidden and one deleted by its author.
    ops.moderation.moderate(db, facilitator["id"], mid, {"id": later[1]["id"], "hidden": True})
    ops.deletion.delete_own(db, attendance, {"id": later[2]["id"]})
    waiting[0][1]()
    last = batches()[-1]
    assert [c["id"] for c in last] == [later[0]["id"], later[1]["id"], later[3]["id"]]
    assert last[1]["hidden"] is True and last[1]["text"] == ""
