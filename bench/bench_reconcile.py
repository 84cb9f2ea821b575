"""Item reconciliation: precision and recall per verdict on a scenario with ground truth, and speed.

A synthetic outage: paper items (vital signs, administrations, notes) for many patients, and what
the SIH holds after recovery: a copy of each paper item, except where the scenario says
otherwise (omitted, duplicated, value / dose / route / status changed), with time jitter,
brand ↔ INN swaps and typos in the paper's drug names; plus SIH activity with no paper source
(monitor readings every 5 min, lab results). Prints precision and recall per verdict, then the
time of ``reconcile`` and items per second. No assertion on time.

    .venv/bin/python bench/bench_reconcile.py [--paper 100000] [--sih 1000000] [--seed 1]

The monitor readings (heart rate, SpO2) are of the same codes as paper items: a paper value
whose copy was omitted may then match a monitor reading of equal value within the tolerance
(the SIH does hold that value), which the figures show separately (``--no-monitor-codes`` puts
the monitors on codes that the paper does not chart, to measure everything else alone).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from reentry.reconcile.items import PaperItem, SihItem, reconcile

START = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
HOURS = 12
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


@dataclass
class Truth:
    verdict: str
    monitored: bool = False


def _value(rng: random.Random, code: str) -> float:
    _, low, high, decimals = VITALS[code]
    return round(rng.uniform(low, high), decimals) if decimals else float(rng.randint(low, high))


def scenario(paper_count: int, sih_target: int, seed: int, monitor_codes: bool
             ) -> tuple[list[PaperItem], list[SihItem], dict[str, Truth]]:
    rng = random.Random(seed)
    patients = max(1, paper_count // 100)
    paper: list[PaperItem] = []
    sih: list[SihItem] = []
    truth: dict[str, Truth] = {}
    monitored = {f"{9000000 + p:09d}" for p in range(patients) if p % 3 == 0}
    serial = 0
    while len(paper) < paper_count:
        serial += 1
        ipp = f"{9000000 + rng.randrange(patients):09d}"
        at = START + timedelta(minutes=rng.randrange(HOURS * 4) * 15)
        kind = rng.choices(("vital_sign", "medication_administration", "nursing_note"),
                           (70, 25, 5))[0]
        item_id = f"p{serial}"
        copy: SihItem | None
        if kind == "vital_sign":
            code = rng.choice(list(VITALS))
            value = _value(rng, code)
            unit = VITALS[code][0]
            item = PaperItem(item_id, ipp, kind, code, at, value, unit=unit, author="MD")
            copy = SihItem("s" + item_id, ipp, kind, code, at, value, unit=unit)
            is_monitored = monitor_codes and ipp in monitored and code in MONITOR_CODES
        elif kind == "medication_administration":
            written, sih_name, dose, unit, sih_unit, route = rng.choice(DRUGS)
            if written in TYPOS and rng.random() < 0.3:
                written = TYPOS[written]
            sih_dose = dose * (1000 if (unit, sih_unit) == ("g", "mg") else 1)
            status = "not-done" if rng.random() < 0.03 else "completed"
            item = PaperItem(item_id, ipp, kind, written, at, dose if status == "completed"
                             else None, unit=unit, route=route, status=status, author="MD")
            copy = SihItem("s" + item_id, ipp, kind, sih_name, at,
                           sih_dose if status == "completed" else None, unit=sih_unit,
                           route=route, status=status)
            is_monitored = False
        else:
            text = rng.choice(NOTES) + f" Lit {rng.randrange(1, 30)}."
            item = PaperItem(item_id, ipp, kind, "", at, text=text, author="MD")
            copy = SihItem("s" + item_id, ipp, kind, "", at, text=text.lower().rstrip("."))
            is_monitored = False
        jitter = timedelta(minutes=rng.randint(-4, 4))
        copy = replace(copy, effective_time=at + jitter)
        fate = rng.random()
        label = "in_sih"
        if fate < 0.05:
            label, copy = "missing", None
        elif fate < 0.08:
            label = "duplicate"
            sih.append(replace(copy, id=copy.id + "-bis", effective_time=copy.effective_time
                               if is_monitored else at + timedelta(minutes=rng.randint(-2, 2))))
        elif fate < 0.12 and kind != "nursing_note":
            label = "differs"
            copy = _changed(rng, copy)
        paper.append(item)
        if copy is not None:
            sih.append(copy)
        truth[item_id] = Truth(label, is_monitored)
    _fill(rng, sih, sih_target, patients, monitor_codes)
    rng.shuffle(sih)
    return paper, sih, truth


def _changed(rng: random.Random, copy: SihItem) -> SihItem:
    if copy.kind == "vital_sign":
        step = 1.0 if copy.code != "8310-5" else 0.3
        return replace(copy, value=round((copy.value or 0) + rng.choice((-2, -1, 1, 2)) * step, 1))
    if copy.status == "not-done":
        return replace(copy, status="completed")
    what = rng.choice(("dose", "route"))
    if what == "dose":
        return replace(copy, value=(copy.value or 0) * 2)
    return replace(copy, route="IV" if copy.route != "IV" else "PO")


def _fill(rng: random.Random, sih: list[SihItem], target: int, patients: int,
          monitor_codes: bool) -> None:
    """SIH activity with no paper source: monitors every 5 min, then lab results."""
    codes = MONITOR_CODES if monitor_codes else ("8889-8", "59408-5")  # other device codes
    n = 0
    for p in range(0, patients, 3):
        ipp = f"{9000000 + p:09d}"
        offset = rng.randrange(300)
        for step in range(-12, HOURS * 12 + 12):
            at = START + timedelta(seconds=step * 300 + offset)
            for code in codes:
                if len(sih) >= target:
                    return
                n += 1
                sih.append(SihItem(f"m{n}", ipp, "vital_sign", code, at,
                                   float(rng.randint(70, 100))))
    while len(sih) < target:
        n += 1
        ipp = f"{9000000 + rng.randrange(patients):09d}"
        at = START + timedelta(minutes=rng.randrange(-120, HOURS * 60 + 120))
        sih.append(SihItem(f"l{n}", ipp, "vital_sign", "2345-7", at, rng.uniform(4, 9), None,
                           "mmol/L"))


def report(verdicts: dict[str, str], truth: dict[str, Truth], label: str) -> None:
    pairs = Counter((truth[i].verdict, v) for i, v in verdicts.items())
    print(f"\n{label}: {len(verdicts)} paper items")
    print(f"{'verdict':<10} {'truth':>7} {'found':>7} {'right':>7} {'precision':>9} {'recall':>7}")
    for name in ("in_sih", "differs", "missing", "duplicate"):
        right = pairs[(name, name)]
        expected = sum(c for (t, _), c in pairs.items() if t == name)
        found = sum(c for (_, v), c in pairs.items() if v == name)
        precision = right / found if found else 1.0
        recall = right / expected if expected else 1.0
        print(f"{name:<10} {expected:>7} {found:>7} {right:>7} {precision:>9.4f} {recall:>7.4f}")
    wrong = Counter({k: c for k, c in pairs.items() if k[0] != k[1]})
    if wrong:
        print("confusions (truth → verdict):",
              ", ".join(f"{t}→{v}: {c}" for (t, v), c in wrong.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paper", type=int, default=100_000)
    parser.add_argument("--sih", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-monitor-codes", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    paper, sih, truth = scenario(args.paper, args.sih, args.seed, not args.no_monitor_codes)
    print(f"scenario: {len(paper)} paper items, {len(sih)} SIH items "
          f"({time.perf_counter() - began:.1f} s to generate)")
    began = time.perf_counter()
    result = reconcile(paper, sih)
    elapsed = time.perf_counter() - began
    verdicts = {v.item_id: v.verdict for v in result.verdicts}
    report(verdicts, truth, "all paper items")
    report({i: v for i, v in verdicts.items() if not truth[i].monitored}, truth,
           "paper items without monitor readings of the same code")
    report({i: v for i, v in verdicts.items() if truth[i].monitored}, truth,
           "paper items with monitor readings of the same code around them")
    print(f"\nunmatched SIH items listed: {len(result.unmatched_sih)}")
    print(f"reconcile: {elapsed:.2f} s; {len(paper) / elapsed:,.0f} paper items/s; "
          f"{(len(paper) + len(sih)) / elapsed:,.0f} items/s both sides (goal ≥ 150,000/s)")


if __name__ == "__main__":
    main()
