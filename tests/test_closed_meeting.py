"""A closed meeting's record: what can still change after the close, and what cannot.

Its follow-ups are kept as they stood at the close. Moderation of its contributions (hide,
re-tag, merge) still works, and the minutes, downloaded or on disk, follow it.
"""

import uuid
from pathlib import Path

from conftest import PASSWORD, join
from pblapp import ops


def _post(app, client, join_code, text, qtype="meaning"):
    token = join(client, join_code)["token"]
    phone = app.extensions["socketio"].test_client(app, auth={"token": token})
    payload = {"client_id": str(uuid.uuid4()), "text": text, "qtype": qtype}
    answer = phone.emit("contribution:add", payload, callback=True)
    assert answer["ok"], answer
    return answer["contribution"]


def _close(client, facilitator, meeting_id):
    answer = client.post(f"/api/v1/meetings/{meeting_id}/close", headers=facilitator["headers"])
    assert answer.status_code == 200


def _disk_minutes(app, meeting) -> str:
    folder = Path(app.config["DATA_DIR"]) / str(meeting["group_id"]) / str(meeting["number"])
    return (folder / "minutes.md").read_text(encoding="utf-8")


def test_hiding_a_post_after_the_close_removes_it_from_the_minutes_on_disk_and_downloaded(
    app, client, facilitator, live_meeting
):
    post = _post(app, client, live_meeting["join_code"], "Klienten Kalle Karlsson sa nej")
    _close(client, facilitator, live_meeting["id"])
    assert "Karlsson" in _disk_minutes(app, live_meeting)

    hidden = client.patch(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{post['id']}",
        json={"hidden": True},
        headers=facilitator["headers"],
    )
    assert hidden.status_code == 200
    assert "Karlsson" not in _disk_minutes(app, live_meeting)
    downloaded = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.md", headers=facilitator["headers"]
    ).get_data(as_text=True)
    assert "Karlsson" not in downloaded


def test_a_question_carried_from_a_post_hidden_after_the_close_leaves_the_minutes(
    app, client, db, facilitator, live_meeting
):
    post = _post(app, client, live_meeting["join_code"], "Vad vet Kalle Karlsson om detta?")
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.participation.moderate(db, uid, mid, {"id": post["id"], "carry_forward": True})
    _close(client, facilitator, mid)
    assert "Karlsson" in _disk_minutes(app, live_meeting)

    ops.participation.moderate(db, uid, mid, {"id": post["id"], "hidden": True})
    assert "Karlsson" not in _disk_minutes(app, live_meeting)
    followups = client.get(f"/api/v1/meetings/{mid}/followups", headers=facilitator["headers"])
    assert followups.get_json()["questions"] == []


def test_retagging_after_the_close_moves_the_post_in_the_minutes_on_disk(
    app, client, facilitator, live_meeting
):
    post = _post(app, client, live_meeting["join_code"], "Vad betyder dag 180?", "meaning")
    _close(client, facilitator, live_meeting["id"])
    client.patch(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{post['id']}",
        json={"qtype": "encyclopedic"},
        headers=facilitator["headers"],
    )
    minutes = _disk_minutes(app, live_meeting)
    assert minutes.index("dag 180") > minutes.index("### Encyklopedisk")
    assert "### Meningsorienterad" not in minutes


def test_a_closed_meetings_follow_ups_stay_as_at_the_close_when_a_later_meeting_answers(
    client, db, facilitator, live_meeting
):
    uid, gid, first = facilitator["id"], live_meeting["group_id"], live_meeting["id"]
    ops.followups.add_question(db, uid, first, {"text": "Vem äger rehabkedjan?"})
    ops.decisions.add_action_item(db, uid, first, {"what": "Ringa FK", "who": "Anna"})
    _close(client, facilitator, first)
    second = ops.meetings.create(db, uid, gid, {})
    ops.meetings.start(db, uid, second["id"])
    state = ops.followups.read(db, second["id"])
    ops.followups.update_question(
        db, uid, second["id"], {"id": state["questions"][0]["id"], "status": "answered"}
    )
    ops.decisions.update_action_item(
        db, uid, second["id"], {"id": state["action_items"][0]["id"], "status": "done"}
    )

    at_close = client.get(
        f"/api/v1/meetings/{first}/followups", headers=facilitator["headers"]
    ).get_json()
    assert [q["status"] for q in at_close["questions"]] == ["open"]
    assert [a["status"] for a in at_close["action_items"]] == ["open"]
    later = ops.followups.read(db, second["id"])
    assert [q["status"] for q in later["questions"]] == ["answered"]


def test_follow_ups_cannot_be_added_to_a_closed_meeting_and_the_answer_says_why(
    app, client, facilitator, live_meeting
):
    post = _post(app, client, live_meeting["join_code"], "Fråga till nästa gång?")
    mid = live_meeting["id"]
    _close(client, facilitator, mid)
    base, headers = f"/api/v1/meetings/{mid}", facilitator["headers"]
    refused = [
        client.post(f"{base}/questions", json={"text": "Ny fråga"}, headers=headers),
        client.post(f"{base}/decisions", json={"text": "Vi beslutar"}, headers=headers),
        client.post(f"{base}/action-items", json={"what": "Ring", "who": "Bo"}, headers=headers),
        client.patch(
            f"{base}/contributions/{post['id']}", json={"carry_forward": True}, headers=headers
        ),
    ]
    for answer in refused:
        assert answer.status_code == 409, answer.get_data(as_text=True)
        assert answer.get_json()["error"]["code"] == "meeting_closed"
    followups = client.get(f"{base}/followups", headers=headers).get_json()
    assert followups["questions"] == followups["decisions"] == followups["action_items"] == []


