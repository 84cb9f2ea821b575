"""The SIH side of the reconciliation as plain items, from its exports after recovery.

FHIR R4 and HL7 v2 ORU files are read by the census import's parsers but never stored into the
census: observations become vital-sign items (or movement items, when coded as a transfer or
discharge the way the export sends them), administrations medication items, notes note items;
an observation coded LOINC 34746-8 (Nurse Note, the way ``reentry export`` and many SIHs send a
note) is a note item too. Who charted an observation (FHIR performer, HL7 OBX-16) or which
device read it (``device:<name>``) is its author, so that device readings are told apart.
The item CSV is read directly (``reentry.reconcile.items_csv.read_item_csv``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reentry.clinical_codes import NURSE_NOTE, movement_of
from reentry.domain.entry import ItemKind
from reentry.domain.items import SihItem
from reentry.importing import parse_file
from reentry.model import ImportBatch, Observation, PatientKey


def _ipp(key: PatientKey) -> str:
    return key.ipp or key.ins_nir or ""


def _observation(o: Observation) -> SihItem:
    movement = movement_of(o.code)
    if movement is not None:  # code: the movement type; value: where the patient went
        return SihItem(o.source_id, _ipp(o.patient), ItemKind.MOVEMENT.value, movement,
                       o.effective_at, value_text=o.value_text, nda=o.nda, author=o.author)
    if o.code == NURSE_NOTE:  # how Reentry's own export (and many SIHs) send a nursing note
        return SihItem(o.source_id, _ipp(o.patient), ItemKind.NURSING_NOTE.value, "",
                       o.effective_at, text=o.value_text, nda=o.nda, author=o.author)
    return SihItem(o.source_id, _ipp(o.patient), ItemKind.VITAL_SIGN.value, o.code,
                   o.effective_at, value=o.value, value_text=o.value_text, unit=o.unit, nda=o.nda,
                   author=o.author)


def sih_items_from_batch(batch: ImportBatch) -> list[SihItem]:
    """The clinical records of one parsed SIH file, as SIH items."""
    items = [_observation(o) for o in batch.observations]
    items += [SihItem(a.source_id, _ipp(a.patient), ItemKind.MEDICATION_ADMINISTRATION.value,
                      a.drug, a.at, value=a.dose, unit=a.unit, route=a.route, nda=a.nda,
                      author=a.performer, status=a.status)
              for a in batch.administrations]
    items += [SihItem(n.source_id, _ipp(n.patient), ItemKind.NURSING_NOTE.value, "",
                      n.written_at, text=n.text, nda=n.nda, author=n.author)
              for n in batch.notes]
    return items


def sih_items_from_files(paths: Iterable[str | Path]) -> list[SihItem]:
    """Every SIH file, parsed and checked whole (a bad file is refused with its reason)."""
    items: list[SihItem] = []
    for path in paths:
        items.extend(sih_items_from_batch(parse_file(path)))
    return items
