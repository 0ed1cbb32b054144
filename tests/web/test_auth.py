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
    # No API token was made that nobody saw: the account page makes one when needed.
    assert "Du har inga API-nycklar" in client.get("/account").get_data(as_text=True)
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


def test_logout_disconnects_the_console_socket_of_that_login(app, facilitator, live_meeting):
    browser, other = app.test_client(), app.test_client()
    log_in(browser, facilitator)
    log_in(other, facilitator)
    console = sio(app, flask_test_client=browser, auth={"meeting_id": live_meeting["id"]})
    elsewhere = sio(app, flask_test_client=other, auth={"meeting_id": live_meeting["id"]})
    assert console.is_connected() and elsewhere.is_connected()

    browser.post("/logout")

    assert not console.is_connected()  # it no longer moderates
    assert elsewhere.is_connected()  # another login of the same user is not this one


# -- passwords at the setup page and for new users ----------------------------------------


def test_setup_refuses_a_blank_short_or_common_password(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        token = ops.accounts.create_setup_token(app.extensions["pblapp.db"])
    for password, message in [
        (" " * 10, "bara mellanslag"),
        ("kort ord", "minst 10 tecken"),
        ("Sommar2025!", "för vanligt eller för lätt att gissa"),
        ("lösenord123", "för vanligt eller för lätt att gissa"),
    ]:
        form = {"name": "Hanna", "password": password, "password2": password}
        answer = client.post(f"/setup/{token}", data=form)
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert not ops.accounts.has_facilitator(app.extensions["pblapp.db"])


def test_eight_spaces_are_no_password(db):
    import pytest

    from pblapp.domain.errors import DomainError

    with pytest.raises(DomainError) as refused:
        ops.accounts.create_user(db, "Hanna", "facilitator", " " * 8)
    assert refused.value.code == "password_blank"
    with pytest.raises(DomainError) as refused:
        ops.accounts.create_user(db, "Hanna", "facilitator", "qwertyuiop")
    assert refused.value.code == "password_too_common"


# -- how long a login lasts ---------------------------------------------------------------


def _idle_logins(app, hours: float) -> None:
    """Make every login look unused for ``hours``."""
    from datetime import UTC, datetime, timedelta

    from pblapp.domain.clock import format_utc

    then = format_utc(datetime.now(UTC) - timedelta(hours=hours))
    app.extensions["pblapp.db"].change(
        lambda change: change.db.execute("UPDATE logins SET last_seen_at = ?", [then])
    )


def _last_seen(app) -> str:
    return app.extensions["pblapp.db"].query_one("SELECT last_seen_at FROM logins")["last_seen_at"]


def test_a_login_unused_for_longer_than_twelve_hours_ends(app, client, facilitator, live_meeting):
    assert app.config["SESSION_HOURS"] == 12
    log_in(client, facilitator)
    _idle_logins(app, 12.05)

    assert client.get("/groups").status_code == 302  # to the login page
    assert not sio(app, flask_test_client=client, auth={"meeting_id": 1}).is_connected()
    ended = app.extensions["pblapp.db"].query_one("SELECT ended_at FROM logins")["ended_at"]
    assert ended is not None  # ended on the server, not only in the browser


def test_a_login_in_use_lasts_and_is_noted_at_most_once_a_minute(app, client, facilitator):
    log_in(client, facilitator)
    _idle_logins(app, 11.9)  # almost twelve hours, then used again
    assert client.get("/groups").status_code == 200
    seen = _last_seen(app)
    assert client.get("/groups").status_code == 200
    assert _last_seen(app) == seen  # no write for a second request within the minute
    _idle_logins(app, 11.9)
    assert client.get("/groups").status_code == 200
    assert _last_seen(app) > seen


def test_the_session_lifetime_is_configurable_and_sets_the_cookie(tmp_path, monkeypatch):
    from datetime import UTC, datetime, timedelta

    monkeypatch.setenv("PBLAPP_SESSION_HOURS", "2")
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False})
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=2)
    user, _ = ops.accounts.create_user(
        app.extensions["pblapp.db"], "Hanna", "facilitator", PASSWORD
    )
    client = app.test_client()
    log_in(client, user)
    expires = client.get_cookie("session").expires
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=1)
    _idle_logins(app, 1.5)
    assert client.get("/groups").status_code == 200
    _idle_logins(app, 2.1)
    assert client.get("/groups").status_code == 302

    # The command line's setting (test_config) wins; nonsense falls back to 12 hours.
    other = create_app({"DATA_DIR": str(tmp_path), "SESSION_HOURS": 0.5})
    assert other.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    monkeypatch.setenv("PBLAPP_SESSION_HOURS", "tolv")
    assert create_app({"DATA_DIR": str(tmp_path)}).config["SESSION_HOURS"] == 12


