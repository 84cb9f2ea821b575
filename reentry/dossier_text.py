"""The dossier as plain text, for ``reentry dossier IPP`` on a terminal or in a script."""

from __future__ import annotations

from reentry import clock, display
from reentry.i18n import tr
from reentry.model import Dossier


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=False)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            for line in [headers, *rows]]


def dossier_text(dossier: Dossier) -> str:
    """Identity first and whole, allergies before treatments, as a nurse reads a dossier."""
    p, stay = dossier.patient, dossier.stay
    today = clock.local(clock.now()).date()
    lines = [
        display.full_name(p),
        tr("dossier.identity_line", birth=display.birth_date_text(p, today),
           sex=display.sex_label(p.sex), ipp=p.ipp or "—", ins=p.ins_nir or "—",
           status=display.identity_status_label(p.identity_status)),
    ]
    if stay is not None:
        lines.append(tr("dossier.stay_line", nda=stay.nda, location=display.location_text(
            dossier.site, dossier.ward, stay.room, stay.bed)))
    lines.append(display.data_as_of_text(dossier.snapshot))

    lines += ["", tr("dossier.allergies")]
    if dossier.allergies:
        lines += [f"  ! {display.allergy_line(a)}" for a in dossier.allergies]
    else:
        lines.append(f"  {display.no_allergy_text(dossier.snapshot)}")

    lines += ["", tr("dossier.prescriptions")]
    lines += [f"  {display.prescription_line(rx)}" for rx in dossier.prescriptions] or [
        f"  {tr('dossier.none')}"]

    lines += ["", tr("dossier.vital_signs")]
    grid = display.vitals_grid(dossier.observations)
    if grid.rows:
        headers = [tr("dossier.time")] + [c.label for c in grid.columns]
        rows = [[display.moment_text(row.at, dossier.snapshot.data_as_of if dossier.snapshot
                                     else None)]
                + [row.cells.get(c.key, "") for c in grid.columns] for row in grid.rows]
        lines += [f"  {line}" for line in _table(headers, rows)]
    else:
        lines.append(f"  {tr('dossier.none')}")

    lines += ["", tr("dossier.notes")]
    for note in dossier.notes:
        author = f" — {note.author}" if note.author else ""
        lines.append(f"  {clock.format_local(note.written_at, with_zone=False)}{author}")
        lines.append(f"    {note.text}")
    if not dossier.notes:
        lines.append(f"  {tr('dossier.none')}")
    return "\n".join(lines)
