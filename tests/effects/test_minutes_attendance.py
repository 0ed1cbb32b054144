"""Who was there: the minutes' attendance lists, per organisation, who was present (late
arrivals with their time in the group's zone) and who on the group's roster was absent;
with ``minutes_names`` the group's own minutes show names, the research copy never does."""

import io
import zipfile

import docx
import pytest

from helpers import close_meeting, join, log_in, next_meeting, participant_socket, post
from pblapp import ops
from pblapp.domain import validation
from pblapp.domain.errors import DomainError
from pblapp.effects import minutes


def as_text(body) -> str:
    return body.decode() if isinstance(body, bytes) else body


def own(db, meeting_id, fmt="md", lang=None):
    zone = ops.groups.meeting_timezone(db, meeting_id)
    body = minutes.minutes_file(db, meeting_id, fmt, zone, lang)
    return body if fmt == "docx" else as_text(body)


def research(db, meeting_id, fmt="md"):
    zone = ops.groups.meeting_timezone(db, meeting_id)
    body = minutes.minutes_file(db, meeting_id, fmt, zone, None, for_research=True)
    return body if fmt == "docx" else as_text(body)


def docx_text(body: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)


def attendance_section(markdown: str) -> str:
    return markdown.split("## Närvaro", 1)[1].split("\n## ", 1)[0]


def set_times(db, meeting_id, started, joined_by_pseudonym):
    def write(change):
        change.db.execute("UPDATE meetings SET started_at = ? WHERE id = ?", [started, meeting_id])
        for pseudonym, joined in joined_by_pseudonym.items():
            change.db.execute(
                "UPDATE attendances SET joined_at = ? WHERE meeting_id = ? AND participant_id = "
                "(SELECT id FROM participants WHERE pseudonym = ? AND group_id = "
                "(SELECT group_id FROM meetings WHERE id = ?))",
                [joined, meeting_id, pseudonym, meeting_id],
            )

    db.change(write)


@pytest.fixture
def two_meetings(client, db, facilitator, live_meeting):
    """Meeting 1: Anna (FK), Bo (AF) with phones, Örjan (AF) added without one. Meeting 2:
    only Anna and Örjan."""
    first, gid = live_meeting, live_meeting["group_id"]
    anna = join(client, first["join_code"], "Anna Berg", "FK")
    join(client, first["join_code"], "Bo Ek", "AF")
    ops.identities.add_attendance(
        db, facilitator["id"], first["id"], {"display_name": "Örjan Öberg", "organization": "AF"}
    )
    close_meeting(client, facilitator, first["id"])
    second = next_meeting(db, facilitator, gid)
    client.post(f"/j/{second['join_code']}", json={"token": anna["token"], "consent": True})
    ops.identities.add_attendance(db, facilitator["id"], second["id"], {"pseudonym": "P03"})
    return {"group_id": gid, "first": first, "second": second}


def test_the_minutes_list_present_and_absent_per_organisation(db, two_meetings):
    first = attendance_section(own(db, two_meetings["first"]["id"]))
    assert "- **FK**, Försäkringskassan: 1 (P01)\n" in first
    # Örjan, added without a phone, is present like anyone.
    assert "- **AF**, Arbetsförmedlingen: 2 (P02, P03)\n" in first
    assert "frånvarande" not in first
    second = attendance_section(own(db, two_meetings["second"]["id"]))
    assert "- **FK**, Försäkringskassan: 1 (P01)\n" in second
    assert "- **AF**, Arbetsförmedlingen: 1 (P03); frånvarande: P02\n" in second
    english = own(db, two_meetings["second"]["id"], lang="en")
    assert "Arbetsförmedlingen: 1 (P03); absent: P02" in english


def test_a_withdrawn_participant_is_not_on_the_roster(db, facilitator, two_meetings):
    ops.privacy.withdraw(db, facilitator["id"], two_meetings["group_id"], "P02")
    second = attendance_section(own(db, two_meetings["second"]["id"]))
    assert "P02" not in second


def test_a_late_arrival_shows_its_time_in_the_groups_zone(client, db, facilitator, live_meeting):
    mid = live_meeting["id"]
    join(client, live_meeting["join_code"], "Anna Berg", "FK")
    join(client, live_meeting["join_code"], "Bo Ek", "FK")
    # Stockholm is UTC+1 in January: started 09:00, Anna on time-ish, Bo at 09:25.
    set_times(
        db,
        mid,
        "2026-01-15T08:00:00Z",
        {"P01": "2026-01-15T08:10:00Z", "P02": "2026-01-15T08:25:00Z"},
    )
    assert "Försäkringskassan: 2 (P01, P02 (sen ankomst 09:25))" in own(db, mid)
    assert "(P01, P02 (arrived late 09:25))" in own(db, mid, lang="en")
    assert "(P01, P02 (sen ankomst 09:25))" in own(db, mid, "html")
    assert "(P01, P02 (sen ankomst 09:25))" in docx_text(own(db, mid, "docx"))


