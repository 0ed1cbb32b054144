"""The facilitator's pages: console, projector screen, languages, error pages, security headers."""

import re

from helpers import close_meeting, log_in
from pblapp import ops


def test_swedish_is_the_default_and_lang_in_the_address_changes_only_that_page(client):
    assert "Logga in" in client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en")
    assert "Log in" in english.get_data(as_text=True)
    assert "Set-Cookie" not in english.headers
    assert "Logga in" in client.get("/").get_data(as_text=True)


def test_the_language_switch_is_remembered_and_comes_back_to_the_page(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/language/en?next=/"' in page
    switched = client.get("/language/en?next=/")
    assert switched.status_code == 302 and switched.location == "/"
    assert "Log in" in client.get("/").get_data(as_text=True)
    assert "Logga in" in client.get("/?lang=sv").get_data(as_text=True)  # that page only
    assert "Log in" in client.get("/").get_data(as_text=True)
    client.get("/language/sv?next=/")
    assert "Logga in" in client.get("/").get_data(as_text=True)


def test_the_language_switch_keeps_the_page_and_its_query(client, live_meeting):
    page = client.get(f"/?next=/meetings/{live_meeting['id']}&lang=sv").get_data(as_text=True)
    assert f'href="/language/en?next=/?next%3D%252Fmeetings%252F{live_meeting["id"]}"' in page, (
        "the switch comes back to the same page and query, without lang"
    )


def test_the_language_switch_never_leads_off_site(client):
    for target in (
        "//evil.example/x",
        "/\\evil.example/x",
        "https://evil.example/x",
        "/\t/evil.example",
        "javascript:alert(1)",
        "",
    ):
        answer = client.get("/language/en", query_string={"next": target})
        assert answer.status_code == 302 and answer.location == "/", target
    page = client.get("/%5Cevil.example/x").get_data(as_text=True)
    links = re.findall(r'href="([^"]*)"[^>]*data-testid="lang-(?:sv|en)"', page)
    assert links and all(re.match(r"/language/(sv|en)\?next=", link) for link in links)
    assert client.get(links[0].replace("&amp;", "&")).location == "/"


def test_opening_a_page_in_english_does_not_change_the_language_of_new_groups(client, facilitator):
    log_in(client, facilitator)
    client.get("/groups?lang=en")
    page = client.get("/groups").get_data(as_text=True)
    assert re.search(r'<option value="sv"\s+selected', page)


def test_error_pages_speak_the_ui_language_and_offer_the_language_switch(client, facilitator):
    log_in(client, facilitator)
    for path in ("/groups/999", "/meetings/999", "/meetings/999/screen", "/no/such/page"):
        answer = client.get(path)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 404, path
        assert "Hittades inte" in page and 'data-testid="lang-en"' in page, path
    english = client.get("/groups/999?lang=en").get_data(as_text=True)
    assert "Not found" in english


def test_the_console_starts_and_closes_a_meeting(client, facilitator, db, live_meeting):
    log_in(client, facilitator)
    client.post(f"/meetings/{live_meeting['id']}/close")
    assert ops.lookup.meeting(db, facilitator["id"], live_meeting["id"])["status"] == "closed"


def test_the_console_sets_the_time_place_and_next_meeting_in_local_time(
    client, db, facilitator, live_meeting
):
    log_in(client, facilitator)
    client.post(
        f"/meetings/{live_meeting['id']}/details",
        data={
            "place": "Rum 3",
            "next_meeting_at": "2026-06-15T13:00",
            "scheduled_at": "2026-05-18T09:30",
        },
    )
    meeting = ops.lookup.meeting(db, facilitator["id"], live_meeting["id"])
    assert meeting["place"] == "Rum 3"
    assert meeting["next_meeting_at"] == "2026-06-15T11:00:00.000Z"  # CEST is UTC+2
    assert meeting["scheduled_at"] == "2026-05-18T07:30:00.000Z"
    page = client.get(f"/meetings/{live_meeting['id']}").get_data(as_text=True)
    assert 'value="2026-06-15T13:00"' in page and 'value="2026-05-18T09:30"' in page


def test_the_console_of_a_closed_meeting_shows_its_follow_ups_read_only(
    client, facilitator, live_meeting
):
    log_in(client, facilitator)
    close_meeting(client, facilitator, live_meeting["id"])
    page = client.get(f"/meetings/{live_meeting['id']}").get_data(as_text=True)
    assert 'data-testid="followups-closed"' in page
    assert '<fieldset class="followup-columns" disabled>' in page
    assert 'data-testid="carry-toggle" disabled' in page


def test_the_screen_shows_a_qr_code_the_join_code_and_a_url_phones_can_open(
    client, facilitator, live_meeting
):
    log_in(client, facilitator)
    page = client.get(f"/meetings/{live_meeting['id']}/screen").get_data(as_text=True)
    assert re.search(r'data-testid="qr"[^>]*>\s*<svg', page)
    assert f'data-testid="join-code">{live_meeting["join_code"]}<' in page
    url = f"http://192.168.1.20:5000/j/{live_meeting['join_code']}"
    shown = re.search(r'data-testid="join-url">(.*?)</p>', page).group(1)
    assert re.sub(r"<[^>]+>", "", shown) == url
    for key in ("encyclopedic", "meaning", "relational", "value", "solution", "untagged"):
        assert f'data-testid="qtype-count-{key}"' in page
    assert 'data-testid="participant-count"' in page


def test_the_projector_screen_has_a_language_switch(client, facilitator, live_meeting):
    log_in(client, facilitator)
    page = client.get(f"/meetings/{live_meeting['id']}/screen").get_data(as_text=True)
    assert f'href="/language/en?next=/meetings/{live_meeting["id"]}/screen"' in page


def test_pages_allow_only_their_own_scripts_and_no_framing(client, facilitator, live_meeting):
    log_in(client, facilitator)
    page = client.get(f"/meetings/{live_meeting['id']}")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert re.search(r"\son[a-z]+=", page.get_data(as_text=True)) is None  # no inline handlers
    minutes = client.get(f"/api/v1/meetings/{live_meeting['id']}/minutes.html")
    assert minutes.headers["Content-Security-Policy"].startswith("default-src 'none'")
