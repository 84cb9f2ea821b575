"""The reason of each verdict, as messages translated when shown (never glued strings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reentry import clock
from reentry.i18n import Msg, msg, tr
from reentry.reconcile.drugs import DrugName


@dataclass(frozen=True)
class MsgList(Msg):
    """Several messages shown as one list, each translated whole."""

    parts: tuple[Msg, ...] = ()
    separator: str = "reconcile.list_separator"

    def render(self, lang: str | None = None) -> str:
        separator = tr(self.separator, lang=lang)
        return separator.join(part.render(lang) for part in self.parts)


def minutes(seconds: float) -> str:
    """« 12 », « 2,5 » (French) or « 2.5 »: one decimal at most."""
    value = round(abs(seconds) / 60, 1)
    return f"{value:g}"


def show_quantity(value: float | None, text: str | None, unit: str | None) -> str:
    shown = f"{value:g}" if value is not None else (text or "—")
    return f"{shown} {unit}" if unit and value is not None else shown


def status_msg(status: str) -> Msg:
    if status in ("completed", "not-done"):
        return msg(f"reconcile.status.{status}")
    return msg("reconcile.status.other", status=status)


def field_list(fields: tuple[str, ...]) -> MsgList:
    return MsgList("reconcile.fields", {}, tuple(msg(f"reconcile.field.{f}") for f in fields),
                   "reconcile.field_separator")


def match_msg(sih_id: str, seconds: float, tolerance: float, drug: DrugName | None,
              sih_code: str, note_score: float | None) -> Msg:
    """Which SIH item, how far in time, and how the name or text matched."""
    common = dict(sih_id=sih_id, minutes=minutes(seconds), tolerance=minutes(tolerance))
    if drug is not None:
        how = (msg("reconcile.how.typo", score=f"{drug.score:g}") if drug.how == "typo"
               else msg(f"reconcile.how.{drug.how}"))
        return msg("reconcile.match.drug", paper=drug.written, sih=sih_code, how=how, **common)
    if note_score is not None:
        return msg("reconcile.match.note", score=f"{note_score:.0f}", **common)
    return msg("reconcile.match.code", **common)


def missing_msg(problem: str, code: str, at: datetime, tolerance: float, **params: object
                ) -> Msg:
    return msg(f"reconcile.missing.{problem}", code=code or "—",
               time=clock.format_local(at), tolerance=minutes(tolerance), **params)
