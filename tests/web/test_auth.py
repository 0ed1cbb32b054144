"""Logging in and out: the one-time setup URL, passwords, session cookies, where a login leads."""

from helpers import PASSWORD, log_in, sio
from pblapp import create_app, ops


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


def test_setup_with_two_different_passwords_keeps_the_name_typed(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        token = ops.accounts.create_setup_token(app.extensions["pblapp.db"])
    form = {"name": "Hanna <Ström>", "password": "långt lösenord", "password2": "annat lösenord"}
    response = client.post(f"/setup/{token}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Lösenorden stämmer inte överens" in page
    assert 'value="Hanna &lt;Ström&gt;"' in page
    assert "långt lösenord" not in page  # passwords are never echoed back


def test_wrong_password_is_refused_with_a_message(client, facilitator):
    response = client.post("/?lang=en", data={"name": facilitator["name"], "password": "nope"})
    assert response.status_code == 401
    assert "Wrong name or password." in response.get_data(as_text=True)


def test_guessing_passwords_is_stopped_after_ten_wrong_ones(app, client, facilitator):
    from pblapp.web import auth

    for _ in range(auth.FAILED_LOGINS_MAX):
        wrong = client.post("/", data={"name": facilitator["name"], "password": "gissning"})
        assert wrong.status_code == 401
    right = client.post("/", data={"name": facilitator["name"], "password": PASSWORD})
    assert right.status_code == 429  # even the right password waits now
    assert "Vänta 15 minuter" in right.get_data(as_text=True)
    _age_failed_logins(app, auth.FAILED_LOGINS_WINDOW + 1)  # as if the 15 minutes had passed
    assert log_in(client, facilitator).status_code == 302


def _age_failed_logins(app, seconds: int) -> None:
    """Move every recorded wrong password ``seconds`` into the past."""
    from datetime import timedelta

    from pblapp.domain.clock import format_utc, parse_utc

    database = app.extensions["pblapp.db"]
    for row in database.query("SELECT id, at FROM login_failures"):
        earlier = format_utc(parse_utc(row["at"]) - timedelta(seconds=seconds))
        database.change(
            lambda change, row=row, at=earlier: change.db.execute(
                "UPDATE login_failures SET at = ? WHERE id = ?", [at, row["id"]]
            )
        )


def test_nine_wrong_passwords_and_then_the_right_one_let_a_person_in(app, client, facilitator):
    from pblapp.web import auth

    for _ in range(auth.FAILED_LOGINS_MAX - 1):
        client.post("/", data={"name": facilitator["name"], "password": "gissning"})
    assert log_in(client, facilitator).status_code == 302
    database = app.extensions["pblapp.db"]
    assert database.query("SELECT * FROM login_failures") == []  # the count starts over


def test_wrong_passwords_older_than_the_window_are_forgotten(app, client, facilitator):
    from pblapp.web import auth

    for _ in range(auth.FAILED_LOGINS_MAX - 1):
        client.post("/", data={"name": facilitator["name"], "password": "gissning"})
    _age_failed_logins(app, auth.FAILED_LOGINS_WINDOW + 1)
    # One more wrong password: the old ones no longer count, and are deleted.
    assert client.post("/", data={"name": "Någon", "password": "fel"}).status_code == 401
    database = app.extensions["pblapp.db"]
    assert [row["name"] for row in database.query("SELECT name FROM login_failures")] == ["Någon"]


def test_wrong_passwords_from_another_computer_do_not_lock_this_one_out(app, facilitator):
    from pblapp.web import auth

    guesser = app.test_client()
    for _ in range(auth.FAILED_LOGINS_MAX):
        guesser.post(
            "/",
            data={"name": facilitator["name"], "password": "gissning"},
            environ_base={"REMOTE_ADDR": "10.0.0.66"},
        )
    assert log_in(app.test_client(), facilitator).status_code == 302


def test_a_cookie_kept_from_before_a_logout_opens_nothing(app, facilitator, live_meeting):
    browser = app.test_client()
    log_in(browser, facilitator)
    cookie = browser.get_cookie("session").value
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    assert copy.get("/groups").status_code == 200  # the same login, from another place
    browser.post("/logout")
    assert copy.get("/groups").status_code == 302  # ended on the server, not only here
    refused = sio(app, flask_test_client=copy, auth={"meeting_id": 1})
    assert not refused.is_connected()


def test_login_next_with_a_tab_does_not_redirect_off_site(app, client, facilitator):
    answer = client.post(
        "/?next=/%09/evil.example",
        data={"name": facilitator["name"], "password": PASSWORD},
    )
    assert answer.status_code == 302
    assert not answer.headers["Location"].startswith("//")
