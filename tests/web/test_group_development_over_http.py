"""The phase of each meeting, meetings.csv and the timeline over the JSON API, and the
phase and the self-evaluation in the minutes."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from helpers import moderator_socket, participant_socket, post
from pblapp import ops
from pblapp.domain.vocabulary import PHASES


def a_meeting_with_posts(app, client, live_meeting, *qtypes):
    phones = [
        participant_socket(app, client, live_meeting["join_code"], f"P{n}", org)
        for n, org in enumerate(("FK", "AF", "RS"))
    ]
    for n, qtype in enumerate(qtypes):
        assert post(phones[n % 3], f"Fråga {n}", qtype)["ok"]
    return phones


def test_a_live_meeting_has_a_suggestion_with_evidence_in_the_groups_language(
    app, client, facilitator, live_meeting
):
    a_meeting_with_posts(app, client, live_meeting, "encyclopedic", "encyclopedic", "meaning")
    phase = client.get(
        f"/api/v1/meetings/{live_meeting['id']}/phase", headers=facilitator["headers"]
    ).get_json()
    assert phase["suggested"] in PHASES
    assert 0 <= phase["confidence"] <= 1
    assert 2 <= len(phase["evidence"]) <= 3
    assert all(isinstance(sentence, str) and sentence for sentence in phase["evidence"])
    assert any(
        "möte 1 av 7" in s.lower() or "encyklopedisk" in s.lower() for s in phase["evidence"]
    )
    assert phase["indicators"]["posts"] == 3
    assert phase["decided"] is None and phase["note"] is None


def test_the_facilitator_decides_another_phase_with_a_note_and_both_are_logged(
    app, client, db, facilitator, live_meeting
):
    a_meeting_with_posts(app, client, live_meeting, "encyclopedic", "value")
    url = f"/api/v1/meetings/{live_meeting['id']}/phase"
    suggested = client.get(url, headers=facilitator["headers"]).get_json()["suggested"]
    other = next(p for p in PHASES if p != suggested)
    decided = client.post(
        url,
        json={"phase": other, "note": "Tydlig oenighet om ansvaret"},
        headers=facilitator["headers"],
    ).get_json()
    assert decided["decided"] == other and decided["note"] == "Tydlig oenighet om ansvaret"
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    after = client.get(url, headers=facilitator["headers"]).get_json()
    assert after["decided"] == other
    types = [
        (e["type"], e["data"].get("phase") or e["data"].get("suggested"))
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"].startswith("phase.")
    ]
    assert types[0] == ("phase.decided", other)
    assert types[1][0] == "phase.suggested" and types[1][1] == after["suggested"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"phase": "chaos"}, "invalid_phase"),
        ({}, "missing_field"),
        ({"phase": "norming", "x": 1}, "unknown_field"),
    ],
)
def test_a_bad_phase_is_refused_with_a_code(client, facilitator, live_meeting, body, code):
    answer = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/phase", json=body, headers=facilitator["headers"]
    )
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == code


def test_a_researcher_reads_the_phase_but_cannot_decide_or_open_anything(
    client, db, facilitator, researcher, live_meeting
):
    ops.groups.grant(db, live_meeting["group_id"], researcher["id"])
    mid = live_meeting["id"]
    headers = researcher["headers"]
    assert client.get(f"/api/v1/meetings/{mid}/phase", headers=headers).status_code == 200
    assert (
        client.post(
            f"/api/v1/meetings/{mid}/phase", json={"phase": "norming"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/meetings/{mid}/self-evaluation", headers=headers).status_code == 403
    )


def test_an_unknown_meeting_or_group_is_a_404(client, facilitator):
    headers = facilitator["headers"]
    assert client.get("/api/v1/meetings/999/phase", headers=headers).status_code == 404
    assert client.get("/api/v1/groups/999/meetings.csv", headers=headers).status_code == 404
    assert client.get("/api/v1/groups/999/timeline.svg", headers=headers).status_code == 404


def test_opening_the_self_evaluation_answers_its_items_in_the_ui_language(
    client, facilitator, live_meeting
):
    answer = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/self-evaluation", headers=facilitator["headers"]
    ).get_json()
    assert answer["status"] == "open"
    assert len(answer["items"]) == 8
    assert [i["kind"] for i in answer["items"]].count("scale") == 7
    assert answer["items"][-1] == {
        "key": "change",
        "text": "Vad borde vi ändra i hur vi arbetar?",
        "kind": "text",
    }


def test_meetings_csv_has_one_row_per_meeting_with_phases_and_indicators(
    app, client, facilitator, live_meeting
):
    a_meeting_with_posts(app, client, live_meeting, "encyclopedic", "solution")
    headers = facilitator["headers"]
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=headers)
    client.post(f"/api/v1/groups/{live_meeting['group_id']}/meetings", json={}, headers=headers)
    answer = client.get(f"/api/v1/groups/{live_meeting['group_id']}/meetings.csv", headers=headers)
    assert answer.content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [r["meeting_number"] for r in rows] == ["1", "2"]
    header = list(rows[0])
    assert header[:4] == ["meeting_number", "meeting_date", "suggested_phase", "decided_phase"]
    assert {"share_encyclopedic", "participation_gini", "se_safe_to_disagree"} <= set(header)
    assert rows[0]["suggested_phase"] in PHASES and rows[0]["share_solution"] == "0.5"
    # The second meeting has not happened: no phase, no indicators.
    assert rows[1]["suggested_phase"] == "" and rows[1]["share_solution"] == ""


def test_the_timeline_is_an_svg_with_a_title_and_every_planned_meeting(
    app, client, facilitator, live_meeting
):
    moderator_socket(app, facilitator, live_meeting["id"])
    answer = client.get(
        f"/api/v1/groups/{live_meeting['group_id']}/timeline.svg", headers=facilitator["headers"]
    )
    assert answer.content_type == "image/svg+xml; charset=utf-8"
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    svg = ET.fromstring(answer.get_data())
    assert svg[0].tag.endswith("title") and svg[1].tag.endswith("desc")
    assert "Basgrupp Norrköping" in svg[0].text
    body = answer.get_data(as_text=True)
    assert "Möte 7" in body


def test_the_minutes_hold_the_decided_phase_its_evidence_and_the_self_evaluation(
    app, client, facilitator, live_meeting
):
    phones = a_meeting_with_posts(app, client, live_meeting, "value", "value", "meaning")
    headers, mid = facilitator["headers"], live_meeting["id"]
    client.post(f"/api/v1/meetings/{mid}/self-evaluation", headers=headers)
    for phone, score in zip(phones, (2, 3, 4), strict=True):
        phone.emit(
            "self_evaluation:answer", {"answers": {"safe_to_disagree": score}}, callback=True
        )
    client.post(
        f"/api/v1/meetings/{mid}/phase",
        json={"phase": "storming", "note": "Het diskussion <om> ansvar"},
        headers=headers,
    )
    client.post(f"/api/v1/meetings/{mid}/close", headers=headers)
    md = client.get(f"/api/v1/meetings/{mid}/minutes.md", headers=headers).get_data(as_text=True)
    assert "## Gruppens fas" in md
    assert "**Konfliktfas – beslutad av handledaren" in md
    assert "Het diskussion &lt;om> ansvar" in md
    assert "## Självvärdering" in md and "3 svarade" in md
    assert "tycker. – medel 3,0" in md
    html = client.get(f"/api/v1/meetings/{mid}/minutes.html", headers=headers).get_data(
        as_text=True
    )
    assert "Konfliktfas" in html and "&lt;om&gt;" in html and "<om>" not in html
    docx = client.get(f"/api/v1/meetings/{mid}/minutes.docx", headers=headers)
    assert docx.status_code == 200


def test_tagging_after_the_close_updates_the_stored_suggestion_and_meetings_csv(
    app, client, db, facilitator, live_meeting
):
    a_meeting_with_posts(app, client, live_meeting, *[None] * 6)
    headers, mid = facilitator["headers"], live_meeting["id"]
    client.post(f"/api/v1/meetings/{mid}/close", headers=headers)
    for contribution in ops.participation.contributions(db, mid):
        client.patch(
            f"/api/v1/meetings/{mid}/contributions/{contribution['id']}",
            json={"qtype": "solution"},
            headers=headers,
        )
    phase = client.get(f"/api/v1/meetings/{mid}/phase", headers=headers).get_json()
    assert phase["indicators"]["share_solution"] == 1.0
    csv_text = client.get(
        f"/api/v1/groups/{live_meeting['group_id']}/meetings.csv", headers=headers
    ).get_data(as_text=True)
    assert next(csv.DictReader(io.StringIO(csv_text)))["share_untagged"] == "0.0"
    suggested = [
        e
        for e in ops.records.events(db, meeting_id=mid, group_id=live_meeting["group_id"])
        if e["type"] == "phase.suggested"
    ]
    assert len(suggested) == 7  # at the close, then after each re-tag


def test_a_phase_is_not_decided_before_the_meeting_starts(client, facilitator, live_meeting):
    planned = client.post(
        f"/api/v1/groups/{live_meeting['group_id']}/meetings",
        json={},
        headers=facilitator["headers"],
    ).get_json()
    answer = client.post(
        f"/api/v1/meetings/{planned['id']}/phase",
        json={"phase": "forming"},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "meeting_not_started"


def test_only_the_last_planned_meeting_is_called_the_last(client, facilitator):
    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={"name": "Kort serie", "kind": "pbl", "planned_meetings": 1},
        headers=headers,
    ).get_json()
    evidence = []
    for _ in range(2):
        meeting = client.post(
            f"/api/v1/groups/{group['id']}/meetings", json={}, headers=headers
        ).get_json()
        client.post(f"/api/v1/meetings/{meeting['id']}/start", headers=headers)
        client.post(f"/api/v1/meetings/{meeting['id']}/close", headers=headers)
        phase = client.get(f"/api/v1/meetings/{meeting['id']}/phase", headers=headers).get_json()
        evidence.append(" ".join(phase["evidence"]).lower())
    assert "sista planerade" in evidence[0]
    assert "sista planerade" not in evidence[1]


def test_opening_the_self_evaluation_takes_no_fields(client, facilitator, live_meeting):
    answer = client.post(
        f"/api/v1/meetings/{live_meeting['id']}/self-evaluation",
        json={"items": []},
        headers=facilitator["headers"],
    )
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "unknown_field"
