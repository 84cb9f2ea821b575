"""A reconciliation run turned into what the store keeps: enough to show and filter every flag
without running the matcher again (the run's inputs may be gone by the time a flag is worked).

Paper items need a key that stays the same from one run to the next, so that a flag and its
resolution can be found again: an item re-entered here is keyed by its sheet, row and item
(``serial/section/row/item``: a corrected row makes new items, hence a new key and a new flag);
an item from a paper CSV is keyed by its ``record_id``.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from json.encoder import encode_basestring as _string
from pathlib import Path

from reentry import clock
from reentry.domain.items import PaperItem, Reconciliation, SihItem, VerdictLine
from reentry.domain.review import PatientIdentity, SourceInfo
from reentry.domain.review_run import ItemJson, VerdictRecord, json_list
from reentry.reconcile.csv_columns import bulk_allocation
from reentry.reconcile.items_csv import paper_from_items
from reentry.reconcile.items_json import StoredItems
from reentry.reconcile.items_table import LazyItems
from reentry.store.areas import ReviewStore, Store

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


def paper_from_store(store: Store) -> PaperSide:
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


def paper_from_csv(store: ReviewStore, path: Path, items: Sequence[PaperItem]) -> PaperSide:
    """Items of a paper CSV, keyed by record_id; the ward from the stay (NDA) or the patient."""
    wards = store.review_wards([i.nda for i in items if i.nda], [i.ipp for i in items])
    by_ward: dict[str | None, PaperPlace] = {}  # one place per ward: they are frozen
    places = {}
    for i in items:
        ward = (i.nda and wards.get(("nda", i.nda))) or wards.get(("ipp", i.ipp))
        place = by_ward.get(ward)
        if place is None:
            place = by_ward[ward] = PaperPlace(ward_code=ward)
        places[i.id] = place
    return PaperSide(list(items), places, csv_source(path), file_info(path).sha256)


def apply_links(side: PaperSide, links: Mapping[str, str],
                temporary_ids: Iterable[str] = ()) -> list[PaperItem]:
    """Items written under a temporary identity keep it on their place; those whose identity is
    now linked to an SIH patient are matched under that patient's IPP."""
    temporary = set(temporary_ids) | set(links)
    if not temporary:
        return side.items
    out = []
    no_place = PaperPlace()
    for item in side.items:
        if item.ipp in temporary:
            p = side.places.get(item.id, no_place)
            # ``replace(p, temporary_id=...)`` and ``replace(item, ipp=...)``, made directly:
            # a big outage has tens of thousands of them (tests/test_review_apply_links.py)
            side.places[item.id] = PaperPlace(p.serial, p.page, p.ward_code,
                                              p.temporary_id or item.ipp, p.entered_by,
                                              p.entered_at)
            linked = links.get(item.ipp)
            if linked:
                item = PaperItem(item.id, linked, item.kind, item.code, item.effective_time,
                                 item.value, item.value_text, item.unit, item.route, item.text,
                                 item.nda, item.author, item.status)
        out.append(item)
    return out


def _text(value: object) -> str:
    if type(value) is str:
        return _string(value)
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def verdict_records(verdicts: Reconciliation | Sequence[VerdictLine],
                    paper: Sequence[PaperItem], sih: Iterable[SihItem] | StoredItems,
                    side: PaperSide, identities: Mapping[str, PatientIdentity]
                    ) -> list[VerdictRecord]:
    """Each verdict with the paper item, its SIH copies and the patient, as they are now (from
    the reconciliation, or from its ``verdict_lines`` when the run has them already; the SIH
    items as objects, or already encoded from their table)."""
    lines = (verdicts.verdict_lines() if isinstance(verdicts, Reconciliation) else verdicts)
    by_paper = {p.id: p for p in paper}
    encoder = (_Encoder({}, identities, sih.by_id()) if isinstance(sih, StoredItems)
               else _Encoder({s.id: s for s in sih}, identities))
    no_place = PaperPlace()
    with bulk_allocation():  # strings and tuples only: no cycle for the collector to find
        return [encoder.record(v, by_paper[v.item_id], side.places.get(v.item_id, no_place))
                for v in lines]


class _Encoder:
    """Encodes verdicts; what a patient, an SIH item or a list of ids shares is encoded once
    (a run has a few hundred patients for tens of thousands of items)."""

    def __init__(self, by_sih: dict[str, SihItem], identities: Mapping[str, PatientIdentity],
                 sih_json: dict[str, str] | None = None) -> None:
        self.item_json = ItemJson()
        self.by_sih = by_sih
        self.identities = identities
        self.sih_json: dict[str, str] = sih_json or {}
        self.patients: dict[tuple[str, str | None], tuple[str, str]] = {}
        self.lists: dict[tuple[str, ...], str] = {}

    def record(self, v: VerdictLine, item: PaperItem, place: PaperPlace) -> VerdictRecord:
        identity, search = self.patient(item.ipp, place.temporary_id)
        extra = ""
        if place.entered_by:
            extra = f', "entered_by": {_text(place.entered_by)}'
        if place.entered_at:
            extra += f', "entered_at": {_string(clock.to_storage(place.entered_at))}'
        return VerdictRecord(
            v.item_id, v.verdict, item.ipp, place.temporary_id, identity, search,
            place.ward_code, v.kind, item.code, self.item_json.time(item.effective_time),
            self.texts(v.sih_ids), round(float(v.score), 4), self.texts(v.differs_on),
            v.tree, self.item_json(item, extra),
            self.sih_list(v.sih_ids),
            place.serial,
            place.page)

    def patient(self, ipp: str, temporary_id: str | None) -> tuple[str, str]:
        """The identity (JSON) and the folded search text of a patient."""
        found = self.patients.get((ipp, temporary_id))
        if found is None:
            identity = (self.identities.get(ipp) or self.identities.get(temporary_id or "")
                        or PatientIdentity())
            found = self.patients[(ipp, temporary_id)] = (
                json.dumps(identity.as_dict(), ensure_ascii=False),
                fold_search(identity.birth_name, identity.used_name, identity.given_names, ipp,
                            temporary_id))
        return found

    def texts(self, values: tuple[str, ...]) -> str:
        if len(values) == 1:  # a verdict's SIH id: its own, nothing to share
            return f"[{_text(values[0])}]"
        found = self.lists.get(values)
        if found is None:
            found = self.lists[values] = json_list(map(_text, values))
        return found

    def sih_list(self, sih_ids: tuple[str, ...]) -> str:
        """The SIH copies known, as a JSON list (most verdicts have one copy, or none)."""
        if len(sih_ids) == 1:
            found = self.sih_json.get(sih_ids[0])
            if found is not None:
                return f"[{found}]"
        elif not sih_ids:
            return "[]"
        return json_list(self.sih(i) for i in sih_ids if i in self.sih_json or i in self.by_sih)

    def sih(self, sih_id: str) -> str:
        found = self.sih_json.get(sih_id)
        if found is None:
            found = self.sih_json[sih_id] = self.item_json(self.by_sih[sih_id])
        return found


def unmatched_records(unmatched: Sequence[SihItem], stored: StoredItems | None = None
                      ) -> list[str]:
    """The SIH items no paper item claimed, as the store keeps them: from ``stored`` when they
    are rows of its table (``LazyItems``), else encoded one by one."""
    if stored is not None and isinstance(unmatched, LazyItems) and unmatched.table is stored.table:
        return stored.unmatched(unmatched.rows)
    item_json = ItemJson()
    return [item_json(s) for s in unmatched]
