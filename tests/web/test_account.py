"""The account page: changing the password, and listing, making and revoking API tokens."""

from helpers import PASSWORD, log_in, moderator_socket, sio
from pblapp import ops

NEW_PASSWORD = "tre gröna stolar i snön"


def _logged_in(app, user):
    browser = app.test_client()
    assert log_in(browser, user).status_code == 302
    return browser


def _change(browser, current=PASSWORD, new=NEW_PASSWORD, again=None):
    form = {"current_password": current, "new_password": new, "new_password2": again or new}
    return browser.post("/account/password", data=form)


def test_the_account_page_is_linked_from_the_header_and_needs_a_login(app, client, facilitator):
    assert client.get("/account").status_code == 302  # to the login page
    log_in(client, facilitator)
    groups = client.get("/groups").get_data(as_text=True)
    assert 'href="/account"' in groups and 'data-testid="account-link"' in groups
    page = client.get("/account")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Byt lösenord" in html and "API-nycklar" in html
    assert page.headers["Cache-Control"] == "no-store"


def test_changing_the_password_ends_the_other_logins_and_keeps_this_one(app, db, facilitator):
    here, elsewhere = _logged_in(app, facilitator), _logged_in(app, facilitator)

    answer = _change(here)

    assert answer.status_code == 302 and answer.location == "/account"
    assert "utloggad överallt annars" in here.get("/account").get_data(as_text=True)
    assert here.get("/groups").status_code == 200  # this login stays
    assert elsewhere.get("/groups").status_code == 302  # the other one has ended
    old = app.test_client().post("/", data={"name": facilitator["name"], "password": PASSWORD})
    assert old.status_code == 401
    new = app.test_client().post("/", data={"name": facilitator["name"], "password": NEW_PASSWORD})
    assert new.status_code == 302
    (logged,) = db.query("SELECT actor, data FROM events WHERE type = 'user.password_changed'")
    assert logged["actor"] == "facilitator"
    assert '"logins_ended": 1' in logged["data"] and PASSWORD not in logged["data"]


def test_a_password_change_disconnects_the_other_logins_console(app, facilitator, live_meeting):
    here, elsewhere = _logged_in(app, facilitator), _logged_in(app, facilitator)
    own = sio(app, flask_test_client=here, auth={"meeting_id": live_meeting["id"]})
    other = sio(app, flask_test_client=elsewhere, auth={"meeting_id": live_meeting["id"]})
    assert own.is_connected() and other.is_connected()

    assert _change(here).status_code == 302

    assert not other.is_connected()
    assert own.is_connected()  # the login that changed the password stays, and its console


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_guess(app, db, facilitator):
    browser = _logged_in(app, facilitator)

    answer = _change(browser, current="inte mitt lösenord")

    assert answer.status_code == 400
    assert "Det nuvarande lösenordet stämmer inte" in answer.get_data(as_text=True)
    assert [r["name"] for r in db.query("SELECT name FROM login_failures")] == [facilitator["name"]]
    assert db.query("SELECT 1 FROM events WHERE type = 'user.password_changed'") == []
    assert log_in(app.test_client(), facilitator).status_code == 302  # the old one works


def test_a_browser_left_logged_in_cannot_guess_the_password_for_long(app, facilitator):
    from pblapp.web import auth

    browser = _logged_in(app, facilitator)
    for _ in range(auth.FAILED_LOGINS_MAX):
        assert _change(browser, current="gissning nummer").status_code == 400
    locked = _change(browser)
    assert locked.status_code == 429  # even the right password waits now
    assert "Vänta 15 minuter" in locked.get_data(as_text=True)


def test_the_new_password_keeps_the_rules_and_must_be_typed_the_same_twice(app, facilitator):
    browser = _logged_in(app, facilitator)
    common = _change(browser, new="Sommar2025!")
    assert common.status_code == 400
    assert "för vanligt eller för lätt att gissa" in common.get_data(as_text=True)
    short = _change(browser, new="kort")
    assert "minst 10 tecken" in short.get_data(as_text=True)
    blank = _change(browser, new=" " * 12)
    assert "bara mellanslag" in blank.get_data(as_text=True)
    differ = _change(browser, again="något helt annat här")
    assert "De två nya lösenorden stämmer inte överens" in differ.get_data(as_text=True)
    same = _change(browser, new=PASSWORD)
    assert "samma som det du har nu" in same.get_data(as_text=True)
    assert log_in(app.test_client(), facilitator).status_code == 302  # still the old one