def test_closing_again_does_not_rewrite_the_minutes_on_disk(app, client, facilitator, live_meeting):
    _close(client, facilitator, live_meeting["id"])
    folder = Path(app.config["DATA_DIR"]) / str(live_meeting["group_id"]) / "1"
    (folder / "minutes.md").write_text("kept", encoding="utf-8")
    _close(client, facilitator, live_meeting["id"])
    assert (folder / "minutes.md").read_text(encoding="utf-8") == "kept"


def test_the_console_of_a_closed_meeting_shows_its_follow_ups_read_only(
    client, facilitator, live_meeting
):
    client.post("/", data={"name": facilitator["name"], "password": PASSWORD})
    _close(client, facilitator, live_meeting["id"])
    page = client.get(f"/meetings/{live_meeting['id']}").get_data(as_text=True)
    assert 'data-testid="followups-closed"' in page
    assert '<fieldset class="followup-columns" disabled>' in page
    assert 'data-testid="carry-toggle" disabled' in page


def test_the_api_changes_a_contribution_like_the_console_and_refuses_bad_input_clearly(
    app, client, facilitator, live_meeting
):
    post = _post(app, client, live_meeting["join_code"], "Vad betyder dag 180?")
    url = f"/api/v1/meetings/{live_meeting['id']}/contributions/{post['id']}"
    headers = facilitator["headers"]
    changed = client.patch(url, json={"qtype": "value", "hidden": True}, headers=headers)
    assert changed.status_code == 200
    assert (changed.get_json()["qtype"], changed.get_json()["hidden"]) == ("value", True)
    for body, code in [
        ({"id": post["id"], "hidden": False}, "unknown_field"),
        ({"hidden": "yes"}, "invalid_hidden"),
        ({}, "nothing_to_change"),
        ({"qtype": "gossip"}, "invalid_qtype"),
    ]:
        answer = client.patch(url, json=body, headers=headers)
        assert answer.status_code == 400, body
        assert answer.get_json()["error"]["code"] == code
    missing = client.patch(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/999",
        json={"hidden": True},
        headers=headers,
    )
    assert missing.status_code == 404
    stored = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=headers
    ).get_json()
    assert [(c["qtype"], c["hidden"]) for c in stored] == [("value", True)]


def test_showing_a_post_again_after_the_close_brings_its_question_back(
    app, client, db, facilitator, live_meeting
):
    post = _post(app, client, live_meeting["join_code"], "Vem samordnar Evas återgång?")
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.participation.moderate(db, uid, mid, {"id": post["id"], "carry_forward": True})
    ops.participation.moderate(db, uid, mid, {"id": post["id"], "hidden": True})  # by mistake
    _close(client, facilitator, mid)
    assert ops.followups.read(db, mid)["questions"] == []
    ops.participation.moderate(db, uid, mid, {"id": post["id"], "hidden": False})
    assert [q["text"] for q in ops.followups.read(db, mid)["questions"]] == [
        "Vem samordnar Evas återgång?"
    ]
    assert "Vem samordnar Evas återgång?" in _disk_minutes(app, live_meeting).split("## Frågor")[-1]


def test_a_jpeg_word_cannot_read_still_gives_all_the_minutes(
    app, client, db, facilitator, live_meeting
):
    import io

    import docx

    jpeg = b"\xff\xd8\xff\xe2" + b"\x00" * 200  # a JPEG without the JFIF header Word's reader wants
    ops.screen.set_starting_point_image(db, facilitator["id"], live_meeting["id"], jpeg)
    _close(client, facilitator, live_meeting["id"])
    word = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/minutes.docx", headers=facilitator["headers"]
    )
    assert word.status_code == 200
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs]
    assert any(p.endswith("starting-point.jpg") for p in paragraphs)
    folder = Path(app.config["DATA_DIR"]) / str(live_meeting["group_id"]) / "1"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["minutes.docx", "minutes.html", "minutes.md", "starting-point.jpg"]


def test_removing_the_image_after_the_close_removes_it_from_the_minutes_on_disk(
    app, client, db, facilitator, live_meeting
):
    from conftest import png

    uid, mid = facilitator["id"], live_meeting["id"]
    ops.screen.set_starting_point_image(db, uid, mid, png())
    _close(client, facilitator, mid)
    folder = Path(app.config["DATA_DIR"]) / str(live_meeting["group_id"]) / "1"
    assert (folder / "starting-point.png").exists()
    ops.screen.set_starting_point_image(db, uid, mid, None)
    assert not (folder / "starting-point.png").exists()
    assert "starting-point.png" not in _disk_minutes(app, live_meeting)
    assert "data:image" not in (folder / "minutes.html").read_text(encoding="utf-8")


def test_a_question_that_quotes_a_post_keeps_the_participants_words(
    app, client, db, facilitator, live_meeting
):
    import pytest

    from pblapp.domain.errors import DomainError

    post = _post(app, client, live_meeting["join_code"], "Vad innebär dag 180?")
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.participation.moderate(db, uid, mid, {"id": post["id"], "carry_forward": True})
    question = ops.followups.read(db, mid)["questions"][0]
    with pytest.raises(DomainError) as caught:
        ops.followups.update_question(db, uid, mid, {"id": question["id"], "text": "Mina egna ord"})
    assert caught.value.code == "question_quotes_a_post"
    assert ops.followups.read(db, mid)["questions"][0]["text"] == "Vad innebär dag 180?"
