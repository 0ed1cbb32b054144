"""The projector's live tools and the starting point: pin, merge, hide all, goals, images."""

import io
import uuid

import pytest

from conftest import PASSWORD, join, png
from pblapp import ops
from pblapp.domain.errors import DomainError

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40


@pytest.fixture
def posts(client, db, live_meeting):
    attendance = ops.participation.attendance(db, join(client, live_meeting["join_code"])["token"])
    return [
        ops.participation.post(
            db, attendance, {"client_id": str(uuid.uuid4()), "text": text, "qtype": "meaning"}
        )[0]
        for text in ("Varför 180 dagar?", "Varför just dag 180?", "Vem bestämmer?")
    ]


def test_merging_a_duplicate_keeps_both_texts_but_counts_once(db, facilitator, live_meeting, posts):
    uid, mid = facilitator["id"], live_meeting["id"]
    merged = ops.participation.merge(db, uid, mid, {"id": posts[1]["id"], "into": posts[0]["id"]})
    assert merged["merged_into_id"] == posts[0]["id"]
    assert ops.meetings.state(db, mid)["counts"]["meaning"] == 2
    assert [c["text"] for c in ops.participation.contributions(db, mid)] == [
        p["text"] for p in posts
    ]
    event = ops.records.events(db, group_id=live_meeting["group_id"])[-1]
    assert event["type"] == "contribution.merged" and event["data"]["into"] == posts[0]["id"]
    ops.participation.merge(db, uid, mid, {"id": posts[1]["id"], "into": None})
    assert ops.meetings.state(db, mid)["counts"]["meaning"] == 3


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"id": 1, "into": 1}, "merge_into_itself"),
        ({"id": 1, "into": 999}, "contribution_not_found"),
        ({"id": "1", "into": 2}, "invalid_id"),
        ({"id": 1}, "missing_field"),
    ],
)
def test_bad_merges_are_refused(db, facilitator, live_meeting, posts, payload, code):
    with pytest.raises(DomainError) as caught:
        ops.participation.merge(db, facilitator["id"], live_meeting["id"], payload)
    assert caught.value.code == code


def test_merging_into_a_merged_duplicate_is_refused(db, facilitator, live_meeting, posts):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.participation.merge(db, uid, mid, {"id": posts[1]["id"], "into": posts[0]["id"]})
    with pytest.raises(DomainError) as caught:
        ops.participation.merge(db, uid, mid, {"id": posts[2]["id"], "into": posts[1]["id"]})
    assert caught.value.code == "target_is_merged"


def test_pin_hide_all_and_goals_are_screen_state_that_is_logged(
    db, facilitator, live_meeting, posts
):
    uid, mid = facilitator["id"], live_meeting["id"]
    state = ops.screen.command(db, uid, mid, {"pin": posts[2]["id"]})
    assert state["pinned_contribution_id"] == posts[2]["id"]
    state = ops.screen.command(db, uid, mid, {"hide_contributions": True, "show_goals": True})
    assert state["hide_contributions"] and state["show_goals"]
    assert ops.screen.command(db, uid, mid, {"pin": None})["pinned_contribution_id"] is None
    switched = {"show_starting_point": True, "show_carried_questions": True}
    state = ops.screen.command(db, uid, mid, switched)
    assert state["show_starting_point"] and state["show_carried_questions"]
    changes = [
        e["data"]
        for e in ops.records.events(db, group_id=live_meeting["group_id"])
        if e["type"] == "screen.changed"
    ]
    assert changes == [
        {"pin": posts[2]["id"]},
        {"hide_contributions": True, "show_goals": True},
        {"pin": None},
        switched,
    ]
    for payload, code in (
        ({"pin": 999}, "contribution_not_found"),
        ({"hide_contributions": "yes"}, "invalid_hide_contributions"),
        ({"show_starting_point": 1}, "invalid_show_starting_point"),
        ({}, "nothing_to_change"),
        ({"zoom": 2}, "unknown_field"),
    ):
        with pytest.raises(DomainError) as caught:
            ops.screen.command(db, uid, mid, payload)
        assert caught.value.code == code


def test_the_starting_point_is_markdown_cleaned_of_anything_active(db, facilitator, live_meeting):
    state = ops.screen.set_starting_point(
        db,
        facilitator["id"],
        live_meeting["id"],
        {
            "text": "## Fallet Eva\n\nEva har varit sjukskriven i **ett år**.<script>x()</script>"
            "[länk](javascript:alert(1))"
        },
    )
    assert "<h2>Fallet Eva</h2>" in state["starting_point_html"]
    assert "<strong>ett år</strong>" in state["starting_point_html"]
    assert "<script" not in state["starting_point_html"]
    assert "javascript:" not in state["starting_point_html"]


