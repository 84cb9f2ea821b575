"""CSV exports from the SIH: census, allergies, prescriptions and items, told apart by header.

The columns are documented in ``docs/formats.md``. Separator ``,`` or ``;`` (French spreadsheets
write ``;``), UTF-8 with or without BOM, decimal comma accepted. Every row is checked before
anything is stored; the first bad value rejects the file, naming its line and column.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from reentry import clinical_codes, clock
from reentry.domain.entry import ItemKind
from reentry.i18n import DEFAULT_LANGUAGE, Msg, msg
from reentry.importing.limits import check_instant, shown
from reentry.importing.source import SourceFile
from reentry.model import (
    Administration,
    Allergy,
    Bed,
    IdentityStatus,
    ImportBatch,
    Movement,
    MovementKind,
    Note,
    Observation,
    Patient,
    PatientKey,
    Prescription,
    Sex,
    Site,
    Stay,
    Ward,
)
from reentry.nir import nir_problem, normalise_nir

T = TypeVar("T")

CENSUS_REQUIRED = ("ipp", "nda", "birth_name", "given_names", "birth_date", "sex", "site", "ward")
ALLERGY_REQUIRED = ("ipp", "substance")
PRESCRIPTION_REQUIRED = ("ipp", "drug")
ITEM_REQUIRED = ("record_id", "ipp", "kind", "effective_time")

ITEM_KINDS = tuple(kind.value for kind in ItemKind)


class _Rows:
    """The rows of one CSV file, with the line number of each row for error messages."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        text = source.text()
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        self.rows: list[tuple[int, dict[str, str]]] = []
        try:
            self.columns = [c.strip().lower() for c in (reader.fieldnames or [])]
            reader.fieldnames = self.columns
            for row in reader:
                if None in row:
                    raise self.reject(reader.line_num, msg("csv.too_many_values"))
                cleaned = {k: (v or "").strip() for k, v in row.items()}
                if any(cleaned.values()):
                    self.rows.append((reader.line_num, cleaned))
        except csv.Error as error:
            # the DictReader's own count stops at the last good row: the line is the reader's
            raise self.reject(max(reader.reader.line_num, 1), csv_problem(error)) from None

    def reject(self, line: int, problem: Msg, column: str | None = None) -> Exception:
        where = (msg("where.line_column", line=line, column=column) if column
                 else msg("where.line", line=line))
        return self.source.reject(where, problem)

    def require(self, columns: tuple[str, ...]) -> None:
        for column in columns:
            if column not in self.columns:
                raise self.source.reject(msg("where.line", line=1),
                                         msg("problem.missing_column", name=column))


@dataclass
class _Row:
    rows: _Rows
    line: int
    values: dict[str, str]

    def text(self, column: str, required: bool = False) -> str | None:
        value = self.values.get(column) or None
        if value is None and required:
            raise self.rows.reject(self.line, msg("problem.missing_value", name=column), column)
        return value

    def parse(self, column: str, convert: Callable[[str], T], problem: str,
              required: bool = False) -> T | None:
        value = self.text(column, required)
        if value is None:
            return None
        try:
            return convert(value)
        except ValueError:
            raise self.rows.reject(self.line, msg(problem, value=shown(value)), column) from None

    def date(self, column: str, required: bool = False) -> date | None:
        return self.parse(column, parse_date, "problem.bad_date", required)

    def datetime(self, column: str, required: bool = False) -> datetime | None:
        return self.parse(column, parse_datetime, "problem.bad_datetime", required)

    def number(self, column: str) -> float | None:
        return self.parse(column, parse_number, "problem.bad_number")

    def patient_key(self) -> PatientKey:
        return PatientKey(self.text("ipp", required=True), None)


def csv_problem(error: csv.Error) -> Msg:
    """What the csv module's (English) error means, said in the user's language."""
    text = str(error)
    if text.startswith("field larger than field limit"):
        return msg("csv.field_too_large", limit=f"{csv.field_size_limit():,}".replace(",", " "))
    if "NUL" in text:
        return msg("csv.nul")
    if text.startswith("unexpected end of data"):
        return msg("csv.unclosed_quote")
    if text.startswith("new-line character seen in unquoted field"):
        return msg("csv.stray_line_break")
    if "expected after" in text:
        return msg("csv.after_quote")
    return msg("csv.malformed", detail=text)