def test_a_new_token_is_shown_once_listed_and_opens_the_api(app, db, facilitator):
    browser = _logged_in(app, facilitator)

    made = browser.post("/account/tokens", data={"label": "R-skript <analys>"})

    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    html = made.get_data(as_text=True)
    token = html.split('data-testid="new-token">', 1)[1].split("<", 1)[0]
    assert len(token) == 43
    assert "R-skript &lt;analys&gt;" in html  # a name is text, never markup
    later = browser.get("/account").get_data(as_text=True)
    assert token not in later and "R-skript &lt;analys&gt;" in later  # shown only once
    assert later.count('data-testid="token-row"') == 2  # with the one made with the user
    assert "aldrig" in later  # not used yet

    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/groups", headers=headers).status_code == 200
    (listed,) = [t for t in ops.accounts.api_tokens(db, facilitator["id"]) if t["label"]]
    assert listed["last_used_at"] is not None
    assert "aldrig" in browser.get("/account").get_data(as_text=True)  # the first one, unused


def test_a_revoked_token_opens_nothing_and_its_socket_ends(app, db, facilitator, live_meeting):
    browser = _logged_in(app, facilitator)
    console = moderator_socket(app, facilitator, live_meeting["id"])
    assert console.is_connected()
    (first,) = ops.accounts.api_tokens(db, facilitator["id"])

    answer = browser.post(f"/account/tokens/{first['id']}/revoke")

    assert answer.status_code == 302 and answer.location == "/account#tokens"
    assert "Den öppnar ingenting längre" in browser.get("/account").get_data(as_text=True)
    assert not console.is_connected()
    refused = app.test_client().get("/api/v1/groups", headers=facilitator["headers"])
    assert refused.status_code == 401
    assert ops.accounts.user_for_api_token(db, facilitator["token"]) is None
    assert not moderator_socket(app, facilitator, live_meeting["id"]).is_connected()
    assert ops.accounts.api_tokens(db, facilitator["id"]) == []
    logged = db.query("SELECT actor, data FROM events WHERE type = 'api_token.revoked'")
    assert [row["actor"] for row in logged] == ["facilitator"]
    # Revoking it again tells so, and changes nothing.
    again = browser.post(f"/account/tokens/{first['id']}/revoke", follow_redirects=True)
    assert "redan återkallad" in again.get_data(as_text=True)


def test_nobody_revokes_another_users_token(app, db, facilitator, researcher):
    (theirs,) = ops.accounts.api_tokens(db, facilitator["id"])
    browser = _logged_in(app, researcher)  # a researcher has an account page too
    assert browser.get("/account").status_code == 200

    browser.post(f"/account/tokens/{theirs['id']}/revoke")

    assert ops.accounts.user_for_api_token(db, facilitator["token"]) is not None
    assert db.query("SELECT 1 FROM events WHERE type = 'api_token.revoked'") == []


def test_a_token_name_longer_than_80_characters_is_refused(app, db, facilitator):
    browser = _logged_in(app, facilitator)
    answer = browser.post("/account/tokens", data={"label": "x" * 81})
    assert answer.status_code == 400
    assert "högst 80 tecken" in answer.get_data(as_text=True)
    assert len(ops.accounts.api_tokens(db, facilitator["id"])) == 1


def test_the_account_forms_need_the_csrf_token(tmp_path):
    from pblapp import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "csrf"), "SECRET_KEY": "t"})
    ops.accounts.create_user(app.extensions["pblapp.db"], "Hanna", "facilitator", PASSWORD)
    browser = app.test_client()
    login_page = browser.get("/").get_data(as_text=True)
    token = login_page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    browser.post("/", data={"name": "Hanna", "password": PASSWORD, "csrf_token": token})
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert (
        browser.post("/account/password", data={**form, "new_password2": NEW_PASSWORD}).status_code
        == 400
    )
    assert browser.post("/account/tokens", data={"label": "x"}).status_code == 400


def test_the_users_name_on_the_page_is_text(app, db):
    user, _ = ops.accounts.create_user(db, "Rut <i>Forskare</i>", "researcher", PASSWORD)
    html = _logged_in(app, user).get("/account").get_data(as_text=True)
    assert "Rut &lt;i&gt;Forskare&lt;/i&gt;" in html and "<i>Forskare" not in html
