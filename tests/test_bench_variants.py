"""The labelled variant generator of the reconciliation benchmark: same seed, same files; labels
that agree with the rows they describe; files the item reader takes as they are. Round 2 adds
FHIR and HL7 files, read by the reconciliation's public reader."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reentry.importing.csv_tables import parse_datetime
from reentry.reconcile.items import read_item_table, reconcile
from reentry.reconcile_run import read_sih, read_sih_and_patients

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_reconcile_variants as scorer  # noqa: E402
import sih_variants as variants  # noqa: E402
import sih_variants_round2 as round2  # noqa: E402

RULES = {"tolerance_boundary", "copy_ambiguous", "unrelated_equal", "unrelated_changed",
         "authorless_series", "authorless_regular"}
RULES2 = set(round2.ROUND2_RULES)
CASES2 = {"plain2", "differs2", "missing2", "duplicate2", "other_nda", "refused_and_given",
          "lookalike2", "busy_patient", "bp_panel", "dst_change", "fhir_device", "ambiguous2"}
NEW_TAGS = (round2.CONTENT_TAGS - {"brand", "unit_g_mg"}) | set(round2.FORMAT_TAGS.values())


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> variants.Generated:
    return variants.generate(tmp_path_factory.mktemp("variants"), 1500, 6000, 11)


def rows(path: Path, sep: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=sep))


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    first = variants.generate(tmp_path / "a", 300, 1500, 5)
    second = variants.generate(tmp_path / "b", 300, 1500, 5)
    other = variants.generate(tmp_path / "c", 300, 1500, 6)
    for name in ("paper", "sih", "truth"):
        assert getattr(first, name).read_bytes() == getattr(second, name).read_bytes(), name
    assert first.sih.read_bytes() != other.sih.read_bytes()


def test_paris_offsets_match_the_time_zone_database() -> None:
    for t in range(variants.PAD_START, variants.PAD_END, 1800):
        offset = datetime.fromtimestamp(t, variants.PARIS).utcoffset()
        assert offset is not None and variants.utc_offset(t) == offset.total_seconds()


def test_labels_agree_with_the_rows(files: variants.Generated) -> None:
    truth = variants.read_truth(files.truth)
    paper = {r["record_id"]: r for r in rows(files.paper, ",")}
    sih = {r["record_id"]: r for r in rows(files.sih, ";")}
    assert len(truth) == len(paper) >= 1500
    assert {t.label for t in truth} == set(variants.VERDICTS)
    expected_count = {"in_sih": 1, "differs": 1, "missing": 0}
    for t in truth:
        assert t.excluded in RULES | {""}
        assert t.case in t.tags
        copies = t.expected_sih_ids
        if t.label == "duplicate":
            assert len(copies) >= 2, t
        else:
            assert len(copies) == expected_count[t.label], t
        p = paper[t.record_id]
        tolerance = variants.TOLERANCE[p["kind"]]
        at = parse_datetime(p["effective_time"])
        for sih_id in copies:
            s = sih[sih_id]
            assert (s["ipp"], s["kind"]) == (p["ipp"], p["kind"])
            apart = abs((parse_datetime(s["effective_time"]) - at).total_seconds())
            assert apart <= tolerance or t.excluded == "tolerance_boundary"
            if p["kind"] == variants.VITAL:
                assert s["code"] == p["code"]
                if t.label in ("in_sih", "duplicate"):
                    assert float(s["value"].replace(",", ".")) == float(p["value"])
            if t.label != "differs" and p["kind"] == variants.MED:
                assert (s["status"] or "completed") == p["status"]


def test_undecidable_cases_are_removed_and_only_they_mostly(
        files: variants.Generated) -> None:
    truth = variants.read_truth(files.truth)
    ambiguous = [t for t in truth if t.case == "ambiguous"]
    assert ambiguous and all(t.excluded for t in ambiguous)
    assert sum(1 for t in truth if t.excluded and t.case != "ambiguous") < len(truth) / 100


def test_a_missing_vital_sign_has_no_charted_equal_row_in_its_window(
        files: variants.Generated) -> None:
    """Only device readings (a device author, or no author: a monitor series) may hold it."""
    truth = {t.record_id: t for t in variants.read_truth(files.truth)}
    by_lane: dict[tuple[str, str], list[dict[str, str]]] = {}
    for s in rows(files.sih, ";"):
        by_lane.setdefault((s["ipp"], s["code"]), []).append(s)
    for p in rows(files.paper, ","):
        t = truth[p["record_id"]]
        if p["kind"] != variants.VITAL or t.label != "missing" or t.excluded:
            continue
        at = parse_datetime(p["effective_time"])
        for s in by_lane.get((p["ipp"], p["code"]), []):
            near = abs((parse_datetime(s["effective_time"]) - at).total_seconds()) <= 1800
            if near and float(s["value"].replace(",", ".")) == float(p["value"]):
                first_word = s["author"].split(":")[0].split(" ")[0].lower()
                assert first_word in {"", "moniteur", "monitor", "scope", "device", "appareil"}


def test_without_extras_no_extra_tag(tmp_path: Path) -> None:
    plain = variants.generate(tmp_path, 400, 2000, 3, extras=False)
    tags = {tag for t in variants.read_truth(plain.truth) for tag in t.tags}
    assert not tags & variants.EXTRA_TAGS
    assert {"brand", "utc_z", "unit_g_mg", "note_typo", "device_confounder"} <= tags


def test_the_item_reader_takes_both_files(files: variants.Generated) -> None:
    paper = read_item_table(files.paper, paper=True)
    sih = read_item_table(files.sih)
    verdicts = list(reconcile(paper, sih).verdict_rows())
    assert [v[0] for v in verdicts] == [t.record_id for t in variants.read_truth(files.truth)]
    assert {v[1] for v in verdicts} <= set(variants.VERDICTS)


def test_cache_reuses_the_files(tmp_path: Path) -> None:
    said: list[str] = []
    first = variants.cached(tmp_path, 200, 1000, 2, log=said.append)
    stamp = first.sih.stat().st_mtime_ns
    second = variants.cached(tmp_path, 200, 1000, 2, log=said.append)
    assert second == first and first.sih.stat().st_mtime_ns == stamp
    assert said[0].startswith("generated") and said[1].startswith("reusing")
    assert datetime.now(UTC)  # the files are synthetic: no clock or patient data involved


# -- round 2 ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> variants.Generated:
    return variants.generate(tmp_path_factory.mktemp("both"), 2500, 9000, 13, rounds="all")


def test_round_two_same_seed_same_files(tmp_path: Path) -> None:
    first = variants.generate(tmp_path / "a", 400, 2000, 5, rounds="2")
    second = variants.generate(tmp_path / "b", 400, 2000, 5, rounds="2")
    assert [p.name for p in first.extra] == ["sih-fhir-bundle.json", "sih-fhir.ndjson",
                                             "sih-oru.hl7"]
    for a, b in zip((first.paper, first.truth, *first.sih_files),
                    (second.paper, second.truth, *second.sih_files), strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_rounds_hold_their_own_cases(tmp_path: Path) -> None:
    only2 = variants.generate(tmp_path / "two", 600, 3000, 4, rounds="2")
    assert {t.case for t in variants.read_truth(only2.truth)} <= CASES2
    only1 = variants.generate(tmp_path / "one", 600, 3000, 4)
    tags1 = {tag for t in variants.read_truth(only1.truth) for tag in t.tags}
    assert only1.extra == () and not tags1 & NEW_TAGS


def sih_items(paths: variants.Generated) -> dict[str, object]:
    items, _ = read_sih_and_patients(list(paths.sih_files))
    return {i.id: i for i in items}


def test_round_two_labels_agree_with_what_the_readers_read(both: variants.Generated) -> None:
    """Every expected copy is read from its file (CSV, FHIR, HL7) on the right patient (its
    IPP written with zeros or spaces at most), within tolerance, with the paper's value once
    its unit is converted (°F, g/mg); notes come back from FHIR and HL7 as LOINC 34746-8."""
    truth = variants.read_truth(both.truth)
    paper = {p.id: p for p in read_item_table(both.paper, paper=True).items()}
    sih = sih_items(both)
    assert {t.label for t in truth} == set(variants.VERDICTS)
    for t in truth:
        assert t.excluded in RULES | RULES2 | {""}, t
        p = paper[t.record_id]
        copies = [sih[i] for i in t.expected_sih_ids]
        if t.excluded in RULES2:                # split or merged notes, count or mass...
            continue
        expected = {"in_sih": 1, "differs": 1, "missing": 0}.get(t.label, 2)
        if t.case == "refused_and_given":       # the given and the refused record
            expected += 1
        assert len(copies) >= 2 if t.label == "duplicate" else len(copies) == expected, t
        for s in copies:
            assert s.ipp.strip().lstrip("0") == p.ipp, (t, s)
            if p.kind == variants.NOTE and not s.id.startswith("csv"):
                assert s.kind == variants.NOTE or s.code == round2.NOTE_CODE, (t, s)
            else:
                assert s.kind == p.kind, (t, s)
            apart = abs((s.effective_time - p.effective_time).total_seconds())
            assert apart <= variants.TOLERANCE[p.kind] or t.excluded, (t, s)
            if p.kind == variants.VITAL and t.label != "differs" and p.value is not None:
                assert s.value is not None
                value = (s.value - 32) / 1.8 if s.unit in round2.FAHRENHEIT else s.value
                assert abs(value - p.value) < 1e-6, (t, s)
            if p.kind == variants.MED and t.label in ("in_sih", "duplicate"):
                statuses = {c.status for c in copies}
                assert p.status in statuses, (t, copies)


def test_round_two_undecidable_cases_are_removed(both: variants.Generated,
                                                 tmp_path: Path) -> None:
    truth = variants.read_truth(both.truth)
    ambiguous = [t for t in truth if t.case == "ambiguous2"]
    assert ambiguous and all(t.excluded in RULES2 for t in ambiguous)
    alone = variants.read_truth(variants.generate(tmp_path, 3000, 8000, 2, rounds="2").truth)
    assert {t.excluded for t in alone if t.case == "ambiguous2"} == RULES2
    others = [t for t in truth if t.excluded and t.case not in ("ambiguous", "ambiguous2")]
    assert len(others) < len(truth) / 100


def test_one_content_variation_per_copy(both: variants.Generated) -> None:
    for t in variants.read_truth(both.truth):
        if t.case not in CASES2:
            continue
        content = set(t.tags) & round2.CONTENT_TAGS
        assert len(content) <= max(1, len(t.expected_sih_ids)), t


def test_a_busy_patient_is_busy_and_decided(both: variants.Generated) -> None:
    truth = [t for t in variants.read_truth(both.truth) if t.case == "busy_patient"]
    assert len(truth) >= 24
    assert not [t for t in truth if t.excluded]
    lanes: dict[tuple[str, str], int] = {}
    for t in truth:
        lanes[(t.ipp, t.code)] = lanes.get((t.ipp, t.code), 0) + 1
    assert max(lanes.values()) >= 24


def test_the_benchmark_reads_what_the_public_reader_reads(tmp_path: Path) -> None:
    """The scorer joins the CSV columns and the FHIR / HL7 items: same verdicts as
    ``read_sih`` over every file, the path of ``reentry reconcile``."""
    paths = variants.generate(tmp_path, 600, 3000, 8, rounds="all")
    paper = read_item_table(paths.paper, paper=True)
    joined = list(reconcile(paper, scorer.read_sih_side(paths)).verdict_rows())
    public = list(reconcile(paper, read_sih(list(paths.sih_files))).verdict_rows())
    assert [row[:5] for row in joined] == [row[:5] for row in public]
    assert len(scorer.read_sih_side(paths)) == len(sih_items(paths))
