"""Finding an inpatient on the census the way a nurse asks: by name, by IPP or by bed.

« dupont », « Dupont Marie », « mar dup » (each word starts a name: used name, birth name or a
first name), « 109157168 » or its first digits (the IPP), « 205 » (every bed of room 205, on
every ward that has one), « 205B », « 205 B » or « ch 205 lit B » (that bed). Accents, case and
hyphens do not matter. Exact IPPs and beds come first, then names, each in census order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from reentry.model import CensusRow

MAX_RESULTS = 50

_PLACE_WORDS = frozenset({"lit", "chambre", "ch", "chb", "bed", "room", "n", "no"})
_WORD = re.compile(r"[a-z0-9]+")
_BED = re.compile(r"^([0-9]+[a-z]?)\s*[-/ ]?\s*([a-z0-9]{1,2})?$")


def _fold(text: str) -> str:
    """Lower case, no accents: « Élise » → « elise »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str | None) -> list[str]:
    return _WORD.findall(_fold(text)) if text else []


@dataclass(frozen=True, slots=True)
class _Entry:
    row: CensusRow
    names: tuple[str, ...]
    ipp: str
    room: str
    bed: str


class PatientIndex:
    """The census folded once (built when the census is read; searched at each keystroke)."""

    def __init__(self, rows: Iterable[CensusRow]) -> None:
        self._entries = [
            _Entry(row,
                   tuple(_words(row.patient.used_name) + _words(row.patient.birth_name)
                         + _words(row.patient.given_names)),
                   (row.patient.ipp or "").replace(" ", ""),
                   _fold(row.stay.room or "").strip(), _fold(row.stay.bed or "").strip())
            for row in rows]

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, query: str, limit: int = MAX_RESULTS) -> list[CensusRow]:
        """The rows ``query`` designates, best first; nothing for an empty query."""
        words = _words(query)
        if not words:
            return []
        exact: list[CensusRow] = []
        near: list[CensusRow] = []
        names: list[CensusRow] = []
        compact = "".join(words)
        place = [w for w in words if w not in _PLACE_WORDS]
        bed = _BED.match(" ".join(place)) if place else None
        for entry in self._entries:
            if compact.isdigit() and entry.ipp:
                if entry.ipp == compact or entry.ipp.lstrip("0") == compact.lstrip("0"):
                    exact.append(entry.row)
                    continue
                if len(compact) >= 3 and entry.ipp.startswith(compact):
                    near.append(entry.row)
                    continue
            if bed is not None and entry.room and _bed_matches(entry, bed):
                exact.append(entry.row)
                continue
            if all(any(name.startswith(word) for name in entry.names) for word in words):
                names.append(entry.row)
        return (exact + near + names)[:limit]


def _bed_matches(entry: _Entry, bed: re.Match[str]) -> bool:
    room, letter = bed.group(1), bed.group(2)
    if letter is None:  # « 205 »: the room, or « 205b » written together
        return entry.room == room or entry.room + entry.bed == room
    return entry.room == room and entry.bed == letter
