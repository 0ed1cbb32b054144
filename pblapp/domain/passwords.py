"""What a new password must be: at least 10 characters, not only whitespace, and not one
that people commonly pick.

"Common" means: on our own list (``common_passwords.txt`` beside this module), or made
on one of the patterns people use to get past a length rule: one character or a short
group repeated, a run along the keyboard or the alphabet, or a well-known word (a
season, a month, "lösenord", "välkommen", a first name, the user's own name) with digits
or punctuation around it. Letter case, accents (ö and o) and look-alike digits (0 for o)
do not make a common password new.

Plain functions with no Flask, so that the setup page, the account page and the
``create-user`` command refuse the same passwords with the same codes.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

from pblapp.domain.errors import DomainError

MIN_LENGTH = 10
# Far beyond any real password; only keeps hashing a pasted novel out of the way.
MAX_LENGTH = 1024

PASSWORD_BLANK = "password_blank"
PASSWORD_TOO_SHORT = "password_too_short"
PASSWORD_TOO_LONG = "password_too_long"
PASSWORD_TOO_COMMON = "password_too_common"

MESSAGES = {
    PASSWORD_BLANK: "A password cannot be only spaces.",
    PASSWORD_TOO_SHORT: f"A password has at least {MIN_LENGTH} characters.",
    PASSWORD_TOO_LONG: f"A password has at most {MAX_LENGTH} characters.",
    PASSWORD_TOO_COMMON: (
        "This password is too common or too easy to guess. "
        "A few words that do not belong together make a good one."
    ),
}

# Words people build a password around, written folded (no accents, lower case): with
# only digits or punctuation around them (sommar2025!, Lösenord123) they are refused.
STEMS = frozenset(
    """
    sommar sommaren vinter vintern host hosten var varen summer winter autumn fall spring
    januari februari mars april maj juni juli augusti september oktober november december
    january february march may june july august october
    mandag tisdag onsdag torsdag fredag lordag sondag
    monday tuesday wednesday thursday friday saturday sunday
    password passw passwd passord passwort losenord losen losenordet hemligt hemlighet
    secret welcome valkommen valkomna hej hejsan hejhej admin administrator qwerty qwertz
    azerty test testtest user anvandare login logga changeme letmein iloveyou
    sverige stockholm goteborg malmo uppsala linkoping norrkoping orebro vasteras umea lulea
    midsommar julafton jul nyar pblapp basgrupp fokusgrupp handledare forskare
    anna maria eva karin kristina lena sara emma elsa alice maja ella saga astrid ebba
    linnea hanna malin susanne johanna olivia wilma julia frida ida klara
    erik lars karl johan anders per nils jonas peter mikael magnus fredrik andreas hugo
    william lucas oscar liam noah elias adam leo oliver axel alexander daniel
    """.split()
)

# Rows and columns of a Swedish keyboard, the alphabet and the digits, folded as above
# (å and ä become a, ö becomes o). A password is read forwards and backwards along them.
SEQUENCES = (
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "1234567890+",
    "qwertyuiopa",
    "asdfghjkloa",
    "zxcvbnm,.-",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)
# Runs this long make up the password when what is left beside them is this short.
RUN_MIN = 4
LEFT_OVER_MAX = 3
# A short group repeated ("abcabcabca") or at most this many different characters.
REPEATED_GROUP_MAX = 4
FEW_CHARACTERS = 3

# Digits and signs typed for letters.
_LOOK_ALIKES = str.maketrans({"0": "o", "1": "i", "!": "i", "3": "e", "4": "a", "@": "a"})
_LOOK_ALIKES.update(str.maketrans({"5": "s", "$": "s", "7": "t", "€": "e"}))
# What people put around a word: digits, punctuation, underscores.
_AROUND = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$", re.DOTALL)


def password_problem(password: str, name: str = "") -> str | None:
    """The code of the first rule ``password`` breaks, or ``None`` if it is acceptable for
    the user called ``name``. Spaces at either end do not count towards the length."""
    if not password.strip():
        return PASSWORD_BLANK
    if len(password.strip()) < MIN_LENGTH:
        return PASSWORD_TOO_SHORT
    if len(password) > MAX_LENGTH:
        return PASSWORD_TOO_LONG
    if is_common(password, name):
        return PASSWORD_TOO_COMMON
    return None


def check_new_password(password: str, name: str = "") -> None:
    """Raise a :class:`DomainError` with the code of the rule ``password`` breaks."""
    problem = password_problem(password, name)
    if problem:
        raise DomainError(problem, MESSAGES[problem])


def is_common(password: str, name: str = "") -> bool:
    """Whether ``password`` is on the list or made on a common pattern (see the module)."""
    compact = fold("".join(password.split()))
    if compact in common_passwords() or _is_repetitive(compact):
        return True
    if _mostly_runs(compact):
        return True
    core = _AROUND.match(compact).group(1)
    if not core:
        return False  # only digits and signs, none of them a run or a repeat
    name_words = {fold(word) for word in name.split()} | {fold("".join(name.split()))}
    words = STEMS | common_passwords() | (name_words - {""})
    for candidate in {core, core.translate(_LOOK_ALIKES)}:
        if candidate in words or _two_stems(candidate) or _mostly_runs(candidate):
            return True
    return False


def fold(text: str) -> str:
    """``text`` in lower case without accents, as the list and the stems are written."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def common_passwords() -> frozenset[str]:
    """The list shipped with the package, folded."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        fold("".join(line.split()))
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _is_repetitive(text: str) -> bool:
    if len(set(text)) <= FEW_CHARACTERS:
        return True
    return any(
        text == (text[:size] * (len(text) // size + 1))[: len(text)]
        for size in range(1, REPEATED_GROUP_MAX + 1)
    )


def _two_stems(text: str) -> bool:
    """``sommarsommar``, ``hejsanhejsan``, ``vintersommar``."""
    return any(text.startswith(stem) and text[len(stem) :] in STEMS for stem in STEMS)


@functools.cache
def _steps() -> tuple[frozenset[str], ...]:
    """For each sequence, forwards and backwards, the pairs of characters that follow each
    other on it."""
    pairs = []
    for sequence in SEQUENCES:
        for line in (sequence, sequence[::-1]):
            pairs.append(frozenset(line[i : i + 2] for i in range(len(line) - 1)))
    return tuple(pairs)


def _run_from(text: str, start: int) -> int:
    """The length of the longest stretch of ``text`` from ``start`` along one sequence,
    or of one character repeated."""
    longest = 1
    for steps in (*_steps(), None):
        end = start + 1
        while end < len(text) and (
            text[end - 1] == text[end] if steps is None else text[end - 1 : end + 1] in steps
        ):
            end += 1
        longest = max(longest, end - start)
    return longest


def _mostly_runs(text: str) -> bool:
    """Runs along the keyboard or the alphabet, with at most a few characters beside them
    (``1234567890``, ``qwertyuiop!!``, ``hej1234567``, ``ytrewqasdf``)."""
    covered, at = 0, 0
    while at < len(text):
        run = _run_from(text, at)
        if run >= RUN_MIN:
            covered += run
            at += run
        else:
            at += 1
    return covered > 0 and len(text) - covered <= LEFT_OVER_MAX
