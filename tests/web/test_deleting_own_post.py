"""A participant deletes their own post (contribution:delete): only theirs, only while the
meeting is live, and then it is gone from every page, count, replay, minutes, export, the
database's bytes and the log, and a resend does not bring it back."""

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest

from helpers import (
    close_meeting,
    events,
    join,
    moderator_socket,
    participant_socket,
    post,
    sio,
)
from pblapp import ops


def delete(phone, payload):
    return phone.emit("contribution:delete", payload, callback=True)


@pytest.fixture
def anna(app, client, live_meeting):
    """Anna's phone, with one post of hers and her token."""
    token = join(client, live_meeting["join_code"], "Anna", "FK")["token"]
    phone = sio(app, auth={"token": token})
    return phone, token


def test_the_author_deletes_her_post_and_it_leaves_every_open_page(
    app, client, facilitator, live_meeting, anna
):
    phone, _ = anna
    kept = post(phone, "Vad innebär dag 180?", "encyclopedic")["contribution"]
    gone = post(phone, "Fel inlägg, skickat av misstag", "meaning")["contribution"]
    bertil = participant_socket(app, client, live_meeting["join_code"], "Bertil", "AF")
    console = moderator_socket(app, facilitator, live_meeting["id"])
    screen = sio(
        app,
        auth={
            "api_token": facilitator["token"],
            "meeting_id": live_meeting["id"],
            "view": "screen",
        },
    )
    for socket in (phone, bertil, console, screen):
        socket.get_received()

    assert delete(phone, {"id": gone["id"]}) == {"ok": True, "id": gone["id"]}

    for socket in (phone, bertil):
        # A phone shows no counts: it learns only that the post is gone.
        assert [e["name"] for e in socket.get_received()] == ["contribution:removed"]
    for socket in (console, screen):
        received = [(e["name"], e["args"][0]) for e in socket.get_received()]
        names = [name for name, _ in received]
        assert names[:2] == ["contribution:removed", "meeting:state"], names
        assert received[0][1] == {"id": gone["id"], "meeting_id": live_meeting["id"]}
        counts = received[1][1]["counts"]
        assert counts["meaning"] == 0 and counts["encyclopedic"] == 1
        # The last seq stays: a new post never takes the deleted one's seq.
        assert received[1][1]["last_seq"] == 2
    # Nobody's replay has it, the staff's included.
    for auth in (
        {"api_token": facilitator["token"], "meeting_id": live_meeting["id"]},
        {"api_token": facilitator["token"], "meeting_id": live_meeting["id"], "view": "screen"},
        {"token": anna[1]},
    ):
        assert [c["id"] for c in events(sio(app, auth=auth), "contribution:added")] == [kept["id"]]
    listed = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=facilitator["headers"]
    ).get_json()
    assert [c["id"] for c in listed] == [kept["id"]]
    later = post(phone, "Ett nytt inlägg")["contribution"]
    assert later["seq"] == 3 and later["id"] > gone["id"]


def test_only_the_author_deletes_and_only_in_her_own_meeting(
    app, client, db, facilitator, live_meeting, anna
):
    phone, _ = anna
    mine = post(phone, "Mitt inlägg")["contribution"]
    bertil = participant_socket(app, client, live_meeting["join_code"], "Bertil", "AF")
    other = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    ops.meetings.start(db, facilitator["id"], other["id"])
    elsewhere = participant_socket(app, client, other["join_code"], "Anna", "FK")
    theirs = post(elsewhere, "Ett inlägg i ett annat möte")["contribution"]

    assert delete(bertil, {"id": mine["id"]})["error"]["code"] == "not_found"
    assert delete(phone, {"id": theirs["id"]})["error"]["code"] == "not_found"
    assert delete(phone, {"id": 10**9})["error"]["code"] == "not_found"
    console = moderator_socket(app, facilitator, live_meeting["id"])
    assert delete(console, {"id": mine["id"]})["error"]["code"] == "not_participant"
    assert ops.participation.contribution(db, mine["id"])["text"] == "Mitt inlägg"
    assert delete(phone, {"id": mine["id"]})["ok"]
    # Once deleted, it is no post of hers any more.
    assert delete(phone, {"id": mine["id"]})["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "missing_field"),
        ({"id": "7"}, "invalid_id"),
        ({"id": True}, "invalid_id"),
        ({"id": 0}, "invalid_id"),
        ({"id": 1, "text": "x"}, "unknown_field"),
        ([1], "invalid_payload"),
        (None, "invalid_payload"),
    ],
)
def test_a_malformed_deletion_is_refused_with_a_code(anna, payload, code):
    phone, _ = anna
    post(phone, "Ett inlägg")
    answer = delete(phone, payload)
    assert answer["ok"] is False and answer["error"]["code"] == code


