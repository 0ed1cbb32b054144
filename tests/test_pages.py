"""Pages for people: setup, login, groups, console, screen and the phone's join flow."""

import re
import subprocess
import sys
import time

import requests

from conftest import PASSWORD, ROOT, ServerProcess, create_user_cli, join
from pblapp import create_app, ops
from pblapp.netinfo import base_url


def log_in(client, facilitator):
    return client.post("/", data={"name": facilitator["name"], "password": PASSWORD})


def test_nothing_but_login_and_joining_is_reachable_without_an_account(client, live_meeting):
    for path in (
        "/groups",
        f"/groups/{live_meeting['group_id']}",
        f"/meetings/{live_meeting['id']}",
        f"/meetings/{live_meeting['id']}/screen",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/?next="), path
    assert client.get(f"/j/{live_meeting['join_code']}").status_code == 200


def test_the_one_time_setup_url_creates_the_first_facilitator_once(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        token = ops.accounts.create_setup_token(app.extensions["pblapp.db"])
    assert client.get(f"/setup/{token}").status_code == 200
    form = {"name": "Hanna", "password": "långt lösenord", "password2": "långt lösenord"}
    response = client.post(f"/setup/{token}", data=form)
    assert response.status_code == 302 and response.location == "/groups"
    assert client.get("/groups").status_code == 200
    used = app.test_client().get(f"/setup/{token}")
    assert used.status_code == 404
    assert "Den här inställningslänken kan inte användas" in used.get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, facilitator):
    response = client.post("/?lang=en", data={"name": facilitator["name"], "password": "nope"})
    assert response.status_code == 401
    assert "Wrong name or password." in response.get_data(as_text=True)


def test_swedish_is_the_default_and_the_language_switch_is_remembered(client):
    assert "Logga in" in client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Log in" in english and 'href="/?lang=sv"' in english
    assert "Log in" in client.get("/").get_data(as_text=True)
    assert "Logga in" in client.get("/?lang=sv").get_data(as_text=True)


def test_a_facilitator_creates_a_group_and_a_meeting_with_forms(client, facilitator, db):
    log_in(client, facilitator)
    response = client.post(
        "/groups",
        data={
            "name": "Fokusgrupp Jönköping",
            "kind": "focus",
            "planned_meetings": "1",
            "organizations": "FK Försäkringskassan\nLJ Landstinget",
            "consent_text": "",
            "goals": "",
        },
    )
    assert response.status_code == 302
    group = ops.lookup.groups(db, facilitator["id"])[0]
    assert group["organizations"] == [
        {"code": "FK", "name": "Försäkringskassan"},
        {"code": "LJ", "name": "Landstinget"},
    ]
    response = client.post(
        f"/groups/{group['id']}/meetings",
        data={"title": "Lyckade fall", "scheduled_at": "2026-03-02T13:00", "agenda": "focus-group"},
    )
    meeting = ops.meetings.in_group(db, facilitator["id"], group["id"])[0]
    assert response.location == f"/meetings/{meeting['id']}"
    # The form's local time is the meeting's time zone (Stockholm: UTC+1 in March).
    assert meeting["scheduled_at"] == "2026-03-02T12:00:00.000Z"
    page = client.get(response.location).get_data(as_text=True)
    assert meeting["join_code"] in page


def test_the_console_starts_and_closes_a_meeting(client, facilitator, db, live_meeting):
    log_in(client, facilitator)
    client.post(f"/meetings/{live_meeting['id']}/close")
    assert ops.lookup.meeting(db, facilitator["id"], live_meeting["id"])["status"] == "closed"


def test_group_names_typed_with_markup_are_shown_as_text(client, facilitator):
    log_in(client, facilitator)
    client.post(
        "/groups",
        data={
            "name": "<script>alert(1)</script>",
            "kind": "pbl",
            "organizations": "FK Försäkringskassan",
        },
    )
    page = client.get("/groups").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


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


def test_without_a_public_url_phones_get_the_lan_address_never_localhost(monkeypatch):
    monkeypatch.setattr("pblapp.netinfo.lan_address", lambda: "10.20.30.40")
    assert base_url(None, 5000) == "http://10.20.30.40:5000"
    assert base_url("https://moten.example.se/", 5000) == "https://moten.example.se"


def test_the_join_page_asks_for_consent_when_the_group_has_a_consent_text(client, live_meeting):
    page = client.get(f"/j/{live_meeting['join_code']}").get_data(as_text=True)
    assert "Jag samtycker till att mina inlägg används i forskningen." in page
    assert 'data-testid="consent"' in page
    response = client.post(
        f"/j/{live_meeting['join_code']}?lang=en",
        data={"display_name": "Anna", "organization": "FK"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "You must consent before you can take part." in page
    assert 'value="Anna"' in page


def test_unknown_and_closed_meetings_get_a_clear_page(client, facilitator, live_meeting):
    response = client.get("/j/ZZZZZZ?lang=en")
    assert response.status_code == 404
    assert "No meeting has this code" in response.get_data(as_text=True)
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    response = client.get(f"/j/{live_meeting['join_code']}?lang=en")
    assert response.status_code == 410
    assert "This meeting has ended" in response.get_data(as_text=True)


def test_a_phone_that_joined_goes_straight_back_to_its_page(client, live_meeting):
    code = live_meeting["join_code"]
    response = client.post(
        f"/j/{code.lower()}", data={"display_name": "Anna", "organization": "FK", "consent": "on"}
    )
    assert response.location == f"/j/{code}/live"
    assert client.get(f"/j/{code}").location == f"/j/{code}/live"
    page = client.get(f"/j/{code}/live").get_data(as_text=True)
    assert "P01" in page and 'data-testid="send"' in page
    for key in ("encyclopedic", "meaning", "relational", "value", "solution"):
        assert f'data-testid="qtype-{key}"' in page
    other_phone = client.application.test_client()
    assert other_phone.get(f"/j/{code}/live").location == f"/j/{code}"


def test_the_phone_page_explains_every_question_type_in_the_ui_language(client, live_meeting):
    code = live_meeting["join_code"]
    client.post(f"/j/{code}", data={"display_name": "Anna", "organization": "FK", "consent": "on"})
    english = client.get(f"/j/{code}/live?lang=en").get_data(as_text=True)
    assert "Facts, definitions, how a rule works." in english
    swedish = client.get(f"/j/{code}/live?lang=sv").get_data(as_text=True)
    assert "Encyklopedisk" in swedish


def test_create_user_prints_a_working_api_token_last(tmp_path, client):
    data_dir = tmp_path / "cli"
    token = create_user_cli(data_dir, "Forskare Frida", role="researcher")
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir)})
    response = app.test_client().get("/api/v1/groups", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json() == []


def test_create_user_refuses_a_short_password(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "create-user",
            "X",
            "--role",
            "facilitator",
            "--data-dir",
            str(tmp_path),
        ],
        input="kort\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1 and "at least 8" in result.stderr


def test_first_start_prints_a_one_time_setup_url(tmp_path):
    server = ServerProcess(tmp_path / "fresh").start()
    try:
        deadline = time.monotonic() + 5
        while "setup/" not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        url = re.search(r"(http://\S+/setup/\S+)", server.log.read_text()).group(1)
        assert url.startswith(server.url)
        assert requests.get(url, timeout=5).status_code == 200
        # What people wrote is for the server's user only.
        assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o700
        assert (tmp_path / "fresh" / "pblapp.sqlite3").stat().st_mode & 0o777 == 0o600
    finally:
        server.stop()


def test_the_generated_secret_key_is_private_to_its_owner(tmp_path, monkeypatch):
    monkeypatch.delenv("PBLAPP_SECRET_KEY", raising=False)
    create_app({"DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    first = (tmp_path / "secret_key").read_text()
    create_app({"DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == first


def test_a_json_join_then_page_join_use_separate_identities(client, live_meeting):
    join(client, live_meeting["join_code"], "Anna")
    client.post(
        f"/j/{live_meeting['join_code']}",
        data={"display_name": "Bo", "organization": "AF", "consent": "on"},
    )
    page = client.get(f"/j/{live_meeting['join_code']}/live").get_data(as_text=True)
    assert "P02" in page


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


def test_a_group_with_a_saved_agenda_offers_it_for_new_meetings(
    client, db, facilitator, live_meeting
):
    log_in(client, facilitator)
    page = client.get(f"/groups/{live_meeting['group_id']}").get_data(as_text=True)
    assert 'value="group"' not in page
    ops.agenda.save_for_group(db, facilitator["id"], live_meeting["id"])
    page = client.get(f"/groups/{live_meeting['group_id']}").get_data(as_text=True)
    assert '<option value="group" selected>' in page


def test_the_group_page_edits_goals_and_shows_them(client, db, facilitator, live_meeting):
    log_in(client, facilitator)
    gid = live_meeting["group_id"]
    response = client.post(
        f"/groups/{gid}/edit",
        data={
            "name": "Basgrupp Norrköping",
            "planned_meetings": "7",
            "language": "en",
            "organizations": "FK Försäkringskassan\nAF Arbetsförmedlingen",
            "consent_text": "Jag samtycker.",
            "goals": "## Huvudmål\n\nAtt *samverka*.",
        },
    )
    assert response.status_code == 302
    group = ops.lookup.group(db, facilitator["id"], gid)
    assert group["language"] == "en" and len(group["organizations"]) == 2
    page = client.get(f"/groups/{gid}").get_data(as_text=True)
    assert "<h2>Huvudmål</h2>" in page and "<em>samverka</em>" in page


def test_form_errors_speak_the_ui_language(client, facilitator):
    log_in(client, facilitator)
    response = client.post(
        "/groups",
        data={
            "name": "G",
            "kind": "pbl",
            "planned_meetings": "0",
            "organizations": "FK Försäkringskassan",
        },
        follow_redirects=True,
    )
    assert "Planerade möten är ett tal från 1 till 100." in response.get_data(as_text=True)
    response = client.post(
        "/groups?lang=en",
        data={"name": "G", "kind": "pbl", "organizations": "FK a\nfk b"},
        follow_redirects=True,
    )
    assert "Each organization code may appear once." in response.get_data(as_text=True)


def test_error_pages_speak_the_ui_language_and_offer_the_language_switch(client, facilitator):
    log_in(client, facilitator)
    for path in ("/groups/999", "/meetings/999", "/meetings/999/screen", "/no/such/page"):
        answer = client.get(path)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 404, path
        assert "Hittades inte" in page and 'data-testid="lang-en"' in page, path
    english = client.get("/groups/999?lang=en").get_data(as_text=True)
    assert "Not found" in english


def test_the_language_switch_keeps_the_page_and_its_query(client, live_meeting):
    page = client.get(f"/?next=/meetings/{live_meeting['id']}").get_data(as_text=True)
    assert f'href="/?next=%2Fmeetings%2F{live_meeting["id"]}&amp;lang=en"' in page


def test_the_projector_screen_has_a_language_switch(client, facilitator, live_meeting):
    log_in(client, facilitator)
    page = client.get(f"/meetings/{live_meeting['id']}/screen").get_data(as_text=True)
    assert f'href="/meetings/{live_meeting["id"]}/screen?lang=en"' in page


def test_a_public_url_phones_could_not_open_is_refused_at_start(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "--data-dir", str(tmp_path)]
        + ["--port", "1", "--public-url", "10.0.0.5:8080"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--public-url must be a whole URL such as http://" in result.stderr


def test_listening_on_loopback_warns_that_phones_cannot_reach_the_server(tmp_path):
    server = ServerProcess(tmp_path / "data").start()  # listens on 127.0.0.1
    try:
        time.sleep(0.3)
        assert "Warning: listening on 127.0.0.1 only" in server.log.read_text()
    finally:
        server.stop()
    help_text = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "--help"], capture_output=True, text=True
    ).stdout
    assert "create-user NAME --role" in help_text


def test_pages_allow_only_their_own_scripts_and_no_framing(client, facilitator, live_meeting):
    log_in(client, facilitator)
    page = client.get(f"/meetings/{live_meeting['id']}")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert re.search(r"\son[a-z]+=", page.get_data(as_text=True)) is None  # no inline handlers
    minutes = client.get(f"/api/v1/meetings/{live_meeting['id']}/minutes.html")
    assert minutes.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_cookie_kept_from_before_a_logout_opens_nothing(app, facilitator, live_meeting):
    browser = app.test_client()
    log_in(browser, facilitator)
    cookie = browser.get_cookie("session").value
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    assert copy.get("/groups").status_code == 200  # the same login, from another place
    browser.post("/logout")
    assert copy.get("/groups").status_code == 302  # ended on the server, not only here
    socketio = app.extensions["socketio"]
    refused = socketio.test_client(app, flask_test_client=copy, auth={"meeting_id": 1})
    assert not refused.is_connected()


def test_guessing_passwords_is_stopped_after_ten_wrong_ones(app, client, facilitator):
    from pblapp.web import auth

    for _ in range(auth.FAILED_LOGINS_MAX):
        wrong = client.post("/", data={"name": facilitator["name"], "password": "gissning"})
        assert wrong.status_code == 401
    right = client.post("/", data={"name": facilitator["name"], "password": PASSWORD})
    assert right.status_code == 429  # even the right password waits now
    assert "Vänta 15 minuter" in right.get_data(as_text=True)
    with app.app_context():
        auth.failed_logins().clear()  # as if the 15 minutes had passed
    assert log_in(client, facilitator).status_code == 302


def test_a_researcher_reads_minutes_and_logs_but_not_the_live_pages_or_the_join_code(
    app, client, db, live_meeting
):
    """The console and the screen pair names with pseudonyms and show the join code."""
    researcher, token = ops.accounts.create_user(db, "Rita", "researcher", PASSWORD)

    def grant(change):
        change.db["group_grants"].insert(
            {"group_id": live_meeting["group_id"], "user_id": researcher["id"], "role": "read"}
        )

    db.change(grant)
    headers = {"Authorization": f"Bearer {token}"}
    meeting = client.get(f"/api/v1/meetings/{live_meeting['id']}", headers=headers).get_json()
    assert meeting["id"] == live_meeting["id"] and "join_code" not in meeting
    group = client.get(f"/api/v1/groups/{live_meeting['group_id']}", headers=headers).get_json()
    assert all("join_code" not in m for m in group["meetings"])
    log_in(client, researcher)
    for path in (f"/meetings/{live_meeting['id']}", f"/meetings/{live_meeting['id']}/screen"):
        assert client.get(path).status_code == 403, path
    page = client.get(f"/groups/{live_meeting['group_id']}").get_data(as_text=True)
    assert f"/api/v1/meetings/{live_meeting['id']}/minutes.html" in page
    assert live_meeting["join_code"] not in page
