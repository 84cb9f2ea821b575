"""The typed model of a form definition (``forms/*.json``), as the rest of the code sees it.

One definition drives the printed page, the entry screen, value checks, the export and the
reconciliation, so the model says what each field *means* (``export`` role, standard ``code``,
UCUM ``unit``) as well as how it looks on paper (``width``, ``lines``, section layout).
Everything is frozen: definitions are loaded once and shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reentry.i18n import DEFAULT_LANGUAGE, Msg, get_language


class FieldType(StrEnum):
    TIME = "time"
    DATETIME = "datetime"
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    CHOICE = "choice"
    INITIALS = "initials"
    BOOLEAN = "boolean"


NUMERIC_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL})
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.INITIALS})


class FormKind(StrEnum):
    """What the exporter makes of a filled form (see docs/forms.md)."""

    VITAL_SIGNS = "vital_signs"
    OBSERVATIONS = "observations"
    MEDICATION_ADMINISTRATION = "medication_administration"
    NURSING_NOTES = "nursing_notes"
    DOWNTIME_ADMISSION = "downtime_admission"
    TRANSFER_DISCHARGE = "transfer_discharge"


class Subject(StrEnum):
    """Whom a printed form is about: a known inpatient or a pre-allocated temporary identity."""

    PATIENT = "patient"
    TEMPORARY_IDENTITY = "temporary_identity"


class ExportRole(StrEnum):
    """What a field means to the exporters (FHIR, HL7 ORU, CSV) and to the reconciliation."""

    EVENT_DATE = "event_date"
    EVENT_TIME = "event_time"
    OBSERVATION = "observation"
    AUTHOR = "author"
    NOTE_TEXT = "note_text"
    DRUG = "drug"
    PRESCRIBED_DOSE = "prescribed_dose"
    ROUTE = "route"
    PLANNED_TIME = "planned_time"
    STATUS = "status"
    STATUS_REASON = "status_reason"
    DOSE = "dose"
    MOVEMENT_KIND = "movement_kind"
    DESTINATION = "destination"
    COMMENT = "comment"
    TEMPORARY_ID = "temporary_id"
    BIRTH_NAME = "birth_name"
    USED_NAME = "used_name"
    GIVEN_NAMES = "given_names"
    BIRTH_DATE = "birth_date"
    SEX = "sex"
    BIRTHPLACE_INSEE = "birthplace_insee"
    WARD = "ward"
    ROOM = "room"
    BED = "bed"


class RepeatPer(StrEnum):
    """Rows generated from the dossier rather than a fixed count of blank rows."""

    PRESCRIPTION_DOSE = "prescription_dose"


# What the print station knows how to pre-fill, by the subject or repetition it needs.
PATIENT_PREFILLS = frozenset({
    "patient.ipp", "patient.birth_name", "patient.used_name", "patient.given_names",
    "patient.birth_date", "patient.sex", "patient.birthplace_insee",
    "stay.nda", "stay.ward", "stay.room", "stay.bed",
})
TEMPORARY_IDENTITY_PREFILLS = frozenset({"temporary_identity.id"})
PRESCRIPTION_PREFILLS = frozenset({
    "prescription.drug", "prescription.dose", "prescription.unit", "prescription.route",
    "planned_time",
})
ANY_FORM_PREFILLS = frozenset({"ward.code", "ward.name"})
PREFILL_KEYS = (
    PATIENT_PREFILLS | TEMPORARY_IDENTITY_PREFILLS | PRESCRIPTION_PREFILLS | ANY_FORM_PREFILLS
)


def _language(lang: str | None) -> str:
    return lang or get_language()


class DefinitionText(Msg):
    """A message whose text comes from a form definition (or data), not from a catalog.

    It holds one text per language in ``params`` and renders like any ``Msg``, so that a field
    label can be put into a catalog message and still follow the language chosen at render time.
    """

    def render(self, lang: str | None = None) -> str:
        texts = self.params
        return str(texts.get(_language(lang)) or texts.get(DEFAULT_LANGUAGE, ""))


def per_language(texts: dict[str, str]) -> DefinitionText:
    return DefinitionText("formdefs.text", dict(texts))


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A label or title given by the definition in French and English."""

    fr: str
    en: str

    def text(self, lang: str | None = None) -> str:
        return self.en if _language(lang) == "en" else self.fr

    def as_msg(self) -> DefinitionText:
        return per_language({"fr": self.fr, "en": self.en})