def test_a_post_can_be_deleted_only_while_the_meeting_is_live(
    client, db, facilitator, live_meeting, anna
):
    phone, _ = anna
    contribution = post(phone, "Fråga till nästa gång")["contribution"]
    close_meeting(client, facilitator, live_meeting["id"])
    answer = delete(phone, {"id": contribution["id"]})
    assert answer["error"]["code"] == "meeting_not_live"
    assert ops.participation.contribution(db, contribution["id"])["text"] == "Fråga till nästa gång"


def test_a_resend_of_a_deleted_post_does_not_bring_it_back(
    app, client, facilitator, live_meeting, anna
):
    phone, token = anna
    client_id = str(uuid.uuid4())
    contribution = post(phone, "Skickat två gånger", client_id=client_id)["contribution"]
    assert delete(phone, {"id": contribution["id"]})["ok"]
    console = moderator_socket(app, facilitator, live_meeting["id"])
    console.get_received()
    # The phone's outbox sends it again, after a reconnect.
    again = post(sio(app, auth={"token": token}), "Skickat två gånger", client_id=client_id)
    assert again["ok"] is False and again["error"]["code"] == "contribution_deleted"
    assert events(console, "contribution:added") == []
    listed = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/contributions", headers=facilitator["headers"]
    ).get_json()
    assert listed == []
    # Another participant's post with that client_id is still someone else's.
    bertil = participant_socket(app, client, live_meeting["join_code"], "Bertil", "AF")
    assert post(bertil, "Hej", client_id=client_id)["error"]["code"] == "client_id_taken"


