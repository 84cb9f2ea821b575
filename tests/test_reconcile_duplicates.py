"""Duplicates in the SIH as real exports spell them: another author's spelling, another clock,
another unit, a brand, a typo; and what is never a duplicate (monitors, repeated doses)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from reentry.reconcile.authors import AuthorMatch, same_author
from reentry.reconcile.items import PaperItem, SihItem, reconcile

PARIS_WINTER = timezone(timedelta(hours=1))
T0 = datetime(2026, 11, 23, 22, 0, tzinfo=PARIS_WINTER)
IPP = "900000001"
HR = "8867-4"
VITAL, MED, NOTE = "vital_sign", "medication_administration", "nursing_note"
NURSE = "Marie Dupont"
NOTE_TEXT = "Patiente agitée, a arraché sa perfusion, médecin de garde prévenu à 23 h"


def paper(kind: str = VITAL, code: str = HR, value: float | None = 80.0, unit: str | None = "/min",
          minutes: float = 0, **fields) -> PaperItem:
    return PaperItem("p", IPP, kind, code, T0 + timedelta(minutes=minutes), value, unit=unit,
                     author=NURSE, **fields)


def copy(item_id: str, kind: str = VITAL, code: str = HR, value: float | None = 80.0,
         unit: str | None = "/min", minutes: float = 0, author: str | None = NURSE,
         zone: timezone = PARIS_WINTER, ipp: str = IPP, **fields) -> SihItem:
    moment = (T0 + timedelta(minutes=minutes)).astimezone(zone)
    return SihItem(item_id, ipp, kind, code, moment, value, unit=unit, author=author, **fields)


def verdict_of(paper_items: list[PaperItem], sih: list[SihItem]):
    return {v.item_id: v for v in reconcile(paper_items, sih).verdicts}["p"]


@pytest.mark.parametrize("author", ["MD", "md", "IDE MD", "DUPONT Marie", "Dupont M.",
                                    "Mme Dupont", None, "Paul Martin"])
@pytest.mark.parametrize("minutes", [-4, 3, -12, 8, 25])
def test_a_second_copy_by_any_author_a_few_minutes_off_is_a_duplicate(author, minutes):
    verdict = verdict_of([paper()], [copy("typed"), copy("sent", minutes=minutes, author=author)])
    assert verdict.verdict == "duplicate"
    assert set(verdict.sih_ids) == {"typed", "sent"}
    assert "typed" in str(verdict.reason) and "sent" in str(verdict.reason)


def test_a_copy_written_in_utc_is_the_same_instant():
    verdict = verdict_of([paper()], [copy("local"), copy("utc", zone=UTC, minutes=2)])
    assert verdict.verdict == "duplicate"
    alone = verdict_of([paper()], [copy("utc", zone=UTC)])
    assert alone.verdict == "in_sih" and "0 min" in str(alone.reason)


def test_a_dose_in_grams_by_brand_name_repeats_the_dose_in_milligrams():
    dose = paper(MED, "paracétamol", 1000, "mg", route="PO")
    sih = [copy("typed", MED, "PARACETAMOL", 1000, "mg", route="per os"),
           copy("interface", MED, "Doliprane", 1, "g", minutes=-7, route="PO", author="IDE MD",
                zone=UTC)]
    verdict = verdict_of([dose], sih)
    assert verdict.verdict == "duplicate" and set(verdict.sih_ids) == {"typed", "interface"}


def test_a_note_typed_again_with_a_typo_and_no_accents_is_a_duplicate():
    note = paper(NOTE, "", None, None, text=NOTE_TEXT)
    sih = [copy("typed", NOTE, "", None, None, text=NOTE_TEXT),
           copy("again", NOTE, "", None, None, minutes=18, author="md",
                text="patiente agitee a arrache sa perfusoin medecin de garde prevenu a 23h")]
    assert verdict_of([note], sih).verdict == "duplicate"


def test_an_equal_copy_beside_a_mistyped_one_is_a_duplicate_that_says_which_differs():
    verdict = verdict_of([paper()], [copy("mistyped", value=88, minutes=1),
                                     copy("right", minutes=14)])
    assert verdict.verdict == "duplicate"
    assert set(verdict.sih_ids) == {"mistyped", "right"}
    assert verdict.differs_on == ("value",)
    assert "88" in str(verdict.reason)


def test_monitor_readings_and_other_patients_are_never_duplicates():
    monitor = [copy(f"m{k}", minutes=k * 15 + 1, author="Moniteur Philips MX450")
               for k in range(-2, 3)]
    unsigned_series = [copy(f"u{k}", minutes=k * 15 + 7, author=None) for k in range(-2, 3)]
    neighbour = copy("neighbour", ipp="900000002")
    verdict = verdict_of([paper()], [copy("typed", minutes=2), *monitor, *unsigned_series,
                                     neighbour])
    assert verdict.verdict == "in_sih" and verdict.sih_ids == ("typed",)


def test_another_value_near_the_paper_time_is_another_measurement_not_a_duplicate():
    verdict = verdict_of([paper()], [copy("typed", minutes=3), copy("other", value=96, minutes=6)])
    assert verdict.verdict == "in_sih" and verdict.sih_ids == ("typed",)


def test_repeated_doses_each_on_paper_and_in_the_sih_once_are_no_duplicates():
    doses = [PaperItem(f"p{h}", IPP, MED, "morphine", T0 + timedelta(hours=h), 5, unit="mg",
                       route="SC", author=NURSE) for h in (0, 4, 8)]
    sih = [copy(f"s{h}", MED, "Morphine", 5, "mg", minutes=h * 60 + 9, route="sous-cutanée",
                author="IDE MD") for h in (0, 4, 8)]
    assert {v.verdict for v in reconcile(doses, sih).verdicts} == {"in_sih"}


def test_a_dose_outside_its_window_is_no_duplicate():
    dose = paper(MED, "morphine", 5, "mg", route="SC")
    sih = [copy("typed", MED, "morphine", 5, "mg", route="SC"),
           copy("next", MED, "morphine", 5, "mg", minutes=61, route="SC")]
    assert verdict_of([dose], sih).verdict == "in_sih"


@pytest.mark.parametrize(("written", "same"), [
    ("MD", True), ("md", True), ("IDE MD", True), ("DUPONT Marie", True), ("Dupont M.", True),
    ("Mme Dupont", True), ("M. Dupont", True), ("Marie", True), ("Paul Martin", False),
    ("PM", False), ("Dr M", False), ("Martin", False)])
def test_author_spellings(written, same):
    expected = AuthorMatch.SAME if same else AuthorMatch.OTHER
    assert same_author(NURSE, written) is expected
    assert same_author(written, NURSE) is expected
    assert same_author(NURSE, "") is AuthorMatch.UNKNOWN


def test_initials_of_a_compound_first_name():
    assert same_author("Marie-Hélène Dupont", "MHD") is AuthorMatch.SAME
    assert same_author("Marie-Hélène Dupont", "MH Dupont") is AuthorMatch.SAME
    assert same_author("Marie-Hélène Dupont", "MD") is AuthorMatch.SAME  # initials kept short
    assert same_author("Marie-Hélène Dupont", "HD") is AuthorMatch.SAME
    assert same_author("Marie-Hélène Dupont", "MHM") is AuthorMatch.OTHER
