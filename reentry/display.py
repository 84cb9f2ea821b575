"""How patients, places, values and times read on a screen or a printed page.

Qt-free, so that the offline viewer, the entry screens and the printed dossier say the same
thing the same way: « DUPONT née MARTIN », « 12/03/1945 (81 ans) », « 37,5 °C ». Every phrase
comes whole from the ``[display]`` catalog in the current language; only data (names, numbers,
unit symbols) is put side by side here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from reentry import clinical_codes, clock
from reentry.clinical_codes import DIASTOLIC, SYSTOLIC
from reentry.i18n import catalog, get_language, tr
from reentry.i18n import format_number as format_number  # numbers on screens and pages
from reentry.model import (
    Allergy,
    IdentityStatus,
    Observation,
    Patient,
    Prescription,
    Sex,
    Site,
    Snapshot,
    Ward,
)

DASH = "—"
PLACE_SEPARATOR = " — "

# UCUM codes as they come from the SIH, and the symbol a nurse expects to read.
_UNIT_SYMBOLS = {
    "Cel": "°C",
    "[degF]": "°F",
    "mm[Hg]": "mmHg",
    "kg/m2": "kg/m²",
    "[in_i]": "in",
    "[lb_av]": "lb",
}
_UCUM_ANNOTATION = re.compile(r"\{[^}]*\}")

BLOOD_PRESSURE = "bp"  # the one column of the systolic and diastolic pressures


def vital_order() -> tuple[str, ...]:
    """Columns of the vital-signs table: as on the forms' paper chart (systolic and diastolic
    as one « PA » column), then the vital signs an SIH sends that no form charts."""
    order: dict[str, None] = {}
    for code in (*clinical_codes.charted_codes(), *clinical_codes.UNCHARTED_VITAL_SIGNS):
        order[BLOOD_PRESSURE if code in (SYSTOLIC, DIASTOLIC) else code] = None
    return tuple(order)


def _has_message(message_id: str) -> bool:
    return message_id in catalog(get_language()) or message_id in catalog("fr")


# -- numbers and units -------------------------------------------------------------------------


_INTERNATIONAL_UNITS = ("[iU]", "[IU]")


def unit_text(unit: str | None) -> str:
    """The unit as printed on a chart: UCUM annotations such as ``{beats}`` dropped."""
    if not unit:
        return ""
    if unit in _INTERNATIONAL_UNITS:
        return tr("display.unit_international")  # « UI » in French, "IU" in English
    symbol = _UNIT_SYMBOLS.get(unit, unit)
    symbol = _UCUM_ANNOTATION.sub("", symbol).strip()
    return "" if symbol == "1" else symbol


def value_with_unit(value: str, unit: str | None) -> str:
    """« 1 g », « 98 % », « 72/min » (a per-unit sticks to its number)."""
    symbol = unit_text(unit)
    if not symbol:
        return value
    separator = "" if symbol.startswith("/") else " "
    return f"{value}{separator}{symbol}"


# -- identity ----------------------------------------------------------------------------------


_GENDER_OF_NAME = {Sex.FEMALE: "female", Sex.MALE: "male"}


def _name(text: str | None) -> str:
    return (text or "").strip().upper()


def display_name(patient: Patient) -> str:
    """Used name, then « née/né » and the birth name when they differ (French convention)."""
    birth, used = _name(patient.birth_name), _name(patient.used_name)
    if birth and used and used != birth:
        gender = _GENDER_OF_NAME.get(patient.sex or Sex.UNKNOWN, "other")
        return tr(f"display.name_with_birth_name_{gender}", used=used, birth=birth)
    return birth or used or tr("display.unknown_name")


def given_names_text(patient: Patient) -> str:
    """Given names exactly as the identity holds them (a strict trait: not re-cased)."""
    return (patient.given_names or "").strip()


def full_name(patient: Patient) -> str:
    """« DUPONT née MARTIN Marie Claire »: how a patient is named in lists and headings."""
    given = given_names_text(patient)
    name = display_name(patient)
    return tr("display.full_name", name=name, given=given) if given else name


def date_text(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def age_text(birth: date, on: date) -> str:
    """Age in years from 2 years, in months under 2, in days under a month."""
    if on < birth:
        return ""
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if years >= 2:
        return tr("display.age_years", n=years)
    months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    if months >= 1:
        return tr("display.age_month_one" if months == 1 else "display.age_months", n=months)
    days = (on - birth).days
    return tr("display.age_day_one" if days == 1 else "display.age_days", n=days)


def birth_date_text(patient: Patient, on: date) -> str:
    """« 12/03/1945 (81 ans) »; the age is computed on ``on`` (today, in the hospital)."""
    if patient.birth_date is None:
        return tr("display.not_recorded")
    age = age_text(patient.birth_date, on)
    shown = date_text(patient.birth_date)
    return tr("display.birth_date_with_age", date=shown, age=age) if age else shown


def sex_label(sex: Sex | None) -> str:
    return tr(f"display.sex_{sex.value}") if sex else tr("display.not_recorded")


def identity_status_label(status: IdentityStatus | None) -> str:
    if status is None:
        return tr("display.not_recorded")
    return tr(f"display.identity_status_{status.value}")


def natural_key(text: str | None) -> tuple[Any, ...]:
    """Sort "2" before "10" and "A2" before "A10", as beds are numbered on the ward."""
    parts = re.split(r"(\d+)", text or "")
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in parts)


def location_text(site: Site | None, ward: Ward | None, room: str | None,
                  bed: str | None) -> str:
    """« Hôpital Nord — Cardiologie — ch. 101 lit A »; missing parts are left out."""
    if room and bed:
        place = tr("display.room_bed", room=room, bed=bed)
    elif room:
        place = tr("display.room", room=room)
    elif bed:
        place = tr("display.bed", bed=bed)
    else:
        place = ""
    parts = [site.name if site else "", ward.name if ward else "", place]
    return PLACE_SEPARATOR.join(p for p in parts if p) or tr("display.not_recorded")


# -- times -------------------------------------------------------------------------------------


def moment_text(value: datetime, reference: datetime | None = None) -> str:
    """Local date and time; the UTC offset is added when it differs from ``reference``'s.

    Around a daylight-saving change the same clock time happens twice; showing the offset
    only when it differs keeps tables short and every time unambiguous.
    """
    differs = reference is not None and (
        clock.local(value).utcoffset() != clock.local(reference).utcoffset())
    return clock.format_local(value, with_zone=reference is None or differs)


def data_as_of_text(snapshot: Snapshot | None) -> str:
    """« Données du 23/11/2026 14:00 (UTC+01:00) », shown on every screen and page."""
    if snapshot is None:
        return tr("display.no_data")
    return tr("display.data_as_of", when=clock.format_local(snapshot.data_as_of))


def snapshot_age(snapshot: Snapshot, now: datetime) -> timedelta:
    return now - snapshot.data_as_of


def is_stale(snapshot: Snapshot | None, now: datetime, max_age_hours: float) -> bool:
    """True when the data is older than ``max_age_hours``: the paper may know more.

    No snapshot is not "old data": screens say there is nothing to show instead.
    """
    if snapshot is None:
        return False
    return snapshot_age(snapshot, now) > timedelta(hours=max_age_hours)


def elapsed_text(elapsed: timedelta) -> str:
    """« 6 h » up to two days, then « 3 j »."""
    hours = max(0, int(elapsed.total_seconds() // 3600))
    if hours < 48:
        return tr("display.elapsed_hours", n=hours)
    return tr("display.elapsed_days", n=hours // 24)


def stale_warning_text(snapshot: Snapshot, now: datetime) -> str:
    """The warning that replaces « Données du … » once the data is too old."""
    return tr("display.stale_warning", age=elapsed_text(snapshot_age(snapshot, now)),
              when=clock.format_local(snapshot.data_as_of))


def dossier_since(snapshot: Snapshot | None, now: datetime, hours: float) -> datetime:
    """Start of the dossier window: ``hours`` before the data's "as of" (or now, if none)."""
    end = snapshot.data_as_of if snapshot else now
    return end - timedelta(hours=hours)


