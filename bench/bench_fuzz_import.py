"""Imports that never crash: real SIH files mutated, each imported, tracebacks counted.

Seeds: the real samples in ``../shared/samples`` (FHIR R4 Bundles, HL7 v2 ANS messages) and
the files a small demo outage exports (census CSV, the SIH's item CSV, FHIR and HL7 exports of
what was re-entered). Each fuzzed input is one seed with one to three mutations: structural ones
(a JSON value replaced by a number, a list, a huge integer or a deep nesting; an HL7 field or
MSH-2 replaced, segments dropped, moved or joined on one line; a CSV cell, column or separator
changed, a cell longer than the csv module's limit) and byte-level ones (a byte changed, a range
deleted or repeated, a token inserted, the file cut short).

Every input goes through ``reentry import``'s path (detection, parsing, one transaction into a
real SQLite file) and, for CSV, through the reconciliation's item reader. Its outcome is either
a stored snapshot or a ``UserError`` whose message renders in French and in English; anything
else is a crash, printed with the seed, the mutations and the random seed that replay it.
An input that uses more than ``--timeout`` seconds of CPU (or waits ten times as long) counts
as a crash. Prints inputs tried, crashes, and the slowest input. No assertion: goal 0 crashes.

    .venv/bin/python bench/bench_fuzz_import.py [--count 100000] [--seed 1] [--timeout 20]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import signal
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reentry import i18n
from reentry.errors import UserError

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "samples"
AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)

# Values that broke or could break a reader: wrong types, huge or non-finite numbers, impossible
# dates, separators, escape sequences, NUL, BOM, very long text.
TEXTS = (
    "", " ", "0", "-1", "1.5", "1,5", "99999999999999999999", "9" * 400, "9" * 5000, "1e999",
    "-1e999", "nan", "inf", "Infinity", "2024-02-30", "2024-13-01", "0000", "00000000",
    "99991231235959", "0001-01-01", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
    "20261123120000+2500", "202611231200.12345", "30/02/2026 25:61", "\x00", "é", "\ufeff",
    "\\X0\\", "\\X4\\", "\\H\\", "\\", "^", "~", "&", "|", '"', ";", ",", "\r", "\n", "\r\n",
    "PROV", "VALI", "F", "X", "Z99", "A12", "INSERT", "CANCEL", "MSH|^~\\&|", "PID", "ZBE",
    "x" * 300, "Patient/1", "urn:uuid:", "#", "1.2.250.1.213.1.4.8", "vital_sign",
)


class Raw(str):
    """A JSON literal written as is (a 5,000-digit integer, 1e999, NaN, a deep nesting)."""


def _deep(depth: int) -> Raw:
    return Raw("[" * depth + "]" * depth)


JSON_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, -0.0, "", "x", "2024-02-30", [], {}, [None], [1.5], ["x"],
    [[]], {"a": 1}, {"reference": 1.5}, [{"value": []}], 10 ** 400, Raw("9" * 5000),
    Raw("1e999"), Raw("-1e999"), Raw("NaN"), Raw("Infinity"), _deep(3000), _deep(150),
    Raw('{"a":' * 200 + "1" + "}" * 200), "9" * 5000, "x" * 100_000,
)


@dataclass(frozen=True)
class Seed:
    name: str
    format: str  # fhir, hl7v2 or csv: which structural mutations fit
    data: bytes


# -- seeds -------------------------------------------------------------------------------------


def sample_seeds(samples: Path = SAMPLES) -> list[Seed]:
    """The real sample files written by others, as they are."""
    seeds = []
    for path in sorted(samples.glob("fhir-r4/*.json")):
        seeds.append(Seed(path.name, "fhir", path.read_bytes()))
    for path in sorted(samples.glob("hl7v2-ans/*")):
        if path.suffix in (".er7", ".hl7"):
            seeds.append(Seed(path.name, "hl7v2", path.read_bytes()))
    if not seeds:
        raise SystemExit(f"no sample files in {samples}")
    return seeds


def demo_seeds(folder: Path) -> list[Seed]:
    """What a small demo outage exports: its census as CSV (``reentry census --format csv``),
    the SIH's item CSV, and what was re-entered as FHIR, HL7 and item CSV."""
    from click.testing import CliRunner

    from reentry.cli import cli
    from reentry.demo.outage import create_outage_demo
    from reentry.export import export_items
    from reentry.store import open_store

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "demo.sqlite"
    store = open_store(db)
    try:
        demo = create_outage_demo(store, folder / "pdf", patients=8, seed=3, as_of=AS_OF)
        items = store.items()
        seeds = []
        for format, name in (("fhir", "export.json"), ("hl7", "export.hl7"),
                             ("csv", "export.csv")):
            export_items(items, format, folder / name, now=AS_OF)
            kind = {"hl7": "hl7v2"}.get(format, format)
            seeds.append(Seed(name, kind, (folder / name).read_bytes()))
    finally:
        store.close()
    if demo.sih_export is not None:
        seeds.append(Seed("sih-export.csv", "csv", demo.sih_export.read_bytes()))
    census = CliRunner().invoke(cli, ["--db", str(db), "census", "--format", "csv"])
    if census.exit_code != 0:
        raise RuntimeError(f"census export failed: {census.output}")
    seeds.append(Seed("census.csv", "csv", census.output.encode("utf-8")))
    return seeds


