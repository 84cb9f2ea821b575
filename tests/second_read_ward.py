"""A ward whose vital-signs chart and medication record were printed, written on, scanned back
with ``import_scans`` and typed, with known differences between paper and typing (issue 14).

Paper and typing agree everywhere except:

- vital signs, line 2 (row 1): heart rate written 95, typed 93 → ``differs`` (read 95);
- vital signs, line 3 (row 2): SpO2 written 95, not typed → ``written_not_typed``;
- vital signs, line 4 (row 3): respiratory rate typed 16, nothing written → ``typed_not_written``;
- medication record, first dose: « refused » ticked, typed « not given » → ``differs``;
- nursing notes, line 2 (row 1): a note written, nothing typed → ``written_not_typed``.

A fourth page (transfer or discharge) is scanned with its corner marks cut off: it cannot be
read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pdfcheck
from printed_ward import AS_OF, PRINTER
from scanned_stack import write_pdf
from written_pages import Pen, box, scanned

from reentry.barcodes import group_for_reading
from reentry.demo import create_demo
from reentry.domain.entry import RecordRow, Role, User
from reentry.domain.events import DeclareEvent
from reentry.domain.layout import Rect
from reentry.domain.second_read import FieldKey
from reentry.entry import service
from reentry.events.service import declare_event
from reentry.layout.sheet import page_layout
from reentry.printing.station import PrintRequest, print_batch
from reentry.registry import FormInstance
from reentry.scanning.importer import import_scans
from reentry.store import open_store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # re-entry, the next day
DATE = "23/11/2026"
# row → what the nurse wrote (comb fields as written, AVPU as its code)
PAPER = {
    0: {"time": "08:15", "systolic": "125", "diastolic": "78", "heart_rate": "64",
        "temperature": "37,4", "spo2": "97", "respiratory_rate": "18", "consciousness": "A"},
    1: {"time": "12:30", "systolic": "132", "diastolic": "81", "heart_rate": "95",
        "temperature": "37,9", "consciousness": "V"},
    2: {"time": "16:00", "systolic": "140", "heart_rate": "72", "spo2": "95"},
    3: {"time": "20:00", "systolic": "118", "pain": "10"},
}
TYPED = {
    0: {"time": "08:15", "systolic": "125", "diastolic": "78", "heart_rate": "64",
        "temperature": "37,4", "spo2": "97", "respiratory_rate": "18", "consciousness": "A"},
    1: {"time": "12h30", "systolic": "132", "diastolic": "81", "heart_rate": "93",
        "temperature": "37.9", "consciousness": "v"},
    2: {"time": "1600", "systolic": "140", "heart_rate": "72"},
    3: {"time": "20:00", "systolic": "118", "respiratory_rate": "16", "pain": "1"},
}
MNIST_FIELDS = {"diastolic", "temperature"}  # written with held-out MNIST digits, others a font
VITALS = "readings"
DOSES = "administrations"
DIFFERENT_RATE = FieldKey(VITALS, 1, "heart_rate")
UNTYPED_SPO2 = FieldKey(VITALS, 2, "spo2")
UNWRITTEN_RATE = FieldKey(VITALS, 3, "respiratory_rate")
SHORT_PAIN = FieldKey(VITALS, 3, "pain")  # 10 written, 1 typed: a digit dropped
REFUSED_DOSE = FieldKey(DOSES, 0, "status")
NOTES = "notes"
UNTYPED_NOTE = FieldKey(NOTES, 1, "text")
NOTES_DATE = FieldKey("sheet", None, "date")  # the notes' date: 23/11 written, 22/11 typed
MISTYPED_DATE = "22/11/2026"


@dataclass(frozen=True)
class WrittenWard:
    db: Path
    vitals: FormInstance
    mar: FormInstance
    notes: FormInstance
    transfer: FormInstance  # scanned with its corner marks cut off
    ward: str
    stack: Path
    event_id: int  # the outage event the sheets were printed for


def nurse_of(store) -> User:
    return service.sign_in(store, "mdupont")


def _write_date(pen: Pen, layout) -> None:
    """The sheet's date, in its « jj/mm/aaaa » comb at the top."""
    pen.number(box(layout, "date", None), DATE)


def _write_vitals(pen: Pen, layout) -> None:
    _write_date(pen, layout)
    for row, values in PAPER.items():
        for field_id, value in values.items():
            if field_id == "consciousness":
                pen.tick(box(layout, field_id, row, value).rect)
            else:
                source = "mnist" if field_id in MNIST_FIELDS else "font"
                pen.number(box(layout, field_id, row), value, source)
        pen.initials(box(layout, "initials", row).rect)


