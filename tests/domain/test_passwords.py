"""The password rules: long enough, not blank, not common, with a code for each refusal."""

import secrets
import string
from importlib import resources
from pathlib import Path

import pytest

from pblapp.domain import passwords
from pblapp.domain.errors import DomainError
from pblapp.domain.passwords import password_problem


def test_ten_characters_are_enough_and_nine_are_not():
    assert password_problem("gröna stol") is None
    assert password_problem("grön stol") == "password_too_short"


def test_only_whitespace_is_blank_and_spaces_at_the_ends_do_not_count():
    for blank in ("", " " * 8, " " * 12, "\t \n  \u00a0    "):
        assert password_problem(blank) == "password_blank"
    assert password_problem("   kort ord   ") == "password_too_short"


def test_a_pasted_novel_is_refused():
    assert password_problem("ord " * 300) == "password_too_long"


@pytest.mark.parametrize(
    "password",
    [
        "1234567890",
        "qwertyuiop",
        "password123",
        "lösenord123",
        "sommar2024",
        "Sommar2025!",
        "välkommen1",
        "hösten2026",
        "Qwertyuiop",  # letter case does not make a listed password new
        "  LÖSENORD123 ",
        "losenord123",  # nor leaving out the accents
    ],
)
def test_listed_passwords_are_refused(password):
    assert password_problem(password) == "password_too_common"


@pytest.mark.parametrize(
    "password",
    [
        "vinter2031!",  # a season or a month with digits, any year
        "Oktober1999",
        "Januari!!2029",
        "2031sommaren",
        "P@ssw0rd!2031",  # look-alike digits and signs
        "L0SENORD9876",
        "Välkommen!!77",
        "zzzzzzzzzzzz",  # one character repeated
        "xyxyxyxyxyxy",  # a short group repeated
        "abcabcabcabc",
        "1010101010",
        "5678901234",  # runs along the digits, the alphabet and the keyboard
        "klmnopqrstu",
        "ytrewqasdf",
        "åäölkjhgfdsa",
        "hej1234567",  # a run with a little beside it
        "fredagsmys2029",  # a listed word with digits
        "sommarvinter",  # two well-known words
        "Maria197305",  # a first name with a year
    ],
)
def test_common_patterns_are_refused(password):
    assert password_problem(password) == "password_too_common"


def test_the_users_own_name_is_refused_with_or_without_digits():
    name = "Handledare Hanna"
    assert password_problem("Handledare Hanna", name) == "password_too_common"
    assert password_problem("handledarehanna1", name) == "password_too_common"
    assert password_problem("Svanholm2024!", "Britt Svanholm") == "password_too_common"
    assert password_problem("Svanholm2024!") is None  # not a common word by itself


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "tre gröna stolar i snön",
        "Sommarstugan vid sjön",  # a well-known word is fine inside a longer phrase
        "kaffe, regn och ett tåg",
        "8491027365",
        "x7Gq!k29Lp",
    ],
)
def test_good_passwords_pass(password):
    assert password_problem(password, "Handledare Hanna") is None


def test_random_passwords_are_never_taken_for_common_ones():
    alphabet = string.ascii_letters + string.digits + "!#%&"
    for _ in range(300):
        password = "".join(secrets.choice(alphabet) for _ in range(14))
        assert password_problem(password) is None, password


def test_every_listed_password_is_refused_and_the_list_is_a_few_hundred_long():
    listed = passwords.common_passwords()
    assert 300 <= len(listed) <= 2000
    text = resources.files("pblapp.domain").joinpath("common_passwords.txt").read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            assert len(line) >= passwords.MIN_LENGTH, line  # shorter ones need no list
            assert password_problem(line) == "password_too_common", line


def test_the_list_ships_with_the_package():
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '"domain/*.txt"' in pyproject  # in the package data of every wheel and install


def test_a_broken_rule_raises_its_code_with_a_message():
    with pytest.raises(DomainError) as refused:
        passwords.check_new_password("Sommar2025!")
    assert refused.value.code == "password_too_common" and refused.value.message
    passwords.check_new_password("tre gröna stolar i snön")  # no error
