"""The access rules: what each role may do and what each audience sees, and their table in
docs/security.md."""

from pathlib import Path

from pblapp.domain import access

ROOT = Path(__file__).resolve().parents[2]
POST = {
    "id": 7,
    "display_name": "Anna Andersson",
    "pseudonym": "P01",
    "text": "Personen heter Kalle",
    "hidden": True,
}


def test_only_the_facilitator_changes_things_and_watches_live():
    assert access.may("facilitator", access.CHANGE)
    assert access.may("facilitator", access.WATCH_LIVE)
    assert access.may("researcher", access.READ)
    assert not access.may("researcher", access.CHANGE)
    assert not access.may("researcher", access.WATCH_LIVE)
    assert not access.may(None, access.READ)
    assert access.may("participant", access.POST)
    assert not access.may("facilitator", access.POST)


def test_a_phone_learns_that_a_post_was_hidden_but_not_what_it_said_nor_whose_it_was():
    shown = access.contribution_for(access.PHONE, POST)
    assert shown == {**POST, "display_name": "", "text": ""}
    assert access.contribution_for(access.PHONE, {**POST, "hidden": False})["text"] == POST["text"]


def test_only_the_facilitators_console_gets_the_key_between_names_and_pseudonyms():
    assert access.contribution_for(access.CONSOLE, POST) == POST
    for choice in access.AUTHOR_DISPLAYS:
        shown = access.contribution_for(access.SCREEN, POST, choice)
        assert not (shown["display_name"] and shown["pseudonym"]), choice
    for audience in (access.RESEARCH, access.EXPORT):
        shown = access.contribution_for(audience, POST)
        assert shown["display_name"] == "" and shown["text"] == POST["text"]


def test_the_screen_names_an_author_only_as_the_facilitator_chose_and_hides_hidden_texts():
    visible = {**POST, "hidden": False}
    authors = {
        choice: (shown["display_name"], shown["pseudonym"], shown["text"])
        for choice in access.AUTHOR_DISPLAYS
        for shown in [access.contribution_for(access.SCREEN, visible, choice)]
    }
    assert authors == {
        "name": ("Anna Andersson", "", POST["text"]),
        "pseudonym": ("", "P01", POST["text"]),
        "none": ("", "", POST["text"]),
    }
    # A value the screen does not know names nobody.
    assert access.contribution_for(access.SCREEN, visible, "both")["display_name"] == ""
    assert access.contribution_for(access.SCREEN, POST, "name")["text"] == ""


def test_a_screen_link_only_watches_the_screen():
    assert access.may(access.SCREEN_LINK, access.WATCH_SCREEN)
    assert access.audience_of(access.SCREEN_LINK) == access.SCREEN
    for action in access.ACTIONS:
        if action != access.WATCH_SCREEN:
            assert not access.may(access.SCREEN_LINK, action), action


def test_the_screen_gets_of_the_follow_ups_only_the_carried_open_questions_text():
    question = {
        "id": 1,
        "text": "Vad gäller dag 180?",
        "status": "open",
        "carried_from_earlier": True,
        "author": {"pseudonym": "P01", "organization": "FK"},
        "owner": {"pseudonym": "P02"},
    }
    state = {
        "meeting_id": 2,
        "questions": [
            question,
            {**question, "id": 2, "status": "answered"},
            {**question, "id": 3, "carried_from_earlier": False},
        ],
        "decisions": [{"id": 1, "text": "Vi bjuder in AF"}],
        "action_items": [{"id": 1, "what": "Ringa FK", "who": "Anna"}],
    }
    shown = access.followups_for(access.SCREEN, state)
    assert shown == {
        "meeting_id": 2,
        "questions": [{**question, "author": None, "owner": None}],
        "decisions": [],
        "action_items": [],
    }
    assert access.followups_for(access.CONSOLE, state) == state


def test_a_researcher_gets_no_join_code():
    meeting = {"id": 1, "join_code": "WJKG4B", "status": "live"}
    assert access.meeting_for(access.audience_of("researcher"), meeting) == {
        "id": 1,
        "status": "live",
    }
    assert access.meeting_for(access.audience_of("facilitator"), meeting) == meeting


def test_docs_security_holds_the_table_the_module_prints():
    assert access.rules_table() in (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
