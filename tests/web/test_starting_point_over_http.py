"""The starting point over HTTP: its image by API and console form, what is accepted, serving it."""

import io

import pytest

from helpers import log_in, png
from pblapp import ops

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40


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
    log_in(client, facilitator)
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


def test_the_api_serves_the_starting_point_image(client, facilitator, live_meeting):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    base = f"/api/v1/meetings/{live_meeting['id']}/starting-point/image"
    assert client.get(base, headers=facilitator["headers"]).status_code == 404
    client.put(base, data=png, headers=facilitator["headers"])
    response = client.get(base, headers=facilitator["headers"])
    assert response.data == png and response.mimetype == "image/png"


def test_the_console_form_saves_text_and_image_and_can_remove_the_image(
    client, db, facilitator, live_meeting
):

    log_in(client, facilitator)
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
    log_in(client, facilitator)
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
