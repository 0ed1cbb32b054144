"""Approval (justering) of the minutes over the JSON API: the owner approves a closed
meeting's minutes with the adjusters' names, a later change makes a new version with a note,
earlier versions can still be downloaded, and a redaction or a withdrawal takes the words
out of every kept version too."""

import io
import uuid
from pathlib import Path

from docx import Document

from helpers import close_meeting, error_code, join, participant_socket, post, rendered_html
from pblapp import ops
from pblapp.domain.clock import local_time


def approve(client, who, meeting_id, adjusters):
    return client.post(
        f"/api/v1/meetings/{meeting_id}/minutes/approve",
        json={"adjusters": adjusters},
        headers=who["headers"],
    )


def minutes(client, who, meeting_id, fmt="md", version=None):
    query = f"?version={version}" if version is not None else ""
    answer = client.get(
        f"/api/v1/meetings/{meeting_id}/minutes.{fmt}{query}", headers=who["headers"]
    )
    assert answer.status_code == 200, answer.data[:300]
    if fmt == "docx":
        document = Document(io.BytesIO(answer.data))
        return "\n".join(p.text for p in document.paragraphs)
    return answer.get_data(as_text=True)


def versions(client, who, meeting_id):
    answer = client.get(f"/api/v1/meetings/{meeting_id}/minutes/versions", headers=who["headers"])
    assert answer.status_code == 200
    return answer.get_json()


def test_the_owner_approves_closed_minutes_and_every_format_says_which_version(
    app, client, facilitator, researcher, live_meeting
):
    mid = live_meeting["id"]
    phone = participant_socket(app, client, live_meeting["join_code"])
    post(phone, "Vad innebär dag 180 för sjukpenningen", "meaning")
    assert approve(client, facilitator, mid, ["Anna"]).status_code == 409  # still live
    close_meeting(client, facilitator, mid)
    assert versions(client, facilitator, mid) == []
    assert "Version" not in minutes(client, facilitator, mid)
    for bad in ([], ["A", "B", "C"], [""], ["x" * 121], "Anna", [3]):
        refused = approve(client, facilitator, mid, bad)
        assert refused.status_code == 400 and error_code(refused) == "invalid_adjusters"
    ops.groups.grant(app.extensions["pblapp.db"], live_meeting["group_id"], researcher["id"])
    assert approve(client, researcher, mid, ["Anna"]).status_code == 403

    answer = approve(client, facilitator, mid, ["Anna", " Bo  Berg "])
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["version"] == 1 and body["approved_at"]
    # The day in the group's time zone, as the minutes write it (not the UTC day).
    day = local_time(body["approved_at"], "Europe/Stockholm")[0]
    line = f"Version 1 (justerad {day} av Anna, Bo Berg)"
    assert line in minutes(client, facilitator, mid, "md")
    assert line in minutes(client, facilitator, mid, "html")
    assert line in minutes(client, facilitator, mid, "docx")
    assert line in minutes(client, facilitator, mid, "md", version=1)
    listed = versions(client, facilitator, mid)
    assert [(v["version"], v["approved_at"], v["note"]) for v in listed] == [
        (1, body["approved_at"], None)
    ]
    # The researcher sees the versions, but not the adjusters' names.
    assert "adjusters" not in versions(client, researcher, mid)[0]
    # Approved again with nothing changed: still version 1.
    assert approve(client, facilitator, mid, ["Anna"]).get_json()["version"] == 1
    on_disk = Path(app.config["DATA_DIR"]) / str(live_meeting["group_id"]) / "1" / "minutes.md"
    assert line in on_disk.read_text(encoding="utf-8")
    missing = client.get(
        f"/api/v1/meetings/{mid}/minutes.md?version=7", headers=facilitator["headers"]
    )
    assert missing.status_code == 404
    bad = client.get(f"/api/v1/meetings/{mid}/minutes.md?version=x", headers=facilitator["headers"])
    assert bad.status_code == 400


