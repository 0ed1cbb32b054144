"""Rate limits on a participant's socket events: a flood is refused with the wait, never
dropped in silence, and another participant is not held up."""

import pytest

from helpers import join, post, sio
from pblapp import ops


@pytest.fixture(autouse=True)
def limits_on(app):
    app.config["PARTICIPANT_RATE_LIMITS"] = True


def test_the_eleventh_post_at_once_is_refused_with_the_wait_and_not_stored(
    app, client, db, live_meeting
):
    token = join(client, live_meeting["join_code"], "Anna")["token"]
    phone = sio(app, auth={"token": token})
    answers = [post(phone, f"Inlägg {n}") for n in range(12)]
    assert all(a["ok"] for a in answers[:10])
    for refused in answers[10:]:
        assert refused["ok"] is False
        assert refused["error"]["code"] == "rate_limited"
        assert 0 < refused["error"]["retry_after"] <= 1.0
        assert refused["error"]["message"]
    stored = ops.participation.contributions(db, live_meeting["id"])
    assert [c["text"] for c in stored] == [f"Inlägg {n}" for n in range(10)]


def test_the_limit_is_the_participants_own_over_all_their_connections(app, client, live_meeting):
    anna = join(client, live_meeting["join_code"], "Anna")["token"]
    first, second = sio(app, auth={"token": anna}), sio(app, auth={"token": anna})
    for n in range(5):
        assert post(first, f"a{n}")["ok"] and post(second, f"b{n}")["ok"]
    assert post(second, "för mycket")["error"]["code"] == "rate_limited"
    # Someone else posts as usual.
    bo = sio(app, auth={"token": join(client, live_meeting["join_code"], "Bo")["token"]})
    assert post(bo, "Min fråga")["ok"]


def test_reactions_have_a_limit_of_their_own(app, client, live_meeting):
    anna = sio(app, auth={"token": join(client, live_meeting["join_code"], "Anna")["token"]})
    target = post(anna, "Vad gäller?")["contribution"]
    bo = sio(app, auth={"token": join(client, live_meeting["join_code"], "Bo")["token"]})
    answers = [
        bo.emit("reaction:set", {"contribution_id": target["id"], "kind": "agree"}, callback=True)
        for _ in range(35)
    ]
    codes = [a["error"]["code"] for a in answers if not a["ok"]]
    assert answers[0]["ok"] and "rate_limited" in codes and len(codes) <= 5
    # Posting is still open to Bo: the two limits are apart.
    assert post(bo, "Och min fråga")["ok"]