# -- dossier content ---------------------------------------------------------------------------


def observation_value(observation: Observation) -> str:
    """« 37,5 °C », a coded text value as is, or a dash when the SIH sent no value."""
    if observation.value is not None:
        return value_with_unit(format_number(observation.value), observation.unit)
    if observation.value_text:
        return value_with_unit(observation.value_text, observation.unit)
    return DASH


def _coded(prefix: str, code: str | None) -> str:
    if not code:
        return ""
    message_id = f"display.{prefix}_{code.lower().replace('-', '_')}"
    return tr(message_id) if _has_message(message_id) else code


def allergy_line(allergy: Allergy) -> str:
    """« pénicilline : urticaire (sévère) »."""
    text = allergy.substance
    if allergy.reaction:
        text = tr("display.allergy_with_reaction", substance=text, reaction=allergy.reaction)
    qualifier = _coded("severity", allergy.severity) or _coded("criticality", allergy.criticality)
    if qualifier:
        text = tr("display.allergy_qualified", text=text, qualifier=qualifier)
    return text


def no_allergy_text(snapshot: Snapshot | None) -> str:
    """What the allergy box says when the snapshot holds none: exactly what the data says
    (none *recorded* in the SIH, as of the data's date), never « aucune allergie connue », which
    only the SIH itself may state (it then arrives as a recorded entry and is shown as such)."""
    if snapshot is None:
        return tr("display.no_allergy_no_data")
    return tr("display.no_allergy_recorded", when=clock.format_local(snapshot.data_as_of))


