"""Both sides of the reconciliation as plain items: what the SIH holds, what the paper said.

The SIH side comes from its exports after recovery, in the same formats as the census import
(FHIR R4, HL7 v2 ORU, item CSV), read by the same parsers but never stored into the census:
observations become vital-sign items, administrations medication items, notes note items.
The paper side comes from the store (what was re-entered in the app) or from an item CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from reentry.entry.model import Item
from reentry.importing import parse_file
from reentry.model import ImportBatch


def sih_items_from_batch(batch: ImportBatch) -> list[dict[str, Any]]:
    """The clinical records of one parsed SIH file, as item fields (kind, code, value...)."""
    items: list[dict[str, Any]] = []
    for o in batch.observations:
        items.append(dict(id=o.source_id, ipp=o.patient.ipp or o.patient.ins_nir or "",
                          nda=o.nda, kind="vital_sign", code=o.code, effective_time=o.effective_at,
                          value=o.value, value_text=o.value_text, unit=o.unit))
    for a in batch.administrations:
        items.append(dict(id=a.source_id, ipp=a.patient.ipp or a.patient.ins_nir or "",
                          nda=a.nda, kind="medication_administration", code=a.drug,
                          effective_time=a.at, value=a.dose, unit=a.unit, route=a.route,
                          author=a.performer, status=a.status))
    for n in batch.notes:
        items.append(dict(id=n.source_id, ipp=n.patient.ipp or n.patient.ins_nir or "",
                          nda=n.nda, kind="nursing_note", code="", effective_time=n.written_at,
                          text=n.text, author=n.author))
    return items


def sih_items_from_files(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Every SIH file, parsed and checked whole (a bad file is refused with its reason)."""
    items: list[dict[str, Any]] = []
    for path in paths:
        items.extend(sih_items_from_batch(parse_file(path)))
    return items


def paper_items_from_store(items: Sequence[Item]) -> list[dict[str, Any]]:
    """What was re-entered in the app, as item fields; the id is the store's item id."""
    return [dict(id=str(i.id), ipp=i.ipp or i.temporary_id or "", nda=i.nda, kind=i.kind.value,
                 code=i.code, effective_time=i.effective_time, value=i.value,
                 value_text=i.value_text, unit=i.unit, route=i.route, text=i.text,
                 author=i.author, status=i.status)
            for i in items]
