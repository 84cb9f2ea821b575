"""A reconciliation run turned into what the store keeps: enough to show and filter every flag
without running the matcher again (the run's inputs may be gone by the time a flag is worked).

Paper items need a key that stays the same from one run to the next, so that a flag and its
resolution can be found again: an item re-entered here is keyed by its sheet, row and item
(``serial/section/row/item``: a corrected row makes new items, hence a new key and a new flag);
an item from a paper CSV is keyed by its ``record_id``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reentry import clock, i18n
from reentry.entry.model import User
from reentry.reconcile.items_csv import paper_from_items
from reentry.reconcile.items_model import PaperItem, Reconciliation, SihItem
from reentry.review.model import PatientIdentity, SourceInfo

if TYPE_CHECKING:
    from reentry.review.identities import IdentityOutcome

STORE_SOURCE = "store"


def item_key(serial: int, section_id: str, row_index: int, item_id: int) -> str:
    return f"{serial}/{section_id}/{row_index}/{item_id}"


def csv_source(path: Path) -> str:
    return f"csv:{Path(path).name}"


def file_info(path: Path) -> SourceInfo:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return SourceInfo(Path(path).name, digest.hexdigest())


def fold_search(*parts: str | None) -> str:
    """Lower case without accents: « Éloïse » is found by typing « eloise »."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class PaperPlace:
    """Where a paper item was written: sheet and page (for its scan), ward, temporary identity,
    and who typed it (late entry)."""

    serial: int | None = None
    page: int | None = None
    ward_code: str | None = None
    temporary_id: str | None = None
    entered_by: str | None = None
    entered_at: datetime | None = None


@dataclass
class PaperSide:
    items: list[PaperItem]
    places: dict[str, PaperPlace]
    source: str
    sha256: str | None = None


def paper_from_store(store: Any) -> PaperSide:
    """What was re-entered in this database, keyed by sheet, row and item."""
    items = store.items()
    rows = store.paper_item_places([i.id for i in items])
    paper: list[PaperItem] = []
    places: dict[str, PaperPlace] = {}
    for item, converted in zip(items, paper_from_items(items), strict=True):
        row = rows[item.id]
        key = item_key(item.serial, row["section_id"], row["row_index"], item.id)
        paper.append(replace(converted, id=key))
        places[key] = PaperPlace(item.serial, row["page"], row["ward_code"], item.temporary_id,
                                 item.entered_by, item.entered_at)
    return PaperSide(paper, places, STORE_SOURCE)


def paper_from_csv(store: Any, path: Path, items: Sequence[PaperItem]) -> PaperSide:
    """Items of a paper CSV, keyed by record_id; the ward from the stay (NDA) or the patient."""
    wards = store.review_wards([i.nda for i in items if i.nda], [i.ipp for i in items])
    places = {i.id: PaperPlace(ward_code=wards.get(("nda", i.nda)) or wards.get(("ipp", i.ipp)))
              for i in items}
    return PaperSide(list(items), places, csv_source(path), file_info(path).sha256)


def apply_links(side: PaperSide, links: Mapping[str, str],
                temporary_ids: Iterable[str] = ()) -> list[PaperItem]:
    """Items written under a temporary identity keep it on their place; those whose identity is
    now linked to an SIH patient are matched under that patient's IPP."""
    temporary = set(temporary_ids) | set(links)
    if not temporary:
        return side.items
    out = []
    for item in side.items:
        if item.ipp in temporary:
            place = side.places.get(item.id, PaperPlace())
            side.places[item.id] = replace(place, temporary_id=place.temporary_id or item.ipp)
            linked = links.get(item.ipp)
            if linked:
                item = replace(item, ipp=linked)
        out.append(item)
    return out


def item_dict(item: SihItem) -> dict[str, Any]:
    return {"id": item.id, "ipp": item.ipp, "kind": item.kind, "code": item.code,
            "effective_time": clock.to_storage(item.effective_time), "value": item.value,
            "value_text": item.value_text, "unit": item.unit, "route": item.route,
            "text": item.text, "nda": item.nda, "author": item.author, "status": item.status}


@dataclass(frozen=True)
class VerdictRecord:
    item_key: str
    verdict: str
    ipp: str
    temporary_id: str | None
    identity: PatientIdentity
    search: str
    ward_code: str | None
    kind: str
    code: str
    effective_time: datetime
    sih_ids: tuple[str, ...]
    score: float
    differs_on: tuple[str, ...]
    reason: dict[str, str]
    paper: dict[str, Any]
    sih: list[dict[str, Any]]
    serial: int | None
    page: int | None


@dataclass
class RunRecord:
    """One run, ready to be stored in one transaction."""

    at: datetime
    user: User | None
    sih_files: list[SourceInfo]
    paper_source: str
    paper_sha256: str | None
    counts: dict[str, int]
    verdicts: list[VerdictRecord]
    unmatched: list[SihItem]
    identities: list[IdentityOutcome] = field(default_factory=list)
    left_traits: dict[str, PatientIdentity] = field(default_factory=dict)
    right_traits: dict[str, PatientIdentity] = field(default_factory=dict)
    applied_links: dict[str, str] = field(default_factory=dict)

    @property
    def identity_counts(self) -> dict[str, int]:
        counts = {"link": 0, "review": 0, "no_match": 0}
        for outcome in self.identities:
            counts[outcome.decision] = counts.get(outcome.decision, 0) + 1
        return counts if self.identities else {}


def verdict_records(result: Reconciliation, paper: Sequence[PaperItem], sih: Iterable[SihItem],
                    side: PaperSide, identities: Mapping[str, PatientIdentity]
                    ) -> list[VerdictRecord]:
    """Each verdict with the paper item, its SIH copies and the patient, as they are now."""
    by_paper = {p.id: p for p in paper}
    by_sih = {s.id: s for s in sih}
    records = []
    for v in result.verdicts:
        item = by_paper[v.item_id]
        place = side.places.get(v.item_id, PaperPlace())
        identity = (identities.get(item.ipp)
                    or identities.get(place.temporary_id or "") or PatientIdentity())
        paper_values = item_dict(item)
        if place.entered_by:
            paper_values["entered_by"] = place.entered_by
        if place.entered_at:
            paper_values["entered_at"] = clock.to_storage(place.entered_at)
        records.append(VerdictRecord(
            v.item_id, v.verdict, item.ipp, place.temporary_id, identity,
            fold_search(identity.birth_name, identity.used_name, identity.given_names, item.ipp,
                        place.temporary_id),
            place.ward_code, v.kind, item.code, item.effective_time, tuple(v.sih_ids),
            round(float(v.score), 4), tuple(v.differs_on),
            {lang: v.reason.render(lang) for lang in i18n.LANGUAGES}, paper_values,
            [item_dict(by_sih[i]) for i in v.sih_ids if i in by_sih], place.serial,
            place.page))
    return records
