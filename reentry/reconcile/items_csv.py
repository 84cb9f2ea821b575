"""Both sides of the item reconciliation as files, and the verdicts as a CSV.

The SIH side (and the paper side, when it comes as a file) is the documented item CSV
(``record_id, ipp, nda, kind, code, value, unit, route, effective_time, author, text``), read by
the same parser as ``reentry import`` so that a bad file is refused with its line and column.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

from reentry.entry.model import Item
from reentry.importing.csv_tables import parse
from reentry.importing.source import SourceFile
from reentry.reconcile.items_model import PaperItem, Reconciliation, SihItem

VERDICT_COLUMNS = ("item_id", "verdict", "ipp", "kind", "sih_ids", "score", "reason")
_ID_PREFIX = "csv:item:"


def _record_id(source_id: str) -> str:
    return source_id.removeprefix(_ID_PREFIX)


def read_item_csv(path: str | Path) -> list[SihItem]:
    """The items of an item CSV, in file order (``FileRejected`` names the bad line)."""
    batch = parse(SourceFile.read(path))
    items: list[SihItem] = []
    for o in batch.observations:
        items.append(SihItem(_record_id(o.source_id), o.patient.ipp or "", "vital_sign", o.code,
                             o.effective_at, o.value, o.value_text, o.unit, nda=o.nda))
    for a in batch.administrations:
        items.append(SihItem(_record_id(a.source_id), a.patient.ipp or "",
                             "medication_administration", a.drug, a.at, a.dose, None, a.unit,
                             a.route, nda=a.nda, author=a.performer, status=a.status))
    for n in batch.notes:
        items.append(SihItem(_record_id(n.source_id), n.patient.ipp or "", "nursing_note", "",
                             n.written_at, text=n.text, nda=n.nda, author=n.author))
    return items


def paper_from_sih_rows(items: Sequence[SihItem]) -> list[PaperItem]:
    """An item CSV read as the paper side (administrations in it were given: no status)."""
    return [PaperItem(i.id, i.ipp, i.kind, i.code, i.effective_time, i.value, i.value_text,
                      i.unit, i.route, i.text, i.nda, i.author, i.status) for i in items]


def paper_from_items(items: Sequence[Item]) -> list[PaperItem]:
    """What was re-entered in Reentry, as paper items; a temporary identity stands for the IPP
    (its items find nothing in the SIH until the patient is linked to the real record)."""
    return [PaperItem(str(i.id), i.ipp or i.temporary_id or "", i.kind.value, i.code,
                      i.effective_time, i.value, i.value_text, i.unit, i.route, i.text, i.nda,
                      i.author, i.status)
            for i in items]


def write_verdicts_csv(reconciliation: Reconciliation, out: str | Path) -> None:
    """One line per paper item; the reason in the current language; ``sih_ids`` joined by ``|``.

    Written whole or not at all (a temporary file renamed into place), like the exports.
    """
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(VERDICT_COLUMNS)
        for v in reconciliation.verdicts:
            writer.writerow((v.item_id, v.verdict, v.ipp, v.kind, "|".join(v.sih_ids),
                             f"{v.score:.2f}", v.reason.render()))
    os.replace(partial, out)
