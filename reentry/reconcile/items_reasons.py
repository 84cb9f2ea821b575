"""The reason of each verdict: messages translated when shown (never glued strings).

A reason is first written as a light *spec*, a tuple ``(message id, params)`` whose params may
hold other specs, or ``(LIST, separator id, parts)`` for a list of messages. The same spec
becomes a ``Msg`` tree (``to_msg``, for ``Verdict.reason``) or is rendered straight to text with
the catalog's templates (``Renderer``, for verdicts.csv): a hundred thousand reasons are then
written without making a hundred thousand message trees first. Both give the same text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reentry import clock
from reentry.domain.review_reasons import json_scalar, list_json, reason_json, shape_json
from reentry.i18n import DEFAULT_LANGUAGE, Msg, MsgList, catalog, format_number, get_language

if TYPE_CHECKING:  # the store reads reasons back; it must not load rapidfuzz for that
    from reentry.reconcile.drugs import DrugName

LIST = "\x00list"
Spec = tuple[Any, ...]


class Constant(tuple):
    """A spec that many reasons share (a list of field names): rendered once per renderer."""

    __slots__ = ()


def spec(message_id: str, /, **params: object) -> Spec:
    return (message_id, params)


def spec_list(parts: tuple[Spec, ...], separator: str = "reconcile.list_separator") -> Spec:
    return (LIST, separator, parts)


def to_msg(reason: Spec) -> Msg:
    """The spec as a message tree (what ``Verdict.reason`` holds)."""
    if reason[0] == LIST:
        return MsgList("reconcile.list", {}, tuple(to_msg(p) for p in reason[2]), reason[1])
    params = {k: (to_msg(v) if isinstance(v, tuple) else v) for k, v in reason[1].items()}
    return Msg(reason[0], params)


_CONSTANT_JSON: dict[int, tuple[Spec, str]] = {}


def spec_json(reason: Spec) -> str:
    """The message tree of the spec as a run stores it: the text ``reason_json(to_msg(reason))``
    gives, without making the tree first."""
    if type(reason) is Constant:
        found = _CONSTANT_JSON.get(id(reason))
        if found is None or found[0] is not reason:
            found = _CONSTANT_JSON[id(reason)] = (reason, _spec_json(reason))
        return found[1]
    return _spec_json(reason)


def _spec_json(reason: Spec) -> str:
    if reason[0] == LIST:
        return list_json("reconcile.list", reason[1], [spec_json(p) for p in reason[2]])
    params = reason[1]
    return shape_json(reason[0], tuple(params), [
        spec_json(v) if isinstance(v, tuple) else reason_json(v) if isinstance(v, Msg)
        else json_scalar(v) for v in params.values()])


class Renderer:
    """Specs rendered in one language with the catalog's templates, as ``Msg.render`` would."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang or get_language()
        self._messages = catalog(self.lang)
        self._fallback = catalog(DEFAULT_LANGUAGE)
        self._constants: dict[int, tuple[Spec, str]] = {}

    def render(self, reason: Spec) -> str:
        if type(reason) is Constant:
            found = self._constants.get(id(reason))
            if found is None or found[0] is not reason:
                found = self._constants[id(reason)] = (reason, self._render(reason))
            return found[1]
        return self._render(reason)

    def _render(self, reason: Spec) -> str:
        if reason[0] == LIST:
            separator = self._template(reason[1])
            return separator.join(self.render(part) for part in reason[2])
        template = self._template(reason[0])
        params = {k: (self.render(v) if isinstance(v, tuple) else v)
                  for k, v in reason[1].items()}
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return template

    def template(self, message_id: str) -> str:
        """The message's template in this language (the default language's when missing)."""
        return self._template(message_id)

    def _template(self, message_id: str) -> str:
        found = self._messages.get(message_id)
        return found if found is not None else self._fallback.get(message_id, message_id)


def minutes(seconds: float) -> str:
    """« 12 », « 2,5 » (French) or « 2.5 »: one decimal at most, in the current language."""
    return _minutes(seconds, get_language())


@lru_cache(maxsize=4096)
def _minutes(seconds: float, lang: str) -> str:
    return format_number(round(abs(seconds) / 60, 1), lang=lang)


def show_quantity(value: float | None, text: str | None, unit: str | None) -> str:
    shown = format_number(value) if value is not None else (text or "—")
    return f"{shown} {unit}" if unit and value is not None else shown


def status_spec(status: str) -> Spec:
    if status in ("completed", "not-done"):
        return spec(f"reconcile.status.{status}")
    return spec("reconcile.status.other", status=status)


@lru_cache(maxsize=64)
def field_list(fields: tuple[str, ...]) -> Spec:
    return Constant(spec_list(tuple(spec(f"reconcile.field.{f}") for f in fields),
                              "reconcile.field_separator"))


def match_spec(sih_id: str, seconds: float, tolerance: float, drug: DrugName | None,
               sih_code: str, note_score: float | None) -> Spec:
    """Which SIH item, how far in time, and how the name or text matched."""
    common = dict(sih_id=sih_id, minutes=minutes(seconds), tolerance=minutes(tolerance))
    if drug is not None:
        how = (spec("reconcile.how.typo", score=format_number(drug.score)) if drug.how == "typo"
               else spec(f"reconcile.how.{drug.how}"))
        return spec("reconcile.match.drug", paper=drug.written, sih=sih_code, how=how, **common)
    if note_score is not None:
        return spec("reconcile.match.note", score=f"{note_score:.0f}", **common)
    return spec("reconcile.match.code", **common)


def missing_spec(problem: str, code: str, at: datetime | float, tolerance: float,
                 **params: object) -> Spec:
    """``at``: the paper time, as a datetime or as seconds since the epoch."""
    shown = local_time(at) if isinstance(at, float) else clock.format_local(at)
    return spec(f"reconcile.missing.{problem}", code=code or "—", time=shown,
                tolerance=minutes(tolerance), **params)


@lru_cache(maxsize=8192)
def local_time(seconds: float) -> str:
    """The hospital's local time of an instant, as every screen shows it (paper times repeat:
    each is formatted once)."""
    return clock.format_local(datetime.fromtimestamp(seconds, UTC))
