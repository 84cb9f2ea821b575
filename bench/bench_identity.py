"""Identity linking: quality on a labelled synthetic set, and speed against a large SIH index.

The SIH side holds synthetic patients (``reentry.demo`` names by French frequency, strict traits,
test NIRs), with twins (same birth name, date and birthplace, another first name) and fathers and
sons (same names, born 20 to 40 years apart) added on purpose. The left side holds temporary
identities: most are SIH patients written again with the errors of a downtime admission (typos,
used name written as the birth name, day and month swapped, one digit off, missing fields, only
the first first name), the rest are people absent from the SIH, among them the missing twin or
father of an SIH patient. Every left identity knows its true SIH id (or none), so the printout
gives the precision, recall and F1 of ``link``, how many true matches went to ``review`` and how
many wrong links were made.

Linking runs in a child process so that its peak memory (``ru_maxrss``) is its own. Files are
generated once per size and seed in the work folder and reused. No assertion on time.

    .venv/bin/python bench/bench_identity.py [--right 1000000] [--left 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from reentry.demo.people import build_nir, make_person, name_table, proper_case
from reentry.model import Patient, Sex
from reentry.reconcile.identity_table import COLUMNS

TODAY = date(2025, 6, 1)
AGES = (0.0, 55.0, 100.0)
LETTERS = "ABCDEFGHIJKLMNOPRSTUVE"


def identity_row(ident: str, patient: Patient) -> list[str]:
    return [ident, patient.birth_name or "", patient.used_name or "", patient.given_names or "",
            patient.birth_date.isoformat() if patient.birth_date else "",
            patient.sex.value if patient.sex else "", patient.birthplace_insee or "",
            patient.address or "", patient.postcode or "", patient.city or "",
            patient.ins_nir or ""]


def other_first_names(rng: random.Random, patient: Patient) -> str:
    sex = "F" if patient.sex is Sex.FEMALE else "M"
    first = (patient.given_names or "").split(" ")[0]
    while True:
        name = proper_case(name_table(sex).draw(rng))
        if name.upper() != first.upper():
            return name


def relative(rng: random.Random, patient: Patient, kind: str, nirs: set[str]) -> Patient:
    """A twin (same date, other first name) or a father/son (same names, other birth year)."""
    sex = patient.sex or Sex.MALE
    if kind == "twin":
        birth = patient.birth_date
        given = other_first_names(rng, patient)
    else:
        birth = patient.birth_date - timedelta(days=365 * rng.randint(20, 40) + rng.randint(0, 300))
        given = patient.given_names
    nir = (build_nir(rng, sex, birth, patient.birthplace_insee or "69123", nirs)
           if patient.ins_nir else None)
    return replace(patient, ipp=None, birth_date=birth, given_names=given, ins_nir=nir)


def typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    at = rng.randrange(1, len(text))
    action = rng.random()
    if action < 0.5:
        return text[:at] + rng.choice(LETTERS) + text[at + 1:]
    if action < 0.75:
        return text[:at] + text[at + 1:]
    return text[:at - 1] + text[at] + text[at - 1] + text[at + 1:]


def downtime_copy(rng: random.Random, patient: Patient) -> tuple[Patient, str]:
    """The patient as a downtime admission wrote it, and which error was made."""
    roll = rng.random()
    birth = patient.birth_date
    if roll < 0.40:
        return patient, "clean"
    if roll < 0.50:
        return replace(patient, birth_name=typo(rng, patient.birth_name)), "surname_typo"
    if roll < 0.58 and patient.used_name:
        return replace(patient, birth_name=patient.used_name, used_name=None), "used_as_birth"
    if roll < 0.63 and birth.day <= 12 and birth.day != birth.month:
        return replace(patient, ins_nir=None), "date_swap_text"
    if roll < 0.68:
        year = birth.year + rng.choice((-1, 1))
        return replace(patient, birth_date=birth.replace(year=year) if not (
            birth.month == 2 and birth.day == 29) else birth), "year_off"
    if roll < 0.83:
        return replace(patient, birthplace_insee=None, address=None, postcode=None,
                       ins_nir=None), "missing_fields"
    if roll < 0.93:
        first = (patient.given_names or "").split(" ")[0]
        return replace(patient, given_names=first, ins_nir=None), "first_name_only"
    first, *rest = (patient.given_names or "X").split(" ")
    return replace(patient, given_names=" ".join([typo(rng, first), *rest])), "given_typo"


def swap_day_month(row: list[str]) -> list[str]:
    year, month, day = row[4].split("-")
    return [*row[:4], f"{year}-{day}-{month}", *row[5:]]


def generate(folder: Path, right_count: int, left_count: int, seed: int) -> tuple[Path, Path, Path]:
    rng = random.Random(seed)
    nirs: set[str] = set()
    right_path, left_path = folder / "sih.csv", folder / "temporary.csv"
    truth_path = folder / "truth.csv"
    right_people: list[tuple[str, Patient]] = []
    absent: list[Patient] = []
    with right_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        n = 0
        while n < right_count:
            patient = make_person(rng, f"{n:09d}", AGES, 0.52, TODAY, nirs).patient
            writer.writerow(identity_row(f"S{n}", patient))
            right_people.append((f"S{n}", patient))
            n += 1
            roll = rng.random()
            if roll < 0.02 and n < right_count:  # a relative also in the SIH
                kind = "twin" if roll < 0.01 else "parent"
                writer.writerow(identity_row(f"S{n}", relative(rng, patient, kind, nirs)))
                n += 1
            elif roll < 0.04:  # a relative absent from the SIH, who may come as temporary
                absent.append(relative(rng, patient, "twin" if roll < 0.03 else "parent", nirs))
    with left_path.open("w", encoding="utf-8", newline="") as out, \
            truth_path.open("w", encoding="utf-8", newline="") as truth:
        writer, truths = csv.writer(out), csv.writer(truth)
        writer.writerow(COLUMNS)
        truths.writerow(("id_left", "id_right", "kind"))
        for n in range(left_count):
            ident = f"T{n}"
            roll = rng.random()
            if roll < 0.80:
                sih_id, patient = rng.choice(right_people)
                copy, kind = downtime_copy(rng, patient)
                row = identity_row(ident, copy)
                if kind == "date_swap_text":
                    row = swap_day_month(row)
            elif roll < 0.90 and absent:
                sih_id, kind, row = "", "absent_relative", identity_row(ident, rng.choice(absent))
            else:
                stranger = make_person(rng, "", AGES, 0.52, TODAY, nirs).patient
                sih_id, kind, row = "", "stranger", identity_row(ident, stranger)
            writer.writerow(row)
            truths.writerow((ident, sih_id, kind))
    return left_path, right_path, truth_path


def run_link(left: Path, right: Path, out: Path) -> None:
    """The child process: link, print the timings, let the parent read the peak memory.

    The same steps as ``link_identity_files``, timed one by one: indexing the SIH side (read,
    normalise, block) is paid once per SIH export, matching once per temporary identity.
    """
    from reentry.reconcile.identity import index_patients, link_against

    started = time.perf_counter()
    index = index_patients(right)
    indexed = time.perf_counter()
    summary = link_against(index, left, out)
    done = time.perf_counter()
    print(f"{indexed - started:.3f} {done - indexed:.3f} {summary.link} {summary.review} "
          f"{summary.no_match}")


def evaluate(truth_path: Path, out: Path) -> None:
    with truth_path.open(encoding="utf-8") as handle:
        truth = {r["id_left"]: (r["id_right"], r["kind"]) for r in csv.DictReader(handle)}
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    # One decision row per identity (rank 1); further candidates proposed to the cell follow.
    links = [r for r in rows if r.get("rank", "1") == "1"]
    proposed = {(r["id_left"], r["id_right"]) for r in rows if r["decision"] == "review"}
    true_links = sum(1 for t, _ in truth.values() if t)
    correct = wrong = reviewed = reviewed_right = 0
    by_kind: dict[str, list[int]] = {}
    for row in links:
        expected, kind = truth[row["id_left"]]
        counts = by_kind.setdefault(kind, [0, 0, 0, 0])  # link ok, link wrong, review, no_match
        if row["decision"] == "link":
            ok = row["id_right"] == expected
            correct, wrong = correct + ok, wrong + (not ok)
            counts[0 if ok else 1] += 1
        elif row["decision"] == "review":
            counts[2] += 1
            if expected:
                reviewed += 1
                reviewed_right += (row["id_left"], expected) in proposed
        else:
            counts[3] += 1
    precision = correct / max(correct + wrong, 1)
    recall = correct / max(true_links, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(f"link: precision {precision:.5f}  recall {recall:.4f}  F1 {f1:.4f}  "
          f"({correct} right, {wrong} wrong, {true_links} true matches)")
    print(f"true matches sent to review: {reviewed} ({reviewed_right} with the right one among "
          f"the candidates)")
    print(f"{'kind':<18}{'link ok':>9}{'link bad':>9}{'review':>9}{'no_match':>9}")
    for kind, counts in sorted(by_kind.items()):
        print(f"{kind:<18}" + "".join(f"{c:>9}" for c in counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--right", type=int, default=1_000_000)
    parser.add_argument("--left", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir())
                        / "reentry-bench-identity")
    parser.add_argument("--link-only", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.link_only:
        run_link(*args.link_only)
        return
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"load average (1 min) before the run: {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs")
    folder = args.workdir / f"r{args.right}-l{args.left}-s{args.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    left, right, truth = folder / "temporary.csv", folder / "sih.csv", folder / "truth.csv"
    if not truth.exists():
        started = time.perf_counter()
        left, right, truth = generate(folder, args.right, args.left, args.seed)
        print(f"generated {args.right} SIH patients and {args.left} temporary identities in "
              f"{time.perf_counter() - started:.1f} s")
    out = folder / "links.csv"
    child = subprocess.run([sys.executable, __file__, "--link-only", str(left), str(right),
                            str(out)], capture_output=True, text=True, check=True)
    indexing, matching, linked, review, no_match = child.stdout.split()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    index_s, match_s = float(indexing), float(matching)
    print(f"indexing {args.right} SIH patients (read, normalise, block): {index_s:.1f} s, "
          f"{args.right / index_s:,.0f} patients/s")
    print(f"matching {args.left} temporary identities (read, normalise, score, decide, write): "
          f"{match_s:.1f} s, {args.left / match_s:,.0f} records/s (goal >= 10,000)")
    print(f"end to end: {index_s + match_s:.1f} s, "
          f"{args.left / (index_s + match_s):,.0f} records/s; peak {peak:,.0f} MB (goal <= 2,500)")
    print(f"decisions: {linked} link, {review} review, {no_match} no_match")
    evaluate(truth, out)


if __name__ == "__main__":
    main()
