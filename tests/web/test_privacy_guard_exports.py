"""Every research file masks what the privacy guard found until the facilitator has cleared
the flags (the owner's downloads included), and carries the status and the flags beside
the text; the minutes mask it too. Cleared, the words are in every file."""

import csv
import io
import json
import zipfile

import pytest

from helpers import close_meeting, participant_socket, post
from pblapp.domain.identifying import MASK

PERSONNUMMER = "811218-9876"
PHONE = "070-123 45 67"
TEXT = f"Klienten {PERSONNUMMER} ringer från {PHONE} varje vecka."
SHOWN = f"Klienten {MASK} ringer från {MASK} varje vecka."


@pytest.fixture
def flagged(app, client, facilitator, live_meeting):
    """A closed meeting with one flagged post and one ordinary one; the flagged post's id."""
    phone = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    contribution = post(phone, TEXT, "value")["contribution"]
    post(phone, "Vad säger lagen om dag 180?", "encyclopedic")
    close_meeting(client, facilitator, live_meeting["id"])
    return contribution


def every_file(client, facilitator, live_meeting) -> dict[str, str]:
    """The research files and the minutes, as text, by name."""
    gid, mid, headers = live_meeting["group_id"], live_meeting["id"], facilitator["headers"]
    files = {}
    for name, url in (
        ("log.csv", f"/api/v1/meetings/{mid}/log.csv"),
        ("group log.csv", f"/api/v1/groups/{gid}/log.csv"),
        ("log.jsonl", f"/api/v1/meetings/{mid}/log.jsonl"),
        ("group log.jsonl", f"/api/v1/groups/{gid}/log.jsonl"),
        ("minutes.md", f"/api/v1/meetings/{mid}/minutes.md"),
        ("minutes.html", f"/api/v1/meetings/{mid}/minutes.html"),
        ("log.xlsx", f"/api/v1/groups/{gid}/log.xlsx"),
        ("export.qdpx", f"/api/v1/groups/{gid}/export.qdpx"),
        ("archive.zip", f"/api/v1/groups/{gid}/archive.zip"),
        ("minutes.docx", f"/api/v1/meetings/{mid}/minutes.docx"),
    ):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, url
        # The zipped formats, member by member; the others as text.
        if name.endswith((".xlsx", ".qdpx", ".zip", ".docx")):
            files.update(unzipped(name, answer.data))
        else:
            files[name] = answer.get_data(as_text=True)
    return files


def unzipped(name: str, data: bytes) -> dict[str, str]:
    """Each member of a zip file (xlsx, docx, qdpx, and the archive with the qdpx in it)."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            content = archive.read(member)
            if member.endswith((".qdpx", ".xlsx", ".docx")):
                found.update(unzipped(f"{name}/{member}", content))
            else:
                found[f"{name}/{member}"] = content.decode("utf-8", errors="replace")
    return found


def test_every_research_file_and_the_minutes_mask_the_flagged_parts(
    client, facilitator, live_meeting, flagged
):
    files = every_file(client, facilitator, live_meeting)
    for name, text in files.items():
        assert PERSONNUMMER not in text, name
        assert PHONE not in text, name
    assert any(SHOWN in text for text in files.values())
    rows = list(csv.DictReader(io.StringIO(files["log.csv"])))
    assert [(row["text"], row["status"], row["flags"], row["flags_cleared"]) for row in rows] == [
        (SHOWN, "visible", "personnummer;phone", "false"),
        ("Vad säger lagen om dag 180?", "visible", "", "false"),
    ]
    added = [
        json.loads(line)
        for line in files["log.jsonl"].splitlines()
        if json.loads(line)["type"] == "contribution.added"
    ]
    assert added[0]["data"]["text"] == SHOWN
    assert added[0]["data"]["flags"] == ["personnummer", "phone"]


def test_cleared_flags_give_the_words_back_to_every_file(
    client, facilitator, live_meeting, flagged
):
    answer = client.patch(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{flagged['id']}",
        json={"clear_flags": True},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 200 and answer.get_json()["flags_cleared"] is True
    files = every_file(client, facilitator, live_meeting)
    for name in ("log.csv", "log.jsonl", "minutes.md", "minutes.html"):
        assert TEXT in files[name], name
    rows = list(csv.DictReader(io.StringIO(files["log.csv"])))
    assert (rows[0]["flags"], rows[0]["flags_cleared"]) == ("personnummer;phone", "true")
    # The minutes on disk were written again with the words.
    assert any(TEXT in text for name, text in files.items() if name.startswith("archive.zip/"))


def test_a_rejected_post_is_in_the_log_with_its_status(app, client, facilitator, live_meeting):
    client.patch(
        f"/api/v1/meetings/{live_meeting['id']}",
        json={"premoderation": True},
        headers=facilitator["headers"],
    )
    phone = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    waiting = post(phone, "Något som inte passar")["contribution"]
    post(phone, "Väntar ännu")
    client.patch(
        f"/api/v1/meetings/{live_meeting['id']}/contributions/{waiting['id']}",
        json={"approved": False, "reason": "Utanför ämnet"},
        headers=facilitator["headers"],
    )
    log = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/log.csv", headers=facilitator["headers"]
    ).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(log)))
    assert [(row["status"], row["hidden"]) for row in rows] == [
        ("rejected", "true"),
        ("pending", "true"),
    ]
    # The reason is the facilitator's note, not research data.
    assert "Utanför ämnet" not in log
