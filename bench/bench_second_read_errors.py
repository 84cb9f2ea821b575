"""The second reader on many written pages with typing errors injected (issue 14).

Vital-signs charts of a demo hospital are printed by the print station, written on at random
(the date and the rows' digits from Humor Sans or held-out MNIST in the comb boxes, AVPU
ticks and initials as pen strokes: tests/written_pages.py), rasterised at 200 dpi by pdftoppm,
turned up to 2°, made grainy and JPEG-compressed, imported by scan import, then typed with the
entry service from the paper's truth with errors injected into some numeric fields: a digit
changed, two digits swapped, the value of another row. Prints:

- ink: written fields seen written (recall), empty fields seen written (false ink), unsure;
- numbers and times read confidently, and right among them;
- the cross-check: injected errors caught (a disagreement on that field), false alarms (a
  disagreement on a field typed as written) per 100 fields, unsure verdicts;
- reading time per page (each page read once, as saving its first row does).

    .venv/bin/python bench/bench_second_read_errors.py [--pages 500] [--error-share 0.1]

The goals of issue 14 are ink recall 100 %, false ink ≤ 0.5 %, digit fields right ≥ 99.5 % of
those read confidently, errors caught ≥ 90 %, false alarms ≤ 1 per 100 fields, ≤ 150 ms a page.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import pdfcheck  # noqa: E402
from printed_ward import AS_OF, PRINTER  # noqa: E402
from scanned_stack import write_pdf  # noqa: E402
from written_pages import Pen, box, scanned  # noqa: E402

from reentry.barcodes import group_for_reading  # noqa: E402
from reentry.demo import create_demo  # noqa: E402
from reentry.domain.entry import RecordRow, Role  # noqa: E402
from reentry.domain.second_read import DISAGREEMENTS, FieldKey, Ink, Verdict  # noqa: E402
from reentry.entry import service  # noqa: E402
from reentry.errors import UserError  # noqa: E402
from reentry.formdefs import load_forms  # noqa: E402
from reentry.formdefs_values import (
    canonical,  # noqa: E402
    validate_value,  # noqa: E402
)
from reentry.layout.sheet import page_layout  # noqa: E402
from reentry.printing.station import PrintRequest, print_batch  # noqa: E402
from reentry.scanning.importer import import_scans  # noqa: E402
from reentry.second_read.crosscheck import cross_check  # noqa: E402
from reentry.store import open_store  # noqa: E402

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SECTION = "readings"
NUMBERS = ("systolic", "diastolic", "heart_rate", "temperature", "spo2", "respiratory_rate",
           "pain")
STACK_PAGES = 50  # pages per scanned PDF
DATE = "23/11/2026"  # the sheets' date, written in its comb and typed with every row


def random_row(rng: random.Random) -> dict[str, str]:
    """What a nurse writes on one line: always the time, most measurements, often AVPU."""
    row = {"time": f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"}
    makers = {
        "systolic": lambda: str(rng.randint(95, 175)),
        "diastolic": lambda: str(rng.randint(50, 99)),
        "heart_rate": lambda: str(rng.randint(50, 130)),
        "temperature": lambda: f"{rng.randint(355, 399) // 10},{rng.randint(355, 399) % 10}",
        "spo2": lambda: str(rng.randint(88, 100)),
        "respiratory_rate": lambda: str(rng.randint(10, 30)),
        "pain": lambda: str(rng.randint(0, 10)),
    }
    for field_id, make in makers.items():
        if rng.random() < 0.75:
            row[field_id] = make()
    if rng.random() < 0.6:
        row["consciousness"] = rng.choices("AVPU", weights=(8, 2, 1, 1))[0]
    return row


def _digits_of(text: str) -> tuple[str, str]:
    """The digits of a value and where its separator was (« 37,4 » → "374", ",")."""
    return text.replace(",", ""), ("," if "," in text else "")


def _with_digits(digits: str, template: str) -> str:
    if "," in template:
        return digits[:-1] + "," + digits[-1]
    return digits.lstrip("0") or "0"


def mutated(rng: random.Random, kind: str, value: str, others: list[str]) -> str | None:
    """``value`` typed wrong: a digit changed, two digits swapped, another row's value."""
    digits, _ = _digits_of(value)
    if kind == "digit":
        at = rng.randrange(len(digits))
        new = rng.choice([d for d in "0123456789" if d != digits[at]])
        return _with_digits(digits[:at] + new + digits[at + 1:], value)
    if kind == "swap":
        pairs = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
        if not pairs:
            return None
        i = rng.choice(pairs)
        return _with_digits(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:], value)
    candidates = [o for o in others if o != value]
    return rng.choice(candidates) if candidates else None