def parse_date(value: str) -> date:
    """``1979-03-28`` or ``28/03/1979``; ValueError for anything else."""
    try:
        if "/" in value:
            day, month, year = value.split("/")
            if len(year) != 4:
                raise ValueError(value)
            return date(int(year), int(month), int(day))
        return date.fromisoformat(value)
    except OverflowError:  # a day or month of twenty digits
        raise ValueError(value) from None


def parse_datetime(value: str) -> datetime:
    """ISO 8601 (``2026-11-23T14:05:00+01:00``) or ``23/11/2026 14:05``; naive = hospital time.
    ValueError for anything else, and for an instant that cannot be stored in UTC."""
    if "/" in value:
        day_part, _, time_part = value.partition(" ")
        moment = datetime.combine(parse_date(day_part),
                                  datetime.strptime(time_part or "00:00", "%H:%M").time())
    else:
        moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.hospital_zone())
    return check_instant(moment)


def parse_number(value: str) -> float:
    """A decimal number, point or comma, spaces between thousands (« 4 000 », the no-break and
    narrow no-break spaces French number formatting writes too); ValueError for anything else,
    infinities and NaN included."""
    number = float("".join(value.replace(",", ".").split()))
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _sex(value: str) -> Sex:
    return Sex(value.upper())


def _status(value: str) -> IdentityStatus:
    return IdentityStatus(value.upper())


def _nir(value: str) -> str:
    if nir_problem(value) is not None:
        raise ValueError(value)
    return normalise_nir(value)


def _census(rows: _Rows, batch: ImportBatch) -> None:
    rows.require(CENSUS_REQUIRED)
    seen_sites: dict[str, Site] = {}
    seen_wards: dict[str, Ward] = {}
    for line, values in rows.rows:
        row = _Row(rows, line, values)
        nir_text = row.text("ins_nir")
        if nir_text and nir_problem(nir_text):
            raise rows.reject(line, msg("problem.bad_nir", value=nir_text,
                                        reason=nir_problem(nir_text)), "ins_nir")
        patient = Patient(
            ipp=row.text("ipp", required=True),
            ins_nir=normalise_nir(nir_text) if nir_text else None,
            identity_status=row.parse("identity_status", _status, "problem.bad_identity_status"),
            birth_name=row.text("birth_name", required=True),
            used_name=row.text("used_name"),
            given_names=row.text("given_names", required=True),
            birth_date=row.date("birth_date", required=True),
            sex=row.parse("sex", _sex, "problem.bad_sex", required=True),
            birthplace_insee=row.text("birthplace_insee"),
            address=row.text("address"), postcode=row.text("postcode"), city=row.text("city"),
        )
        site_code = row.text("site", required=True) or ""
        ward_code = row.text("ward", required=True) or ""
        seen_sites[site_code] = Site(site_code, row.text("site_name") or site_code)
        seen_wards[ward_code] = Ward(ward_code, row.text("ward_name") or ward_code, site_code)
        room, bed = row.text("room"), row.text("bed")
        if room and bed:
            batch.beds.append(Bed(ward_code, room, bed))
        nda = row.text("nda", required=True) or ""
        admitted_at = row.datetime("admitted_at")
        batch.patients.append(patient)
        batch.stays.append(Stay(nda, patient.key))
        batch.movements.append(Movement(f"csv-{nda}-location", nda, MovementKind.ADMISSION,
                                        admitted_at, ward_code, room, bed))
        discharged_at = row.datetime("discharged_at")
        if discharged_at:
            batch.movements.append(Movement(f"csv-{nda}-discharge", nda, MovementKind.DISCHARGE,
                                            discharged_at, ward_code))
    batch.sites.extend(seen_sites.values())
    batch.wards.extend(seen_wards.values())


def _allergies(rows: _Rows, batch: ImportBatch) -> None:
    rows.require(ALLERGY_REQUIRED)
    for line, values in rows.rows:
        row = _Row(rows, line, values)
        substance = row.text("substance", required=True) or ""
        key = row.patient_key()
        batch.allergies.append(Allergy(
            source_id=f"csv:allergy:{key.ipp}:{substance.lower()}", patient=key,
            substance=substance, reaction=row.text("reaction"), severity=row.text("severity"),
            criticality=row.text("criticality"), recorded_at=row.datetime("recorded_at")))


