"""The code page (/j): a phone types the code from the screen and lands on the join form."""

import re

import pytest


def input_tag(page: str) -> str:
    found = re.search(r'<input[^>]*data-testid="join-code-input"[^>]*>', page)
    assert found, "no code input on the page"
    return found.group(0)


def test_the_code_page_has_one_large_input_made_for_typing_a_code(client):
    response = client.get("/j")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<input") == 1
    tag = input_tag(page)
    for attribute in ('inputmode="text"', 'autocapitalize="characters"', 'autocomplete="off"'):
        assert attribute in tag
    assert 'name="code"' in tag and "required" in tag
    assert 'data-testid="join-code-submit"' in page
    assert re.search(r'<form method="get" action="/j"', page)
    assert "<h1>" in page


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {spaced} ", "{dashed}"])
def test_a_code_typed_in_small_letters_with_spaces_or_dashes_leads_to_its_meeting(
    client, live_meeting, typed
):
    code = live_meeting["join_code"]
    typed = typed.format(
        code=code,
        lower=code.lower(),
        spaced=f"{code[:3]} {code[3:]}".lower(),
        dashed=f"{code[:3]}-{code[3:]}",
    )
    response = client.get("/j", query_string={"code": typed})
    assert response.status_code == 302
    assert response.location == f"/j/{code}"
    assert client.get(response.location).status_code == 200


def test_an_unknown_code_shows_the_page_again_with_the_typed_code_and_an_error(client):
    response = client.get("/j?code=zzz+zzz&lang=en")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    tag = input_tag(page)
    assert 'value="zzz zzz"' in tag
    assert 'aria-invalid="true"' in tag
    assert "No meeting has this code" in page
    assert 'role="alert"' in page
    swedish = client.get("/j?code=zzzzzz&lang=sv").get_data(as_text=True)
    assert "Inget möte har den här koden" in swedish


def test_what_was_typed_is_shown_as_text_never_as_markup(client):
    page = client.get('/j?code=<b>"x</b>').get_data(as_text=True)
    assert "<b>" not in page
    assert "&lt;b&gt;&#34;x&lt;/b&gt;" in input_tag(page)


def test_a_code_of_only_spaces_asks_for_the_code(client):
    response = client.get("/j?code=+-+&lang=en")
    assert response.status_code == 400
    assert "Type the code shown on the screen." in response.get_data(as_text=True)


def test_the_longer_address_join_leads_to_the_code_page(client, live_meeting):
    assert client.get("/join").status_code == 302
    assert client.get("/join").location == "/j"
    code = live_meeting["join_code"]
    assert client.get(f"/join?code={code.lower()}").location == f"/j?code={code.lower()}"
    assert client.get("/j/").status_code == 200
    # Only the code goes on: other arguments neither break the redirect nor steer it.
    for junk in ("endpoint=x", "_method=POST", "_external=1", "_scheme=https"):
        answer = client.get(f"/join?{junk}&code=abc", headers={"Host": "evil.example"})
        assert answer.status_code == 302 and answer.location == "/j?code=abc", junk


def test_a_link_with_an_unknown_code_offers_the_input_with_that_code(client):
    response = client.get("/j/wjk-g4z?lang=en")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "No meeting has this code" in page
    assert 'value="wjk-g4z"' in input_tag(page)


def test_a_closed_meetings_code_leads_to_the_page_saying_it_has_ended(
    client, facilitator, live_meeting
):
    client.post(f"/api/v1/meetings/{live_meeting['id']}/close", headers=facilitator["headers"])
    code = live_meeting["join_code"]
    response = client.get(f"/j?code={code.lower()}")
    assert response.location == f"/j/{code}"
    ended = client.get(f"/j/{code}?lang=en")
    assert ended.status_code == 410
    assert "This meeting has ended" in ended.get_data(as_text=True)


def test_the_login_page_points_participants_to_the_code_page(client):
    swedish = client.get("/?lang=sv").get_data(as_text=True)
    assert "Ska du delta i ett möte?" in swedish
    assert re.search(r'<a class="button" href="/j">Gå till /j</a>', swedish)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Taking part in a meeting?" in english and "Go to /j" in english