def prescription_dose(prescription: Prescription) -> str:
    if prescription.dose is None:
        return unit_text(prescription.unit)
    return value_with_unit(format_number(prescription.dose), prescription.unit)


def prescription_schedule(prescription: Prescription) -> str:
    """The planned times (« 06:00, 12:00 »), else the frequency the SIH gave."""
    if prescription.schedule:
        return ", ".join(prescription.schedule)
    return prescription.frequency or ""


def prescription_line(prescription: Prescription) -> str:
    """« paracétamol 1 g PO — 06:00, 12:00, 18:00 »."""
    what = " ".join(part for part in (prescription.drug, prescription_dose(prescription),
                                      prescription.route or "") if part)
    schedule = prescription_schedule(prescription)
    if not schedule:
        return what
    return tr("display.prescription_with_schedule", what=what, schedule=schedule)


# -- the vital-signs table ---------------------------------------------------------------------


@dataclass(frozen=True)
class VitalsColumn:
    key: str
    label: str


@dataclass(frozen=True)
class VitalsRow:
    at: datetime
    cells: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VitalsGrid:
    """Times as rows (newest first), vital signs as columns, as on a paper chart."""

    columns: list[VitalsColumn]
    rows: list[VitalsRow]


def vital_label(code: str, fallback: str) -> str:
    """A vital sign's column heading: the form's short label, as on the paper chart (« FC »);
    for a sign no form charts, the catalog's (« PAM »); else what the SIH called it."""
    charted = clinical_codes.short_label(code)
    if charted:
        return charted
    message_id = f"display.vital.{code}"
    return tr(message_id) if _has_message(message_id) else fallback


def _blood_pressure(systolic: Observation | None, diastolic: Observation | None) -> str:
    high = format_number(systolic.value) if systolic and systolic.value is not None else DASH
    low = format_number(diastolic.value) if diastolic and diastolic.value is not None else DASH
    either = systolic or diastolic
    return value_with_unit(f"{high}/{low}", either.unit if either else None)


def _row_cells(observations: list[Observation]) -> dict[str, str]:
    cells: dict[str, list[str]] = {}
    by_code = {o.code: o for o in observations}
    if SYSTOLIC in by_code or DIASTOLIC in by_code:
        cells[BLOOD_PRESSURE] = [_blood_pressure(by_code.get(SYSTOLIC), by_code.get(DIASTOLIC))]
    for observation in observations:
        if observation.code in (SYSTOLIC, DIASTOLIC):
            continue
        cells.setdefault(observation.code, []).append(observation_value(observation))
    return {key: "; ".join(values) for key, values in cells.items()}


def vitals_grid(observations: Iterable[Observation]) -> VitalsGrid:
    """Group observations by time; systolic and diastolic pressure share one « PA » column."""
    by_time: dict[datetime, list[Observation]] = {}
    labels: dict[str, str] = {}
    for observation in observations:
        by_time.setdefault(observation.effective_at, []).append(observation)
        key = BLOOD_PRESSURE if observation.code in (SYSTOLIC, DIASTOLIC) else observation.code
        labels.setdefault(key, observation.label)
    rows = [VitalsRow(at, _row_cells(group))
            for at, group in sorted(by_time.items(), key=lambda item: item[0], reverse=True)]
    order = vital_order()
    known = [key for key in order if key in labels]
    others = sorted((key for key in labels if key not in order),
                    key=lambda key: labels[key].lower())
    columns = [VitalsColumn(key, vital_label(key, labels[key])) for key in known + others]
    return VitalsGrid(columns, rows)


def form_title(template_id: str) -> str:
    """A printed sheet's name in the current language: the form's title, or what the cover and
    dossier pages are; never the template id a person cannot read."""
    from reentry.errors import NotFound
    from reentry.formdefs import get_form

    try:
        return get_form(template_id).title_in()
    except NotFound:
        pass  # the cover and the dossier are printed, not forms
    key = f"display.template_{template_id}"
    text = tr(key)
    return template_id if text == key else text
