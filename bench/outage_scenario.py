"""A synthetic outage with ground truth, shared by the reconciliation benchmarks.

Paper items (vital signs, administrations, notes) for many patients over 12 hours, and what the
SIH holds after recovery: a copy of each paper item charted by the nurse who wrote it, except
where the scenario says otherwise:

- **omitted** (5 %): never charted → truth ``missing``;
- **duplicated** (3 %): charted twice, the second copy within 2 min of the paper time →
  ``duplicate``;
- **changed** (4 %, not notes): value ± 1 or 2 steps, dose doubled, route swapped, a refused dose
  charted as given → ``differs``;
- **time jitter** (± 4 min) on every copy; **brand ↔ INN swaps** (paper « Doliprane 1000 »,
  SIH « paracétamol ») and **typos** in the paper's drug names (« furosemde »);
- **monitor readings as confounders**: a third of the patients (by default) have heart rate and
  SpO2 recorded by a monitor every 5 min (a random walk around the patient's own level), and
  half the time the nurse wrote what the monitor showed, so an omitted paper value often has
  a reading of equal
  value a few minutes away. Half the monitors sign as a device (« Moniteur lit 12 »), half give
  no author (told by their rhythm); ``anonymous`` removes every author from the SIH side, as an
  export that carries none;
- **temporary identities**: some patients were admitted under a temporary identifier; their paper
  items carry it, their SIH copies the real IPP, and an identity file pairs each temporary
  identity (written with a downtime admission's errors) with the SIH's patients;
- lab results with no paper source fill the SIH up to the requested size.

Files are the documented item CSV (plus a ``status`` column for refused doses) and the identity
CSV of ``reentry link-identities``; ``truth.csv`` gives every paper item's expected verdict.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_identity import downtime_copy, identity_row, swap_day_month  # noqa: E402

from reentry import clock  # noqa: E402
from reentry.demo.people import make_person  # noqa: E402
from reentry.reconcile.identity_table import COLUMNS  # noqa: E402
from reentry.reconcile.items import PaperItem, SihItem  # noqa: E402

START = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
HOURS = 12
TODAY = date(2026, 11, 23)
AGES = (0.0, 60.0, 100.0)
VITALS = {  # LOINC: (unit, low, high, decimals)
    "8480-6": ("mm[Hg]", 95, 160, 0), "8462-4": ("mm[Hg]", 50, 95, 0),
    "8867-4": ("/min", 55, 110, 0), "8310-5": ("Cel", 36.0, 39.5, 1),
    "2708-6": ("%", 90, 100, 0), "9279-1": ("/min", 12, 26, 0),
    "72514-3": ("{score}", 0, 10, 0),
}
MONITOR_CODES = ("8867-4", "2708-6")
# (paper as written, SIH as written, dose, paper unit, SIH unit, route)
DRUGS = [
    ("Doliprane 1000", "paracétamol", 1, "g", "mg", "PO"),
    ("DAFALGAN 1 g", "Paracetamol", 1, "g", "g", "per os"),
    ("Perfalgan", "paracétamol", 1000, "mg", "mg", "IV"),
    ("Kardegic 75", "acide acétylsalicylique", 75, "mg", "mg", "PO"),
    ("Lovenox 4000 UI", "énoxaparine sodique", 4000, "UI", "[iU]", "SC"),
    ("Levothyrox 75", "lévothyroxine", 75, "µg", "ug", "PO"),
    ("Augmentin 1 g", "amoxicilline + acide clavulanique", 1, "g", "mg", "IV"),
    ("Inexium 40", "ésoméprazole", 40, "mg", "mg", "PO"),
    ("Lasilix 40 mg", "furosémide", 40, "mg", "mg", "IV"),
    ("Tahor 40", "atorvastatine", 40, "mg", "mg", "PO"),
    ("Eliquis 5 mg", "apixaban", 5, "mg", "mg", "PO"),
    ("Lantus", "insuline glargine", 12, "UI", "UI", "SC"),
    ("Seresta 10", "oxazépam", 10, "mg", "mg", "PO"),
    ("Topalgic 50", "tramadol", 50, "mg", "mg", "PO"),
    ("Spasfon", "phloroglucinol", 80, "mg", "mg", "PO"),
    ("Forlax", "macrogol", 10, "g", "g", "PO"),
    ("Zophren 4 mg", "ondansétron", 4, "mg", "mg", "IV"),
    ("Primperan", "métoclopramide", 10, "mg", "mg", "IV"),
    ("Solupred 20", "prednisolone", 20, "mg", "mg", "PO"),
    ("Cortancyl 20", "prednisone", 20, "mg", "mg", "PO"),
    ("Ventoline", "salbutamol", 5, "mg", "mg", "inhalée"),
    ("Acupan", "néfopam", 20, "mg", "mg", "IV"),
    ("furosémide", "Furosemide", 20, "mg", "mg", "IV"),
    ("amoxicilline", "AMOXICILLINE", 1, "g", "g", "PO"),
    ("paracétamol", "Doliprane", 1, "g", "g", "PO"),
]
TYPOS = {"furosémide": "furosemde", "amoxicilline": "amoxicilin", "Spasfon": "Spasfom",
         "Primperan": "Primperam", "Forlax": "Forlaxe"}
NOTES = [
    "Patient calme, a dormi toute la nuit, pas de douleur.",
    "Douleur abdominale à 6/10, antalgique donné, réévaluation à 1 h.",
    "Pansement refait, cicatrice propre, pas d'écoulement.",
    "Agitation vers 2 h, réorienté, famille prévenue le matin.",
    "Chute sans gravité au lever, pas de plaie, médecin informé.",
    "Bilan entrées sorties : 1200 mL bus, diurèse 900 mL.",
]
NURSES = ("C.D. (IDE)", "M.L. (IDE)", "S.B. (IDE)", "A.R. (IDE)", "J.P. (IDE)", "N.G. (AS)")
ITEM_HEADER = ("record_id", "ipp", "nda", "kind", "code", "value", "unit", "route",
               "effective_time", "author", "text", "status")


@dataclass
class Truth:
    verdict: str
    monitored: bool = False
    temporary: str = ""  # the temporary identifier the paper item was written under


@dataclass
class Scenario:
    paper: list[PaperItem]
    sih: list[SihItem]
    truth: dict[str, Truth]
    patients: list[list[str]]  # identity rows of the SIH's patients
    temporary: list[list[str]]  # identity rows of the temporary identities
    identity_truth: dict[str, str]  # temporary id -> real IPP


def _value(rng: random.Random, code: str) -> float:
    _, low, high, decimals = VITALS[code]
    return round(rng.uniform(low, high), decimals) if decimals else float(rng.randint(low, high))


def _monitor(rng: random.Random, ipp: str, device: str | None, serial: int
             ) -> tuple[list[SihItem], dict[str, list[tuple[datetime, float]]]]:
    """Heart rate and SpO2 every 5 min from 1 h before to 1 h after the outage."""
    offset = timedelta(seconds=rng.randrange(300))
    level = {"8867-4": float(rng.randint(60, 100)), "2708-6": float(rng.randint(93, 99))}
    bounds = {"8867-4": (45.0, 140.0), "2708-6": (85.0, 100.0)}
    readings: list[SihItem] = []
    series: dict[str, list[tuple[datetime, float]]] = {code: [] for code in MONITOR_CODES}
    for step in range(-12, HOURS * 12 + 12):
        at = START + timedelta(seconds=step * 300) + offset
        for code in MONITOR_CODES:
            low, high = bounds[code]
            level[code] = min(high, max(low, level[code] + rng.choice((-2, -1, 0, 0, 1, 2))))
            serial += 1
            readings.append(SihItem(f"m{serial}", ipp, "vital_sign", code, at, level[code],
                                    unit=VITALS[code][0], author=device))
            series[code].append((at, level[code]))
    return readings, series


def _screen_value(series: list[tuple[datetime, float]], at: datetime) -> float:
    """What the monitor showed at that time (the nearest reading)."""
    return min(series, key=lambda reading: abs((reading[0] - at).total_seconds()))[1]


def _changed(rng: random.Random, copy: SihItem) -> SihItem:
    if copy.kind == "vital_sign":
        step = 1.0 if copy.code != "8310-5" else 0.3
        return replace(copy, value=round((copy.value or 0) + rng.choice((-2, -1, 1, 2)) * step, 1))
    if copy.status == "not-done":
        return replace(copy, status="completed", value=1.0)
    if rng.random() < 0.5:
        return replace(copy, value=(copy.value or 0) * 2)
    return replace(copy, route="IV" if copy.route != "IV" else "PO")


def _item(rng: random.Random, serial: int, ipp: str, written_under: str, at: datetime,
          monitored: dict[str, list[tuple[datetime, float]]] | None
          ) -> tuple[PaperItem, SihItem, bool]:
    kind = rng.choices(("vital_sign", "medication_administration", "nursing_note"),
                       (70, 25, 5))[0]
    item_id, nurse = f"p{serial}", rng.choice(NURSES)
    if kind == "vital_sign":
        code = rng.choice(list(VITALS))
        on_monitor = monitored is not None and code in MONITOR_CODES
        if monitored is not None and on_monitor and rng.random() < 0.5:
            value = _screen_value(monitored[code], at)  # the nurse wrote what the screen showed
        else:
            value = _value(rng, code)
        unit = VITALS[code][0]
        paper = PaperItem(item_id, written_under, kind, code, at, value, unit=unit, author=nurse)
        copy = SihItem("s" + item_id, ipp, kind, code, at, value, unit=unit, author=nurse)
        return paper, copy, on_monitor
    if kind == "medication_administration":
        written, sih_name, dose, unit, sih_unit, route = rng.choice(DRUGS)
        if written in TYPOS and rng.random() < 0.3:
            written = TYPOS[written]
        sih_dose = dose * (1000 if (unit, sih_unit) == ("g", "mg") else 1)
        given = rng.random() >= 0.03
        paper = PaperItem(item_id, written_under, kind, written, at, dose if given else None,
                          unit=unit, route=route, status="completed" if given else "not-done",
                          author=nurse)
        copy = SihItem("s" + item_id, ipp, kind, sih_name, at, sih_dose if given else None,
                       unit=sih_unit, route=route, status=paper.status, author=nurse)
        return paper, copy, False
    text = rng.choice(NOTES) + f" Lit {rng.randrange(1, 30)}."
    paper = PaperItem(item_id, written_under, kind, "", at, text=text, author=nurse)
    copy = SihItem("s" + item_id, ipp, kind, "", at, text=text.lower().rstrip("."),
                   author=nurse)
    return paper, copy, False


def scenario(paper_count: int, sih_target: int, seed: int, *, per_patient: int = 100,
             temporary: int = 0, extra_patients: int = 0, anonymous: bool = False,
             monitored_every: int = 3) -> Scenario:
    """``per_patient`` paper items per patient; ``temporary`` of them admitted under a
    temporary identity; ``extra_patients`` other SIH patients in the patient file; a monitor
    on one patient in ``monitored_every``."""
    rng = random.Random(seed)
    patient_count = max(1, paper_count // per_patient)
    nirs: set[str] = set()
    people = [make_person(rng, f"{9000000 + p:09d}", AGES, 0.52, TODAY, nirs).patient
              for p in range(patient_count)]
    ipps = [p.ipp or "" for p in people]
    temporary_of: dict[str, str] = {}
    identity_truth: dict[str, str] = {}
    temporary_rows: list[list[str]] = []
    for n, p in enumerate(sorted(rng.sample(range(patient_count), min(temporary,
                                                                      patient_count)))):
        temp_id = f"TMP{n + 1:06d}"
        temporary_of[ipps[p]] = temp_id
        identity_truth[temp_id] = ipps[p]
        copy, how = downtime_copy(rng, people[p])
        row = identity_row(temp_id, copy)
        temporary_rows.append(swap_day_month(row) if how == "date_swap_text" else row)
    sih: list[SihItem] = []
    screens: dict[str, dict[str, list[tuple[datetime, float]]]] = {}
    serial = 0
    for p in range(0, patient_count, monitored_every):
        device = f"Moniteur lit {p % 40 + 1}" if (p // monitored_every) % 2 == 0 else None
        readings, series = _monitor(rng, ipps[p], device, serial)
        serial += len(readings)
        sih.extend(readings)
        screens[ipps[p]] = series
    paper: list[PaperItem] = []
    truth: dict[str, Truth] = {}
    while len(paper) < paper_count:
        ipp = ipps[rng.randrange(patient_count)]
        at = START + timedelta(minutes=rng.randrange(HOURS * 4) * 15)
        written_under = temporary_of.get(ipp, ipp)
        item, copy, on_monitor = _item(rng, len(paper) + 1, ipp, written_under, at,
                                       screens.get(ipp))
        copy = replace(copy, effective_time=at + timedelta(minutes=rng.randint(-4, 4)))
        fate = rng.random()
        label = "in_sih"
        extra = None
        if fate < 0.05:
            label = "missing"
        elif fate < 0.08:
            label = "duplicate"
            extra = replace(copy, id=copy.id + "-bis",
                            effective_time=at + timedelta(minutes=rng.randint(-2, 2)))
        elif fate < 0.12 and item.kind != "nursing_note":
            label = "differs"
            copy = _changed(rng, copy)
        paper.append(item)
        sih.extend(c for c in (copy if label != "missing" else None, extra) if c is not None)
        truth[item.id] = Truth(label, on_monitor, written_under if written_under != ipp else "")
    serial = 0
    while len(sih) < sih_target:
        serial += 1
        at = START + timedelta(minutes=rng.randrange(-120, HOURS * 60 + 120))
        sih.append(SihItem(f"l{serial}", ipps[rng.randrange(patient_count)], "vital_sign",
                           "2345-7", at, round(rng.uniform(4, 9), 1), None, "mmol/L",
                           author="Automate labo"))
    if anonymous:
        sih = [replace(s, author=None) for s in sih]
    rng.shuffle(sih)
    patients = [identity_row(p.ipp or "", p) for p in people]
    for n in range(extra_patients):
        other = make_person(rng, f"{8000000 + n:09d}", AGES, 0.52, TODAY, nirs).patient
        patients.append(identity_row(other.ipp or "", other))
    return Scenario(paper, sih, truth, patients, temporary_rows, identity_truth)


def _time(moment: datetime) -> str:
    return clock.local(moment).isoformat(timespec="seconds")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_items(path: Path, items: list[SihItem]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ITEM_HEADER)
        writer.writerows((i.id, i.ipp, i.nda or "", i.kind, i.code, _number(i.value),
                          i.unit or "", i.route or "", _time(i.effective_time), i.author or "",
                          i.text or "", i.status) for i in items)


def write_identities(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def write_scenario(folder: Path, found: Scenario) -> None:
    """paper.csv, sih.csv, truth.csv, temporary.csv, patients.csv, identity_truth.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    write_items(folder / "paper.csv", found.paper)
    write_items(folder / "sih.csv", found.sih)
    write_identities(folder / "temporary.csv", found.temporary)
    write_identities(folder / "patients.csv", found.patients)
    with (folder / "truth.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("item_id", "verdict", "monitored", "temporary"))
        writer.writerows((k, t.verdict, int(t.monitored), t.temporary)
                         for k, t in found.truth.items())
    with (folder / "identity_truth.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("id_left", "id_right"))
        writer.writerows(found.identity_truth.items())


def read_truth(folder: Path) -> tuple[dict[str, Truth], dict[str, str]]:
    with (folder / "truth.csv").open(encoding="utf-8") as handle:
        truth = {r["item_id"]: Truth(r["verdict"], r["monitored"] == "1", r["temporary"])
                 for r in csv.DictReader(handle)}
    with (folder / "identity_truth.csv").open(encoding="utf-8") as handle:
        identities = {r["id_left"]: r["id_right"] for r in csv.DictReader(handle)}
    return truth, identities