# -- mutations ---------------------------------------------------------------------------------

Mutation = Callable[[bytes, random.Random, Any], bytes]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def flip_bytes(data: bytes, rng: random.Random, payload: Any) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def delete_range(data: bytes, rng: random.Random, payload: Any) -> bytes:
    start = rng.randrange(len(data) + 1)
    return data[:start] + data[start + rng.randint(1, 64 if rng.random() < 0.8 else 4096):]


def repeat_range(data: bytes, rng: random.Random, payload: Any) -> bytes:
    start = rng.randrange(len(data) + 1)
    chunk = data[start:start + rng.randint(1, 512)]
    return data[:start] + chunk * rng.randint(2, 20) + data[start:]


def insert_token(data: bytes, rng: random.Random, payload: Any) -> bytes:
    at = rng.randrange(len(data) + 1)
    token = str(payload if isinstance(payload, str) else rng.choice(TEXTS)).encode()
    return data[:at] + token + data[at:]


def truncate(data: bytes, rng: random.Random, payload: Any) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def _node(document: Any, rng: random.Random) -> tuple[Any, Any] | None:
    """A (container, key) of a JSON document, found by a random walk down from the top (each
    level a chance to stop): cheaper than listing the 40,000 nodes of a Synthea Bundle."""
    node, found = document, None
    while isinstance(node, dict | list) and node:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        found = (node, key)
        if rng.random() < 0.15:
            break
        node = node[key]
    return found


def _dump_json(document: Any, raws: dict[str, str]) -> bytes | None:
    """The document as JSON, each marker of ``raws`` replaced by its literal; None when the
    document nests too deep for ``json.dumps``."""
    try:
        text = json.dumps(document, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None
    for marker, raw in raws.items():
        text = text.replace(json.dumps(marker), raw)
    return text.encode("utf-8")


def json_value(data: bytes, rng: random.Random, payload: Any) -> bytes:
    """A JSON value somewhere replaced: by another of the file's values, a wrong type, a huge
    or non-finite number, a deep nesting; or a key dropped or misspelt."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return insert_token(data, rng, payload)
    raws: dict[str, str] = {}

    def literal(value: Any) -> Any:
        if isinstance(value, Raw):
            marker = f"@@raw{len(raws)}@@"
            raws[marker] = str(value)
            return marker
        return value

    chosen = payload if payload is not None else rng.choice(JSON_VALUES)
    if _node(document, rng) is None:
        return _dump_json(literal(chosen), raws) or data
    for _ in range(rng.randint(1, 3)):
        found = _node(document, rng)
        if found is None:
            break
        container, key = found
        draw = rng.random()
        if draw < 0.15 and isinstance(container, dict):
            value = container.pop(key)
            if rng.random() < 0.5:
                container[key[:-1] + "x" if key else "x"] = value
        elif draw < 0.35:
            other = _node(document, rng)
            try:  # a list where a code is expected...; copied, so never a cycle
                container[key] = json.loads(json.dumps(other[0][other[1]])) if other else None
            except (KeyError, IndexError, ValueError, RecursionError):
                continue
        elif draw < 0.45:
            value = container[key]
            unwrap = isinstance(value, list) and value and rng.random() < 0.5
            container[key] = value[0] if unwrap else [value]
        else:
            container[key] = literal(chosen)
            chosen = rng.choice(JSON_VALUES)
    return _dump_json(document, raws) or data


NUMBERS = ("1" + "0" * 400, "1e999", "-1e999", "NaN", "Infinity", "9" * 5000, "0", "-1", "1.5",
           "1e-300", "true", '"12"', "[]", "{}", "null")
_JSON_NUMBER = re.compile(rb"(?<=[:\[,]) ?-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def json_number(data: bytes, rng: random.Random, payload: Any) -> bytes:
    """A number of the file (a dose, a frequency, a measure) replaced by a huge, non-finite or
    wrongly typed one."""
    found = list(_JSON_NUMBER.finditer(data))
    if not found:
        return json_value(data, rng, payload)
    chosen = rng.choice(found)
    replacement = payload if isinstance(payload, str) else rng.choice(NUMBERS)
    return data[:chosen.start()] + replacement.encode() + data[chosen.end():]


def json_entries(data: bytes, rng: random.Random, payload: Any) -> bytes:
    """A Bundle keeping some of its entries, in another order (most references then dangle)."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return delete_range(data, rng, payload)
    entries = document.get("entry") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        return json_value(data, rng, payload)
    keep = rng.randint(1, min(len(entries), 40))
    kept = [e for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)
            and e["resource"].get("resourceType") in ("Patient", "Encounter")]
    kept = kept[:3] + rng.sample(entries, keep)
    rng.shuffle(kept)
    document["entry"] = kept
    return _dump_json(document, {}) or data


