"""What ``reentry second-read`` lists: per field of each scanned page, the typed value, the ink,
the reading, its confidence and the verdict, with rows and fields named as on the paper.

The sheets are chosen here (one code, one ward, or every scanned sheet) and refused with one
clear line when the code is wrong, the sheet is not scanned yet or the ward is unknown; a page
whose corner marks cannot be found is reported apart, saying to rescan it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reentry.barcodes import group_for_reading, page_code
from reentry.display import form_title
from reentry.domain.second_read import FieldCheck, SheetCheck
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_model import FieldType, FormDefinition
from reentry.formdefs_values import parse_date
from reentry.i18n import Msg, format_number, msg, tr
from reentry.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from reentry.registry import NOT_FORMS, resolve_code
from reentry.second_read.crosscheck import check_sheet
from reentry.second_read.words import SheetWords, sheet_words
from reentry.store.areas import Store

COLUMNS = ("code", "page", "row", "field", "typed", "ink", "reading", "confidence", "verdict")


@dataclass(frozen=True)
class ReportLine:
    """One field of one scanned row, in words (``cells``) and as data (``as_dict``)."""

    code: str
    check: FieldCheck
    row: str
    field: str
    typed: str
    reading: str

    def cells(self) -> list[str]:
        reading = self.check.reading
        verdict = tr(f"second_read.verdict_{self.check.verdict}")
        if self.check.acknowledgement is not None:
            verdict = tr("second_read.acknowledged", verdict=verdict,
                         user=self.check.acknowledgement.username)
        confidence = ("" if reading.confidence is None
                      else format_number(reading.confidence * 100, 1) + " %")
        return [group_for_reading(self.code), str(self.check.page), self.row, self.field,
                self.typed, tr(f"second_read.ink_{reading.ink}"), self.reading, confidence,
                verdict]

    def as_dict(self) -> dict[str, Any]:
        check, reading = self.check, self.check.reading
        ack = check.acknowledgement
        return {"code": self.code, "page": check.page, "row": self.row, "field": self.field,
                "section_id": check.key.section_id, "row_index": check.key.row_index,
                "field_id": check.key.field_id, "typed": check.typed, "ink": str(reading.ink),
                "reading": reading.value, "reading_text": reading.text,
                "confidence": reading.confidence, "verdict": str(check.verdict),
                "open": check.open,
                "acknowledged": None if ack is None else {
                    "outcome": str(ack.outcome), "by": ack.username,
                    "at": ack.at.isoformat()}}


@dataclass(frozen=True)
class SecondReadReport:
    lines: list[ReportLine]
    unreadable: list[Msg]  # pages to rescan, one message each
    sheets: int

    @property
    def open(self) -> int:
        return sum(line.check.open for line in self.lines)

    @property
    def unsure(self) -> int:
        return sum(line.check.verdict == "unsure" for line in self.lines)


def chosen_sheets(store: Store, code: str | None, ward: str | None) -> list[int]:
    """The sheets to list: the one ``code`` names, those of ``ward``, or every scanned one."""
    if code is not None:
        resolution = resolve_code(store, code)
        if resolution.instance is None:
            raise UserError("second_read.unknown_code", code=code.strip())
        instance = resolution.instance
        if instance.template_id in NOT_FORMS or instance.template_id not in load_forms():
            raise UserError("second_read.not_a_form", code=group_for_reading(resolution.code),
                            template=form_title(instance.template_id))
        if not store.scan_pages(instance.serial):
            raise UserError("second_read.not_scanned",
                            code=group_for_reading(page_code(instance.serial, 1)))
        return [instance.serial]
    if ward is not None and ward not in {w.code for w in store.wards()}:
        raise UserError("second_read.unknown_ward", ward=ward)
    serials = [s for s in store.scanned_sheets(ward)
               if (i := store.form_instance(s)) is not None and i.template_id in load_forms()]
    if not serials:
        raise UserError("second_read.nothing_scanned")
    return serials


def second_read_report(store: Store, code: str | None = None, ward: str | None = None, *,
                       progress: ProgressCallback | None = None,
                       cancel: CancelToken | None = None) -> SecondReadReport:
    """Every field of every scanned page of the chosen sheets (pages not read yet are read
    now, once: most of the time; ``progress`` is told after each sheet, ``cancel`` checked
    before each, the readings made so far kept)."""
    progress = progress or ignore_progress
    lines: list[ReportLine] = []
    unreadable: list[Msg] = []
    serials = chosen_sheets(store, code, ward)
    for done, serial in enumerate(serials):
        if cancel is not None:
            cancel.check()
        progress(Progress(done, len(serials), msg("second_read.progress", done=done,
                                                   total=len(serials))))
        check = check_sheet(store, serial)
        words = sheet_words(store, serial, check.fields)
        lines.extend(_lines(serial, check, words))
        unreadable.extend(msg("second_read.marks_not_found",
                              code=group_for_reading(page_code(serial, page)), page=page)
                          for page in check.unreadable_pages)
    progress(Progress(len(serials), len(serials), msg("second_read.progress",
                                                      done=len(serials), total=len(serials))))
    return SecondReadReport(lines, unreadable, len(serials))


def _lines(serial: int, check: SheetCheck, words: SheetWords) -> list[ReportLine]:
    form = words.form
    return [ReportLine(page_code(serial, field.page), field, words.row(field.key),
                       words.field(field.key), _shown(form, field.key.field_id, field.typed),
                       _shown(form, field.key.field_id, field.reading.value)
                       or field.reading.text)
            for field in check.fields]


def _shown(form: FormDefinition, field_id: str, value: str | None) -> str:
    """A canonical value as the paper writes it: « 37,5 », « R » for refused, « 23/11/2026 »."""
    if value is None:
        return ""
    field = form.field(field_id)
    if field.type is FieldType.DECIMAL:
        try:
            return format_number(float(value))
        except ValueError:
            return value
    if field.type is FieldType.CHOICE:
        choice = field.choice(value)
        return (choice.key or choice.label_in()) if choice else value
    if field.type is FieldType.DATE and (day := parse_date(value)) is not None:
        return day.strftime("%d/%m/%Y")
    return value
