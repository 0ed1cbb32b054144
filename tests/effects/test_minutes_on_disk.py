"""The minutes in the data folder: written at the close, kept up to date, never rewritten."""

from pathlib import Path

from helpers import close_meeting, png, post_from_a_new_phone
from pblapp import ops


def _disk_minutes(app, meeting) -> str:
    folder = Path(app.config["DATA_DIR"]) / str(meeting["group_id"]) / str(meeting["number"])
    return (folder / "minutes.md").read_text(encoding="utf-8")


def test_closing_writes_the_minutes_in_the_groups_language_to_the_data_dir(
    app, client, facilitator
):
    from pathlib import Path

    import docx

    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={"name": "Reference group", "kind": "reference", "language": "en"},
        headers=headers,
    ).get_json()
    assert group["language"] == "en"
    meeting = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={}, headers=headers
    ).get_json()
    client.post(f"/api/v1/meetings/{meeting['id']}/start", headers=headers)
    client.post(f"/api/v1/meetings/{meeting['id']}/close", headers=headers)
    folder = Path(app.config["DATA_DIR"]) / str(group["id"]) / "1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "minutes.docx",
        "minutes.html",
        "minutes.md",
    ]
    assert (folder / "minutes.md").read_text().startswith("# Minutes: Reference group")
    assert docx.Document(str(folder / "minutes.docx")).paragraphs[0].text == (
        "Minutes: Reference group"
    )


def test_closing_again_does_not_rewrite_the_minutes_on_disk(app, client, facilitator, live_meeting):
    close_meeting(client, facilitator, live_meeting["id"])
    folder = Path(app.config["DATA_DIR"]) / str(live_meeting["group_id"]) / "1"
    (folder / "minutes.md").write_text("kept", encoding="utf-8")
    close_meeting(client, facilitator, live_meeting["id"])
    assert (folder / "minutes.md").read_text(encoding="utf-8") == "kept"


def test_hiding_a_post_after_the_close_removes_it_from_the_minutes_on_disk_and_downloaded(
    app, client, facilitator, live_meeting
):
    post = post_from_a_new_phone(
        app, client, live_meeting["join_code"], "Klienten Kalle Karlsson sa nej"
    )
    close_meeting(client, facilitator, live_meeting["id"])
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
    post = post_from_a_new_phone(
        app, client, live_meeting["join_code"], "Vad vet Kalle Karlsson om detta?"
    )
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.moderation.moderate(db, uid, mid, {"id": post["id"], "carry_forward": True})
    close_meeting(client, facilitator, mid)
    assert "Karlsson" in _disk_minutes(app, live_meeting)

    ops.moderation.moderate(db, uid, mid, {"id": post["id"], "hidden": True})
    assert "Karlsson" not in _disk_minutes(app, live_meeting)
    followups = client.get(f"/api/v1/meetings/{mid}/followups", headers=facilitator["headers"])
    assert followups.get_json()["questions"] == []


def test_showing_a_post_again_after_the_close_brings_its_question_back(
    app, client, db, facilitator, live_meeting
):
    post = post_from_a_new_phone(
        app, client, live_meeting["join_code"], "Vem samordnar Evas återgång?"
    )
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.moderation.moderate(db, uid, mid, {"id": post["id"], "carry_forward": True})
    ops.moderation.moderate(db, uid, mid, {"id": post["id"], "hidden": True})  # by mistake
    close_meeting(client, facilitator, mid)
    assert ops.followups.read(db, mid)["questions"] == []
    ops.moderation.moderate(db, uid, mid, {"id": post["id"], "hidden": False})
    assert [q["text"] for q in ops.followups.read(db, mid)["questions"]] == [
        "Vem samordnar Evas återgång?"
    ]
    assert "Vem samordnar Evas återgång?" in _disk_minutes(app, live_meeting).split("## Frågor")[-1]


def test_retagging_after_the_close_moves_the_post_in_the_minutes_on_disk(
    app, client, facilitator, live_meeting
):
    post = post_from_a_new_phone(
        app, client, live_meeting["join_code"], "Vad betyder dag 180?", "meaning"
    )
    close_meeting(client, facilitator, live_meeting["id"])
    client.patch(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{post['id']}",
        json={"qtype": "encyclopedic"},
        headers=facilitator["headers"],
    )
    minutes = _disk_minutes(app, live_meeting)
    assert minutes.index("dag 180") > minutes.index("### Encyklopedisk")
    assert "### Meningsorienterad" not in minutes


def test_removing_the_image_after_the_close_removes_it_from_the_minutes_on_disk(
    app, client, db, facilitator, live_meeting
):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.screen.set_starting_point_image(db, uid, mid, png())
    close_meeting(client, facilitator, mid)
    folder = Path(app.config["DATA_DIR"]) / str(live_meeting["group_id"]) / "1"
    assert (folder / "starting-point.png").exists()
    ops.screen.set_starting_point_image(db, uid, mid, None)
    assert not (folder / "starting-point.png").exists()
    assert "starting-point.png" not in _disk_minutes(app, live_meeting)
    assert "data:image" not in (folder / "minutes.html").read_text(encoding="utf-8")
