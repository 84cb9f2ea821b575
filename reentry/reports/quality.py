"""The quality report of one event, as the three files the quality team asks for.

``rapport-qualite.pdf`` (tables, charts, open items), ``par-unite.csv`` (one line per ward) and
``elements-ouverts.csv`` (every item still open). Used by ``reentry report``, by the desktop
app (in the background, with progress and cancel) and by the audit pack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from reentry import i18n
from reentry.domain.entry import User
from reentry.domain.permissions import Permission, require
from reentry.errors import UserError
from reentry.files import make_private_folder
from reentry.i18n import msg
from reentry.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from reentry.reports.csv_out import write_open_items_csv, write_wards_csv
from reentry.reports.gather import QualityReport, gather_report
from reentry.reports.pdf import write_pdf
from reentry.store.areas import Store

PDF_NAME = "rapport-qualite.pdf"
WARDS_CSV = "par-unite.csv"
OPEN_ITEMS_CSV = "elements-ouverts.csv"
REPORT_FILES = (PDF_NAME, WARDS_CSV, OPEN_ITEMS_CSV)
T = TypeVar("T")


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    pages: int
    report: QualityReport

    @property
    def pdf(self) -> Path:
        return self.folder / PDF_NAME

    @property
    def wards_csv(self) -> Path:
        return self.folder / WARDS_CSV

    @property
    def open_items_csv(self) -> Path:
        return self.folder / OPEN_ITEMS_CSV


def write_quality_report(store: Store, event_id: int, out_dir: Path, *, user: User,
                         lang: str | None = None, now: datetime | None = None,
                         progress: ProgressCallback = ignore_progress,
                         cancel: CancelToken | None = None) -> ReportFiles:
    """Gather, then write the PDF and both CSV in ``out_dir`` (created if needed), in ``lang``
    (default: the current language), as ``user``, who may (``Permission.REPORT``) and is named
    in the audit trail. Each file is replaced whole or not at all."""
    require(user, Permission.REPORT)
    files = report_files(store, event_id, out_dir, lang=lang, now=now, progress=progress,
                         cancel=cancel)
    store.record_action(user, "report_written", "event", event_id, {"folder": str(files.folder)})
    return files


def report_files(store: Store, event_id: int, out_dir: Path, *, lang: str | None = None,
                 now: datetime | None = None, progress: ProgressCallback = ignore_progress,
                 cancel: CancelToken | None = None) -> ReportFiles:
    """``write_quality_report``'s files, for a caller that checked who may (the audit pack)."""
    token = cancel or CancelToken()
    with i18n.language(lang or i18n.get_language()):
        progress(Progress(0, 4, msg("reports.progress_gather")))
        report = gather_report(store, event_id, now=now, check=token.check)
        folder = make_folder(out_dir)
        token.check()
        progress(Progress(1, 4, msg("reports.progress_pdf")))
        pages = guard_write(folder, lambda: write_pdf(report, folder / PDF_NAME))
        token.check()
        progress(Progress(2, 4, msg("reports.progress_csv")))
        guard_write(folder, lambda: write_wards_csv(report, folder / WARDS_CSV))
        guard_write(folder, lambda: write_open_items_csv(report, folder / OPEN_ITEMS_CSV))
        progress(Progress(4, 4, msg("reports.progress_done")))
    return ReportFiles(folder, pages, report)


def make_folder(folder: Path) -> Path:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError("reports.not_a_folder", path=str(folder))
    guard_write(folder, lambda: make_private_folder(folder))
    return folder


def guard_write(path: Path, write: Callable[[], T]) -> T:
    """A folder that cannot be written (rights, disk full) is something a person can fix."""
    try:
        return write()
    except OSError as error:
        raise UserError("reports.cannot_write", path=str(path),
                        detail=error.strerror or str(error)) from error