def test_a_phones_cookie_outlasts_the_session_lifetime_but_a_logins_does_not(
    app, facilitator, live_meeting
):
    from datetime import UTC, datetime, timedelta

    def expires_in(client) -> timedelta:
        return client.get_cookie("session").expires - datetime.now(UTC)

    phone = app.test_client()
    form = {"display_name": "Anna", "organization": "FK", "consent": "on"}
    assert phone.post(f"/j/{live_meeting['join_code']}", data=form).status_code == 302
    # The same phone comes back as the same participant at the group's next meeting.
    assert expires_in(phone) > timedelta(days=179)
    laptop = app.test_client()
    log_in(laptop, facilitator)
    assert timedelta(hours=11.9) < expires_in(laptop) <= timedelta(hours=12)


# -- guessing -------------------------------------------------------------------------------


def test_many_wrong_passwords_for_one_account_from_many_addresses_lock_that_account(
    app, facilitator, researcher
):
    from pblapp.web import auth

    database = app.extensions["pblapp.db"]
    for n in range(auth.FAILED_LOGINS_PER_ACCOUNT_MAX - 1):  # one guess from each address
        ops.accounts.record_login_failure(database, f"10.0.{n}.1", facilitator["name"])
    last = app.test_client().post(
        "/",
        data={"name": facilitator["name"], "password": "gissning"},
        environ_base={"REMOTE_ADDR": "10.0.99.1"},
    )
    assert last.status_code == 401  # each address is far below its own limit

    right = app.test_client().post("/", data={"name": facilitator["name"], "password": PASSWORD})
    assert right.status_code == 429  # the account waits, from every address
    assert "för det här kontot" in right.get_data(as_text=True)
    assert log_in(app.test_client(), researcher).status_code == 302  # others do not
    _age_failed_logins(app, auth.FAILED_LOGINS_WINDOW + 1)
    assert log_in(app.test_client(), facilitator).status_code == 302


def test_one_person_from_two_addresses_cannot_lock_the_facilitator_out(app, facilitator):
    for address in ("10.0.0.7", "10.0.0.8"):
        for _ in range(12):  # on until the address itself is refused
            app.test_client().post(
                "/",
                data={"name": facilitator["name"], "password": "gissning"},
                environ_base={"REMOTE_ADDR": address},
            )
    right = app.test_client().post(
        "/",
        data={"name": facilitator["name"], "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert right.status_code == 302


def test_an_unknown_name_is_locked_as_a_known_one_is(app, facilitator):
    from pblapp.web import auth

    database = app.extensions["pblapp.db"]
    for n in range(auth.FAILED_LOGINS_PER_ACCOUNT_MAX):  # as the login form records them
        ops.accounts.record_login_failure(database, f"10.1.{n}.1", "Ingen Alls")
    answer = app.test_client().post("/", data={"name": " Ingen Alls ", "password": "gissning"})
    assert answer.status_code == 429  # no way to tell that the name does not exist
    assert "för det här kontot" in answer.get_data(as_text=True)


def test_a_login_takes_as_long_for_an_unknown_name_as_for_a_known_one(app, facilitator):
    import statistics
    import time

    client = app.test_client()

    def seconds(name: str, n: int) -> float:
        started = time.perf_counter()
        answer = client.post(
            "/",
            data={"name": name, "password": "gissning"},
            environ_base={"REMOTE_ADDR": f"10.2.{n}.1"},
        )
        assert answer.status_code == 401
        return time.perf_counter() - started

    seconds("Ingen Alls", 99)  # the first unknown name makes the dummy hash
    known, unknown = [], []
    for n in range(5):  # interleaved, so a busy moment of the machine hits both alike
        known.append(seconds(facilitator["name"], 2 * n))
        unknown.append(seconds(f"Ingen {n}", 2 * n + 1))
    # Loose on purpose: a password hash takes tens of milliseconds, a lookup without one
    # well under one (77 ms against 2 ms before the dummy hash).
    assert statistics.median(unknown) >= 0.5 * statistics.median(known)


def test_on_a_full_disk_a_logged_in_facilitator_and_a_token_still_read(
    app, facilitator, monkeypatch
):
    """When nothing can be written, noting that a login or a token was used is skipped:
    the pages, the exports and the console's reconnect keep working until there is room."""
    from datetime import UTC, datetime, timedelta

    from pblapp.db import StorageFull
    from pblapp.domain.clock import format_utc

    client = app.test_client()
    assert log_in(client, facilitator).status_code == 302
    database = app.extensions["pblapp.db"]
    # Two minutes later: both uses are due to be noted.
    earlier = format_utc(datetime.now(UTC) - timedelta(minutes=2))
    database.change(
        lambda change: (
            change.db.execute("UPDATE logins SET last_seen_at = ?", [earlier]),
            change.db.execute("UPDATE api_tokens SET last_used_at = ?", [earlier]),
        )
    )

    def full(_write):
        raise StorageFull()

    monkeypatch.setattr(database, "change", full)
    assert client.get("/groups").status_code == 200
    assert client.get("/api/v1/groups", headers=facilitator["headers"]).status_code == 200
