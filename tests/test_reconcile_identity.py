"""Identity linking: temporary identities matched to SIH patients, never a weak automatic link.

Every identity here is synthetic; NIRs are built with a valid key by ``make_nir``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reentry.errors import FileRejected
from reentry.i18n import language
from reentry.nir import make_nir
from reentry.reconcile.identity import LinkSummary, link_identity_files
from reentry.reconcile.identity_table import COLUMNS, parse_birth_date, phonetic, surname_forms

NIR_ANNE = make_nir("2790569123045")
NIR_OTHER = make_nir("1650238185012")

ANNE = dict(id="S1", birth_name="MARTIN", used_name="", given_names="Anne Marie",
            birth_date="1979-05-14", sex="F", birth_place="69123", address="12 rue Victor Hugo",
            postcode="69003", city="Lyon", national_id="")


def person(**fields: str) -> dict[str, str]:
    return {**ANNE, **fields}


def write_identities(path: Path, people: list[dict[str, str]], delimiter: str = ",",
                     bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows({c: p.get(c, "") for c in COLUMNS} for p in people)
    return path


def link(tmp_path: Path, left: list[dict[str, str]], right: list[dict[str, str]],
         **options) -> tuple[LinkSummary, list[dict[str, str]]]:
    out = tmp_path / "links.csv"
    summary = link_identity_files(write_identities(tmp_path / "left.csv", left, **options),
                                  write_identities(tmp_path / "right.csv", right), out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return summary, list(csv.DictReader(handle))


def only(rows: list[dict[str, str]]) -> dict[str, str]:
    """The decision row of the only left identity (further candidates follow it, rank 2…)."""
    decisions = [r for r in rows if r["rank"] == "1"]
    assert len(decisions) == 1 and rows[0] is decisions[0]
    return decisions[0]


def test_the_same_person_is_linked_with_every_field_explained(tmp_path):
    summary, rows = link(tmp_path, [person(id="T1")], [person(id="S1")])
    row = only(rows)
    assert (row["id_left"], row["id_right"], row["decision"]) == ("T1", "S1", "link")
    assert float(row["score"]) == 1.0
    assert row["fields"].startswith("birth_name=1.00;given_names=1.00;birth_date=exact;sex=same")
    assert "birth_place=same" in row["fields"] and "address=1.00" in row["fields"]
    assert row["reason"].startswith("Nom, prénoms")
    assert summary == LinkSummary(link=1, review=0, no_match=0)


def test_accents_case_and_hyphens_do_not_matter(tmp_path):
    left = person(id="T1", birth_name="Le Gall-Hervé", given_names="jean-pierre", sex="M")
    right = person(id="S1", birth_name="LEGALL HERVE", given_names="Jean Pierre", sex="H")
    assert only(link(tmp_path, [left], [right])[1])["decision"] == "link"


def test_a_married_woman_admitted_under_her_used_name_is_linked(tmp_path):
    sih = person(id="S1", birth_name="MARTIN", used_name="DURAND")
    other = person(id="S2", birth_name="DURAND", given_names="Paul", sex="M",
                   birth_date="1950-02-03")
    row = only(link(tmp_path, [person(id="T1", birth_name="Durand")], [sih, other])[1])
    assert (row["id_right"], row["decision"]) == ("S1", "link")
    assert "birth_name=1.00(birth/used)" in row["fields"]


def test_both_names_in_one_field_are_split(tmp_path):
    left = person(id="T1", birth_name="DURAND EP MARTIN")
    sih = person(id="S1", birth_name="DURAND", used_name="MARTIN")
    assert only(link(tmp_path, [left], [sih])[1])["decision"] == "link"


def test_a_typo_in_the_birth_name_links_only_when_the_birthplace_confirms_it(tmp_path):
    # One letter wrong with the same date, sex and first names: very likely the same person, but
    # a namesake with a close name looks the same; a second strict trait (birthplace) decides.
    confirmed = only(link(tmp_path, [person(id="T1", birth_name="MARTAN")], [ANNE])[1])
    assert confirmed["decision"] == "link"
    unconfirmed = only(link(tmp_path, [person(id="T1", birth_name="MARTAN", birth_place="")],
                            [ANNE])[1])
    assert unconfirmed["decision"] == "review"
    assert "confirmer" in unconfirmed["reason"]


@pytest.mark.parametrize("twin_names", ["Anna Marie", "Marie Anne", "Claire Anne Marie"])
def test_a_twin_whose_first_name_is_a_typo_away_or_in_the_list_is_reviewed(tmp_path, twin_names):
    # Anna / Anne, or Anne only as a second name: a typo or a twin, the birthplace cannot tell.
    row = only(link(tmp_path, [person(id="T1")], [person(id="S2", given_names=twin_names)])[1])
    assert (row["id_right"], row["decision"]) == ("S2", "review")


def test_twins_are_never_linked_to_each_other(tmp_path):
    sister = person(id="S2", given_names="Claire", national_id="")
    # Only the twin sister is in the SIH: a question for the cell, never a link.
    row = only(link(tmp_path, [person(id="T1")], [sister])[1])
    assert row["decision"] != "link"
    # Both twins in the SIH: each links to herself, not to her sister.
    _, rows = link(tmp_path, [person(id="T1"), person(id="T2", given_names="Claire")],
                   [sister, ANNE])
    assert [(r["id_left"], r["id_right"], r["decision"]) for r in rows] == [
        ("T1", "S1", "link"), ("T2", "S2", "link")]


def test_father_and_son_with_the_same_names_are_not_linked(tmp_path):
    father = person(id="S1", birth_name="BERNARD", given_names="Michel", sex="M",
                    birth_date="1952-03-08")
    son = person(id="T1", birth_name="BERNARD", given_names="Michel", sex="M",
                 birth_date="1979-11-21")
    # Living apart: nothing but the names in common.
    elsewhere = dict(son, address="7 rue Garibaldi", postcode="69007")
    row = only(link(tmp_path, [elsewhere], [father])[1])
    assert row["decision"] == "no_match" and row["id_right"] == ""
    # At the same address the birth date may be the one wrong field: shown to the cell,
    # never linked.
    row = only(link(tmp_path, [son], [father])[1])
    assert (row["decision"], row["id_right"]) == ("review", "S1")
    assert "Date de naissance" in row["reason"]


def test_close_names_with_different_dates_never_link(tmp_path):
    left = person(id="T1", birth_name="MARTINE", birth_date="1981-09-02")
    row = only(link(tmp_path, [left], [ANNE])[1])
    assert row["decision"] in ("no_match", "review")


def test_a_swapped_day_and_month_is_found_but_goes_to_review(tmp_path):
    row = only(link(tmp_path, [person(id="T1", birth_date="1979-14-05")], [ANNE])[1])
    assert (row["id_right"], row["decision"]) == ("S1", "review")
    assert "birth_date=swapped" in row["fields"]


def test_two_equally_good_candidates_go_to_review(tmp_path):
    duplicate = person(id="S9")
    row = only(link(tmp_path, [person(id="T1")], [ANNE, duplicate])[1])
    assert row["decision"] == "review"
    assert "S9" in row["reason"] or row["id_right"] == "S9"


def test_an_equal_nir_with_different_traits_is_reviewed_not_linked(tmp_path):
    left = person(id="T1", birth_name="LEROY", given_names="Sophie", birth_date="1988-01-30",
                  national_id=NIR_ANNE)
    row = only(link(tmp_path, [left], [person(id="S1", national_id=NIR_ANNE)])[1])
    assert (row["id_right"], row["decision"]) == ("S1", "review")
    assert "national_id=same" in row["fields"] and "INS-NIR" in row["reason"]


def test_different_valid_nirs_with_agreeing_traits_are_reviewed(tmp_path):
    row = only(link(tmp_path, [person(id="T1", national_id=NIR_OTHER)],
                    [person(id="S1", national_id=NIR_ANNE)])[1])
    assert row["decision"] == "review" and "national_id=different" in row["fields"]


def test_an_impossible_date_and_a_broken_nir_compare_as_text(tmp_path):
    broken = NIR_ANNE[:-2] + "00"
    left = person(id="T1", birth_date="1979-02-30", national_id=broken)
    right = person(id="S1", birth_date="30/02/1979", national_id=broken)
    row = only(link(tmp_path, [left], [right])[1])
    assert row["decision"] == "link"
    assert "birth_date=exact" in row["fields"] and "national_id=same_text" in row["fields"]
    unreadable = only(link(tmp_path, [person(id="T1", birth_date="mai 1979")], [ANNE])[1])
    assert unreadable["decision"] != "link"


def test_empty_fields_neither_crash_nor_link(tmp_path):
    empty = {"id": "T1"}
    row = only(link(tmp_path, [empty, person(id="T2", sex="", birth_place="", address="")],
                    [ANNE])[1][:1])
    assert row["decision"] == "no_match"
    # Unknown sex does not forbid a link when the birthplace confirms it...
    _, rows = link(tmp_path, [person(id="T2", sex="")], [ANNE])
    assert only(rows)["decision"] == "link" and "sex=unknown" in only(rows)["fields"]
    assert "Lieu de naissance" in only(rows)["reason"]
    # ... but names, birth date and sex with nothing else to confirm them could be a strict
    # namesake born the same day: the cell decides.
    _, rows = link(tmp_path, [person(id="T2", birth_place="", address="", postcode="")],
                   [ANNE])
    assert only(rows)["decision"] == "review"
    assert "homonyme" in only(rows)["reason"]


def test_a_strict_namesake_is_not_linked_when_the_birthplace_is_missing(tmp_path):
    # Same names, birth date and sex; the temporary identity has no birthplace and lives
    # elsewhere: the SIH patient may be another person born the same day.
    namesake = person(id="S1", birth_place="99352", address="3 rue de l'Église",
                      postcode="69200", city="Vénissieux")
    left = person(id="T1", birth_place="", address="34 rue Pasteur", postcode="69160")
    row = only(link(tmp_path, [left], [namesake])[1])
    assert (row["id_right"], row["decision"]) == ("S1", "review")
    assert "address=0.00" in row["fields"]
    # The same address, or the same passport number, confirms it.
    same_home = person(id="T1", birth_place="")
    assert only(link(tmp_path, [same_home], [ANNE])[1])["decision"] == "link"
    passport = person(id="T1", birth_place="", address="", postcode="", national_id="19AB12345")
    sih = person(id="S1", national_id="19AB12345")
    row = only(link(tmp_path, [passport], [sih])[1])
    assert row["decision"] == "link" and "national_id=same_text" in row["fields"]


def test_semicolons_and_a_bom_are_read(tmp_path):
    summary, rows = link(tmp_path, [person(id="T1")], [ANNE], delimiter=";", bom=True)
    assert only(rows)["id_left"] == "T1" and summary.link == 1


def test_one_left_against_many_right_picks_the_right_one(tmp_path):
    crowd = [person(id=f"S{n}", given_names=name, birth_date=f"19{50 + n % 40}-0{1 + n % 4}-1{n % 9}")
             for n, name in enumerate(["Paul", "Lucie", "Anne", "Marc", "Anne", "Zoé"] * 20)]
    crowd.append(person(id="TARGET"))
    row = only(link(tmp_path, [person(id="T1")], crowd)[1])
    assert (row["id_right"], row["decision"]) == ("TARGET", "link")


def test_a_namesake_one_digit_away_in_the_birth_date_is_a_competitor(tmp_path):
    # Same names, 1972 instead of 1979: a typo away from the same person, so the cell decides.
    namesake = person(id="S2", birth_date="1972-05-14")
    row = only(link(tmp_path, [person(id="T1")], [ANNE, namesake])[1])
    assert (row["id_right"], row["decision"]) == ("S1", "review")
    assert "S2" in row["reason"]


def test_every_left_identity_gets_one_row_in_order(tmp_path):
    lefts = [person(id="T1"), {"id": "T2", "birth_name": "INCONNU"}, person(id="T3")]
    summary, rows = link(tmp_path, lefts, [ANNE])
    assert [r["id_left"] for r in rows] == ["T1", "T2", "T3"]
    assert summary.total == 3 and summary.no_match == 1
    # T1 and T3 are the same person twice on the left: each links on its own.
    assert [r["decision"] for r in rows] == ["link", "no_match", "link"]


def test_a_file_without_id_column_is_refused_with_its_reason(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,birth_date\nMARTIN,1979-05-14\n", encoding="utf-8")
    with pytest.raises(FileRejected) as caught:
        link_identity_files(bad, write_identities(tmp_path / "right.csv", [ANNE]),
                            tmp_path / "out.csv")
    assert "id" in caught.value.message()
    assert not (tmp_path / "out.csv").exists()


def test_reasons_follow_the_language(tmp_path):
    with language("en"):
        row = only(link(tmp_path, [person(id="T1")], [ANNE])[1])
    assert row["reason"].startswith("Surname, first names")


@pytest.mark.parametrize(("text", "value"), [("1979-05-14", 19790514), ("14/05/1979", 19790514),
                                             ("19790514", 19790514), ("1979-02-30", 19790230),
                                             ("mai 1979", -1), ("", -1)])
def test_birth_dates_parse_even_when_impossible(text, value):
    assert parse_birth_date(text) == value


def test_particles_only_drop_in_the_comparison_variant():
    assert surname_forms("de la Fontaine") == ("DELAFONTAINE", "FONTAINE")
    assert phonetic("DUPONT") == phonetic("DUPOND")


# --- Bulk paths: the same answers as one row at a time ------------------------------------------

CROWD = [
    ANNE,
    person(id="S2", birth_name="MARTIN", used_name="DURAND", given_names="Anne",
           national_id=NIR_ANNE),
    person(id="S3", birth_name="MARTINE", given_names="Anne Marie Claire", birth_place="75114"),
    person(id="S4", birth_name="DURAND EP MARTIN", used_name="", given_names="Lucie",
           birth_date="1980-03-02", sex="F", birth_place="2A004"),
    person(id="S5", birth_name="MARTIN", given_names="Jean", birth_date="1950-05-14", sex="M",
           national_id=NIR_OTHER),
    person(id="S6", birth_name="LE GALL", given_names="Nahel", birth_date="2001-07-07",
           sex="M", birth_place="", address="", postcode=""),
    {"id": "S7", "birth_name": "Z", "birth_date": "30/02/1979"},
]
QUERIES = [
    person(id="T1"), person(id="T2", birth_name="MRATIN"),
    person(id="T3", birth_date="1979-14-05", national_id=NIR_ANNE),
    person(id="T4", birth_name="Martin", used_name="", given_names="Anne", birth_place=""),
    person(id="T5", birth_name="DURAND", given_names="Lucie", birth_date="1980-03-02"),
    person(id="T6", birth_name="Le Gall", given_names="Naël", birth_date="2001-07-07",
           sex="M"),
    person(id="T7", birth_name="MARTIN", given_names="Jean", birth_date="1951-05-14", sex="M"),
    {"id": "T8", "birth_name": "Z", "birth_date": "30/02/1979"},
    {"id": "T9", "birth_name": "INCONNU"},
    {**CROWD[5], "id": "T10"},
]


def test_a_crowd_of_near_identities_gets_explained_decisions(tmp_path):
    summary, rows = link(tmp_path, QUERIES, CROWD)
    decisions = {r["id_left"]: (r["decision"], r["id_right"]) for r in rows if r["rank"] == "1"}
    assert decisions == {
        "T1": ("review", "S1"),  # S2 shares every trait but the list of first names
        "T2": ("review", "S1"), "T3": ("review", "S2"), "T4": ("review", "S1"),
        "T5": ("review", "S4"),  # used name for the birth name, another birthplace
        "T6": ("review", "S6"),  # Naël / Nahel: a twin or a typo
        "T7": ("review", "S5"), "T8": ("review", "S7"), "T9": ("no_match", ""),
        "T10": ("review", "S6"),  # nothing beyond names, date and sex confirms it
    }
    further = [(r["id_left"], r["rank"], r["id_right"]) for r in rows if r["rank"] != "1"]
    assert ("T1", "2", "S2") in further and ("T3", "2", "S1") in further
    assert all(r["decision"] == "review" for r in rows if r["rank"] != "1")
    assert summary == LinkSummary(link=0, review=9, no_match=1)


def test_whole_columns_read_as_rows_do(tmp_path, monkeypatch):
    from reentry.reconcile import csv_columns
    from reentry.reconcile.identity_table import read_columns, read_rows

    path = write_identities(tmp_path / "people.csv", [*CROWD, {"id": " S8 "}], delimiter=";",
                            bom=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n;;;;;;;;;;\n")  # a blank line and a row of empty cells: skipped
    by_rows = [values for _, values in read_rows(path)]
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(csv_columns, "pa_csv", None)
        columns = read_columns(path)
        assert [list(values) for values in zip(*columns, strict=True)] == by_rows
    bad = write_identities(tmp_path / "bad.csv", [ANNE, {"birth_name": "SANS ID"}])
    with pytest.raises(FileRejected) as caught:
        read_columns(bad)
    assert "3" in caught.value.message() and "id" in caught.value.message()


def test_nir_keys_are_checked_in_bulk_as_one_by_one():
    from reentry.nir import is_valid_nir
    from reentry.reconcile.identity_table import valid_nirs

    corsica = make_nir("280052B041123")
    texts = [NIR_ANNE, NIR_OTHER, make_nir("179052A004123"), corsica,
             NIR_ANNE[:-1] + str((int(NIR_ANNE[-1]) + 1) % 10), "1790520004123", "",
             "ABCDEFGHIJKLMNO", corsica.replace("B", "C"), "279056912304512"]
    assert valid_nirs(texts).tolist() == [is_valid_nir(t) for t in texts]
    assert sum(valid_nirs(texts)) >= 4
