"""A run stores its SIH items from the columns read (``StoredItems``), never making the items:
the JSON and id of each row must be what ``ItemJson`` writes for ``table.item(row)``,
whatever the row holds (a note, whose code is not kept; a value written as text; no unit;
quotes, accents, a refused dose, a status left blank)."""

from __future__ import annotations

import sys
from pathlib import Path

from reentry.domain.review_run import ItemJson
from reentry.reconcile.items import reconcile
from reentry.reconcile.items_json import StoredItems
from reentry.reconcile.items_table import ItemTable, LazyItems, read_item_table
from reentry.review.record import unmatched_records

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from outage_scenario import scenario, write_items  # noqa: E402

ODD = '''record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text,status
a1,009000350,N1,vital_sign,8867-4,72,/min,,2026-11-24T02:52:22+01:00,Moniteur lit 1,,completed
a2,009000350,,vital_sign,8310-5,37.5,Cel,,2026-11-24T02:52:22+01:00,,,
a3,009000351,,nursing_note,ignored,,,,2026-11-24T03:00:00+01:00,Zoé,"Dit « j'ai mal », ""aïe""",
a4,009000351,,medication_administration,PARACETAMOL,1,g,IV,2026-11-24T04:00:00Z,,,not-done
a5,009000352,,vital_sign,72514-3,douleur vive,,,2026-11-24T05:00:00+01:00,,texte perdu,
a6,009000352,,movement,transfer,,,,2026-11-24T06:00:00+01:00,,vers Réa 2,completed
'''


def check(table: ItemTable) -> StoredItems:
    stored = StoredItems(table)
    item_json = ItemJson()
    for row in range(len(table)):
        item = table.item(row)
        assert stored.json[row] == item_json(item)
        assert stored.ids[row] == item.id
    return stored


def test_odd_rows_are_stored_as_their_items(tmp_path: Path) -> None:
    path = tmp_path / "sih.csv"
    path.write_text(ODD, encoding="utf-8")
    stored = check(read_item_table(path))
    assert '"code": ""' in stored.json[2] and '"status": "completed"' in stored.json[1]


def test_an_outage_export_is_stored_as_its_items(tmp_path: Path) -> None:
    found = scenario(1500, 4000, seed=5, per_patient=40, monitored_every=3)
    write_items(tmp_path / "sih.csv", found.sih)
    check(read_item_table(tmp_path / "sih.csv"))
    check(ItemTable.from_items(found.sih))  # items from FHIR or HL7: encoded as they are


def test_unmatched_items_from_the_columns_are_those_from_the_items(tmp_path: Path) -> None:
    found = scenario(1500, 4000, seed=5, per_patient=40, monitored_every=3)
    write_items(tmp_path / "sih.csv", found.sih)
    table = read_item_table(tmp_path / "sih.csv")
    unmatched = reconcile(found.paper, table).unmatched_sih
    assert isinstance(unmatched, LazyItems) and len(unmatched) > 100
    from_columns = unmatched_records(unmatched, StoredItems(table))
    assert from_columns == unmatched_records(list(unmatched))
    assert from_columns == [ItemJson()(s) for s in unmatched]


def test_a_single_sih_csv_is_read_from_disk_once(tmp_path: Path, monkeypatch) -> None:
    """Its format is told from the bytes that are then read into columns (a 15 MB export is
    not read and decoded twice); the table is the one its path gives."""
    import reentry.reconcile_run as run
    from reentry.importing.source import SourceFile

    path = tmp_path / "sih.csv"
    path.write_text(ODD, encoding="utf-8")
    reads: list[Path] = []
    real = SourceFile.read.__func__  # type: ignore[attr-defined]

    def counted(cls: type[SourceFile], where: str | Path) -> SourceFile:
        reads.append(Path(where))
        return real(cls, where)

    monkeypatch.setattr(SourceFile, "read", classmethod(counted))
    table, patients = run.read_sih_side([path])
    assert reads == [path] and patients == []
    assert StoredItems(table).json == StoredItems(read_item_table(path)).json
