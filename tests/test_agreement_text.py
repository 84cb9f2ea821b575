"""An identity candidate's per-field agreement, in the reader's language."""

from reentry.i18n import language
from reentry.reconcile.agreement_text import agreement_text

FIELDS = ("birth_name=1.00(birth/used);given_names=0.92(in_list);birth_date=swapped;sex=same;"
          "birth_place=unknown;address=0.80;national_id=different")


def test_every_field_reads_in_french():
    assert agreement_text(FIELDS) == (
        "Nom de naissance 1,00 (naissance/usage) · Prénoms 0,92 (dans la liste) · "
        "Date de naissance jour et mois inversés · Sexe identique · "
        "Lieu de naissance non renseigné · Adresse 0,80 · INS-NIR différent")


def test_and_in_english():
    with language("en"):
        assert agreement_text("birth_date=year_off;given_names=0.50(conflict)") == (
            "Birth date different year · First names 0.50 (conflicting)")


def test_what_it_does_not_know_is_shown_as_written():
    assert agreement_text("shoe_size=42;birth_name=weird(x);;") == (
        "shoe_size 42 · Nom de naissance weird (x)")
