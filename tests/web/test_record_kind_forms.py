"""The group forms' kind of record, and the console's secretary, adjusters and appendix
switch in the meeting details form."""

from helpers import log_in
from pblapp import ops


def _record_kind(db, group_id: int) -> str:
    return db.query_one("SELECT record_kind FROM groups WHERE id = ?", [group_id])["record_kind"]


def test_the_group_forms_choose_notes_or_a_protocol_and_default_by_kind(client, db, facilitator):
    log_in(client, facilitator)
    page = client.get("/groups").get_data(as_text=True)
    assert 'data-testid="record-kind"' in page and "Protokoll med § och underskrifter" in page
    client.post("/groups", data={"name": "Referens Umeå", "kind": "reference"})
    client.post("/groups", data={"name": "Bas", "kind": "pbl", "record_kind": "protocol"})
    reference, base = ops.lookup.groups(db, facilitator["id"])
    assert _record_kind(db, reference["id"]) == "protocol"
    assert _record_kind(db, base["id"]) == "protocol"
    page = client.get(f"/groups/{reference['id']}").get_data(as_text=True)
    assert '<option value="protocol" selected>' in page

    form = {"name": "Bas", "organizations": "FK Försäkringskassan"}
    answer = client.post(f"/groups/{base['id']}/edit", data={**form, "record_kind": "notes"})
    assert answer.status_code == 302 and _record_kind(db, base["id"]) == "notes"
    answer = client.post(f"/groups/{base['id']}/edit", data={**form, "record_kind": "x"})
    assert answer.status_code == 400
    assert "Välj minnesanteckningar eller protokoll" in answer.get_data(as_text=True)
    assert _record_kind(db, base["id"]) == "notes"


def test_the_console_sets_secretary_adjusters_and_leaves_the_appendix_out(client, db, facilitator):
    log_in(client, facilitator)
    client.post("/groups", data={"name": "Referens", "kind": "reference"})
    [group] = ops.lookup.groups(db, facilitator["id"])
    meeting = ops.meetings.create(db, facilitator["id"], group["id"], {})
    mid = meeting["id"]
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'data-testid="secretary"' in page and 'data-testid="minutes-appendix"' in page
    assert 'value="1" checked' in page  # the appendix is in by default

    client.post(
        f"/meetings/{mid}/details",
        data={
            "place": "Rum 3",
            "secretary": "Sara",
            "adjusters": ["Jens", ""],
            "minutes_appendix_shown": "1",
        },
    )
    stored = ops.lookup.meeting(db, facilitator["id"], mid)
    assert (stored["secretary"], stored["adjusters"], stored["minutes_appendix"]) == (
        "Sara",
        ["Jens"],
        False,
    )
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'value="Sara"' in page and 'value="Jens"' in page
    assert 'value="1" checked' not in page

    client.post(
        f"/meetings/{mid}/details",
        data={"place": "Rum 3", "minutes_appendix_shown": "1", "minutes_appendix": "1"},
    )
    stored = ops.lookup.meeting(db, facilitator["id"], mid)
    assert stored["minutes_appendix"] is True and stored["secretary"] == "Sara"


def test_a_base_groups_console_asks_for_no_secretary(client, facilitator, live_meeting):
    log_in(client, facilitator)
    page = client.get(f"/meetings/{live_meeting['id']}").get_data(as_text=True)
    assert 'data-testid="secretary"' not in page
    assert 'data-testid="minutes-appendix"' in page