def test_what_hung_on_the_post_goes_with_it(app, client, db, facilitator, live_meeting, anna):
    """Its reactions, its question for next time, a case story, the pin; duplicates merged
    into it stand alone again."""
    phone, _ = anna
    mid, uid = live_meeting["id"], facilitator["id"]
    target = post(phone, "Hur funkar samordningen?", "meaning")["contribution"]
    bertil = participant_socket(app, client, live_meeting["join_code"], "Bertil", "AF")
    duplicate = post(bertil, "Hur fungerar samordningen?", "meaning")["contribution"]
    assert bertil.emit(
        "reaction:set", {"contribution_id": target["id"], "kind": "agree"}, callback=True
    )["ok"]
    ops.moderation.merge(db, uid, mid, {"id": duplicate["id"], "into": target["id"]})
    ops.moderation.moderate(db, uid, mid, {"id": target["id"], "carry_forward": True})
    ops.screen.command(db, uid, mid, {"pin": target["id"]})
    ops.cases.add(
        db, ops.accounts.user(db, uid), live_meeting["group_id"], {"contribution_id": target["id"]}
    )
    console = moderator_socket(app, facilitator, mid)
    console.get_received()

    assert delete(phone, {"id": target["id"]})["ok"]

    received = console.get_received()
    names = [e["name"] for e in received]
    assert names == [
        "contribution:removed",
        "contribution:updated",
        "meeting:state",
        "followups:state",
        "screen:state",
    ]
    assert received[1]["args"][0]["id"] == duplicate["id"]
    assert received[1]["args"][0]["merged_into_id"] is None
    assert received[2]["args"][0]["counts"]["meaning"] == 1  # the duplicate counts again
    assert received[3]["args"][0]["questions"] == []
    assert received[4]["args"][0]["pinned_contribution_id"] is None
    assert ops.cases.in_group(db, live_meeting["group_id"]) == []
    assert db.query("SELECT * FROM reactions WHERE contribution_id = ?", [target["id"]]) == []
    assert db.query("SELECT * FROM questions WHERE contribution_id = ?", [target["id"]]) == []
    # The facilitator cannot act on it any more.
    for payload in ({"id": target["id"], "hidden": True},):
        answer = console.emit("contribution:update", payload, callback=True)
        assert answer["error"]["code"] == "contribution_not_found"
    answer = console.emit("screen:command", {"pin": target["id"]}, callback=True)
    assert answer["error"]["code"] == "contribution_not_found"
    answer = client.post(
        f"/api/v1/meetings/{mid}/contributions/{target['id']}/redact",
        json={},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 404


def every_byte_under(folder: Path) -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found.append((str(path), data))
            if data[:2] == b"PK":
                with zipfile.ZipFile(path) as archive:
                    found += [(f"{path}:{n}", archive.read(n)) for n in archive.namelist()]
    return found


def holding(folder: Path, text: str) -> list[str]:
    needles = [text.encode("utf-8"), json.dumps(text).strip('"').encode("utf-8")]
    return [name for name, data in every_byte_under(folder) if any(n in data for n in needles)]


def every_text(data: bytes) -> str:
    """The text of a download; of a zip (xlsx, qdpx, the archive) every file inside."""
    if data[:2] != b"PK":
        return data.decode("utf-8", errors="replace")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(every_text(archive.read(name)) for name in archive.namelist())


def test_a_deleted_post_is_in_no_export_no_minutes_no_byte_of_the_data_and_not_in_the_log(
    app, client, db, facilitator, live_meeting, anna
):
    phone, _ = anna
    # No Markdown punctuation, which the minutes would escape.
    marker = f"Klienten heter Kalle {uuid.uuid4().hex}"
    kept = post(phone, "Vad gäller vid dag 180?", "encyclopedic")["contribution"]
    gone = post(phone, marker, "meaning")["contribution"]
    for n in range(20):
        post(phone, f"Ett annat inlägg nummer {n} " * 10)
    data_dir = Path(app.config["DATA_DIR"])
    assert any("pblapp.sqlite3" in name for name in holding(data_dir, marker))

    assert delete(phone, {"id": gone["id"]})["ok"]
    assert holding(data_dir, marker) == []
    assert (data_dir / "pblapp.sqlite3-wal").stat().st_size == 0
    close_meeting(client, facilitator, live_meeting["id"])
    assert holding(data_dir, marker) == []  # nor in the minutes on disk
    gid, mid, headers = live_meeting["group_id"], live_meeting["id"], facilitator["headers"]
    downloads = [
        f"/api/v1/{scope}/{key}/{name}"
        for scope, key in (("groups", gid), ("meetings", mid))
        for name in ("log.csv", "log.jsonl", "log.xlsx")
    ] + [
        f"/api/v1/meetings/{mid}/contributions",
        f"/api/v1/meetings/{mid}/minutes.md",
        f"/api/v1/meetings/{mid}/minutes.html",
        f"/api/v1/meetings/{mid}/minutes.docx",
        f"/api/v1/groups/{gid}/content-analysis.csv",
        f"/api/v1/groups/{gid}/export.qdpx",
        f"/api/v1/groups/{gid}/archive.zip",
    ]
    for url in downloads:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, url
        assert marker not in every_text(answer.get_data()), url
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/api/v1/meetings/{mid}/log.csv", headers=headers).get_data(
                    as_text=True
                ),
                newline="",
            )
        )
    )
    assert str(gone["id"]) not in {row["contribution_id"] for row in rows}
    assert str(kept["id"]) in {row["contribution_id"] for row in rows}
    log = [
        json.loads(line)
        for line in client.get(f"/api/v1/groups/{gid}/log.jsonl", headers=headers)
        .get_data(as_text=True)
        .splitlines()
    ]
    about = [e for e in log if e["data"].get("contribution_id") == gone["id"]]
    assert [e["type"] for e in about] == ["contribution.deleted"]
    assert about[0]["actor"] == "P01"
    assert about[0]["data"] == {
        "contribution_id": gone["id"],
        "seq": gone["seq"],
        "events_rewritten": 1,
        "question_id": None,
        "case_ids": [],
        "unmerged": [],
        "unpinned": False,
    }
    minutes = client.get(f"/api/v1/meetings/{mid}/minutes.md", headers=headers)
    assert "Vad gäller vid dag 180?" in minutes.get_data(as_text=True)
    # The indicators (meetings.csv, the phase suggestion) count the others only.
    posts = ops.phases.record(db, mid)["posts"]
    assert len(posts) == 21 and [p["qtype"] for p in posts].count("meaning") == 0
