"""One translation mechanism for the core, the printed pages and the desktop app.

Messages live in TOML catalogs, one folder per language (``locales/fr``, ``locales/en``), several
files per folder so that each part of the code keeps its own. A message is looked up by its id
and formatted with named placeholders; translated pieces are never glued together.
French is the default language. Numbers are written as the language writes them (« 37,5 » in
French): ``format_number`` is the one place that decides, and ``tr`` applies it to every float
it is given, so a decimal point never reaches a French screen, page or message by accident.
Machine outputs (CSV, FHIR, HL7) do not go through it: they keep the point.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

_current = DEFAULT_LANGUAGE


def _flatten(table: dict, prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, full + ".")
        else:
            yield full, str(value)


@cache
def catalog(language: str) -> dict[str, str]:
    """All messages of one language, keyed by dotted id (``section.key``)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    messages: dict[str, str] = {}
    folder = resources.files("reentry") / "locales" / language
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        with entry.open("rb") as handle:
            table = tomllib.load(handle)
        for key, text in _flatten(table):
            if key in messages:
                raise ValueError(f"message {key!r} defined twice in locales/{language}")
            messages[key] = text
    return messages


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def set_language(language: str) -> None:
    """Choose the language of every message produced from now on."""
    global _current
    catalog(language)  # fail early on an unknown language
    _current = language


def get_language() -> str:
    return _current


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Temporarily render messages in ``lang`` (used for printing in another language)."""
    previous = _current
    set_language(lang)
    try:
        yield
    finally:
        set_language(previous)


_DECIMAL_SEPARATOR = "display.decimal_separator"


def format_number(value: float, decimals: int | None = None, *, lang: str | None = None) -> str:
    """``value`` as written in the current (or given) language: « 8,00 », « 0,8 », « 37,5 ».

    With ``decimals``, exactly that many digits after the separator (a score « 1,00 »); without,
    at most three, trailing zeros dropped (« 37,5 », « 8 »). Never « -0 ».
    """
    text = f"{value:.{3 if decimals is None else decimals}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]
    if "." not in text:
        return text
    return text.replace(".", catalog(lang or _current).get(_DECIMAL_SEPARATOR, "."))


def tr(message_id: str, /, *, lang: str | None = None, **params: object) -> str:
    """The message ``message_id`` in the current (or given) language, with ``params`` filled in.

    A float parameter is written by ``format_number`` (a string is left as it is). An id missing
    from the catalog is returned as is, so that a missing translation shows up visibly instead of
    crashing a screen at 3 a.m.; a test checks that catalogs are complete.
    """
    text = catalog(lang or _current).get(message_id)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(message_id, message_id)
    for key, value in params.items():
        if isinstance(value, float):
            params[key] = format_number(value, lang=lang)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


@dataclass(frozen=True)
class Msg:
    """A message to be rendered later, in whatever language is current then.

    Errors and results carry ``Msg`` values rather than strings, so that the same error reads in
    French on a French screen and in English in an English log, and nested messages (where in a
    file, what is wrong) are each translated whole.
    """

    id: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        params = {
            key: (value.render(lang) if isinstance(value, Msg) else value)
            for key, value in self.params.items()
        }
        return tr(self.id, lang=lang, **params)

    def __str__(self) -> str:
        return self.render()


def msg(message_id: str, /, **params: object) -> Msg:
    return Msg(message_id, params)


@dataclass(frozen=True)
class MsgList(Msg):
    """Several messages shown as one list, each translated whole."""

    parts: tuple[Msg, ...] = ()
    separator: str = "reconcile.list_separator"

    def render(self, lang: str | None = None) -> str:
        separator = tr(self.separator, lang=lang)
        return separator.join(part.render(lang) for part in self.parts)