def test_hiding_a_post_after_approval_makes_a_new_version_and_keeps_the_approved_one(
    app, client, facilitator, live_meeting
):
    mid = live_meeting["id"]
    phone = participant_socket(app, client, live_meeting["join_code"])
    kept = post(phone, "Hur länge gäller ett läkarintyg", "meaning")["contribution"]
    close_meeting(client, facilitator, mid)
    approve(client, facilitator, mid, ["Anna"])
    ops.moderation.moderate(
        app.extensions["pblapp.db"], facilitator["id"], mid, {"id": kept["id"], "hidden": True}
    )
    listed = versions(client, facilitator, mid)
    assert [v["version"] for v in listed] == [1, 2]
    assert listed[1]["approved_at"] is None
    assert listed[1]["note"].startswith("Ändrat efter justering:")
    now = minutes(client, facilitator, mid)
    assert "Version 2, ej justerad" in now and "Hur länge gäller" not in now
    then = minutes(client, facilitator, mid, version=1)
    assert "Version 1 (justerad" in then and "Hur länge gäller ett läkarintyg" in then
    # Approving again approves version 2.
    again = approve(client, facilitator, mid, ["Bo"]).get_json()
    assert again["version"] == 2 and again["approved_at"]
    assert "Version 2 (justerad" in minutes(client, facilitator, mid)


def _bytes_hold(data_dir: Path, text: str) -> bool:
    needle = text.encode("utf-8")
    return any(needle in p.read_bytes() for p in data_dir.rglob("pblapp.sqlite3*"))


