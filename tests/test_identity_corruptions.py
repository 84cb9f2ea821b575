"""Identity linking on the errors a downtime admission really makes: the true SIH patient is
always linked or proposed to the identity-vigilance cell, and relatives who share names, dates
or homes are never linked automatically.

The SIH side is a small crowd of near identities (twins, namesakes, a mother and daughter, a
father and son) around each true patient, so that a candidate found by chance does not count.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reentry.nir import make_nir
from reentry.reconcile.identity import link_identity_files
from reentry.reconcile.identity_columns import COLUMNS

NIR_CLAIRE = make_nir("2790569123045")
NIR_DAUGHTER = make_nir("2050569123046")

CLAIRE = dict(id="S-CLAIRE", birth_name="MARTIN", used_name="DURAND",
              given_names="Claire Anne Marie", birth_date="1979-05-14", sex="F",
              birth_place="69123", address="12 rue Victor Hugo", postcode="69003", city="Lyon",
              national_id=NIR_CLAIRE)
JEAN_PIERRE = dict(id="S-JP", birth_name="LEROY", used_name="", given_names="Jean-Pierre Louis",
                   birth_date="1962-11-03", sex="M", birth_place="75115",
                   address="4 place Bellecour", postcode="69002", city="Lyon", national_id="")
RELATIVES = [
    # Claire's twin sister: same birth name, date, place and home, another first name.
    dict(CLAIRE, id="S-TWIN", given_names="Sophie Anne", used_name="", national_id=""),
    # Claire's daughter, named after her mother, at the same address.
    dict(CLAIRE, id="S-DAUGHTER", used_name="", given_names="Claire",
         birth_date="2005-05-14", national_id=NIR_DAUGHTER),
    # A strict namesake of Claire: same names, date and sex, born and living elsewhere.
    dict(CLAIRE, id="S-NAMESAKE", used_name="", birth_place="13055",
         address="3 rue de la République", postcode="13001", city="Marseille", national_id=""),
    # Jean-Pierre's father, Jean-Pierre too, at the same address.
    dict(JEAN_PIERRE, id="S-FATHER", birth_date="1935-02-21", birth_place="75112"),
    # Unrelated patients sharing a name or a date.
    dict(JEAN_PIERRE, id="S-OTHER", birth_name="LEROUX", given_names="Paul",
         birth_date="1962-11-03", address="9 rue Garibaldi", postcode="69007"),
    dict(CLAIRE, id="S-MARIE", birth_name="MARTINEZ", used_name="", given_names="Marie",
         birth_date="1980-01-09", national_id="", address="1 quai Perrache", postcode="69002"),
]
INDEX = [CLAIRE, JEAN_PIERRE, *RELATIVES]


def write(path: Path, people: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({c: p.get(c, "") for c in COLUMNS} for p in people)
    return path


def outcome(tmp_path: Path, left: dict[str, str]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(the decision row, every row) of one temporary identity against the crowd."""
    out = tmp_path / "links.csv"
    link_identity_files(write(tmp_path / "left.csv", [dict(left, id="T1")]),
                        write(tmp_path / "right.csv", INDEX), out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows[0], rows


def found(rows: list[dict[str, str]], true_id: str) -> bool:
    """Linked to the true patient, or the true patient among the candidates proposed."""
    return any(r["id_right"] == true_id and r["decision"] in ("link", "review") for r in rows)


# What a downtime admission writes: no NIR (the carte Vitale stayed home) unless said.
WRITTEN = dict(CLAIRE, national_id="")
CORRUPTIONS = {
    # Used (married) name written as the birth name, the birth name absent.
    "used_name_as_birth_name": dict(WRITTEN, birth_name="DURAND", used_name=""),
    "names_crossed": dict(WRITTEN, birth_name="DURAND", used_name="MARTIN"),
    "both_names_in_one_field": dict(WRITTEN, birth_name="MARTIN ép. DURAND", used_name=""),
    # The SIH does not know the used name the family gave.
    "unknown_used_name": dict(WRITTEN, birth_name="BERTRAND", used_name=""),
    "one_wrong_digit_in_the_day": dict(WRITTEN, birth_date="1979-05-19"),
    "one_wrong_digit_in_the_year": dict(WRITTEN, birth_date="1989-05-14"),
    "day_and_month_swapped": dict(WRITTEN, birth_date="1979-14-05"),
    "year_digits_transposed": dict(WRITTEN, birth_date="1997-05-14"),
    "birth_date_missing": dict(WRITTEN, birth_date=""),
    "birth_date_unreadable": dict(WRITTEN, birth_date="14 mai ??"),
    # A passport number, with the birthplace not written: the names and date must still do.
    "identifier_not_a_nir": dict(WRITTEN, national_id="19AB12345", birth_place=""),
    "nir_with_a_typo": dict(WRITTEN, national_id=NIR_CLAIRE[:5] + "9" + NIR_CLAIRE[6:]),
    # Exact names and NIR, the admission date written as the birth date, another address.
    "same_names_and_nir_other_date": dict(WRITTEN, birth_date="2026-11-23",
                                          national_id=NIR_CLAIRE, address="", postcode=""),
    "surname_typo": dict(WRITTEN, birth_name="MATRIN"),
    "surname_typo_and_date_digit": dict(WRITTEN, birth_name="MARTIM", birth_date="1978-05-14"),
    "first_name_only": dict(WRITTEN, given_names="Claire"),
    "usual_second_first_name": dict(WRITTEN, given_names="Anne"),
    "first_name_typo_no_date": dict(WRITTEN, given_names="Cliare", birth_date=""),
    "surname_and_first_name_swapped": dict(WRITTEN, birth_name="CLAIRE", used_name="",
                                           given_names="MARTIN"),
    "sparse": dict(WRITTEN, used_name="", birth_place="", address="", postcode="", city="",
                   national_id="", sex=""),
}
COMPOUND = {
    "hyphen_as_space": "Jean Pierre Louis",
    "abbreviated_first_part": "J-Pierre",
    "initials": "JP",
    "parts_reversed": "Pierre Jean",
    "compound_only": "Jean-Pierre",
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_the_true_patient_is_linked_or_proposed_whatever_the_error(tmp_path, corruption):
    decision, rows = outcome(tmp_path, CORRUPTIONS[corruption])
    assert found(rows, "S-CLAIRE"), rows
    if decision["decision"] == "link":
        assert decision["id_right"] == "S-CLAIRE"


@pytest.mark.parametrize("written", list(COMPOUND.values()), ids=list(COMPOUND))
def test_compound_and_abbreviated_first_names_find_jean_pierre(tmp_path, written):
    decision, rows = outcome(tmp_path, dict(JEAN_PIERRE, given_names=written))
    assert found(rows, "S-JP"), rows
    assert "S-FATHER" not in {r["id_right"] for r in rows if r["decision"] == "link"}


@pytest.mark.parametrize(("person", "never"), [
    (dict(RELATIVES[0], national_id=""), "S-CLAIRE"),  # the twin is not Claire...
    (dict(CLAIRE, national_id=""), "S-TWIN"),  # ...nor Claire her twin
    (dict(RELATIVES[1]), "S-CLAIRE"),  # the daughter is not her mother
    (dict(CLAIRE, birth_place="", address="", postcode=""), "S-NAMESAKE"),
    (dict(JEAN_PIERRE), "S-FATHER"),
    (dict(RELATIVES[3]), "S-JP"),
])
def test_relatives_and_namesakes_are_never_linked(tmp_path, person, never):
    _, rows = outcome(tmp_path, person)
    assert not [r for r in rows if r["decision"] == "link" and r["id_right"] == never], rows


def test_a_namesake_absent_from_the_sih_is_never_linked_to_the_one_present(tmp_path):
    # Claire's strict namesake comes in, but only Claire is in the SIH: names, date and sex
    # agree, the birthplace was not written, the address differs.
    out = tmp_path / "links.csv"
    stranger = dict(RELATIVES[2], id="T1", birth_place="")
    link_identity_files(write(tmp_path / "left.csv", [stranger]),
                        write(tmp_path / "right.csv", [CLAIRE]), out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        decision = next(csv.DictReader(handle))
    assert decision["decision"] == "review"


def test_no_match_says_whether_anyone_was_compared(tmp_path):
    decision, _ = outcome(tmp_path, dict(id="T1", birth_name="ZYLBERSTEIN", given_names="Ezra",
                                         birth_date="1901-01-01", sex="M"))
    assert decision["decision"] == "no_match" and decision["reason"].startswith("Aucun patient")
    decision, _ = outcome(tmp_path, dict(JEAN_PIERRE, birth_name="ZYLBERSTEIN",
                                         given_names="Ezra", national_id=""))
    # Patients born that day were compared (the date is a search key): none was plausible.
    assert decision["decision"] == "no_match"
    assert "aucun n'est plausible" in decision["reason"]
