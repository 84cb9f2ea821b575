"""The scanned page as a second reader of what was typed (issue 14): what the machine read in each
box of a stored page, and how that compares with the typed rows.

A ``FieldReading`` says whether a field's boxes hold ink and, for digits and choices, what they
read (in the entry's canonical text: "37.5", "14:05", "given"), or that the machine is unsure.
A ``FieldCheck`` puts it beside the active typed value and gives a ``Verdict``. ``unsure`` is
never a disagreement: the machine could not tell, the person decides. Nothing here is ever
written into an entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class ReadOutcome(StrEnum):
    """What became of reading one stored page image."""

    READ = "read"
    MARKS_NOT_FOUND = "marks_not_found"  # the corner marks cannot be found: rescan the page
    NO_LAYOUT = "no_layout"  # the page has no box to read (or its form changed since)


class Ink(StrEnum):
    WRITTEN = "written"
    BLANK = "blank"
    UNSURE = "unsure"


class Verdict(StrEnum):
    AGREES = "agrees"
    DIFFERS = "differs"  # typed ≠ a confident reading (the reading is shown)
    WRITTEN_NOT_TYPED = "written_not_typed"
    TYPED_NOT_WRITTEN = "typed_not_written"
    UNSURE = "unsure"  # the machine cannot tell: never a disagreement


DISAGREEMENTS = frozenset({Verdict.DIFFERS, Verdict.WRITTEN_NOT_TYPED, Verdict.TYPED_NOT_WRITTEN})


class AckOutcome(StrEnum):
    CONFIRMED = "confirmed"  # the typist checked the paper: what is typed stands
    CORRECTED = "corrected"  # the typist typed a correction


@dataclass(frozen=True)
class FieldKey:
    """One field of one row of a sheet (``row_index`` None: a field of the sheet's header)."""

    section_id: str
    row_index: int | None
    field_id: str


@dataclass(frozen=True)
class FieldReading:
    """What one field's boxes on the page say. ``value`` is set only when the reading is
    confident (every digit confident and the value allowed by the form; one box ticked);
    ``text`` is what was seen, as written (« 37,5 », « 3?,5 », « A »), for people."""

    key: FieldKey
    kind: str  # the layout's BoxKind: comb_digit, checkbox, text_area, initials, write_in
    ink: Ink
    value: str | None = None
    text: str = ""
    confidence: float | None = None  # digits: the calibrated probability of the whole value
    # digits: one entry a « ? » of ``text``, in order, the digits that box surely does not hold
    # (what a typed value may be contradicted by although the box is not read)
    ruled_out: tuple[str, ...] = ()
    # digits: every box's ink told for sure and no blank box between written ones, so that
    # ``text`` holds one character for each box written on paper, no more, no fewer
    counted: bool = False

    @property
    def readable(self) -> bool:
        """Whether the machine reads a value in this kind of box (else it only sees ink)."""
        return self.kind in ("comb_digit", "checkbox")

    @property
    def unsure(self) -> bool:
        return self.ink is Ink.UNSURE or (
            self.readable and self.ink is Ink.WRITTEN and self.value is None)

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.key.section_id, "row": self.key.row_index,
                "field": self.key.field_id, "kind": self.kind, "ink": str(self.ink),
                "value": self.value, "text": self.text, "confidence": self.confidence,
                "ruled_out": list(self.ruled_out), "counted": self.counted}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldReading:
        return cls(FieldKey(data["section"], data["row"], data["field"]), data["kind"],
                   Ink(data["ink"]), data["value"], data["text"], data["confidence"],
                   # readings made before these were kept: nothing ruled out, not counted
                   tuple(data.get("ruled_out", ())), bool(data.get("counted", False)))


@dataclass(frozen=True)
class PageReading:
    """One stored page image, read once: its fields, or why it could not be read."""

    scan_page_id: int
    serial: int
    page: int
    outcome: ReadOutcome
    fields: tuple[FieldReading, ...] = ()
    residual_mm: float | None = None  # how well the corner marks agreed
    read_at: datetime | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Acknowledgement:
    """A typist's answer to a disagreement, valid while the typed and read values stand."""

    id: int
    serial: int
    key: FieldKey
    verdict: Verdict
    typed_value: str | None
    read_value: str | None
    outcome: AckOutcome
    username: str
    at: datetime


@dataclass(frozen=True)
class FieldCheck:
    page: int
    reading: FieldReading
    typed: str | None  # the active typed value, canonical; None when not typed
    verdict: Verdict
    acknowledgement: Acknowledgement | None = None

    @property
    def key(self) -> FieldKey:
        return self.reading.key

    @property
    def open(self) -> bool:
        """A disagreement nobody has answered yet."""
        return self.verdict in DISAGREEMENTS and self.acknowledgement is None


@dataclass(frozen=True)
class SheetCheck:
    """The cross-check of a sheet: every field of every scanned page, and the pages that could
    not be read (their marks not found: to rescan)."""

    serial: int
    fields: tuple[FieldCheck, ...]
    unreadable_pages: tuple[int, ...] = ()
    scanned_pages: tuple[int, ...] = ()

    @property
    def open(self) -> tuple[FieldCheck, ...]:
        return tuple(f for f in self.fields if f.open)

    @property
    def open_written_not_typed(self) -> tuple[FieldCheck, ...]:
        return tuple(f for f in self.open if f.verdict is Verdict.WRITTEN_NOT_TYPED)

    def counts(self) -> dict[str, int]:
        found = {str(v): 0 for v in Verdict}
        for check in self.fields:
            found[str(check.verdict)] += 1
        return found