def test_a_redaction_takes_the_words_out_of_every_kept_version(
    app, client, facilitator, live_meeting
):
    mid = live_meeting["id"]
    marker = f"Klienten heter Kalle {uuid.uuid4().hex}"
    phone = participant_socket(app, client, live_meeting["join_code"])
    contribution = post(phone, marker, "meaning")["contribution"]
    close_meeting(client, facilitator, mid)
    approve(client, facilitator, mid, ["Anna"])
    assert marker in minutes(client, facilitator, mid, version=1)
    assert _bytes_hold(Path(app.config["DATA_DIR"]), marker)
    answer = client.post(
        f"/api/v1/meetings/{mid}/contributions/{contribution['id']}/redact",
        json={},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 200
    listed = versions(client, facilitator, mid)
    assert [(v["version"], v["approved_at"] is None) for v in listed] == [(1, False), (2, True)]
    assert listed[1]["note"] == "Ändrat efter justering: ett inlägg maskerat"
    for version in (1, 2):
        shown = minutes(client, facilitator, mid, version=version)
        assert marker not in shown and "[redacted]" in shown
    assert not _bytes_hold(Path(app.config["DATA_DIR"]), marker)


def test_a_withdrawal_shows_the_placeholder_in_every_kept_version(
    app, client, facilitator, researcher, live_meeting
):
    mid, gid = live_meeting["id"], live_meeting["group_id"]
    marker = f"Min chef på FK sa {uuid.uuid4().hex}"
    join(client, live_meeting["join_code"], "Zelda Unikdottir")
    phone = participant_socket(app, client, live_meeting["join_code"], "Bo")
    post(phone, marker, "meaning")
    close_meeting(client, facilitator, mid)
    approve(client, facilitator, mid, ["Anna"])
    ops.groups.grant(app.extensions["pblapp.db"], gid, researcher["id"])
    # The researcher's copy of a version has pseudonyms only.
    for fmt in ("md", "html", "docx"):
        assert "Zelda" not in minutes(client, researcher, mid, fmt, version=1)
    answer = client.post(
        f"/api/v1/groups/{gid}/participants/P02/withdraw", headers=facilitator["headers"]
    )
    assert answer.status_code == 200
    for who in (facilitator, researcher):
        shown = minutes(client, who, mid, version=1)
        assert marker not in shown and "[återkallat]" in shown
    assert not _bytes_hold(Path(app.config["DATA_DIR"]), marker)


def test_the_console_approval_form_lists_each_version_with_its_files(
    app, client, facilitator, researcher, live_meeting
):
    from flask import g, render_template

    mid, gid = live_meeting["id"], live_meeting["group_id"]
    database = app.extensions["pblapp.db"]
    close_meeting(client, facilitator, mid)

    def form(user):
        with app.test_request_context("/"):
            g.user = user
            return render_template(
                "meetings/_approval.html",
                group=ops.lookup.group_row(database, gid),
                meeting=ops.lookup.meeting_row(database, mid),
                current_language="sv",
            )

    before = form(facilitator)
    assert "Justera protokollet" in before and "Inte justerat ännu." in before
    approve(client, facilitator, mid, ["Anna <b>", "Bo"])
    after = form(facilitator)
    assert "Version 1 (justerad" in after and "av Anna &lt;b&gt;, Bo)" in after
    assert f"/api/v1/meetings/{mid}/minutes.docx?version=1" in after
    ops.groups.grant(database, gid, researcher["id"])
    assert "approval-form" not in form(researcher)


def test_an_adjusters_name_never_becomes_a_link_image_or_html_in_the_minutes(
    client, facilitator, live_meeting
):
    mid = live_meeting["id"]
    close_meeting(client, facilitator, mid)
    names = ["[klicka](https://example.com)", "<img src=x onerror=alert(1)>"]
    assert approve(client, facilitator, mid, names).status_code == 200
    for html in rendered_html(minutes(client, facilitator, mid, "md")):
        assert "<a" not in html and "<img" not in html
    page = minutes(client, facilitator, mid, "html")
    assert "<img" not in page and "&lt;img src=x" in page


def test_an_erased_participants_name_is_in_no_kept_version(app, client, facilitator, live_meeting):
    mid, gid = live_meeting["id"], live_meeting["group_id"]
    name = f"Zelda {uuid.uuid4().hex[:10]}"
    phone = participant_socket(app, client, live_meeting["join_code"], name)
    post(phone, "Vem ringer arbetsgivaren", "solution")
    close_meeting(client, facilitator, mid)
    approve(client, facilitator, mid, ["Anna"])
    assert _bytes_hold(Path(app.config["DATA_DIR"]), name)
    answer = client.post(
        f"/api/v1/groups/{gid}/participants/P01/erase", headers=facilitator["headers"]
    )
    assert answer.status_code == 200
    assert name not in minutes(client, facilitator, mid, version=1)
    assert not _bytes_hold(Path(app.config["DATA_DIR"]), name)


def test_renaming_the_group_rewrites_the_minutes_on_disk_and_makes_a_new_version(
    app, client, facilitator, live_meeting
):
    mid, gid = live_meeting["id"], live_meeting["group_id"]
    close_meeting(client, facilitator, mid)
    approve(client, facilitator, mid, ["Anna"])
    on_disk = Path(app.config["DATA_DIR"]) / str(gid) / "1" / "minutes.md"
    headers = facilitator["headers"]
    # A change the minutes do not show keeps the approved version as it is.
    client.patch(f"/api/v1/groups/{gid}", json={"goals": "Nya mål"}, headers=headers)
    assert [v["version"] for v in versions(client, facilitator, mid)] == [1]
    answer = client.patch(f"/api/v1/groups/{gid}", json={"name": "Basgrupp Öst"}, headers=headers)
    assert answer.status_code == 200
    text = on_disk.read_text(encoding="utf-8")
    assert text.startswith("# Minnesanteckningar: Basgrupp Öst")
    assert "Version 2, ej justerad" in text
    listed = versions(client, facilitator, mid)
    assert listed[1]["note"] == "Ändrat efter justering: gruppens inställningar"
    assert "Basgrupp Öst" not in minutes(client, facilitator, mid, version=1)
    # English from now on: the copy on disk follows the group's language.
    client.patch(f"/api/v1/groups/{gid}", json={"language": "en"}, headers=headers)
    assert on_disk.read_text(encoding="utf-8").startswith("# Notes: Basgrupp Öst")
