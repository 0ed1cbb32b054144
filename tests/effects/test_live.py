"""What each room hears of a committed change: the facilitator's pages, projector and phones."""

import uuid

from helpers import events, join, moderator_socket, participant_socket, post, sio, texts
from pblapp import ops
from pblapp.effects.live import LiveFanOut


def test_changes_are_published_after_they_are_stored(client, db, facilitator, live_meeting):
    mid = live_meeting["id"]
    sent = []
    db.subscribe(
        LiveFanOut(
            db,
            lambda name, payload, room: sent.append(
                (name, room, len(ops.participation.contributions(db, mid)))
            ),
        )
    )
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    sent.clear()
    ops.participation.post(
        db,
        attendance,
        {"client_id": str(uuid.uuid4()), "text": "Vad innebär dag 180?", "qtype": "encyclopedic"},
    )
    assert sent == [
        # The room's screen first, then the console.
        ("contribution:added", f"meeting:{mid}:screen", 1),
        ("contribution:added", f"meeting:{mid}:staff", 1),
        # Phones: one by one to those that asked so, in a batch to the phone pages.
        ("contribution:added", f"meeting:{mid}:participants:singles", 1),
        # A small meeting's batched phones: every part in one message, at once.
        (
            "contributions:added",
            [f"meeting:{mid}:participants:batched:{part}" for part in range(8)],
            1,
        ),
        # The counts go to the pages that show them; a phone shows only the status.
        ("meeting:state", f"meeting:{mid}:staff", 1),
        ("meeting:state", f"meeting:{mid}:screen", 1),
    ]
    sent.clear()
    ops.meetings.close(db, facilitator["id"], mid)
    # A change of status reaches the whole room at once, phones included.
    assert ("meeting:state", f"meeting:{mid}", 1) in sent


def test_a_burst_of_posts_sends_the_counts_once_after_the_burst(client, db, live_meeting):
    sent, waiting = [], []
    db.subscribe(
        LiveFanOut(
            db,
            lambda name, payload, room: sent.append((name, room, payload)),
            interval=0.25,
            later=lambda delay, fn: waiting.append((delay, fn)),
        )
    )
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])

    def counts() -> list[int]:
        return [
            p["counts"]["untagged"]
            for name, room, p in sent
            if name == "meeting:state" and room.endswith(":staff")
        ]

    # The join's counts went at once.
    assert len(counts()) == 1 and not waiting
    sent.clear()
    for n in range(20):
        ops.participation.post(
            db, attendance, {"client_id": str(uuid.uuid4()), "text": f"Inlägg {n}", "qtype": None}
        )
    # Every post at once, but the counts wait for one send at the interval's end.
    assert [name for name, *_ in sent].count("contribution:added") == 60
    assert [name for name, *_ in sent].count("contributions:added") == 20
    assert counts() == []
    assert len(waiting) == 1 and 0 < waiting[0][0] <= 0.25
    waiting[0][1]()
    assert counts() == [20]


def test_phones_never_learn_which_name_goes_with_which_pseudonym(app, client, live_meeting):
    """The key between names and pseudonyms is the facilitator's (PRODUCT.md)."""
    anna = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    bertil_token = join(client, live_meeting["join_code"], "Bertil", "AF")["token"]
    bertil = sio(app, auth={"token": bertil_token})
    bertil.get_received()
    sent = post(anna, text="Vad innebär dag 180?", qtype="encyclopedic")
    assert sent["contribution"]["display_name"] == "Anna"  # her own ack keeps her name
    live = events(bertil, "contribution:added")
    assert [(c["pseudonym"], c["display_name"]) for c in live] == [("P01", "")]
    replayed = events(sio(app, auth={"token": bertil_token}), "contribution:added")
    assert [(c["pseudonym"], c["display_name"]) for c in replayed] == [("P01", "")]


def test_phones_learn_a_post_was_hidden_but_not_what_it_said(
    app, client, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    moderator = moderator_socket(app, facilitator, live_meeting["id"])
    sent = post(phone, "Klienten Eva Ek, 19520101")["contribution"]
    phone.get_received()
    moderator.get_received()
    moderator.emit("contribution:update", {"id": sent["id"], "hidden": True}, callback=True)
    to_phone = events(phone, "contribution:updated")
    to_staff = events(moderator, "contribution:updated")
    # Nor the reaction counts (in a small group a count tells who reacted), nor where the
    # privacy guard found something.
    console_only = {"reactions", "flag_spans", "moderation_reason"}
    without_counts = {key: value for key, value in sent.items() if key not in console_only}
    assert to_phone == [{**without_counts, "hidden": True, "text": "", "display_name": ""}]
    assert to_staff[0]["text"] == "Klienten Eva Ek, 19520101"


def test_phones_get_no_follow_ups_which_may_quote_a_hidden_post(
    app, client, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    moderator = moderator_socket(app, facilitator, live_meeting["id"])
    sent = post(phone, "Eva Ek")["contribution"]
    phone.get_received()
    moderator.emit(
        "contribution:update",
        {"id": sent["id"], "hidden": True, "carry_forward": True},
        callback=True,
    )
    assert "Eva Ek" not in str(phone.get_received())
    assert "Eva Ek" in str(moderator.get_received())


def test_follow_ups_reach_the_facilitators_pages_not_the_phones(
    app, client, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    moderator = moderator_socket(app, facilitator, live_meeting["id"])
    screen = moderator_socket(app, facilitator, live_meeting["id"])
    assert [e["name"] for e in screen.get_received()[:3]] == [
        "meeting:state",
        "agenda:state",
        "followups:state",
    ]
    phone.get_received()
    ack = moderator.emit("decision:add", {"text": "Vi bjuder in AF."}, callback=True)
    assert ack["ok"] and texts(ack["followups"]["decisions"]) == ["Vi bjuder in AF."]
    pushed = events(screen, "followups:state")
    assert texts(pushed[-1]["decisions"]) == ["Vi bjuder in AF."]
    assert events(phone, "followups:state") == []
    refused = phone.emit("question:add", {"text": "Får jag?"}, callback=True)
    assert refused["error"]["code"] == "forbidden"


def test_goals_changed_during_a_meeting_reach_the_open_screen_and_phones(
    app, client, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    phone.get_received()
    client.patch(
        f"/api/v1/groups/{live_meeting['group_id']}",
        json={"goals": "## Huvudmål\nEn <script>x</script>samverkande **rehabkedja**"},
        headers=facilitator["headers"],
    )
    states = events(phone, "screen:state")
    assert len(states) == 1
    assert "<strong>rehabkedja</strong>" in states[0]["goals_html"]
    assert "<script" not in states[0]["goals_html"]


def test_hiding_a_carried_post_takes_its_question_off_every_open_console(
    app, client, db, facilitator, live_meeting
):
    phone = participant_socket(app, client, live_meeting["join_code"])
    cid = post(phone, "Vad gäller efter dag 180?", "encyclopedic")["contribution"]["id"]
    mid = live_meeting["id"]
    ops.moderation.moderate(db, facilitator["id"], mid, {"id": cid, "carry_forward": True})
    other_console = moderator_socket(app, facilitator, mid)
    other_console.get_received()
    client.patch(
        f"/api/v1/meetings/{mid}/contributions/{cid}",
        json={"carry_forward": True, "hidden": True},
        headers=facilitator["headers"],
    )
    [state] = events(other_console, "followups:state")
    assert state["questions"] == []
