"""What a clinical code means: its label, its unit and its standard display, read from forms/.

One place answers "what is the label, the unit, the LOINC of this vital sign" for the screens,
the printed dossier, the exports and the imports, so that none of them keeps a second list that
could disagree with the form definitions. Adding a coded field to a form adds it everywhere.

Only what no shipped form charts is listed here: the vital signs an SIH sends that Reentry
shows in the dossier but never asks for on paper (mean arterial pressure, glucose…), and the
panel codes the exporters group values under.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reentry.formdefs_model import (
    Code,
    ExportRole,
    FieldDefinition,
    FormDefinition,
    FormKind,
)
from reentry.i18n import DEFAULT_LANGUAGE, catalog, get_language

LOINC = "http://loinc.org"
SNOMED_CT = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
# A movement type as such (``transfer``), for a form that gives it no standard code.
MOVEMENT_SYSTEM = "urn:reentry:movement"

SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
BLOOD_PRESSURE_PANEL = "85354-9"
BLOOD_PRESSURE_PANELS = frozenset({BLOOD_PRESSURE_PANEL, "55284-4"})
VITAL_SIGNS_PANEL = "85353-1"
NURSE_NOTE = "34746-8"
PANEL_DISPLAYS = {
    BLOOD_PRESSURE_PANEL: "Blood pressure panel with all children optional",
    VITAL_SIGNS_PANEL: "Vital signs, weight, height, head circumference, oxygen saturation and "
                       "BMI panel",
    NURSE_NOTE: "Nurse Note",
}

# Vital signs an SIH sends that no shipped form charts, in the order the dossier's chart shows
# them after the charted ones. Their short labels are in the ``[display.vital]`` catalog.
UNCHARTED_VITAL_SIGNS = (
    "8478-0",  # mean arterial pressure
    "8331-1",  # oral temperature
    "59408-5",  # SpO2 by pulse oximetry
    "2339-0",  # blood glucose (mass)
    "15074-8",  # blood glucose (moles)
    "9269-2",  # Glasgow coma score
    "29463-7",  # body weight
    "8302-2",  # body height
    "39156-5",  # body mass index
)


@dataclass(frozen=True)
class ChartedCode:
    """A standard code as a form charts it: the field that asks for it, and on which form."""

    code: Code
    field: FieldDefinition
    form_id: str

    def label(self, lang: str | None = None) -> str:
        return self.field.label_in(lang)

    def short_label(self, lang: str | None = None) -> str:
        return self.field.short_label_in(lang)

    @property
    def unit(self) -> str | None:
        """The UCUM unit of the form (``mm[Hg]``, ``Cel``); ``display.unit_text`` reads it."""
        return self.field.unit


def _forms() -> dict[str, FormDefinition]:
    from reentry.formdefs import load_forms  # here: formdefs reads display, which reads this

    return load_forms()


@cache
def _charted() -> dict[str, ChartedCode]:
    """Every coded observation field of the shipped forms, by code, in paper order; the first
    form that charts a code defines it."""
    found: dict[str, ChartedCode] = {}
    for form in _forms().values():
        for field in form.fields:
            if field.export == ExportRole.OBSERVATION and field.code is not None:
                found.setdefault(field.code.code, ChartedCode(field.code, field, form.id))
    return found


def charted(code: str) -> ChartedCode | None:
    """The form field that charts ``code`` (a LOINC code), if any form does."""
    return _charted().get(code)


def charted_codes() -> tuple[str, ...]:
    """The codes the forms chart, in the order of the paper."""
    return tuple(_charted())


@cache
def vital_sign_codes() -> frozenset[str]:
    """The codes Reentry knows as vital signs: charted by a form, or sent by an SIH."""
    return frozenset(_charted()) | frozenset(UNCHARTED_VITAL_SIGNS) | BLOOD_PRESSURE_PANELS


def label(code: str, lang: str | None = None) -> str | None:
    """The full label of a charted code (« Fréquence cardiaque »), None for any other."""
    found = charted(code)
    return found.label(lang) if found else None


def stored_label(code: str) -> str:
    """The label kept with a record (always in the default language, as the entry service
    stores it): the form's label, else the code itself."""
    return label(code, DEFAULT_LANGUAGE) or code


def display_name(code: str, lang: str | None = None) -> str | None:
    """What a person reads for a code, as on paper: the form's label (« Fréquence cardiaque »),
    a movement's label (« transfert »), the catalog's name of a vital sign no form charts
    (« PAM »); None for anything else (a drug is named by its own name)."""
    found = label(code, lang)
    if found:
        return found
    movement = movement_of(code)
    if movement is not None:
        return movement_label(movement, lang)
    message_id = f"display.vital.{code}"  # the signs no form charts
    return (catalog(lang or get_language()).get(message_id)
            or catalog(DEFAULT_LANGUAGE).get(message_id))


def short_label(code: str, lang: str | None = None) -> str | None:
    """The column heading of a charted code on paper (« FC », « T° »)."""
    found = charted(code)
    return found.short_label(lang) if found else None


def unit(code: str) -> str | None:
    """The UCUM unit the form gives ``code``."""
    found = charted(code)
    return found.unit if found else None


@cache
def _displays() -> dict[str, str]:
    displays = dict(PANEL_DISPLAYS)
    for code in _charted().values():
        if code.code.system == LOINC and code.code.display:
            displays.setdefault(code.code.code, code.code.display)
    return displays


def standard_display(code: str) -> str | None:
    """The LOINC display of a code the forms chart or the exporters group under."""
    return _displays().get(code)


# -- movements (transfer / discharge) -------------------------------------------------------------


@cache
def _movement_field() -> FieldDefinition | None:
    for form in _forms().values():
        if form.kind == FormKind.TRANSFER_DISCHARGE:
            for field in form.fields:
                if field.export == ExportRole.MOVEMENT_KIND:
                    return field
    return None


def movement_types() -> tuple[str, ...]:
    """The movement types a form offers (``transfer``, ``discharge``)."""
    field = _movement_field()
    return tuple(c.code for c in field.choices) if field else ()


def movement_coding(movement: str, system: str = SNOMED_CT) -> Code | None:
    """The standard code of a movement type in ``system``, as the form gives it."""
    field = _movement_field()
    choice = field.choice(movement) if field else None
    return choice.code_in(system) if choice else None


def movement_label(movement: str, lang: str | None = None) -> str | None:
    """« transfert », « sortie »: the form's label of a movement type."""
    field = _movement_field()
    choice = field.choice(movement) if field else None
    return choice.label_in(lang) if choice else None


@cache
def _movement_codes() -> dict[tuple[str, str], str]:
    """(system, code) → movement type, for every code a movement type is known by."""
    index: dict[tuple[str, str], str] = {}
    field = _movement_field()
    for choice in field.choices if field else ():
        index[(MOVEMENT_SYSTEM, choice.code)] = choice.code
        for coding in choice.codes:
            index[(coding.system, coding.code)] = choice.code
    return index


@cache
def _movement_bare_codes() -> dict[str, str]:
    return {code: movement for (_, code), movement in _movement_codes().items()}


def movement_of(code: str, system: str | None = None) -> str | None:
    """The movement type a code stands for (``107724000`` → ``transfer``; a type given as such,
    ``transfer``, is itself); ``system`` when the record says which code system it is in."""
    if system is None:
        return _movement_bare_codes().get(code)
    return _movement_codes().get((system, code))