@pytest.mark.parametrize(("data", "kind"), [(png(), "png"), (JPEG, "jpeg"), (WEBP, "webp")])
def test_png_jpeg_and_webp_images_are_accepted_by_content(
    client, facilitator, live_meeting, data, kind
):
    response = client.put(
        f"/api/v1/meetings/{live_meeting['id']}/starting-point/image",
        data={"image": (io.BytesIO(data), "whatever.txt")},
        headers=facilitator["headers"],
    )
    assert response.status_code == 200
    assert response.get_json()["starting_point_image"].endswith("." + kind)
    client.post("/", data={"name": facilitator["name"], "password": PASSWORD})
    image = client.get(f"/meetings/{live_meeting['id']}/starting-point/image")
    assert image.data == data and image.mimetype == f"image/{kind}"


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            415,
            "unsupported_image",
        ),
        (b"GIF89a" + b"\x00" * 20, 415, "unsupported_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024), 413, "image_too_large"),
        (b"", 400, "image_missing"),
    ],
)
def test_other_files_and_oversized_images_are_refused(
    client, db, facilitator, live_meeting, data, status, code
):
    response = client.put(
        f"/api/v1/meetings/{live_meeting['id']}/starting-point/image",
        data=data,
        content_type="image/png",
        headers=facilitator["headers"],
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert ops.screen.state(db, live_meeting["id"])["starting_point_image"] is None


def test_the_console_form_saves_text_and_image_and_can_remove_the_image(
    client, db, facilitator, live_meeting
):

    client.post("/", data={"name": facilitator["name"], "password": PASSWORD})
    mid = live_meeting["id"]
    response = client.post(
        f"/meetings/{mid}/starting-point",
        data={"text": "Läs artikeln", "image": (io.BytesIO(png()), "bild.png")},
    )
    assert response.status_code == 302
    state = ops.screen.state(db, mid)
    assert state["starting_point"] == "Läs artikeln" and state["starting_point_image"]
    client.post(
        f"/meetings/{mid}/starting-point", data={"text": "Läs artikeln", "remove_image": "1"}
    )
    assert ops.screen.state(db, mid)["starting_point_image"] is None


def test_an_upload_over_the_servers_limit_goes_back_to_the_console_with_a_swedish_message(
    client, db, facilitator, live_meeting
):
    client.post("/", data={"name": facilitator["name"], "password": PASSWORD})
    mid = live_meeting["id"]
    photo = png() + b"\0" * (7 * 1024 * 1024)  # a camera photo over the 6 MiB body limit
    response = client.post(
        f"/meetings/{mid}/starting-point",
        data={"text": "Läs artikeln", "image": (io.BytesIO(photo), "foto.png")},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{mid}#starting-point")
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "En bild får vara högst 5 MB." in page
    assert ops.screen.state(db, mid)["starting_point_image"] is None


def test_participants_read_the_groups_goals_on_their_phone(client, facilitator):
    headers = facilitator["headers"]
    group = client.post(
        "/api/v1/groups",
        json={
            "name": "G",
            "kind": "pbl",
            "goals": "**Huvudmål:** att <em>gemensamt</em> utveckla<script>bad()</script>",
        },
        headers=headers,
    ).get_json()
    meeting = client.post(
        f"/api/v1/groups/{group['id']}/meetings", json={}, headers=headers
    ).get_json()
    client.post(f"/j/{meeting['join_code']}", data={"display_name": "A", "organization": "FK"})
    page = client.get(f"/j/{meeting['join_code']}/live").get_data(as_text=True)
    assert "<strong>Huvudmål:</strong>" in page
    assert "bad()" not in page


def test_goals_changed_during_a_meeting_reach_the_open_screen_and_phones(
    app, client, facilitator, live_meeting
):
    token = join(client, live_meeting["join_code"])["token"]
    phone = app.extensions["socketio"].test_client(app, auth={"token": token})
    phone.get_received()
    client.patch(
        f"/api/v1/groups/{live_meeting['group_id']}",
        json={"goals": "## Huvudmål\nEn <script>x</script>samverkande **rehabkedja**"},
        headers=facilitator["headers"],
    )
    states = [e["args"][0] for e in phone.get_received() if e["name"] == "screen:state"]
    assert len(states) == 1
    assert "<strong>rehabkedja</strong>" in states[0]["goals_html"]
    assert "<script" not in states[0]["goals_html"]


def test_a_replaced_or_removed_image_leaves_no_file_behind(db, facilitator, live_meeting):
    uid, mid = facilitator["id"], live_meeting["id"]
    ops.screen.set_starting_point_image(db, uid, mid, png(2, 2))
    ops.screen.set_starting_point_image(db, uid, mid, png(3, 3))
    assert len(list(db.files_dir.iterdir())) == 1
    assert ops.screen.starting_point_image(db, mid)[0] == png(3, 3)
    ops.screen.set_starting_point_image(db, uid, mid, None)
    assert list(db.files_dir.iterdir()) == []
