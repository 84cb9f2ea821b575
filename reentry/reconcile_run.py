"""One reconciliation run: read both sides, link temporary identities, match, write
verdicts.csv and the PDF report, and store the run so that the quality team can work its flags.

The run is stored whole (sources with their hashes, every verdict with both sides, unmatched SIH
items, identity candidates) in one transaction, and applies itself to the flags of earlier runs
(``reentry.domain.review_lifecycle``): resolutions survive a re-run after a newer SIH export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.items import PaperItem, SihItem
from reentry.domain.permissions import Permission, require
from reentry.domain.review import PatientIdentity
from reentry.domain.review_run import RunRecord
from reentry.errors import UserError
from reentry.files import make_private_folder
from reentry.importing import detect_format, parse_file
from reentry.importing.source import SourceFile
from reentry.model import Patient
from reentry.reconcile.csv_columns import bulk_allocation
from reentry.reconcile.items import reconcile
from reentry.reconcile.items_csv import read_item_csv, write_verdicts_csv
from reentry.reconcile.items_json import StoredItems
from reentry.reconcile.items_table import ItemTable, read_item_table
from reentry.reconcile_report import write_report
from reentry.reconcile_sources import sih_items_from_batch
from reentry.review import identities as identity_linking
from reentry.review.record import (
    apply_links,
    file_info,
    paper_from_csv,
    paper_from_store,
    unmatched_records,
    verdict_records,
)
from reentry.review.service import effective_links
from reentry.store.areas import Store


@dataclass(frozen=True)
class ReconcileOutcome:
    counts: dict[str, int]
    unmatched: int
    verdicts_csv: Path
    report: Path
    run_id: int | None = None
    flag_changes: dict[str, int] = field(default_factory=dict)
    identity_counts: dict[str, int] = field(default_factory=dict)


def read_sih(paths: Sequence[Path]) -> list[SihItem]:
    """The SIH side from its exports: the item CSV directly, FHIR and HL7 through the parsers."""
    return read_sih_and_patients(paths)[0]


def read_sih_and_patients(paths: Sequence[Path]) -> tuple[list[SihItem], list[Patient]]:
    """SIH items, and the patients FHIR and HL7 exports carry (for identity linking)."""
    items: list[SihItem] = []
    patients: list[Patient] = []
    for path in paths:
        if detect_format(SourceFile.read(path)) == "csv":
            items.extend(read_item_csv(path))
        else:
            batch = parse_file(path)
            items.extend(sih_items_from_batch(batch))
            patients.extend(batch.patients)
    return items, patients


def read_sih_side(paths: Sequence[Path]) -> tuple[ItemTable, list[Patient]]:
    """The SIH side as the matcher reads it, in columns; and the patients FHIR and HL7 exports
    carry. A single item CSV goes straight into columns: its 150,000 rows are not turned into
    items and back into columns (the run stores them from the columns: ``StoredItems``)."""
    if len(paths) == 1:
        source = SourceFile.read(paths[0])
        if detect_format(source) == "csv":
            return read_item_table(source), []  # read once
    items, patients = read_sih_and_patients(paths)
    return ItemTable.from_items(items), patients


@bulk_allocation()  # millions of objects that live until the run ends: nothing to collect
def run_reconciliation(store: Store, sih_files: Sequence[Path], paper_file: Path | None,
                       out_dir: Path, *, user: User,
                       identities_left: Path | None = None, sih_patients: Path | None = None,
                       now: datetime | None = None) -> ReconcileOutcome:
    """Reconcile, write the files, store the run; ``user``, who may
    (``Permission.RECONCILE``), is recorded as who ran it.

    Temporary identities come from the downtime admissions (when that module is installed) or
    from ``identities_left`` (identity CSV); SIH patients from ``sih_patients`` (identity CSV)
    or from the FHIR / HL7 exports themselves.
    """
    require(user, Permission.RECONCILE)
    if not sih_files:
        raise UserError("reconcile_run.no_sih")
    sih, patients = read_sih_side(sih_files)
    side = (paper_from_csv(store, paper_file, read_paper_csv(paper_file))
            if paper_file else paper_from_store(store))
    if not side.items:
        raise UserError("reconcile_run.no_paper")
    linking = _link_identities(store, patients, identities_left, sih_patients)
    paper = apply_links(side, linking.applied, (o.left_id for o in linking.outcomes))
    result = reconcile(paper, sih)
    lines = result.verdict_lines()  # each reason made once, for the files and the store
    make_private_folder(out_dir)
    verdicts = out_dir / "verdicts.csv"
    write_verdicts_csv(lines, verdicts)
    report = out_dir / "rapport.pdf"
    write_report(lines, {p.id: p.effective_time for p in paper},
                 len(result.unmatched_sih), report)
    known = store.review_identities_by_ipp([p.ipp for p in paper])
    people = {**linking.left_traits, **linking.right_traits, **known}
    stored = StoredItems(sih)
    record = RunRecord(
        at=now or clock.now(), user=user, sih_files=[file_info(p) for p in sih_files],
        paper_source=side.source, paper_sha256=side.sha256, counts=result.counts(),
        verdicts=verdict_records(lines, paper, stored, side, people),
        unmatched=unmatched_records(result.unmatched_sih, stored), identities=linking.outcomes,
        left_traits=linking.left_traits, right_traits=linking.right_traits,
        applied_links=linking.applied)
    run = store.save_reconciliation_run(record)
    return ReconcileOutcome(result.counts(), len(result.unmatched_sih), verdicts, report, run.id,
                            run.flag_changes, run.identity_counts)


def read_paper_csv(path: Path) -> list[PaperItem]:
    """The paper side from an item CSV: ``paper_from_sih_rows(read_item_csv(path))``, the
    paper items made straight from the columns rather than copied from SIH items."""
    return cast(list[PaperItem], read_item_table(path, paper=True).items())


@dataclass
class _Linking:
    outcomes: list[identity_linking.IdentityOutcome] = field(default_factory=list)
    applied: dict[str, str] = field(default_factory=dict)
    left_traits: dict[str, PatientIdentity] = field(default_factory=dict)
    right_traits: dict[str, PatientIdentity] = field(default_factory=dict)


def _link_identities(store: Store, patients: list[Patient], identities_left: Path | None,
                     sih_patients: Path | None) -> _Linking:
    """Candidates for every temporary identity, and the links in force for this run."""
    left = (identity_linking.rows_from_file(identities_left) if identities_left
            else identity_linking.admission_rows(store) or [])
    if not left:
        return _Linking()
    right = (identity_linking.columns_from_file(sih_patients) if sih_patients
             else identity_linking.columns_of(identity_linking.rows_from_patients(patients)))
    if not len(right[0]):
        if identities_left or sih_patients:
            raise UserError("review.no_sih_patients")
        return _Linking()  # the admissions are there, but nothing to link them against yet
    outcomes = identity_linking.link_against_columns(left, right)
    automatic = {o.left_id: o.right_id for o in outcomes if o.decision == "link" and o.right_id}
    links = effective_links(store, automatic)
    left_ids = {o.left_id for o in outcomes}
    return _Linking(outcomes, {k: v for k, v in links.items() if k in left_ids},
                    {row[0]: identity_linking.traits(row) for row in left},
                    identity_linking.traits_by_id(right))