def _write_mar(pen: Pen, layout) -> None:
    _write_date(pen, layout)
    pen.tick(box(layout, "status", 0, "refused").rect)
    pen.scribble(box(layout, "reason", 0).rect, 14)
    pen.initials(box(layout, "initials", 0).rect)
    pen.tick(box(layout, "status", 1, "given").rect)
    pen.number(box(layout, "actual_time", 1), "08:10")
    pen.number(box(layout, "dose_given", 1), "1")
    pen.initials(box(layout, "initials", 1).rect)


def _write_notes(pen: Pen, layout) -> None:
    _write_date(pen, layout)
    pen.number(box(layout, "time", 0), "22:00")
    pen.scribble(box(layout, "text", 0).rect, 60)
    pen.scribble(box(layout, "text", 0).rect, 35, line=1)
    pen.initials(box(layout, "initials", 0).rect)
    pen.scribble(box(layout, "text", 1).rect, 45)  # a note nobody types


def _cut_corner_marks(pen: Pen, layout) -> None:
    for mark in layout.corner_marks:
        pen.erase(Rect(mark.x - 1.5, mark.y - 1.5, mark.width + 3, mark.height + 3))


def _type(store, instance: FormInstance, nurse: User, section: str, row: int,
          values: dict[str, str], date: str = DATE) -> None:
    service.record_row(store, RecordRow(instance.serial, 1, section, row,
                                        {**values, "initials": "MD"}, {"date": date}, nurse),
                       now=NOW)


def build(folder: Path) -> WrittenWard:
    db = folder / "reentry.sqlite"
    store = open_store(db)
    try:
        create_demo(store, patients=6, seed=8, as_of=AS_OF)
        ward_code = store.census()[0].ward.code
        manager = service.add_user(store, "croux", "Claire Roux", Role.WARD_MANAGER)
        event = declare_event(store, DeclareEvent("Coupure réseau", AS_OF, manager,
                                                  planned=True)).event
        outcome = print_batch(store, PrintRequest(out_dir=folder / "pdf", user=PRINTER,
                                                  wards=(ward_code,), start=AS_OF,
                                                  admission_packets=1))
        sheets = store.batch_sheets(outcome.batch_id)
        chosen = {t: next(s for s in sheets if s.template_id == t) for t in
                  ("vital_signs", "medication_administration", "nursing_notes",
                   "transfer_discharge")}
        pdf = outcome.wards[0].pdf
        texts = pdfcheck.page_texts(pdf)
        images = []
        writers = {"vital_signs": _write_vitals, "medication_administration": _write_mar,
                   "nursing_notes": _write_notes, "transfer_discharge": _cut_corner_marks}
        for number, (template, sheet) in enumerate(chosen.items()):
            (page,) = [n for n, t in enumerate(texts, 1) if group_for_reading(sheet.code(1)) in t]
            pen = Pen(pdfcheck.raster(pdf, page, folder), seed=number)
            writers[template](pen, page_layout(store, sheet.code(1)).layout)
            images.append(scanned(pen.image(), (1.2, -0.8, 1.5, 0.5)[number], seed=number))
        stack = write_pdf(images, folder / "stack.pdf", pdfcheck.DPI)
        nurse = service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
        result = import_scans(store, [stack], nurse, workers=1)
        assert result.outcomes[0].identified == 4, result.outcomes[0].messages
        vitals, mar = chosen["vital_signs"], chosen["medication_administration"]
        for sheet in chosen.values():
            service.confirm_identity(store, nurse, sheet.serial)
        for row, values in TYPED.items():
            _type(store, vitals, nurse, VITALS, row, values)
        _type(store, mar, nurse, DOSES, 0, {"status": "N", "reason": "patient absent"})
        _type(store, mar, nurse, DOSES, 1, {"status": "A", "actual_time": "08:10",
                                            "dose_given": "1"})
        _type(store, chosen["nursing_notes"], nurse, NOTES, 0,
              {"time": "22:00", "text": "Patient calme, dort. Pas de douleur."}, MISTYPED_DATE)
        return WrittenWard(db, vitals, mar, chosen["nursing_notes"],
                           chosen["transfer_discharge"], vitals.ward_code, stack, event.id)
    finally:
        store.close()