def _prescriptions(rows: _Rows, batch: ImportBatch) -> None:
    rows.require(PRESCRIPTION_REQUIRED)
    for line, values in rows.rows:
        row = _Row(rows, line, values)
        key = row.patient_key()
        schedule = tuple(t.strip() for t in (row.text("schedule") or "").split() if t.strip())
        for planned in schedule:
            try:
                datetime.strptime(planned, "%H:%M")
            except ValueError:
                raise rows.reject(line, msg("csv.bad_schedule", value=planned),
                                  "schedule") from None
        drug = row.text("drug", required=True) or ""
        batch.prescriptions.append(Prescription(
            source_id=f"csv:prescription:{row.text('prescription_id') or f'{key.ipp}:{line}'}",
            patient=key, drug=drug, nda=row.text("nda"), dose=row.number("dose"),
            unit=row.text("unit"), route=row.text("route"), schedule=schedule,
            frequency=row.text("frequency"), start=row.datetime("start"),
            end=row.datetime("end"), status=row.text("status") or "active"))


def _items(rows: _Rows, batch: ImportBatch) -> None:
    """The item CSV (``record_id, ipp, nda, kind, code, value, unit, route, effective_time,
    author, text``): vital signs, medication administrations, nursing notes and movements."""
    rows.require(ITEM_REQUIRED)
    for line, values in rows.rows:
        row = _Row(rows, line, values)
        kind = row.text("kind", required=True)
        if kind not in ITEM_KINDS:
            raise rows.reject(line, msg("csv.bad_kind", value=kind, accepted=", ".join(ITEM_KINDS)),
                              "kind")
        source_id = f"csv:item:{row.text('record_id', required=True)}"
        key, nda = row.patient_key(), row.text("nda")
        at = row.datetime("effective_time", required=True)
        assert at is not None
        if kind == ItemKind.VITAL_SIGN:
            code = row.text("code", required=True) or ""
            raw = row.text("value")
            try:  # a number, or a coded answer such as the AVPU « A », kept as text
                value = parse_number(raw) if raw else None
            except ValueError:
                value = None
            batch.observations.append(Observation(
                source_id, key, code, clinical_codes.stored_label(code), at, nda, value,
                raw if value is None else None, row.text("unit")))
        elif kind == ItemKind.MEDICATION_ADMINISTRATION:
            batch.administrations.append(Administration(
                source_id, key, row.text("code", required=True) or "", at, nda,
                row.number("value"), row.text("unit"), row.text("route"),
                performer=row.text("author")))
        elif kind == ItemKind.MOVEMENT:
            batch.observations.append(_movement(row, source_id, key, nda, at))
        else:
            batch.notes.append(Note(source_id, key, at, row.text("text", required=True) or "",
                                    nda, row.text("author")))


def _movement(row: _Row, source_id: str, key: PatientKey, nda: str | None,
              at: datetime) -> Observation:
    """A transfer or discharge, recorded as the FHIR and HL7 exports send it: an observation
    coded by the movement's standard code, whose value is the destination."""
    written = row.text("code", required=True) or ""
    movement = clinical_codes.movement_of(written)
    if movement is None:
        raise row.rows.reject(row.line, msg("csv.bad_movement", value=written, accepted=", ".join(
            clinical_codes.movement_types())), "code")
    coding = clinical_codes.movement_coding(movement)
    return Observation(source_id, key, coding.code if coding else movement,
                       clinical_codes.movement_label(movement, DEFAULT_LANGUAGE) or movement, at,
                       nda, None, row.text("value"))


_TABLES: list[tuple[str, Callable[[_Rows, ImportBatch], None]]] = [
    ("ward", _census),
    ("substance", _allergies),
    ("drug", _prescriptions),
    ("kind", _items),
]


def locate(source: SourceFile, column: str, value: str) -> Msg | None:
    """The first line that gives ``value`` in ``column`` (to name a line the store refused)."""
    for line, values in _Rows(source).rows:
        if values.get(column) == value:
            return msg("where.line_column", line=line, column=column)
    return None


def parse(source: SourceFile) -> ImportBatch:
    rows = _Rows(source)
    if not rows.rows:
        raise source.reject(msg("where.file"), msg("problem.empty_file"))
    as_of = None
    if "data_as_of" in rows.columns:
        as_of = _Row(rows, rows.rows[0][0], rows.rows[0][1]).datetime("data_as_of")
    if as_of is None:
        as_of = datetime.fromtimestamp(source.path.stat().st_mtime, tz=clock.hospital_zone())
    batch = source.batch("csv", as_of)
    for marker, reader in _TABLES:
        if marker in rows.columns:
            reader(rows, batch)
            return batch
    raise source.reject(msg("where.line", line=1),
                        msg("csv.unknown_table", columns=", ".join(rows.columns)))
