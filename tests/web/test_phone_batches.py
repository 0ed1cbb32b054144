"""New posts in batches for the phones that ask for them (the phone page): one message a
second at most in a plenary, instead of one per post, and the replay in a few pieces."""

import uuid

from helpers import events, join, post, sio
from pblapp import ops, web
from pblapp.effects import live
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


def _fan_out(db):
    """A fan-out with lists a second apart, whose waits are kept for the test to run:
    (what was sent, what waits)."""
    sent, waiting = [], []
    db.subscribe(
        LiveFanOut(
            db,
            lambda name, payload, room: sent.append((name, room, payload)),
            batch_interval=1.0,
            later=lambda delay, fn: waiting.append((delay, fn)),
        )
    )
    return sent, waiting


def test_posts_in_a_burst_wait_for_one_batch_as_they_are_then(
    client, db, facilitator, live_meeting
):
    mid = live_meeting["id"]
    sent, waiting = _fan_out(db)
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


def test_each_phone_page_gets_a_post_once_whichever_part_of_the_meeting_it_is_in(
    app, client, live_meeting
):
    # Nine pages: every part of the batched phones, and one part twice.
    pages = [_phone(app, client, live_meeting, f"Deltagare {n}", batch=True) for n in range(9)]
    author = _phone(app, client, live_meeting, "Cia")
    for page in pages:
        page.get_received()
    sent = post(author, "Vad innebär dag 180?")["contribution"]
    for page in pages:
        lists = events(page, "contributions:added")
        assert [[c["id"] for c in batch["contributions"]] for batch in lists] == [[sent["id"]]]


def _spread_fan_out(db, monkeypatch):
    """A fan-out whose meetings all count as large."""
    monkeypatch.setattr(live, "SPREAD_FROM", 1)
    return _fan_out(db)


def _lists(sent):
    """(room, ids) of every batch sent, and whether each post came hidden."""
    return [
        (room, [(c["id"], c["hidden"]) for c in p["contributions"]])
        for name, room, p in sent
        if name == "contributions:added"
    ]


def test_a_large_meetings_batch_reaches_its_parts_spread_over_the_interval_as_posts_are_then(
    client, db, facilitator, live_meeting, monkeypatch
):
    mid = live_meeting["id"]
    sent, waiting = _spread_fan_out(db, monkeypatch)
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    payload = {"client_id": str(uuid.uuid4()), "text": "Vad innebär dag 180?", "qtype": None}
    first = ops.participation.post(db, attendance, payload)[0]
    # The first part at once; the seven others an eighth of the interval apart.
    assert _lists(sent) == [(f"meeting:{mid}:participants:batched:0", [(first["id"], False)])]
    assert [delay for delay, _ in waiting] == [n / 8 for n in range(1, 8)]
    # Hidden after three parts had it: the others get it hidden, without its words.
    for _, send in waiting[:2]:
        send()
    ops.moderation.moderate(db, facilitator["id"], mid, {"id": first["id"], "hidden": True})
    for _, send in waiting[2:]:
        send()
    assert _lists(sent) == [
        (f"meeting:{mid}:participants:batched:{part}", [(first["id"], part >= 3)])
        for part in range(8)
    ]
    assert all(
        c["text"] == ""
        for name, _, p in sent
        if name == "contributions:added"
        for c in p["contributions"]
        if c["hidden"]
    )


def test_a_post_during_a_spread_batch_waits_for_the_next_one_and_reaches_every_part_once(
    client, db, live_meeting, monkeypatch
):
    mid = live_meeting["id"]
    sent, waiting = _spread_fan_out(db, monkeypatch)
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])

    def add(text):
        payload = {"client_id": str(uuid.uuid4()), "text": text, "qtype": None}
        return ops.participation.post(db, attendance, payload)[0]["id"]

    first = add("Först")
    second = add("Sedan")
    # Seven parts of the first batch wait, then the batch with the second post, at the end
    # of the interval.
    assert len(waiting) == 8 and 0.875 < waiting[-1][0] <= 1.0
    for _, send in list(waiting):
        send()
    # The next batch's own parts, spread in their turn.
    for _, send in waiting[8:]:
        send()
    got = {}
    for room, posts in _lists(sent):
        got.setdefault(room, []).extend(post_id for post_id, _ in posts)
    assert got == {f"meeting:{mid}:participants:batched:{p}": [first, second] for p in range(8)}
