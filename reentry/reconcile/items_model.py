"""What the item reconciliation takes and gives: plain items in, one verdict per paper item out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from reentry.i18n import Msg


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
    kind: str  # vital_sign | medication_administration | nursing_note
    code: str  # LOINC, drug name as the SIH writes it, "" for notes
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
    per_drug: Mapping[str, timedelta] = field(default_factory=dict)
    # Two numbers are equal within this relative tolerance, after unit conversion.
    relative_value: float = 1e-6
    absolute_value: float = 1e-9
    # Notes: token_set_ratio (0-100) at or above ``note_same`` is the same note; between
    # ``note_related`` and it, the same note edited (differs on text); below, another note.
    note_same: float = 90.0
    note_related: float = 60.0
    # A second equal SIH item within this window of the paper time is a duplicate (a double
    # entry copies the time written on paper); see ``items.py`` for the device-series rule.
    duplicate_window: timedelta = timedelta(minutes=5)
    series_min: int = 3  # this many other readings of the code in the window: a device series

    def window(self, kind: str, code_key: str = "") -> timedelta:
        if kind == "medication_administration":
            return self.per_drug.get(code_key, self.medication_administration)
        if kind == "vital_sign":
            return self.vital_sign
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


@dataclass
class Reconciliation:
    """One verdict per paper item, in paper order; SIH items with no paper source, listed."""

    verdicts: list[Verdict]
    unmatched_sih: list[SihItem]

    def counts(self) -> dict[str, int]:
        counts = {v.value: 0 for v in ItemVerdict}
        for verdict in self.verdicts:
            counts[verdict.verdict] += 1
        return counts