def _hl7_lines(data: bytes) -> list[str]:
    return [line for line in _text(data).replace("\r\n", "\r").replace("\n", "\r").split("\r")
            if line]


def hl7_field(data: bytes, rng: random.Random, payload: Any) -> bytes:
    """A field, component or repetition of a segment replaced, dropped or added."""
    lines = _hl7_lines(data)
    if not lines:
        return insert_token(data, rng, payload)
    index = rng.randrange(len(lines))
    fields = lines[index].split("|")
    position = rng.randrange(1, max(2, len(fields) + 3))
    while len(fields) <= position:
        fields.append("")
    text = payload if isinstance(payload, str) else rng.choice(TEXTS)
    draw = rng.random()
    if draw < 0.5:
        fields[position] = text
    elif draw < 0.7:
        parts = fields[position].split("^")
        parts[rng.randrange(len(parts))] = text
        fields[position] = "^".join(parts)
    elif draw < 0.8:
        fields[position] = "~".join([fields[position]] * rng.randint(2, 50))
    else:
        del fields[position]
    lines[index] = "|".join(fields)
    return "\r".join(lines).encode("utf-8")


def hl7_segments(data: bytes, rng: random.Random, payload: Any) -> bytes:
    """Segments dropped, repeated or moved; MSH-2 or the line endings changed; one long line."""
    lines = _hl7_lines(data)
    if not lines:
        return insert_token(data, rng, payload)
    draw = rng.random()
    index = rng.randrange(len(lines))
    if draw < 0.2:
        del lines[index]
    elif draw < 0.35:
        lines[index:index] = [lines[index]] * rng.randint(1, 30)
    elif draw < 0.5:
        lines.insert(rng.randrange(len(lines) + 1), lines.pop(index))
    elif draw < 0.65:
        msh = next((i for i, line in enumerate(lines) if line.startswith("MSH")), None)
        if msh is not None:
            encoding = "".join(rng.choice("^~\\&|#^A \t") for _ in range(rng.randint(0, 6)))
            lines[msh] = "MSH" + rng.choice("|^#") + encoding + lines[msh][8:]
    elif draw < 0.75:
        separator = rng.choice(("", "\n", "\r\n", "\x0b", "\x1c\r", " ", "|"))
        return separator.join(lines).encode("utf-8")
    elif draw < 0.85:
        return ("\r".join(lines) + "\r") .encode("utf-8") * rng.randint(2, 40)
    else:
        lines[index] = lines[index][:3] + "|" + "|".join(
            rng.choice(TEXTS) for _ in range(rng.randint(1, 80)))
    return "\r".join(lines).encode("utf-8")


