"""The quality report as CSV, for the quality team's own spreadsheets and for other tools.

Column names are stable identifiers (English, as in every CSV Reentry writes) so that a
spreadsheet or script keeps working whatever the language; codes (verdict, kind, state) come
with a label in the report's language beside them. Times are local ISO 8601 with their UTC
offset; hours are decimal numbers with a point. UTF-8, comma-separated, one header line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reentry import clock
from reentry.domain.review import VERDICTS
from reentry.files import open_private, written_whole
from reentry.i18n import get_language
from reentry.reports.gather import SHEET_COLUMNS, QualityReport
from reentry.reports.labels import kind_text, reason_text, status_text

WARD_COLUMNS = ("ward", "ward_name", *SHEET_COLUMNS, *VERDICTS, "flags_open", "flags_closed",
                "closure_median_hours", "closure_max_hours", "second_read_disagreements")
OPEN_COLUMNS = ("category", "ward", "patient_name", "birth_date", "ipp", "temporary_id", "kind",
                "kind_label", "status", "status_label", "reason", "since", "reference")


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a private file under a temporary name, then move it into place; returns the number
    of rows. On failure (disk full, a cancelled report) neither the target nor the partial file
    is left changed or behind."""
    count = 0
    with written_whole(path) as partial, open_private(
            partial, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def local_time(moment: datetime | None) -> str:
    return clock.local(moment).isoformat(timespec="minutes") if moment else ""


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def write_wards_csv(report: QualityReport, path: Path) -> int:
    """One line per ward: sheets, verdicts of the latest run, flags and closure times, sheets
    whose scanned page disagrees with the typing."""
    return write_csv(path, WARD_COLUMNS, (
        [w.ward_code, w.ward_name, *(w.sheets.value(c) for c in SHEET_COLUMNS),
         *(w.verdicts[v] for v in VERDICTS), w.closure.open, w.closure.closed,
         _hours(w.closure.median_hours), _hours(w.closure.max_hours), w.disagreements]
        for w in report.wards))


def write_open_items_csv(report: QualityReport, path: Path) -> int:
    """Every flag still open and every sheet not accounted for, with the patient's identity."""
    lang = get_language()
    return write_csv(path, OPEN_COLUMNS, (
        [i.category, i.ward_code, i.patient_name, i.birth_date, i.ipp, i.temporary_id, i.kind,
         kind_text(i), i.status, status_text(i), reason_text(i, lang), local_time(i.since),
         i.reference]
        for i in report.open_items))
