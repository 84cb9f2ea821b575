"""Fields and rows as people find them on the paper: « FC », « ligne 3 (14:05) », « Paracétamol
1 g à 08:00 », never a field id or a 0-based index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reentry import clock
from reentry.domain.second_read import FieldCheck, FieldKey
from reentry.domain.sheet_plan import PlannedDose, planned_doses
from reentry.formdefs import load_forms
from reentry.formdefs_model import (
    DefinitionText,
    ExportRole,
    FormDefinition,
    RepeatPer,
    per_language,
)
from reentry.i18n import LANGUAGES, tr
from reentry.store.areas import EntryStore, RegistryStore


class SheetWords:
    """Labels of one sheet's rows and fields, in any language."""

    def __init__(self, form: FormDefinition, doses: Sequence[PlannedDose],
                 checks: Sequence[FieldCheck]) -> None:
        self.form = form
        self.doses = tuple(doses)
        self.times: dict[tuple[str, int], str] = {}
        for check in checks:  # the row's time, typed or else read, as the paper shows it
            key = check.key
            field = form.field(key.field_id)
            if field.export == ExportRole.EVENT_TIME and key.row_index is not None:
                time = check.typed or check.reading.value
                if time:
                    self.times[(key.section_id, key.row_index)] = time

    def row(self, key: FieldKey, lang: str | None = None) -> str:
        if key.row_index is None:
            return tr("second_read.row_sheet", lang=lang)
        section = self.form.section_of(key.field_id)
        if not section.repeated:
            return tr("second_read.row_form", lang=lang)
        if (section.repeat is not None and section.repeat.per == RepeatPer.PRESCRIPTION_DOSE
                and key.row_index < len(self.doses)):
            dose = self.doses[key.row_index]
            if dose.planned_at is None:  # « si besoin »: no planned time printed
                return tr("second_read.row_dose_untimed", lang=lang, drug=dose.drug,
                          dose=dose.dose)
            return tr("second_read.row_dose", lang=lang, drug=dose.drug, dose=dose.dose,
                      time=clock.local(dose.planned_at).strftime("%H:%M"))
        time = self.times.get((key.section_id, key.row_index))
        if time:
            return tr("second_read.row_line_time", lang=lang, number=key.row_index + 1,
                      time=time)
        return tr("second_read.row_line", lang=lang, number=key.row_index + 1)

    def field(self, key: FieldKey, lang: str | None = None) -> str:
        """The field's heading as printed on the paper."""
        return self.form.field(key.field_id).short_label_in(lang)

    def field_in_row(self, key: FieldKey, lang: str | None = None) -> str:
        """« Fréquence cardiaque, ligne 3 (14:05) »: the field's full label and its row."""
        return tr("second_read.field_in_row", lang=lang,
                  field=self.form.field(key.field_id).label_in(lang), row=self.row(key, lang))


def sheet_words(store: WordsStore, serial: int, checks: Sequence[FieldCheck]) -> SheetWords:
    instance = store.form_instance(serial)
    assert instance is not None
    return SheetWords(load_forms()[instance.template_id],
                      planned_doses(store.sheet_content(serial)), checks)


class WordsStore(EntryStore, RegistryStore, Protocol):
    """What naming a sheet's rows reads: its form and its planned doses."""


def fields_in_words(store: WordsStore, serial: int, checks: Sequence[FieldCheck],
                    sheet: Sequence[FieldCheck]) -> DefinitionText:
    """The fields ``checks`` named in words (their rows' times taken from ``sheet``, every
    check of the sheet), in whatever language the message is shown."""
    words = sheet_words(store, serial, sheet)
    return per_language({lang: tr("second_read.list_separator", lang=lang).join(
        words.field_in_row(c.key, lang) for c in checks) for lang in LANGUAGES})
