"""The labelled variant generator of the reconciliation benchmark: same seed, same files; labels
that agree with the rows they describe; files the item reader takes as they are."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reentry.importing.csv_tables import parse_datetime
from reentry.reconcile.items import read_item_table, reconcile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import sih_variants as variants  # noqa: E402

RULES = {"tolerance_boundary", "copy_ambiguous", "unrelated_equal", "unrelated_changed",
         "authorless_series", "authorless_regular"}


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
