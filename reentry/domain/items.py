"""What the item reconciliation takes and gives: plain items in, one verdict per paper item out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from reentry.domain.entry import ItemKind
from reentry.domain.review_reasons import reason_json
from reentry.i18n import Msg

# First words of an author that is a device, not a person (normalised: lower case, no accents).
DEVICE_WORDS = frozenset({"device", "dispositif", "appareil", "monitor", "moniteur", "scope",
                          "automate", "analyseur", "pump", "ventilator",
                          "respirateur", "capteur", "sensor"})


class ItemVerdict(StrEnum):
    IN_SIH = "in_sih"
    DIFFERS = "differs"
    MISSING = "missing"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class SihItem:
    """One item the SIH holds after recovery (an observation, an administration, a note)."""

    id: str
    ipp: str
    kind: str  # an ``ItemKind`` value
    code: str  # LOINC, drug name as the SIH writes it, "" for notes, transfer / discharge
    effective_time: datetime  # aware
    value: float | None = None
    value_text: str | None = None
    unit: str | None = None
    route: str | None = None
    text: str | None = None
    nda: str | None = None
    author: str | None = None
    status: str = "completed"  # administrations: completed / not-done


@dataclass(frozen=True, slots=True)
class PaperItem(SihItem):
    """One item re-entered from paper, with the same fields as an SIH item; ``status``
    ``not-done`` is a dose refused or not given."""


@dataclass(frozen=True)
class Tolerances:
    """How far apart a paper item and its SIH copy may be and still be the same thing.

    Time, per kind (± around the time written on paper). Medications follow the ISMP
    *Acute Care Guidelines for Timely Administration of Scheduled Medications* (2011):
    time-critical drugs ± 30 min, scheduled doses more frequent than daily ± 60 min (the default,
    since an item does not say its frequency), daily / weekly / monthly doses ± 2 h. A hospital
    sets per-drug windows (by INN key, e.g. ``{"glargine insuline": 30 min}``) in ``per_drug``.
    """

    vital_sign: timedelta = timedelta(minutes=30)
    medication_administration: timedelta = timedelta(minutes=60)
    nursing_note: timedelta = timedelta(minutes=60)
    # A transfer or discharge: a patient rarely moves twice within two hours.
    movement: timedelta = timedelta(minutes=60)
    per_drug: Mapping[str, timedelta] = field(default_factory=dict)
    # Two numbers are equal within this relative tolerance, after unit conversion.
    relative_value: float = 1e-6
    absolute_value: float = 1e-9
    # Notes (normalised: no case, accents or punctuation): the whole texts, words sorted, at
    # least ``note_same`` alike (token_sort_ratio, 0-100) are the same note; otherwise, when
    # their words overlap at least ``note_related`` (token_set_ratio), the same note edited
    # (differs on text: a typo fixed, a sentence added or dropped); below, another note.
    note_same: float = 90.0
    note_related: float = 60.0
    # A copy typed from paper carries the time written on it, give or take a few minutes: SIH
    # items this close are tried first, and a second equal one this close is a duplicate.
    duplicate_window: timedelta = timedelta(minutes=5)
    # A copy typed from paper carries the written time (a system may add seconds): an equal SIH
    # item this close is the paper item's own copy, before any other author's spelling is
    # weighed or a neighbour in a busy series (one code every 2 minutes) can take it.
    exact_window: timedelta = timedelta(seconds=30)
    # Device readings (monitors, pumps) are not charted copies: see ``items.py``. An author whose
    # first word is one of these is a device; so is ``device:<id>`` or FHIR's ``Device/<id>``.
    device_authors: frozenset[str] = DEVICE_WORDS
    # Items without an author forming a regular series (at least ``series_min`` readings at one
    # fixed interval of at most ``series_interval``, give or take ``series_jitter``) are devices.
    series_min: int = 4
    series_interval: timedelta = timedelta(minutes=15)
    series_jitter: timedelta = timedelta(seconds=2)
    # None: a device reading never stands for a paper item. A duration: it does when it holds
    # the same value within that much of the paper time (the nurse copied the screen).
    device_window: timedelta | None = None

    def window(self, kind: str, code_key: str = "") -> timedelta:
        if kind == ItemKind.MEDICATION_ADMINISTRATION:
            return self.per_drug.get(code_key, self.medication_administration)
        if kind == ItemKind.VITAL_SIGN:
            return self.vital_sign
        if kind == ItemKind.MOVEMENT:
            return self.movement
        return self.nursing_note


DEFAULT = Tolerances()


@dataclass(frozen=True, slots=True)
class Verdict:
    """What became of one paper item in the SIH, and why (``reason``, translated when shown).

    ``score`` is how sure the match is, 0-1: the drug-name or note-text similarity (1.0 for the
    same code); 0 when nothing matched. ``differs_on`` names the fields that differ.
    """

    item_id: str
    verdict: str
    ipp: str
    kind: str
    sih_ids: tuple[str, ...]
    score: float
    reason: Msg
    differs_on: tuple[str, ...] = ()


class VerdictLine(NamedTuple):
    """One verdict as a run writes it out (verdicts.csv, the PDF report, the store): its reason
    both as text in one language (``text``) and as its message tree (``tree``, the JSON that
    ``review_reasons.reason_json`` gives), each made once."""

    item_id: str
    verdict: str
    ipp: str
    kind: str
    sih_ids: tuple[str, ...]
    score: float
    differs_on: tuple[str, ...]
    text: str
    tree: str


class Reconciliation:
    """One verdict per paper item, in paper order; SIH items with no paper source, listed.

    The matching itself yields arrays; ``verdicts`` (with their translated reasons) and
    ``unmatched_sih`` are built from them when first read, so that a run that only needs the
    counts, or writes the verdicts straight to a file, does not pay for objects it never uses.
    """

    def __init__(self, verdicts: Sequence[Verdict] | None = None,
                 unmatched_sih: Sequence[SihItem] = (), *,
                 build: Callable[[], list[Verdict]] | None = None,
                 rows: Callable[[str | None], Iterator[tuple[str, ...]]] | None = None,
                 lines: Callable[[str | None], list[VerdictLine]] | None = None,
                 counts: Mapping[str, int] | None = None) -> None:
        self._verdicts = list(verdicts) if verdicts is not None else None
        self._build = build
        self._rows = rows
        self._lines = lines
        self._counts = dict(counts) if counts is not None else None
        self.unmatched_sih = unmatched_sih

    def verdict_rows(self, lang: str | None = None) -> Iterator[tuple[str, ...]]:
        """``(item_id, verdict, ipp, kind, sih_ids, score, reason)`` per paper item, ``sih_ids``
        joined by ``|``, the reason rendered in ``lang`` (default: the current language)."""
        if self._verdicts is None and self._rows is not None:
            return self._rows(lang)
        return ((v.item_id, v.verdict, v.ipp, v.kind, "|".join(v.sih_ids), f"{v.score:.2f}",
                 v.reason.render(lang)) for v in self.verdicts)

    def verdict_lines(self, lang: str | None = None) -> list[VerdictLine]:
        """Every verdict with its reason rendered in ``lang`` (default: the current language)
        and encoded as its tree, in paper order: what a stored run writes, without a
        ``Verdict`` and its message tree made first for each paper item."""
        if self._verdicts is None and self._lines is not None:
            return self._lines(lang)
        return [VerdictLine(v.item_id, v.verdict, v.ipp, v.kind, v.sih_ids, v.score,
                            v.differs_on, v.reason.render(lang), reason_json(v.reason))
                for v in self.verdicts]

    @property
    def verdicts(self) -> list[Verdict]:
        if self._verdicts is None:
            self._verdicts = self._build() if self._build is not None else []
        return self._verdicts

    @property
    def unmatched_count(self) -> int:
        return len(self.unmatched_sih)

    def counts(self) -> dict[str, int]:
        if self._counts is not None:
            return dict(self._counts)
        counts = {v.value: 0 for v in ItemVerdict}
        for verdict in self.verdicts:
            counts[verdict.verdict] += 1
        return counts
