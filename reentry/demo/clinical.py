"""Synthetic dossier content: allergies, prescriptions, doses given, vital signs.

Everything is relative to the "data as of" instant and follows the ward: a post-operative
patient has pain that eases over the days, a febrile patient a faster pulse, a child a child's
heart rate and doses per kilogram. Planned times are the hospital's local wall-clock times.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo

from reentry.demo.drugs import (
    CHRONIC,
    CONTRAINDICATED,
    DRUGS,
    EXCLUSIVE_CLASS,
    FALLBACK,
    PEDIATRIC_FALLBACK,
    WARD_MIXES,
    DrugSpec,
)
from reentry.model import Administration, Allergy, Observation, PatientKey, Prescription, Sex

HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Inpatient:
    """What the clinical generators need to know about one patient in one bed."""

    key: PatientKey
    nda: str
    sex: Sex
    age_years: float
    kind: str
    room: str
    admitted_at: datetime
    as_of: datetime
    zone: tzinfo
    nurses: tuple[str, ...]
    aides: tuple[str, ...]
    weight_kg: float

    @property
    def is_child(self) -> bool:
        return self.age_years < 18


def estimated_weight(rng: random.Random, age_years: float, sex: Sex) -> float:
    """Body weight for the age (children's doses are per kilogram), rounded to 0.1 kg."""
    if age_years < 1:
        typical = 3.5 + 7 * age_years
    elif age_years < 12:
        typical = 8 + 2.5 * age_years
    elif age_years < 18:
        typical = 3.5 * age_years - 4
    else:
        typical = 66 if sex is Sex.FEMALE else 78
    return round(max(2.5, typical * rng.uniform(0.82, 1.25)), 1)


def local_times(start: datetime, end: datetime, clock_times: tuple[str, ...],
                zone: tzinfo) -> Iterator[datetime]:
    """Each "HH:MM" of local wall-clock time falling in ``(start, end]``, as UTC instants."""
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        for text in clock_times:
            hours, minutes = text.split(":")
            moment = datetime.combine(day, time(int(hours), int(minutes)), tzinfo=zone)
            moment = moment.astimezone(UTC)
            if start < moment <= end:
                yield moment


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


# -- allergies ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Allergen:
    substance: str
    weight: float
    reactions: tuple[str, ...]
    children_only: bool = False


ALLERGENS = (
    Allergen("pénicilline", 5, ("urticaire généralisée", "œdème de Quincke",
                                "choc anaphylactique", "éruption cutanée")),
    Allergen("amoxicilline", 4, ("éruption cutanée", "urticaire", "prurit")),
    Allergen("céphalosporines", 1, ("urticaire", "éruption cutanée")),
    Allergen("iode (produits de contraste iodés)", 3, ("urticaire", "bronchospasme",
                                                        "choc anaphylactique")),
    Allergen("latex", 2, ("eczéma de contact", "urticaire de contact", "rhinite")),
    Allergen("AINS", 3, ("bronchospasme", "œdème de Quincke", "urticaire")),
    Allergen("aspirine", 1, ("bronchospasme", "urticaire")),
    Allergen("codéine", 2, ("nausées et vomissements", "prurit", "somnolence excessive")),
    Allergen("morphine", 1, ("prurit", "nausées et vomissements", "confusion")),
    Allergen("tramadol", 1, ("nausées et vomissements", "vertiges", "confusion")),
    Allergen("arachide", 2, ("œdème de Quincke", "choc anaphylactique", "urticaire")),
    Allergen("fruits à coque", 1, ("urticaire", "œdème de Quincke")),
    Allergen("sulfamides", 2, ("éruption cutanée", "syndrome de Stevens-Johnson")),
    Allergen("sparadrap", 1, ("irritation cutanée",)),
    Allergen("héparine", 0.5, ("thrombopénie induite par l'héparine",)),
    Allergen("métoclopramide", 0.5, ("syndrome extrapyramidal",)),
    Allergen("protéines de lait de vache", 2, ("vomissements", "urticaire", "diarrhée"),
             children_only=True),
    Allergen("œuf", 1.5, ("urticaire", "œdème de Quincke"), children_only=True),
)
SEVERE_REACTIONS = frozenset({
    "choc anaphylactique", "œdème de Quincke", "bronchospasme", "syndrome de Stevens-Johnson",
    "thrombopénie induite par l'héparine",
})
ALLERGY_SHARE = 0.30


def _allergy(rng: random.Random, patient: Inpatient, allergen: Allergen,
             number: int) -> Allergy:
    """One documented allergy; FHIR vocabulary for severity (mild/moderate/severe) and
    criticality (low/high/unable-to-assess), as the FHIR imports store them."""
    reaction = rng.choice(allergen.reactions)
    if reaction in SEVERE_REACTIONS:
        severity, criticality = "severe", "high"
    else:
        severity = rng.choices(("mild", "moderate"), (3, 2))[0]
        criticality = rng.choices(("low", "unable-to-assess", "high"), (8, 1, 1))[0]
    age_days = max(2.0, patient.age_years * 365.25 - 20)
    if rng.random() < 0.1:
        recorded = patient.admitted_at + rng.uniform(0.2, 2) * HOUR
    else:
        recorded = patient.as_of - timedelta(days=rng.uniform(1, min(age_days, 4000)))
    return Allergy(
        source_id=f"demo-alg-{patient.nda}-{number}", patient=patient.key,
        substance=allergen.substance, reaction=reaction, severity=severity,
        criticality=criticality, recorded_at=_minute(min(recorded, patient.as_of)),
    )


def allergies_for(rng: random.Random, patient: Inpatient) -> list[Allergy]:
    """About 30 % of patients have one or two documented allergies."""
    if rng.random() >= ALLERGY_SHARE:
        return []
    choices = [a for a in ALLERGENS if patient.is_child or not a.children_only]
    count = rng.choices((1, 2), (4, 1))[0]
    picked: list[Allergen] = []
    while len(picked) < count:
        allergen = rng.choices(choices, [a.weight for a in choices])[0]
        if allergen not in picked:
            picked.append(allergen)
    return [_allergy(rng, patient, allergen, n) for n, allergen in enumerate(picked, 1)]


# -- prescriptions --------------------------------------------------------------------------

PAIN_MOLECULES = frozenset({"paracétamol", "morphine", "oxycodone", "tramadol", "néfopam",
                            "kétoprofène", "ibuprofène", "sufentanil"})
IN_PAIN = 2.5  # a usual pain score from which the patient has a pain medicine


def _forbidden_molecules(allergies: list[Allergy]) -> set[str]:
    forbidden: set[str] = set()
    for allergy in allergies:
        forbidden.update(CONTRAINDICATED.get(allergy.substance, ()))
    return forbidden


@dataclass(slots=True)
class _DrugPicker:
    """Collects a patient's drugs, never twice the same molecule or exclusive class."""

    patient: Inpatient
    forbidden: set[str]
    picked: list[DrugSpec] = field(default_factory=list)

    def fits(self, spec: DrugSpec) -> bool:
        if spec.molecule in self.forbidden or (spec.males_only and self.patient.sex is not
                                               Sex.MALE):
            return False
        taken_classes = {EXCLUSIVE_CLASS.get(s.molecule) for s in self.picked} - {None}
        return all(s.molecule != spec.molecule for s in self.picked) and (
            EXCLUSIVE_CLASS.get(spec.molecule) not in taken_classes)

    def add(self, key: str) -> None:
        spec = DRUGS[key]
        if self.fits(spec):
            self.picked.append(spec)


def _chronic_count(rng: random.Random, age_years: float) -> int:
    """Older adults bring more long-term treatments."""
    expected = max(0.0, (age_years - 35) / 12)
    return min(6, int(rng.uniform(0.5, 1.5) * expected))


def pick_drugs(rng: random.Random, patient: Inpatient, allergies: list[Allergy],
               in_pain: bool) -> list[DrugSpec]:
    """The ward's usual drugs, long-term treatments, a few as-needed ones: 2 to 12 in all.

    A patient whose pain is charted gets paracétamol if the ward's drugs had no pain medicine.
    """
    mix = WARD_MIXES[patient.kind]
    picker = _DrugPicker(patient, _forbidden_molecules(allergies))
    for key, odds in mix.core:
        if rng.random() < odds:
            picker.add(key)
    if in_pain and not any(spec.molecule in PAIN_MOLECULES for spec in picker.picked):
        picker.add("ped_paracetamol" if patient.is_child else "paracetamol_po")
    if mix.chronic and not patient.is_child:
        keys, weights = [k for k, _ in CHRONIC], [w for _, w in CHRONIC]
        for _ in range(_chronic_count(rng, patient.age_years)):
            picker.add(rng.choices(keys, weights)[0])
    for key in rng.sample(mix.extras, rng.randint(0, min(2, len(mix.extras)))):
        picker.add(key)
    low, high = mix.count
    fallback = PEDIATRIC_FALLBACK if patient.is_child else FALLBACK
    for key in (*fallback, *(k for k, _ in mix.core), *mix.extras):
        if len(picker.picked) >= max(2, low):
            break
        picker.add(key)
    return picker.picked[: min(12, high)]


def _dose(spec: DrugSpec, weight_kg: float) -> float:
    if spec.per_kg is None:
        return spec.dose
    dose = min(spec.per_kg * weight_kg, spec.max_dose or math.inf)
    return max(spec.step, round(dose / spec.step) * spec.step)


def _start(rng: random.Random, patient: Inpatient) -> datetime:
    """Most drugs are prescribed on admission; some were added later in the stay."""
    latest = patient.as_of - timedelta(minutes=10)
    if rng.random() < 0.75:
        start = patient.admitted_at + rng.uniform(0.25, 3) * HOUR
    else:
        start = patient.admitted_at + rng.random() * (latest - patient.admitted_at)
    return _minute(min(start, latest))


def prescriptions_for(rng: random.Random, patient: Inpatient, allergies: list[Allergy],
                      in_pain: bool = False) -> list[Prescription]:
    prescriptions = []
    for number, spec in enumerate(pick_drugs(rng, patient, allergies, in_pain), 1):
        start = _start(rng, patient)
        end = None
        if spec.course_days and start + timedelta(days=spec.course_days) > patient.as_of:
            end = start + timedelta(days=spec.course_days)
        prescriptions.append(Prescription(
            source_id=f"demo-rx-{patient.nda}-{number:02d}", patient=patient.key,
            drug=spec.drug, nda=patient.nda, dose=_dose(spec, patient.weight_kg),
            unit=spec.unit, route=spec.route, schedule=spec.schedule,
            frequency=spec.frequency_text, start=start, end=end,
        ))
    return prescriptions


# -- doses given ----------------------------------------------------------------------------

def administrations_for(rng: random.Random, patient: Inpatient,
                        prescriptions: list[Prescription]) -> list[Administration]:
    """The doses of the last 24 h: every planned time since the start, a few as-needed ones."""
    given: list[tuple[datetime, Prescription]] = []
    since = patient.as_of - 24 * HOUR
    for prescription in prescriptions:
        start = max(since, prescription.start or since)
        if prescription.schedule:
            for moment in local_times(start, patient.as_of, prescription.schedule,
                                      patient.zone):
                late = timedelta(minutes=rng.randint(-10, 35))
                given.append((min(max(moment + late, start), patient.as_of), prescription))
        elif rng.random() < 0.45:
            for _ in range(rng.randint(1, 2)):
                moment = start + rng.random() * (patient.as_of - start)
                given.append((moment, prescription))
    given.sort(key=lambda item: (item[0], item[1].source_id))
    return [
        Administration(
            source_id=f"demo-adm-{patient.nda}-{number:03d}", patient=patient.key,
            drug=prescription.drug, at=_minute(moment), nda=patient.nda,
            dose=prescription.dose, unit=prescription.unit, route=prescription.route,
            status="not-done" if rng.random() < 0.03 else "completed",
            performer=rng.choice(patient.nurses),
        )
        for number, (moment, prescription) in enumerate(given, 1)
    ]


# -- vital signs ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class VitalSign:
    """A vital sign as charted: LOINC code, French label, UCUM unit, plausible range."""

    name: str
    code: str
    label: str
    unit: str
    low: float
    high: float
    decimals: int = 0


VITAL_SIGNS = (
    VitalSign("systolic", "8480-6", "Pression artérielle systolique", "mm[Hg]", 60, 230),
    VitalSign("diastolic", "8462-4", "Pression artérielle diastolique", "mm[Hg]", 30, 140),
    VitalSign("heart_rate", "8867-4", "Fréquence cardiaque", "/min", 35, 210),
    VitalSign("temperature", "8310-5", "Température corporelle", "Cel", 34.5, 41.5, 1),
    VitalSign("spo2", "2708-6", "Saturation en oxygène (SpO2)", "%", 75, 100),
    VitalSign("resp_rate", "9279-1", "Fréquence respiratoire", "/min", 8, 60),
    VitalSign("pain", "72514-3", "Douleur (EVA 0-10)", "{score}", 0, 10),
)
VITALS_BY_NAME = {sign.name: sign for sign in VITAL_SIGNS}

# Local hours of the vital-sign rounds, by interval.
ROUND_HOURS = {
    4: ("02:00", "06:00", "10:00", "14:00", "18:00", "22:00"),
    6: ("00:00", "06:00", "12:00", "18:00"),
    8: ("06:00", "14:00", "22:00"),
}
INTENSIVE = frozenset({"rea", "usic"})
POST_OPERATIVE = frozenset({"chir", "ortho"})
BREATHING = frozenset({"pneumo", "rea"})


@dataclass(frozen=True, slots=True)
class Round:
    """One vital-sign round: when, and the values taken (by ``VitalSign.name``)."""

    at: datetime
    values: dict[str, float]


@dataclass(frozen=True, slots=True)
class Baseline:
    """A patient's usual values; each round adds noise, fever and the course of pain."""

    systolic: float
    diastolic: float
    heart_rate: float
    temperature: float
    spo2: float
    resp_rate: float
    pain: float
    tachycardia: float
    fever: tuple[datetime, datetime, float] | None


def _child_baseline(rng: random.Random, age: float) -> tuple[float, float, float, float]:
    """(systolic, diastolic, heart rate, respiratory rate) for a child of ``age`` years."""
    if age < 1:
        return rng.gauss(85, 6), rng.gauss(50, 5), rng.gauss(135, 10), rng.gauss(38, 4)
    if age < 6:
        return rng.gauss(95, 7), rng.gauss(58, 5), rng.gauss(110, 10), rng.gauss(26, 3)
    if age < 12:
        return rng.gauss(102, 7), rng.gauss(62, 5), rng.gauss(90, 9), rng.gauss(21, 2)
    return rng.gauss(112, 8), rng.gauss(66, 6), rng.gauss(80, 9), rng.gauss(17, 2)


def _pain_baseline(rng: random.Random, kind: str) -> float:
    if kind in POST_OPERATIVE:
        return rng.uniform(2.5, 6)
    if kind in ("maternite", "onco"):
        return rng.uniform(1, 4)
    return rng.choices((rng.uniform(0, 1.5), rng.uniform(1.5, 5)), (3, 1))[0]


def _fever(rng: random.Random, patient: Inpatient,
           start: datetime) -> tuple[datetime, datetime, float] | None:
    """A fever episode (start, end, peak rise in °C) for some patients, likelier in ICU."""
    odds = 0.3 if patient.kind in INTENSIVE | BREATHING | {"onco", "medecine"} else 0.12
    if rng.random() >= odds:
        return None
    onset = start + rng.random() * (patient.as_of - start)
    return onset, onset + rng.uniform(6, 20) * HOUR, rng.uniform(1.2, 2.6)


def make_baseline(rng: random.Random, patient: Inpatient, start: datetime) -> Baseline:
    if patient.is_child:
        systolic, diastolic, heart_rate, resp_rate = _child_baseline(rng, patient.age_years)
    else:
        systolic = rng.gauss(118 + 0.35 * max(0.0, patient.age_years - 40), 12)
        diastolic = rng.gauss(systolic * 0.58, 6)
        heart_rate = rng.gauss(76, 9)
        resp_rate = rng.gauss(20 if patient.kind in BREATHING else 16, 2)
    spo2 = rng.gauss(93.5, 1.8) if patient.kind in BREATHING else rng.gauss(97, 1.2)
    return Baseline(
        systolic=systolic, diastolic=diastolic, heart_rate=heart_rate,
        temperature=rng.gauss(36.8, 0.25), spo2=min(spo2, 99.5), resp_rate=resp_rate,
        pain=_pain_baseline(rng, patient.kind),
        tachycardia=rng.uniform(20, 40) if rng.random() < 0.1 else 0.0,
        fever=_fever(rng, patient, start),
    )


def _fever_rise(baseline: Baseline, moment: datetime) -> float:
    if baseline.fever is None:
        return 0.0
    onset, end, peak = baseline.fever
    if not onset <= moment <= end:
        return 0.0
    middle = onset + (end - onset) / 2
    return peak * (1 - abs((moment - middle) / ((end - onset) / 2)) * 0.5)


def _clamp(sign: VitalSign, value: float) -> float:
    value = min(sign.high, max(sign.low, value))
    return round(value, sign.decimals) if sign.decimals else float(round(value))


def measure(rng: random.Random, patient: Inpatient, baseline: Baseline,
            moment: datetime, full: bool) -> dict[str, float]:
    """One round of values. ``full`` adds respiratory rate and pain, not charted every time."""
    rise = _fever_rise(baseline, moment)
    days_in = (moment - patient.admitted_at) / timedelta(days=1)
    pain = baseline.pain * (math.exp(-days_in / 3) if patient.kind in POST_OPERATIVE else 1)
    systolic = baseline.systolic + rng.gauss(0, 8)
    raw = {
        "systolic": systolic,
        "diastolic": min(baseline.diastolic + rng.gauss(0, 6), systolic - 25),
        "heart_rate": baseline.heart_rate + baseline.tachycardia + 9 * rise + rng.gauss(0, 5),
        "temperature": baseline.temperature + rise + rng.gauss(0, 0.15),
        "spo2": baseline.spo2 - 0.8 * rise + rng.gauss(0, 0.9),
    }
    if full:
        raw["resp_rate"] = baseline.resp_rate + 2 * rise + rng.gauss(0, 1.5)
        raw["pain"] = pain + rng.gauss(0, 1)
    return {name: _clamp(VITALS_BY_NAME[name], value) for name, value in raw.items()}


def round_times(rng: random.Random, patient: Inpatient, start: datetime) -> list[datetime]:
    """Rounds every 4 to 8 h at the ward's usual hours (taken within the next 45 minutes), plus
    the vital signs taken on arrival."""
    interval = 4 if patient.kind in INTENSIVE else rng.choices((4, 6, 8), (1, 3, 2))[0]
    times = []
    for planned in local_times(start, patient.as_of, ROUND_HOURS[interval], patient.zone):
        moment = planned + timedelta(minutes=rng.randint(0, 45))
        if moment <= patient.as_of:
            times.append(_minute(moment))
    if patient.admitted_at >= start:
        arrival = patient.admitted_at + timedelta(minutes=rng.randint(10, 40))
        if arrival <= patient.as_of:
            times.append(_minute(arrival))
    return sorted(set(times))


def chart_window(rng: random.Random, patient: Inpatient) -> datetime:
    """Where the charted history starts, not before admission: early enough that the first
    round (at most 8 h 45 later) still leaves at least 24 h of vital signs, and at most 72 h
    before "as of"."""
    return max(patient.admitted_at, patient.as_of - rng.uniform(33, 72) * HOUR)


def vital_signs_for(rng: random.Random, patient: Inpatient, start: datetime,
                    baseline: Baseline) -> tuple[list[Observation], list[Round]]:
    full_odds = 1.0 if patient.kind in INTENSIVE | BREATHING else 0.7
    rounds = [Round(moment, measure(rng, patient, baseline, moment, rng.random() < full_odds))
              for moment in round_times(rng, patient, start)]
    observations: list[Observation] = []
    for round_ in rounds:
        for name, value in round_.values.items():
            sign = VITALS_BY_NAME[name]
            observations.append(Observation(
                source_id=f"demo-obs-{patient.nda}-{len(observations) + 1:04d}",
                patient=patient.key, code=sign.code, label=sign.label,
                effective_at=round_.at, nda=patient.nda, value=value, unit=sign.unit,
            ))
    return observations, rounds
