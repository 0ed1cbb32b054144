"""A whole base-group meeting through the API and Socket.IO, from agenda to minutes."""

import uuid

from helpers import join


def test_a_whole_meeting_from_agenda_to_minutes(app, client, facilitator):
    headers = facilitator["headers"]
    socketio = app.extensions["socketio"]
    group = client.post(
        "/api/v1/groups",
        json={"name": "Basgrupp Motala", "kind": "pbl", "planned_meetings": 7},
        headers=headers,
    ).get_json()
    first = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={"agenda": "free"}, headers=headers
    ).get_json()
    base = f"/api/v1/meetings/{first['id']}"
    client.put(
        f"{base}/agenda",
        headers=headers,
        json={
            "steps": [
                {"title": "Återkoppling", "planned_minutes": 10},
                {"title": "Fallet", "planned_minutes": 30},
                {"title": "Utvärdering", "planned_minutes": 10},
            ]
        },
    )
    client.post(f"{base}/agenda/save-for-group", headers=headers)
    client.post(f"{base}/start", headers=headers)
    screen = socketio.test_client(
        app, auth={"api_token": facilitator["token"], "meeting_id": first["id"]}
    )
    phones = [
        socketio.test_client(
            app, auth={"token": join(client, first["join_code"], name, org)["token"]}
        )
        for name, org in (("Anna", "FK"), ("Bo", "AF"), ("Cecilia", "RS"))
    ]

    assert screen.emit("agenda:command", {"action": "start"}, callback=True)["ok"]
    screen.emit("agenda:command", {"action": "next"}, callback=True)
    acks = [
        phone.emit(
            "contribution:add",
            {"client_id": str(uuid.uuid4()), "text": text, "qtype": qtype},
            callback=True,
        )
        for phone, (text, qtype) in zip(
            phones,
            [
                ("Vad innebär dag 180?", "encyclopedic"),
                ("Varför flyttas ansvaret till individen?", "meaning"),
                ("Hur kan vi samverka kring Eva?", "solution"),
            ],
            strict=True,
        )
    ]
    assert all(ack["ok"] for ack in acks)
    step2 = client.get(f"{base}/agenda", headers=headers).get_json()["steps"][1]["id"]
    assert {ack["contribution"]["agenda_step_id"] for ack in acks} == {step2}
    screen.emit(
        "contribution:update",
        {"id": acks[0]["contribution"]["id"], "carry_forward": True},
        callback=True,
    )
    screen.emit("decision:add", {"text": "Vi bjuder in en arbetsgivare."}, callback=True)
    screen.emit(
        "action_item:add",
        {"who": "P02 (AF)", "what": "Ta med statistik", "due": "2026-03-16"},
        callback=True,
    )
    assert {"agenda:state", "contribution:added"} <= {e["name"] for e in phones[0].get_received()}
    assert "followups:state" in {e["name"] for e in screen.get_received()}
    client.post(f"{base}/close", headers=headers)

    minutes = client.get(f"{base}/minutes.md?lang=en", headers=headers).get_data(as_text=True)
    assert "### 2. Fallet\n\nplanned 30 min, used 0 min" in minutes
    # The decision and the action item: in the table first, the decision under its item too.
    assert "| Decision: Vi bjuder in en arbetsgivare. |  |  | decided |" in minutes
    assert "| Ta med statistik | P02 (AF) | 2026-03-16 | open |" in minutes
    assert "- **Decision:** Vi bjuder in en arbetsgivare." in minutes
    carried = minutes.index("## Questions for the next meeting")
    assert minutes.index("P01 (FK): Vad innebär dag 180?", carried) > carried
    # The posts come last, in the appendix.
    appendix = minutes.index("## Appendix: posts")
    assert carried < appendix < minutes.index("### Encyclopedic") < minutes.index("#### Fallet")

    # The next meeting: the group's own agenda, the carried question and the open action.
    second = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={"agenda": "group"}, headers=headers
    ).get_json()
    agenda = client.get(f"/api/v1/meetings/{second['id']}/agenda", headers=headers).get_json()
    assert [s["title"] for s in agenda["steps"]] == ["Återkoppling", "Fallet", "Utvärdering"]
    followups = client.get(f"/api/v1/meetings/{second['id']}/followups", headers=headers).get_json()
    assert [q["text"] for q in followups["questions"]] == ["Vad innebär dag 180?"]
    assert [a["what"] for a in followups["action_items"]] == ["Ta med statistik"]
    events = [e["type"] for e in service_events(client, headers, group["id"])]
    for expected in (
        "agenda.changed",
        "agenda.saved_for_group",
        "agenda.step_started",
        "agenda.step_ended",
        "question.added",
        "decision.added",
        "action_item.added",
        "meeting.closed",
    ):
        assert expected in events


def service_events(client, headers, group_id):
    import json

    text = client.get(f"/api/v1/groups/{group_id}/log.jsonl", headers=headers)
    return [json.loads(line) for line in text.get_data(as_text=True).splitlines()]