def test_names_in_the_minutes_show_in_md_html_and_docx_never_in_the_research_copy(
    app, client, db, facilitator, live_meeting
):
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    answer = client.patch(
        f"/api/v1/groups/{gid}", json={"minutes_names": True}, headers=facilitator["headers"]
    )
    assert answer.status_code == 200 and answer.get_json()["minutes_names"] is True
    anna = participant_socket(app, client, live_meeting["join_code"], "Anna Berg", "FK")
    post(anna, "Vad gäller dag 180?", "meaning")
    join(client, live_meeting["join_code"], "<b>Bo</b> *Ek*", "AF")
    client.post(
        f"/api/v1/meetings/{mid}/action-items",
        json={"what": "Ring kassan", "who": "P01"},
        headers=facilitator["headers"],
    )
    close_meeting(client, facilitator, mid)
    markdown = own(db, mid)
    assert "Försäkringskassan: 1 (Anna Berg (FK))" in markdown
    assert "Anna Berg (FK): Vad gäller dag 180?" in markdown
    assert "P01" not in markdown
    html = own(db, mid, "html")
    assert "Anna Berg (FK)" in html
    # A hostile name stays text.
    assert "<b>Bo</b>" not in html and "&lt;b&gt;Bo&lt;/b&gt;" in html
    assert "\\*Ek\\*" in markdown
    assert "Anna Berg (FK)" in docx_text(own(db, mid, "docx"))
    for fmt in ("md", "html"):
        body = research(db, mid, fmt)
        assert "Anna" not in body and "Bo" not in body and "P01" in body
    assert "Anna" not in docx_text(research(db, mid, "docx"))


def test_by_default_the_minutes_show_pseudonyms(client, db, facilitator, live_meeting):
    group = ops.lookup.group(db, facilitator["id"], live_meeting["group_id"])
    assert group["minutes_names"] is False
    join(client, live_meeting["join_code"], "Anna Berg", "FK")
    markdown = own(db, live_meeting["id"])
    assert "Försäkringskassan: 1 (P01)" in markdown and "Anna" not in markdown


def test_the_research_download_and_archive_have_no_names(
    app, client, db, facilitator, researcher, live_meeting
):
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    client.patch(
        f"/api/v1/groups/{gid}", json={"minutes_names": True}, headers=facilitator["headers"]
    )
    join(client, live_meeting["join_code"], "Zelda Zetterqvist", "FK")
    close_meeting(client, facilitator, mid)
    assert "Zelda" in own(db, mid)
    ops.groups.grant(db, gid, researcher["id"])
    answer = client.get(f"/api/v1/meetings/{mid}/minutes.md", headers=researcher["headers"])
    assert answer.status_code == 200
    assert "Zelda" not in answer.get_data(as_text=True)
    assert "(P01)" in answer.get_data(as_text=True)
    archive = client.get(f"/api/v1/groups/{gid}/archive.zip", headers=researcher["headers"])
    assert archive.status_code == 200, archive.status_code
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        names = [n for n in z.namelist() if "minutes" in n]
        assert names
        for name in z.namelist():
            assert b"Zelda" not in z.read(name), name


@pytest.mark.parametrize("value", ["yes", 1, 0, [True]])
def test_minutes_names_is_true_or_false(value):
    with pytest.raises(DomainError) as refused:
        validation.new_group({"name": "G", "kind": "pbl", "minutes_names": value})
    assert refused.value.code == "invalid_minutes_names"
    assert validation.new_group({"name": "G", "kind": "pbl"})["minutes_names"] is False
    assert validation.group_update({"minutes_names": True}) == {"minutes_names": True}


def test_an_action_items_owner_is_named_for_the_notice_when_the_group_chose_names(
    client, db, facilitator, live_meeting
):
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    join(client, live_meeting["join_code"], "Anna Berg", "FK")
    client.post(
        f"/api/v1/meetings/{mid}/action-items",
        json={"what": "Ring kassan", "who": "P01"},
        headers=facilitator["headers"],
    )
    read = ops.followups.read(db, mid)
    assert minutes.followups_with_names(db, gid, read)["action_items"][0]["who"] == "P01"
    ops.groups.update(db, facilitator["id"], gid, {"minutes_names": True})
    named = minutes.followups_with_names(db, gid, read)
    assert named["action_items"][0]["who"] == "Anna Berg (FK)"
    assert "| Ring kassan | Anna Berg (FK) |" in own(db, mid)


def test_the_group_forms_turn_names_in_the_minutes_on_and_off(client, db, facilitator):
    log_in(client, facilitator)
    page = client.get("/groups").get_data(as_text=True)
    assert 'data-testid="minutes-names"' in page and "Forskningsfiler visar aldrig namn" in page
    client.post("/groups", data={"name": "Bas", "kind": "pbl", "minutes_names": "1"})
    [group] = ops.lookup.groups(db, facilitator["id"])
    assert group["minutes_names"] is True
    assert 'value="1" data-testid="minutes-names" checked' in client.get(
        f"/groups/{group['id']}"
    ).get_data(as_text=True)
    form = {"name": "Bas", "organizations": "FK Försäkringskassan"}
    answer = client.post(f"/groups/{group['id']}/edit", data=form)
    assert answer.status_code == 302
    assert ops.lookup.group(db, facilitator["id"], group["id"])["minutes_names"] is False