@dataclass(frozen=True, slots=True)
class Code:
    """A standard code (LOINC, FHIR code system) for export and reconciliation."""

    system: str
    code: str
    display: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer: ``code`` is stored and exported, never shown; ``key`` (one letter or digit)
    types it on screen and is printed beside its tick box, so screen and paper agree."""

    code: str
    label: LocalizedText
    codes: tuple[Code, ...] = ()
    key: str | None = None

    def label_in(self, lang: str | None = None) -> str:
        return self.label.text(lang)

    def code_in(self, system: str) -> Code | None:
        """This answer in the code system an exporter needs, if the definition gives it."""
        return next((c for c in self.codes if c.system == system), None)


@dataclass(frozen=True, slots=True)
class Bounds:
    """Inclusive limits of a number: ``range`` refuses outside, ``plausible`` asks to confirm."""

    min: float
    max: float

    def __contains__(self, value: float) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True, slots=True)
class RequiredWhen:
    """The field becomes required when the choice field ``field`` has one of ``values``."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    id: str
    label: LocalizedText
    type: FieldType
    export: ExportRole
    short_label: LocalizedText | None = None
    unit: str | None = None
    range: Bounds | None = None
    plausible: Bounds | None = None
    decimals: int | None = None
    required: bool = False
    required_when: RequiredWhen | None = None
    choices: tuple[Choice, ...] = ()
    code: Code | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_hint: LocalizedText | None = None
    prefill: str | None = None
    readonly: bool = False
    width: float = 1.0
    lines: int = 1

    def label_in(self, lang: str | None = None) -> str:
        return self.label.text(lang)

    def short_label_in(self, lang: str | None = None) -> str:
        """The column heading on paper: the short label when there is one."""
        return (self.short_label or self.label).text(lang)

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True, slots=True)
class Repeat:
    """A repeated section: ``rows`` blank rows, or one row ``per`` item of the dossier."""

    rows: int | None = None
    per: RepeatPer | None = None


@dataclass(frozen=True, slots=True)
class SectionLayout:
    columns: int = 1
    rows_per_page: int | None = None


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    fields: tuple[FieldDefinition, ...]
    title: LocalizedText | None = None
    repeat: Repeat | None = None
    layout: SectionLayout = SectionLayout()

    @property
    def repeated(self) -> bool:
        return self.repeat is not None

    def title_in(self, lang: str | None = None) -> str:
        return self.title.text(lang) if self.title else ""


@dataclass(frozen=True, slots=True)
class FormLayout:
    orientation: str = "portrait"
    paper: str = "A4"


@dataclass(frozen=True, slots=True)
class FormDefinition:
    id: str
    version: int
    kind: FormKind
    subject: Subject
    title: LocalizedText
    layout: FormLayout
    sections: tuple[Section, ...]
    description: LocalizedText | None = None
    source: str = ""

    def title_in(self, lang: str | None = None) -> str:
        return self.title.text(lang)

    @property
    def fields(self) -> tuple[FieldDefinition, ...]:
        """Every field, in paper order (section by section)."""
        return tuple(f for section in self.sections for f in section.fields)

    def field(self, field_id: str) -> FieldDefinition:
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        raise KeyError(field_id)

    def section_of(self, field_id: str) -> Section:
        for section in self.sections:
            if any(f.id == field_id for f in section.fields):
                return section
        raise KeyError(field_id)

    def fields_with_role(self, role: ExportRole) -> tuple[FieldDefinition, ...]:
        return tuple(f for f in self.fields if f.export == role)
