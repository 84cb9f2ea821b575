"""A synthetic but realistic French hospital, for demonstrations, training and benchmarks.

``generate_hospital`` builds one ``ImportBatch`` (three sites, fifteen wards, inpatients with
strict identities, allergies, prescriptions, doses given, vital signs and nursing notes), all
relative to a "data as of" instant. Everything is fake and reproducible: the same patient count,
seed and instant give the same batch and the same content hash, so importing the same demo twice
changes nothing. ``create_demo`` stores it.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from reentry import clock
from reentry.demo.clinical import (
    HOUR,
    IN_PAIN,
    Inpatient,
    administrations_for,
    allergies_for,
    chart_window,
    estimated_weight,
    make_baseline,
    prescriptions_for,
    vital_signs_for,
)
from reentry.demo.hospital import MAX_STAY_HOURS, SITES, WardLayout, WardSpec, lay_out_wards
from reentry.demo.notes import notes_for
from reentry.demo.people import make_person, unique_numbers, ward_staff
from reentry.errors import UserError
from reentry.model import (
    Bed,
    ImportBatch,
    ImportOutcome,
    Movement,
    MovementKind,
    PatientKey,
    Stay,
)
from reentry.store.areas import Store

GENERATOR_VERSION = "demo-v1"
SOURCE = "demo"
MAX_PATIENTS = 20_000  # as the command line allows
IPP_PREFIX = "1"
NDA_PREFIX = "5"

__all__ = ["GENERATOR_VERSION", "MAX_PATIENTS", "content_hash", "create_demo", "default_as_of",
           "generate_hospital"]


def default_as_of() -> datetime:
    """Now, rounded down to the hour: a demo made twice in the same hour is the same demo."""
    return clock.now().replace(minute=0, second=0, microsecond=0)


def _as_of(as_of: datetime | None) -> datetime:
    if as_of is None:
        return default_as_of()
    if as_of.tzinfo is None:  # naive times are the hospital's local time, as in files
        return as_of.replace(tzinfo=clock.hospital_zone())
    return as_of


def _check_patients(patients: int) -> None:
    if not 1 <= patients <= MAX_PATIENTS:
        raise UserError("demo.bad_patients", patients=patients, maximum=MAX_PATIENTS)


def content_hash(patients: int, seed: int, as_of: datetime) -> str:
    """What identifies one demo: its parameters, the generator version and the hospital zone."""
    instant = _as_of(as_of).astimezone(UTC).isoformat()
    text = f"{GENERATOR_VERSION}:{patients}:{seed}:{instant}:{clock.hospital_zone()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _Generator:
    """Fills one batch, patient after patient, from a single seeded random stream."""

    rng: random.Random
    batch: ImportBatch
    now: datetime
    today: date
    zone: tzinfo
    layouts: dict[str, WardLayout]
    ipps: list[str]
    ndas: list[str]
    staff: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    nirs_taken: set[str]
    admitted: int = 0

    def admit_all(self) -> None:
        for layout in self.layouts.values():
            for bed in layout.occupied:
                self.admit(layout.spec, bed)

    def admit(self, spec: WardSpec, bed: Bed) -> None:
        rng, number = self.rng, self.admitted
        self.admitted += 1
        person = make_person(rng, self.ipps[number], spec.ages, spec.female_share, self.today,
                             self.nirs_taken)
        patient = person.patient
        key, nda = PatientKey(patient.ipp), self.ndas[number]
        admitted_at = self._admission_time(spec)
        self.batch.patients.append(patient)
        self.batch.stays.append(Stay(nda, key, bed.ward_code, bed.room, bed.bed, admitted_at))
        self.batch.movements.extend(self._movements(spec, bed, nda, admitted_at))
        nurses, aides = self.staff[spec.code]
        inpatient = Inpatient(
            key=key, nda=nda, sex=person.sex, age_years=person.age_years, kind=spec.kind,
            room=bed.room, admitted_at=admitted_at, as_of=self.now, zone=self.zone,
            nurses=nurses, aides=aides,
            weight_kg=estimated_weight(rng, person.age_years, person.sex),
        )
        self._chart(inpatient)

    def _admission_time(self, spec: WardSpec) -> datetime:
        """Hours to three weeks ago; most stays are short, a few long."""
        mean, longest = spec.stay_hours
        hours = min(longest, MAX_STAY_HOURS, 2 + self.rng.expovariate(1 / mean))
        return (self.now - hours * HOUR).replace(second=0, microsecond=0)

    def _movements(self, spec: WardSpec, bed: Bed, nda: str,
                   admitted_at: datetime) -> list[Movement]:
        """An admission into the bed, or an admission elsewhere then a transfer into it."""
        rng = self.rng
        stay_hours = (self.now - admitted_at) / HOUR
        if not spec.transfer_from or stay_hours < 8 or rng.random() >= spec.transfer_share:
            return [Movement(f"demo-mvt-{nda}-1", nda, MovementKind.ADMISSION, admitted_at,
                             bed.ward_code, bed.room, bed.bed)]
        origin = self._bed_in(rng.choice(spec.transfer_from))
        moved_at = admitted_at + rng.uniform(0.25, 0.85) * (self.now - admitted_at)
        return [
            Movement(f"demo-mvt-{nda}-1", nda, MovementKind.ADMISSION, admitted_at,
                     origin.ward_code, origin.room, origin.bed),
            Movement(f"demo-mvt-{nda}-2", nda, MovementKind.TRANSFER,
                     moved_at.replace(second=0, microsecond=0), bed.ward_code, bed.room, bed.bed),
        ]

    def _bed_in(self, ward_code: str) -> Bed:
        """A bed the patient left: one that is empty now if the ward has any."""
        layout = self.layouts[ward_code]
        occupied = set(layout.occupied)
        empty = [bed for bed in layout.beds if bed not in occupied]
        return self.rng.choice(empty or layout.beds)

    def _chart(self, patient: Inpatient) -> None:
        rng, batch = self.rng, self.batch
        start = chart_window(rng, patient)
        baseline = make_baseline(rng, patient, start)
        allergies = allergies_for(rng, patient)
        prescriptions = prescriptions_for(rng, patient, allergies, baseline.pain >= IN_PAIN)
        batch.allergies.extend(allergies)
        batch.prescriptions.extend(prescriptions)
        batch.administrations.extend(administrations_for(rng, patient, prescriptions))
        observations, rounds = vital_signs_for(rng, patient, start, baseline)
        batch.observations.extend(observations)
        batch.notes.extend(notes_for(rng, patient, start, rounds, prescriptions))


def generate_hospital(patients: int = 300, seed: int = 1,
                      as_of: datetime | None = None) -> ImportBatch:
    """The whole demo hospital as one batch; same arguments, same batch."""
    _check_patients(patients)
    as_of = _as_of(as_of)
    rng = random.Random(seed)
    zone = clock.hospital_zone()
    layouts = lay_out_wards(rng, patients)
    batch = ImportBatch(
        source=SOURCE, format=SOURCE, content_hash=content_hash(patients, seed, as_of),
        data_as_of=as_of, sites=list(SITES), wards=[layout.spec.ward for layout in layouts],
        beds=[bed for layout in layouts for bed in layout.beds],
    )
    generator = _Generator(
        rng=rng, batch=batch, now=as_of.astimezone(UTC), today=as_of.astimezone(zone).date(),
        zone=zone, layouts={layout.spec.code: layout for layout in layouts},
        ipps=unique_numbers(rng, patients, IPP_PREFIX),
        ndas=unique_numbers(rng, patients, NDA_PREFIX),
        staff={layout.spec.code: ward_staff(rng, layout.spec.kind) for layout in layouts},
        nirs_taken=set(),
    )
    generator.admit_all()
    return batch


def create_demo(store: Store, patients: int = 300, seed: int = 1,
                as_of: datetime | None = None) -> ImportOutcome:
    """Generate and store the demo hospital in one transaction; a demo already stored is left
    as it is (and not even generated again)."""
    _check_patients(patients)
    as_of = _as_of(as_of)
    wanted = content_hash(patients, seed, as_of)
    for snapshot in store.snapshots():
        if snapshot.content_hash == wanted:
            return ImportOutcome(snapshot, True, {})
    return store.apply_import(generate_hospital(patients, seed, as_of))

