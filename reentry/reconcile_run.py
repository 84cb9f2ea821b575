"""One reconciliation run: read both sides, match, write verdicts.csv and the PDF report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reentry.errors import UserError
from reentry.importing import detect_format
from reentry.importing.source import SourceFile
from reentry.reconcile.items import reconcile
from reentry.reconcile.items_csv import (
    paper_from_items,
    paper_from_sih_rows,
    read_item_csv,
    write_verdicts_csv,
)
from reentry.reconcile.items_model import SihItem
from reentry.reconcile_report import write_report
from reentry.reconcile_sources import sih_items_from_files


@dataclass(frozen=True)
class ReconcileOutcome:
    counts: dict[str, int]
    unmatched: int
    verdicts_csv: Path
    report: Path


def read_sih(paths: Sequence[Path]) -> list[SihItem]:
    """The SIH side from its exports: the item CSV directly, FHIR and HL7 through the parsers."""
    items: list[SihItem] = []
    for path in paths:
        if detect_format(SourceFile.read(path)) == "csv":
            items.extend(read_item_csv(path))
        else:
            items.extend(sih_items_from_files([path]))
    return items


def run_reconciliation(store: Any, sih_files: Sequence[Path], paper_file: Path | None,
                       out_dir: Path) -> ReconcileOutcome:
    if not sih_files:
        raise UserError("reconcile_run.no_sih")
    sih = read_sih(sih_files)
    paper = (paper_from_sih_rows(read_item_csv(paper_file)) if paper_file
             else paper_from_items(store.items()))
    if not paper:
        raise UserError("reconcile_run.no_paper")
    result = reconcile(paper, sih)
    out_dir.mkdir(parents=True, exist_ok=True)
    verdicts = out_dir / "verdicts.csv"
    write_verdicts_csv(result, verdicts)
    report = out_dir / "rapport.pdf"
    write_report(result.verdicts, {p.id: p.effective_time for p in paper},
                 len(result.unmatched_sih), report)
    return ReconcileOutcome(result.counts(), len(result.unmatched_sih), verdicts, report)
