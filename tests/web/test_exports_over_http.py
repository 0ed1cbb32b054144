"""Research exports over HTTP: log.csv and log.jsonl per meeting and per group, pseudonymised."""

import csv
import io
import json
import uuid

from helpers import join
from pblapp import ops
from pblapp.domain.exports import CSV_COLUMNS


def fill(client, db, facilitator, live_meeting):
    anna = client.application.test_client()
    token = join(anna, live_meeting["join_code"], "Anna Andersson", "FK")["token"]
    a = ops.participation.attendance(db, token)
    ops.participation.post(
        db,
        a,
        {"client_id": str(uuid.uuid4()), "text": 'Citat: "ja, nej"\nny rad', "qtype": "value"},
    )
    hidden, _ = ops.participation.post(
        db, a, {"client_id": str(uuid.uuid4()), "text": "Dolt", "qtype": None}
    )
    ops.moderation.moderate(
        db, facilitator["id"], live_meeting["id"], {"id": hidden["id"], "hidden": True}
    )
    return a


def test_meeting_csv_has_the_documented_columns_and_rfc4180_quoting(
    client, db, facilitator, live_meeting
):
    fill(client, db, facilitator, live_meeting)
    response = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/log.csv", headers=facilitator["headers"]
    )
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\r\n")[0] == ",".join(CSV_COLUMNS).encode()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert [r["text"] for r in rows] == ['Citat: "ja, nej"\nny rad', "Dolt"]
    assert [r["hidden"] for r in rows] == ["false", "true"]
    first = rows[0]
    assert first["pseudonym"] == "P01" and first["organization"] == "FK"
    assert first["question_type"] == "value" and rows[1]["question_type"] == ""
    assert first["group_name"] == "Basgrupp Norrköping" and first["meeting_number"] == "1"
    assert len(first["meeting_date"]) == 10
    assert "Anna" not in raw.decode("utf-8")


def test_event_log_lines_have_the_documented_shape_and_no_names(
    client, db, facilitator, live_meeting
):
    fill(client, db, facilitator, live_meeting)
    text = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/log.jsonl", headers=facilitator["headers"]
    ).get_data(as_text=True)
    events = [json.loads(line) for line in text.splitlines()]
    assert [e["type"] for e in events] == [
        "meeting.created",
        "meeting.started",
        "participant.joined",
        "contribution.added",
        "contribution.added",
        "contribution.updated",
    ]
    for event in events:
        assert set(event) == {"seq", "at", "group_id", "meeting_id", "type", "actor", "data"}
        assert event["at"].endswith("Z") and len(event["at"]) == 24
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert events[2]["actor"] == "P01" and events[2]["meeting_id"] == live_meeting["id"]
    assert events[5]["actor"] == "facilitator"
    assert "Anna" not in text


def test_group_logs_span_all_meetings_with_stable_pseudonyms(client, db, facilitator, live_meeting):
    fill(client, db, facilitator, live_meeting)
    second = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    ops.meetings.start(db, facilitator["id"], second["id"])
    bo = ops.participation.attendance(db, join(client, second["join_code"], "Bo", "AF")["token"])
    ops.participation.post(db, bo, {"client_id": str(uuid.uuid4()), "text": "Nästa", "qtype": None})
    gid = live_meeting["group_id"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    f"/api/v1/groups/{gid}/log.csv", headers=facilitator["headers"]
                ).get_data(as_text=True),
                newline="",
            )
        )
    )
    assert [(r["meeting_number"], r["pseudonym"]) for r in rows] == [
        ("1", "P01"),
        ("1", "P01"),
        ("2", "P02"),
    ]
    events = [
        json.loads(line)
        for line in client.get(f"/api/v1/groups/{gid}/log.jsonl", headers=facilitator["headers"])
        .get_data(as_text=True)
        .splitlines()
    ]
    assert events[0]["type"] == "group.created" and events[0]["meeting_id"] is None
    assert {e["meeting_id"] for e in events} == {None, live_meeting["id"], second["id"]}


def test_exports_name_their_charset_once(client, facilitator, live_meeting):
    response = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/log.csv", headers=facilitator["headers"]
    )
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_a_long_log_streams_in_pieces_with_the_same_bytes_as_in_one_piece(
    client, db, facilitator, live_meeting, monkeypatch
):
    from pblapp.domain import exports

    attendance = fill(client, db, facilitator, live_meeting)
    for n in range(5):
        ops.participation.post(
            db, attendance, {"client_id": str(uuid.uuid4()), "text": f"Inlägg {n}", "qtype": None}
        )
    gid, mid = live_meeting["group"]["id"], live_meeting["id"]

    def pieces(path: str, rows_per_piece: int) -> list[bytes]:
        monkeypatch.setattr(exports, "CHUNK_ROWS", rows_per_piece)
        response = client.get(path, headers=facilitator["headers"])
        assert response.status_code == 200 and response.is_streamed
        return [p if isinstance(p, bytes) else p.encode() for p in response.response]

    for path in (f"/api/v1/meetings/{mid}/log.csv", f"/api/v1/groups/{gid}/log.jsonl"):
        small = pieces(path, 2)
        whole = pieces(path, 10_000)
        assert len(small) >= 3 and len([p for p in whole if p]) == 1
        assert b"".join(small) == b"".join(whole)
    csv_body = b"".join(pieces(f"/api/v1/meetings/{mid}/log.csv", 2)).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(csv_body)))
    assert len(rows) == 7 and rows[-1]["text"] == "Inlägg 4"
