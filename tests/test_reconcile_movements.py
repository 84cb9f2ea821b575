"""Transfers and discharges written on paper are reconciled like every other item: found in the
SIH, different (another destination), missing, or there twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reentry.domain.entry import ItemKind
from reentry.reconcile.items import PaperItem, SihItem, read_item_table, reconcile

T0 = datetime(2026, 11, 23, 22, 40, tzinfo=UTC)
IPP = "900000001"
MOVEMENT = ItemKind.MOVEMENT.value


def paper(code: str = "transfer", destination: str = "Cardiologie, 3e étage") -> PaperItem:
    return PaperItem("p", IPP, MOVEMENT, code, T0, None, destination,
                     text="Transféré avec son dossier papier", author="Marie Dupont")


def sih(item_id: str, minutes: float = 0, code: str = "transfer",
        destination: str = "cardiologie 3e etage", author: str | None = "MD") -> SihItem:
    return SihItem(item_id, IPP, MOVEMENT, code, T0 + timedelta(minutes=minutes), None,
                   destination, author=author)


def verdict(sih_items: list[SihItem], item: PaperItem | None = None):
    return reconcile([item or paper()], sih_items).verdicts[0]


@pytest.mark.parametrize("minutes", [-40, 7, 55])
def test_a_transfer_typed_in_the_sih_within_the_hour_is_found(minutes):
    found = verdict([sih("s", minutes)])
    assert found.verdict == "in_sih" and found.sih_ids == ("s",)


def test_another_destination_differs_and_says_which():
    changed = verdict([sih("s", 5, destination="Réanimation médicale")])
    assert changed.verdict == "differs" and changed.differs_on == ("value",)
    assert "Réanimation" in str(changed.reason)


def test_a_discharge_is_not_a_transfer_and_a_movement_out_of_the_window_is_missing():
    assert verdict([sih("s", 5, code="discharge")]).verdict == "missing"
    assert verdict([sih("s", 75)]).verdict == "missing"
    assert verdict([]).verdict == "missing"


def test_a_transfer_in_the_sih_twice_is_a_duplicate():
    twice = verdict([sih("typed", 2), sih("interface", -9, author=None)])
    assert twice.verdict == "duplicate" and set(twice.sih_ids) == {"typed", "interface"}


def test_movements_read_from_an_item_csv_keep_destination_and_comments(tmp_path):
    path = tmp_path / "sih.csv"
    path.write_text(
        "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
        f"m1,{IPP},,movement,transfer,Cardiologie 3e étage,,,2026-11-23T23:45:00+01:00,MD,"
        "Transféré avec son dossier papier\n", encoding="utf-8")
    table = read_item_table(path)
    item = table.item(0)
    assert (item.kind, item.code, item.value_text) == (MOVEMENT, "transfer",
                                                       "Cardiologie 3e étage")
    assert item.text == "Transféré avec son dossier papier"
    assert reconcile([paper()], table).verdicts[0].verdict == "in_sih"
