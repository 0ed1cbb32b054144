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


def test_only_the_facilitators_pages_get_the_key_between_names_and_pseudonyms():
    for audience in (access.CONSOLE, access.SCREEN):
        assert access.contribution_for(audience, POST) == POST
    for audience in (access.RESEARCH, access.EXPORT):
        shown = access.contribution_for(audience, POST)
        assert shown["display_name"] == "" and shown["text"] == POST["text"]


def test_a_researcher_gets_no_join_code():
    meeting = {"id": 1, "join_code": "WJKG4B", "status": "live"}
    assert access.meeting_for(access.audience_of("researcher"), meeting) == {
        "id": 1,
        "status": "live",
    }
    assert access.meeting_for(access.audience_of("facilitator"), meeting) == meeting


def test_docs_security_holds_the_table_the_module_prints():
    assert access.rules_table() in (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