def _csv_rows(data: bytes) -> tuple[list[list[str]], str]:
    text = _text(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        rows = [line.split(delimiter) for line in text.splitlines()]
    return rows, delimiter


def _write_csv(rows: list[list[str]], delimiter: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_cell(data: bytes, rng: random.Random, payload: Any) -> bytes:
    """A cell replaced (a cell past the csv module's 131,072-character limit included), a row
    given one more value, or a row repeated."""
    rows, delimiter = _csv_rows(data)
    if not rows:
        return insert_token(data, rng, payload)
    row = rng.choice(rows)
    draw = rng.random()
    if draw < 0.7 and row:
        text = payload if isinstance(payload, str) else rng.choice(TEXTS)
        row[rng.randrange(len(row))] = text
    elif draw < 0.8:
        row.append(rng.choice(TEXTS))
    elif draw < 0.9 and row:
        row[rng.randrange(len(row))] = "x" * rng.choice((131_073, 200_000))
    else:
        rows.insert(rng.randrange(len(rows) + 1), list(row))
    return _write_csv(rows, delimiter)


def csv_columns(data: bytes, rng: random.Random, payload: Any) -> bytes:
    """A column dropped, renamed or given twice; the separator changed; quoting broken."""
    rows, delimiter = _csv_rows(data)
    if not rows or not rows[0]:
        return insert_token(data, rng, payload)
    column = rng.randrange(len(rows[0]))
    draw = rng.random()
    if draw < 0.3:
        for row in rows:
            if column < len(row):
                del row[column]
    elif draw < 0.5:
        rows[0][column] = rng.choice(rows[0]) if rng.random() < 0.5 else rng.choice(TEXTS)
    elif draw < 0.7:
        return _write_csv(rows, ";" if delimiter == "," else ",")
    elif draw < 0.85:
        text = _text(data)
        at = rng.randrange(len(text) + 1)
        return (text[:at] + '"' + text[at:]).encode("utf-8")
    else:
        return _write_csv(rows[:1] + rng.sample(rows[1:], min(len(rows) - 1, rng.randint(0, 3))),
                          delimiter)
    return _write_csv(rows, delimiter)


BYTE_MUTATIONS: tuple[Mutation, ...] = (flip_bytes, delete_range, repeat_range, insert_token,
                                         truncate)
STRUCTURAL: dict[str, tuple[Mutation, ...]] = {
    "fhir": (json_value, json_value, json_value, json_number, json_entries),
    "hl7v2": (hl7_field, hl7_field, hl7_segments),
    "csv": (csv_cell, csv_cell, csv_columns),
}


def mutations_for(seed: Seed) -> tuple[Mutation, ...]:
    return STRUCTURAL[seed.format] + BYTE_MUTATIONS


def mutate(seed: Seed, rng: random.Random, count: int) -> tuple[bytes, list[str]]:
    """``count`` mutations of ``seed``: structural ones more often, bytes now and then."""
    data, applied = seed.data, []
    choices = mutations_for(seed)
    for _ in range(count):
        mutation = (rng.choice(STRUCTURAL[seed.format]) if rng.random() < 0.7
                    else rng.choice(choices))
        data = mutation(data, rng, None)
        applied.append(mutation.__name__)
    return data, applied


# -- one input ---------------------------------------------------------------------------------


class TooSlow(Exception):
    """The input took longer than the allowed time: counted as a crash."""


def message_problems(error: UserError) -> list[str]:
    """What is wrong with a user message: ids missing from a catalog, or rendering that fails."""
    problems = []
    pending: list[i18n.Msg] = [error.msg]
    while pending:
        current = pending.pop()
        for language in i18n.LANGUAGES:
            if current.id not in i18n.catalog(language):
                problems.append(f"message {current.id} missing in {language}")
        pending.extend(v for v in current.params.values() if isinstance(v, i18n.Msg))
    for language in i18n.LANGUAGES:
        if not error.message(language).strip():
            problems.append(f"empty message in {language}")
    return problems


def import_outcome(store: Any, path: Path) -> str:
    """``snapshot`` or ``message:<id>``; anything else raises."""
    from reentry.importing import import_files

    try:
        import_files(store, [path])
    except UserError as error:
        problems = message_problems(error)
        if problems:
            raise AssertionError("; ".join(problems)) from error
        return f"message:{_problem_id(error)}"
    return "snapshot"


def reader_outcome(path: Path) -> str:
    """What the reconciliation's readers say of the same file (its SIH side)."""
    from reentry.reconcile.items_table import read_item_table
    from reentry.reconcile_run import read_sih_and_patients

    try:
        read_sih_and_patients([path])
        if path.suffix == ".csv":
            read_item_table(path, paper=True)
    except UserError as error:
        problems = message_problems(error)
        if problems:
            raise AssertionError("; ".join(problems)) from error
        return f"message:{_problem_id(error)}"
    return "read"


def _problem_id(error: UserError) -> str:
    problem = error.params.get("problem")
    return problem.id if isinstance(problem, i18n.Msg) else error.msg.id


WALL_FACTOR = 10  # the wall-clock limit, in multiples of the CPU limit: a wait that never ends


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """``TooSlow`` raised in the input's own code once it has used ``seconds`` of CPU time, or
    waited ``WALL_FACTOR`` times as long on the clock (POSIX only). CPU time, because on a
    shared machine the clock also counts the other processes' turns: a 19 MB HL7 file that
    takes 3.5 s of CPU took 34 s on the clock under a load of 9 on 2 cores."""
    if seconds <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, _frame: Any) -> None:
        clock_kind = "CPU" if signum == signal.SIGPROF else "wall-clock"
        limit = seconds if signum == signal.SIGPROF else seconds * WALL_FACTOR
        raise TooSlow(f"over {limit:g} s of {clock_kind} time")

    previous = {sig: signal.signal(sig, expire) for sig in (signal.SIGPROF, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * WALL_FACTOR)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# -- the run -----------------------------------------------------------------------------------


@dataclass
class Crash:
    seed: str
    mutations: list[str]
    random_seed: int
    reader: str
    error: str


def _shortened(lines: list[str]) -> str:
    """A traceback without its huge values (a 200,000-character field is not worth printing)."""
    return "\n".join(line if len(line) <= 300 else line[:300] + "…"
                     for line in "".join(lines).strip().splitlines())


def run(seeds: list[Seed], count: int, seed: int, timeout: float, folder: Path,
        fresh_store_every: int = 500) -> None:
    from reentry.store import open_store

    crashes: list[Crash] = []
    outcomes: Counter[str] = Counter()
    worst = (0.0, 0.0, "", [], 0)
    store = None
    started = time.perf_counter()
    for number in range(count):
        if number % fresh_store_every == 0:
            if store is not None:
                store.close()
            db = folder / f"fuzz-{number // fresh_store_every % 2}.sqlite"
            db.unlink(missing_ok=True)
            store = open_store(db)
        random_seed = seed * 1_000_003 + number
        rng = random.Random(random_seed)
        chosen = rng.choice(seeds)
        data, applied = mutate(chosen, rng, rng.randint(1, 3))
        path = folder / ("fuzz.csv" if chosen.format == "csv" else "fuzz.dat")
        path.write_bytes(data)
        for reader in ("import", "reconcile"):
            begun, cpu = time.perf_counter(), time.process_time()
            try:
                with time_limit(timeout):
                    outcome = (import_outcome(store, path) if reader == "import"
                               else reader_outcome(path))
                outcomes[f"{reader}: {outcome.split(':')[0]}"] += 1
            except Exception as error:  # noqa: BLE001 - every escape is what we count
                crashes.append(Crash(chosen.name, applied, random_seed, reader,
                                     _shortened(traceback.format_exception_only(error))))
                if len(crashes) <= 20:
                    print(_shortened(traceback.format_exception(error, limit=-4, chain=False)))
            elapsed = time.process_time() - cpu
            if elapsed > worst[0]:
                worst = (elapsed, time.perf_counter() - begun, chosen.name, applied, len(data))
        if (number + 1) % 1000 == 0:
            print(f"  {number + 1} inputs, {len(crashes)} crashes, "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
    if store is not None:
        store.close()
    total = time.perf_counter() - started
    print(f"fuzzed inputs tried: {count} (seed {seed}), in {total:.0f} s "
          f"({count / total:.0f} inputs/s)")
    print(f"crashes: {len(crashes)}")
    for name, number in sorted(outcomes.items()):
        print(f"  {name}: {number}")
    kinds = Counter(crash.error.splitlines()[-1][:100] for crash in crashes)
    for kind, number in kinds.most_common():
        print(f"  crash x{number}: {kind}")
    for crash in crashes[:20]:
        print(f"  replay: seed file {crash.seed}, random seed {crash.random_seed}, "
              f"{crash.reader}, mutations {'+'.join(crash.mutations)}: {crash.error[:200]}")
    elapsed, wall, name, applied, size = worst
    print(f"worst input: {elapsed:.2f} s CPU, {wall:.2f} s wall ({name} + {'+'.join(applied)}, "
          f"{size:,} bytes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="fuzzed inputs to try")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same inputs")
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="CPU seconds after which an input counts as a crash (or ten times "
                             "as long on the clock)")
    parser.add_argument("--samples", type=Path, default=SAMPLES)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reentry-fuzz-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        seeds = sample_seeds(args.samples) + demo_seeds(folder / "demo")
        print(f"seeds: {', '.join(s.name for s in seeds)} "
              f"(demo exported in {time.perf_counter() - began:.1f} s)")
        run(seeds, args.count, args.seed, args.timeout, folder)


if __name__ == "__main__":
    main()
