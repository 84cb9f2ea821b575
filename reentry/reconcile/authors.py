"""Is the author of an SIH item the person who signed the paper? Spelling aside.

The same nurse is written ``Marie Dupont`` on the paper sheet, ``MD`` or ``IDE MD`` by the
interface, ``DUPONT Marie``, ``Dupont M.`` or ``Mme Dupont`` by whoever re-typed it. Names are
compared as sets of words after removing case, accents, punctuation and titles (``IDE``,
``Dr``, ``Mme``…); initials stand for the words they begin, in either order, and a login is an
initial or two joined to a surname (``mdupont``, ``dupontm``). The answer only
ranks candidates (a copy usually keeps its author): it never decides a verdict on its own.
"""

from __future__ import annotations

import re
from enum import IntEnum
from functools import lru_cache

from reentry.reconcile.drugs import normalise_text

# Titles and job names written before or after a name; never part of the name itself.
TITLES = frozenset({
    "ide", "idel", "ibode", "iade", "ipde", "inf", "infirmier", "infirmiere", "as", "ash",
    "aide", "soignante", "soignant", "sf", "sage", "femme", "dr", "docteur", "doctor", "pr",
    "professeur", "mme", "madame", "mlle", "mademoiselle", "mr", "monsieur", "mrs", "ms",
    "interne", "externe", "cadre", "etudiant", "etudiante", "esi",
})
_WORD = re.compile(r"[a-z0-9]+")


class AuthorMatch(IntEnum):
    UNKNOWN = 0  # one side names no one
    SAME = 1
    OTHER = 2


@lru_cache(maxsize=1 << 14)
def author_words(author: str | None) -> tuple[str, ...]:
    """The words of a name without titles, sorted: ``IDE Dupont-Martin Marie`` → (dupont,
    marie, martin). A short word such as ``MD`` stays one word here; ``same_author`` reads it
    as initials when no word of the other name is spelled so."""
    words = _WORD.findall(normalise_text(author or "").replace("'", " "))
    kept = [w for w in words if w not in TITLES]
    return tuple(sorted(kept))


def _covers(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Every word of ``short`` is a word of ``full``, or (up to three letters) the initials of
    distinct ones, in any order; with no whole word shared, two initials at least."""
    remaining = list(full)
    initials: list[str] = []
    shared = 0
    for word in short:
        if word in remaining:
            remaining.remove(word)
            shared += 1
        elif len(word) <= 3:
            initials.extend(word)  # "M" or "MH" (Marie-Hélène)
        else:
            login = _login(word, remaining)
            if login is None:
                return False
            remaining.remove(login[0])  # "mdupont": "m" + "dupont"
            shared += 1
            initials.extend(login[1])
    if not shared and len(initials) < 2:
        return False
    for letter in initials:
        found = next((w for w in remaining if w[0] == letter), None)
        if found is None:
            return False
        remaining.remove(found)
    return True


def _login(word: str, words: list[str]) -> tuple[str, str] | None:
    """(surname, initials) when ``word`` is one of ``words`` with one or two letters before or
    after it, the way logins are made (``mdupont``, ``dupontm``)."""
    for full in words:
        extra = len(word) - len(full)
        if len(full) >= 3 and 1 <= extra <= 2:
            if word.endswith(full):
                return full, word[:extra]
            if word.startswith(full):
                return full, word[len(full):]
    return None


@lru_cache(maxsize=1 << 16)
def same_author(a: str | None, b: str | None) -> AuthorMatch:
    """Whether two written authors are the same person (see the module docstring)."""
    left, right = author_words(a), author_words(b)
    if not left or not right:
        return AuthorMatch.UNKNOWN
    if left == right:
        return AuthorMatch.SAME
    for short, full in ((left, right), (right, left)):
        if len(short) <= len(full) and _covers(short, full):
            return AuthorMatch.SAME
    return AuthorMatch.OTHER
