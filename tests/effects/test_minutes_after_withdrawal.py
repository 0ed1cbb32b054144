"""The group's own minutes after a withdrawal or a redaction: a placeholder in the group's
language under ``delete``, the words under ``keep_for_minutes``, and the copy on disk
written again for every closed meeting of the group."""

import csv
import io
from pathlib import Path

from helpers import close_meeting, participant_socket, post
from pblapp import ops


def on_disk(app, meeting, number=1) -> str:
    folder = Path(app.config["DATA_DIR"]) / str(meeting["group_id"]) / str(number)
    return (folder / "minutes.md").read_text(encoding="utf-8")


def downloaded(client, facilitator, meeting_id, lang="") -> str:
    url = f"/api/v1/meetings/{meeting_id}/minutes.md" + (f"?lang={lang}" if lang else "")
    return client.get(url, headers=facilitator["headers"]).get_data(as_text=True)


def two_posts_then_close(app, client, db, facilitator, live_meeting):
    anna = participant_socket(app, client, live_meeting["join_code"], "Anna", "FK")
    bo = participant_socket(app, client, live_meeting["join_code"], "Bo", "AF")
    annas = post(anna, "Första frågan om Kalle", "meaning")["contribution"]
    post(bo, "Andra frågan", "meaning")
    ops.moderation.moderate(
        db, facilitator["id"], live_meeting["id"], {"id": annas["id"], "carry_forward": True}
    )
    close_meeting(client, facilitator, live_meeting["id"])
    assert "Första frågan om Kalle" in on_disk(app, live_meeting)
    return annas


def test_a_withdrawn_participants_posts_show_a_placeholder_in_the_groups_language(
    app, client, db, facilitator, live_meeting
):
    two_posts_then_close(app, client, db, facilitator, live_meeting)
    ops.privacy.withdraw(db, facilitator["id"], live_meeting["group_id"], "P01")
    written = on_disk(app, live_meeting)
    assert "Första frågan" not in written
    # The post and the question quoting it, both by the withdrawn author.
    assert written.count("P01 (FK): \\[återkallat]") == 2
    assert "Andra frågan" in written
    english = downloaded(client, facilitator, live_meeting["id"], "en")
    assert "P01 (FK): \\[withdrawn]" in english and "Första frågan" not in english


def test_under_keep_for_minutes_the_groups_minutes_keep_the_words(
    app, client, db, facilitator, live_meeting
):
    ops.groups.update(
        db, facilitator["id"], live_meeting["group_id"], {"withdrawal_policy": "keep_for_minutes"}
    )
    two_posts_then_close(app, client, db, facilitator, live_meeting)
    ops.privacy.withdraw(db, facilitator["id"], live_meeting["group_id"], "P01")
    assert "Första frågan om Kalle" in on_disk(app, live_meeting)
    assert "Första frågan om Kalle" in downloaded(client, facilitator, live_meeting["id"])
    # ... and the research log still leaves them out.
    log = client.get(
        f"/api/v1/groups/{live_meeting['group_id']}/log.csv", headers=facilitator["headers"]
    ).get_data(as_text=True)
    assert "Första frågan" not in log


def test_a_later_meetings_minutes_lose_a_redacted_carried_question_too(
    app, client, db, facilitator, live_meeting
):
    annas = two_posts_then_close(app, client, db, facilitator, live_meeting)
    second = ops.meetings.create(db, facilitator["id"], live_meeting["group_id"], {})
    ops.meetings.start(db, facilitator["id"], second["id"])
    close_meeting(client, facilitator, second["id"])
    assert "Första frågan om Kalle" in on_disk(app, live_meeting, 2)
    ops.privacy.redact(db, facilitator["id"], live_meeting["id"], annas["id"], {})
    for number in (1, 2):
        written = on_disk(app, live_meeting, number)
        assert "Första frågan" not in written and "\\[redacted]" in written


def test_a_withdrawal_after_the_close_recomputes_the_indicators_in_meetings_csv(
    app, client, db, facilitator, live_meeting
):
    two_posts_then_close(app, client, db, facilitator, live_meeting)

    def posts_in_meetings_csv():
        body = client.get(
            f"/api/v1/groups/{live_meeting['group_id']}/meetings.csv",
            headers=facilitator["headers"],
        ).get_data(as_text=True)
        return next(csv.DictReader(io.StringIO(body)))["posts"]

    assert posts_in_meetings_csv() == "2"
    ops.privacy.withdraw(db, facilitator["id"], live_meeting["group_id"], "P01")
    assert posts_in_meetings_csv() == "1"