@dataclass
class Tally:
    written: Counter[str]
    empty: Counter[str]
    numbers: Counter[str]
    verdicts: Counter[str]
    choices: Counter[str]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--error-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--show-missed", action="store_true",
                        help="print each error not caught: written, typed, read, ruled out")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    form = load_forms()["vital_signs"]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        store = open_store(folder / "reentry.sqlite")
        began = time.perf_counter()
        create_demo(store, patients=args.pages, seed=args.seed, as_of=AS_OF)
        outcome = print_batch(store, PrintRequest(out_dir=folder / "pdf", user=PRINTER,
                                                  start=AS_OF, admission_packets=0))
        sheets = [s for s in store.batch_sheets(outcome.batch_id)
                  if s.template_id == "vital_signs"][:args.pages]
        where = {}
        for ward in outcome.wards:
            for number, text in enumerate(pdfcheck.page_texts(ward.pdf), 1):
                where[text] = (ward.pdf, number)
        paper: dict[int, dict[int, dict[str, str]]] = {}
        images = []
        for sheet in sheets:
            code = group_for_reading(sheet.code(1))
            pdf, number = next(v for text, v in where.items() if code in text)
            layout = page_layout(store, sheet.code(1)).layout
            pen = Pen(pdfcheck.raster(pdf, number, folder), seed=rng.randrange(1 << 30))
            pen.number(box(layout, "date", None), DATE, rng.choice(("font", "mnist")))
            rows = sorted(rng.sample(range(12), rng.randint(3, 8)))
            paper[sheet.serial] = {}
            for row in rows:
                values = random_row(rng)
                for field_id, value in values.items():
                    if field_id == "consciousness":
                        pen.tick(box(layout, field_id, row, value).rect)
                    else:
                        pen.number(box(layout, field_id, row), value,
                                   rng.choice(("font", "mnist")))
                pen.initials(box(layout, "initials", row).rect)
                paper[sheet.serial][row] = values
            images.append(scanned(pen.image(), rng.uniform(-2, 2), rng.randrange(1 << 30)))
        stacks = [write_pdf(images[i:i + STACK_PAGES], folder / f"stack{i}.pdf", pdfcheck.DPI)
                  for i in range(0, len(images), STACK_PAGES)]
        del images
        prepared = time.perf_counter() - began
        nurse = service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
        began = time.perf_counter()
        import_scans(store, stacks, nurse, workers=args.workers)
        imported = time.perf_counter() - began
        injected: dict[tuple[int, FieldKey], str] = {}
        began = time.perf_counter()
        for sheet in sheets:
            service.confirm_identity(store, nurse, sheet.serial)
            rows = paper[sheet.serial]
            for row, values in rows.items():
                typed = dict(values)
                for field_id in NUMBERS:
                    if field_id not in values or rng.random() >= args.error_share:
                        continue
                    kind = rng.choice(("digit", "swap", "row"))
                    others = [r[field_id] for r in rows.values() if field_id in r]
                    wrong = mutated(rng, kind, values[field_id], others)
                    if wrong is None or validate_value(form.field(field_id), wrong).error:
                        continue
                    typed[field_id] = wrong
                    injected[(sheet.serial, FieldKey(SECTION, row, field_id))] = kind
                try:
                    service.record_row(store, RecordRow(
                        sheet.serial, 1, SECTION, row, {**typed, "initials": "MD"},
                        {"date": DATE}, nurse,
                        confirmed_warnings=frozenset(typed)), now=NOW)
                except UserError as refused:
                    print(f"row refused ({refused.message('en')}); left out", file=sys.stderr)
                    for field_id in typed:
                        injected.pop((sheet.serial, FieldKey(SECTION, row, field_id)), None)
        typed_seconds = time.perf_counter() - began
        tally = Tally(Counter(), Counter(), Counter(), Counter(), Counter())
        caught: Counter[str] = Counter()
        kinds: Counter[str] = Counter(injected.values())
        seconds = []
        for sheet in sheets:
            (scan,) = store.scan_pages(sheet.serial)
            reading = store.page_reading(scan.id)
            if reading is not None:
                seconds.append(reading.seconds)
            rows = paper[sheet.serial]
            for check in cross_check(store, sheet.serial).fields:
                key = check.key
                if key.row_index is None:  # the sheet's date, written on every page
                    written, on_paper = {key.field_id: DATE}, True
                else:
                    written = rows.get(key.row_index, {})
                    on_paper = key.field_id in written or (key.field_id == "initials"
                                                          and key.row_index in rows)
                (tally.written if on_paper else tally.empty)[str(check.reading.ink)] += 1
                if on_paper and check.reading.kind == "comb_digit":
                    truth = validate_value(form.field(key.field_id), written[key.field_id])
                    if check.reading.value is None:
                        tally.numbers["unsure"] += 1
                    elif check.reading.value == canonical(truth.value):
                        tally.numbers["right"] += 1
                    else:
                        tally.numbers["wrong"] += 1
                if check.reading.kind == "checkbox" and key.row_index in rows:
                    answer = written.get(key.field_id)  # the box ticked, None: none ticked
                    if check.reading.value is None and check.reading.ink is not Ink.BLANK:
                        tally.choices["unsure"] += 1
                    else:
                        tally.choices["right" if check.reading.value == answer else "wrong"] += 1
                error = injected.get((sheet.serial, key))
                if error is not None:
                    caught[error] += check.verdict in DISAGREEMENTS
                    if args.show_missed and check.verdict not in DISAGREEMENTS:
                        print(f"missed {error:5s} {key.field_id:16s} written "
                              f"{written.get(key.field_id)!s:6s} typed {check.typed!s:6s} "
                              f"read {check.reading.text!r} ruled out "
                              f"{list(check.reading.ruled_out)}")
                    continue
                tally.verdicts["fields"] += 1
                if on_paper or check.typed is not None:
                    tally.verdicts["filled"] += 1
                if check.verdict in DISAGREEMENTS:
                    tally.verdicts["false_alarm"] += 1
                if check.verdict is Verdict.UNSURE:
                    tally.verdicts["unsure"] += 1
        store.close()

    def share(part: int, whole: int) -> str:
        return f"{100 * part / whole:.2f} %" if whole else "—"

    written, empty, numbers, verdicts = tally.written, tally.empty, tally.numbers, tally.verdicts
    print(f"{len(sheets)} written pages (prepared in {prepared:.0f} s, imported in "
          f"{imported:.0f} s, typed and cross-checked in {typed_seconds:.0f} s)")
    print(f"ink: written fields seen written {share(written[Ink.WRITTEN], sum(written.values()))}"
          f" (unsure {share(written[Ink.UNSURE], sum(written.values()))}) of "
          f"{sum(written.values())}; empty fields seen written "
          f"{share(empty[Ink.WRITTEN], sum(empty.values()))} (unsure "
          f"{share(empty[Ink.UNSURE], sum(empty.values()))}) of {sum(empty.values())}")
    read = numbers["right"] + numbers["wrong"]
    print(f"numbers and times: read confidently {share(read, sum(numbers.values()))} of "
          f"{sum(numbers.values())}, right among them {share(numbers['right'], read)}")
    choices, lines = tally.choices, sum(tally.choices.values())
    print(f"AVPU on written lines (a tick or none): right {share(choices['right'], lines)} of "
          f"{lines}, unsure {choices['unsure']}, wrong {choices['wrong']}")
    total = sum(kinds.values())
    print(f"typing errors caught: {share(sum(caught.values()), total)} of {total} ("
          + ", ".join(f"{kind} {share(caught[kind], kinds[kind])} of {kinds[kind]}"
                      for kind in ("digit", "swap", "row")) + ")")
    print(f"false alarms: {100 * verdicts['false_alarm'] / max(verdicts['fields'], 1):.2f} per "
          f"100 fields ({verdicts['false_alarm']} of {verdicts['fields']}; "
          f"{100 * verdicts['false_alarm'] / max(verdicts['filled'], 1):.2f} per 100 fields "
          f"written or typed); unsure verdicts {share(verdicts['unsure'], verdicts['fields'])}")
    if seconds:
        print(f"reading a page: median {1000 * statistics.median(seconds):.0f} ms, "
              f"mean {1000 * statistics.mean(seconds):.0f} ms (one core)")


if __name__ == "__main__":
    main()
