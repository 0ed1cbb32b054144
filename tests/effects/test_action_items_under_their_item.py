"""An action item is written under the agenda item it was agreed in, as a decision is."""

import io

import docx

from pblapp import ops


def minutes(client, facilitator, mid, fmt="md"):
    answer = client.get(f"/api/v1/meetings/{mid}/minutes.{fmt}", headers=facilitator["headers"])
    return answer.data if fmt == "docx" else answer.get_data(as_text=True)


def test_an_action_item_agreed_in_an_agenda_item_is_listed_under_it(
    client, db, facilitator, live_meeting
):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.agenda.command(db, uid, mid, {"action": "start"})
    ops.agenda.command(db, uid, mid, {"action": "next"})  # the second item: the starting point
    ops.decisions.add_action_item(db, uid, mid, {"what": "Ring arbetsgivaren", "who": "Anna"})
    ops.decisions.add_decision(db, uid, mid, {"text": "Vi bjuder in arbetsgivaren."})
    (item,) = ops.followups.read(db, mid)["action_items"]
    second = ops.agenda.state(db, mid)["steps"][1]
    assert item["agenda_step_id"] == second["id"]

    text = minutes(client, facilitator, mid)
    items = text[text.index("## Dagordningens punkter") :]
    under_second = items[items.index("2. Utgångspunkt") : items.index("3. Vad ser vi?")]
    assert "Ring arbetsgivaren" in under_second and "Vi bjuder in arbetsgivaren." in under_second
    assert "Ring arbetsgivaren" not in items[: items.index("2. Utgångspunkt")]
    # The table of decisions and action items still holds it too.
    table = text[text.index("## Beslut och åtgärder") : text.index("## Dagordningens punkter")]
    assert "Ring arbetsgivaren" in table

    paragraphs = [
        p.text
        for p in docx.Document(io.BytesIO(minutes(client, facilitator, mid, "docx"))).paragraphs
    ]
    start = next(i for i, p in enumerate(paragraphs) if p.endswith("Utgångspunkt"))
    end = next(i for i, p in enumerate(paragraphs) if p.endswith("Vad ser vi?"))
    assert any("Ring arbetsgivaren" in p for p in paragraphs[start:end]), paragraphs[start:end]
