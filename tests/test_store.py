"""The store on real SQLite files: migrations, refusal of newer databases, atomic imports."""

import sqlite3
from datetime import UTC, date, datetime

import pytest

from reentry.errors import DatabaseError, DatabaseLocked, DatabaseTooNew, FileRejected
from reentry.model import (
    IdentityStatus,
    ImportBatch,
    Movement,
    MovementKind,
    Observation,
    Patient,
    PatientKey,
    Sex,
    Site,
    Stay,
    Ward,
)
from reentry.store import open_store
from reentry.store.schema import MIGRATION_NAMES

AS_OF = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def batch(content_hash="h1", **extra) -> ImportBatch:
    b = ImportBatch("census.csv", "csv", content_hash, AS_OF)
    b.sites.append(Site("N", "Hôpital Nord"))
    b.wards.append(Ward("1201", "Cardiologie", "N"))
    b.patients.append(Patient("000003", "279035121518989", IdentityStatus.VALI, "PAT-TROIS",
                              "DURAND", "DOMINIQUE", date(1979, 3, 28), Sex.FEMALE, "63220"))
    b.stays.append(Stay("N1", PatientKey("000003")))
    b.movements.append(Movement("m1", "N1", MovementKind.ADMISSION, AS_OF, "1201", "10", "A"))
    for name, values in extra.items():
        getattr(b, name).extend(values)
    return b


def test_a_new_database_is_migrated_and_in_wal_mode(db_path):
    store = open_store(db_path)
    store.close()
    conn = sqlite3.connect(db_path)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names == MIGRATION_NAMES
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    open_store(db_path).close()  # reopening applies nothing twice
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(names)


def test_a_database_from_a_newer_version_is_refused_untouched(db_path):
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('reentry', '9999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseTooNew) as caught:
        open_store(db_path)
    assert "version plus récente" in caught.value.message()
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_a_database_gets_a_clear_error(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(DatabaseError) as caught:
        open_store(path)
    assert str(path) in caught.value.message()


def test_a_locked_database_says_so(db_path, store):
    other = sqlite3.connect(db_path, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")
    try:
        store.sql.execute("PRAGMA busy_timeout = 100")
        with pytest.raises(DatabaseLocked) as caught:
            store.apply_import(batch())
        assert "verrouillée" in caught.value.message()
    finally:
        other.rollback()
        other.close()
    assert store.counts()["patients"] == 0
    assert store.apply_import(batch()).already_imported is False


@pytest.mark.both_backends
def test_import_is_idempotent(store):
    first = store.apply_import(batch())
    counts = store.counts()
    second = store.apply_import(batch())
    assert not first.already_imported and second.already_imported
    assert store.counts() == counts


@pytest.mark.both_backends
def test_a_failing_batch_leaves_nothing_behind(store):
    store.apply_import(batch())
    before = store.counts()
    bad = batch("h2", observations=[Observation("o1", PatientKey("999999"), "8867-4", "FC", AS_OF,
                                                value=80)])
    with pytest.raises(FileRejected):
        store.apply_import(bad)
    assert store.counts() == before


@pytest.mark.both_backends
def test_later_imports_complete_but_never_erase_identity(store):
    store.apply_import(batch())
    later = ImportBatch("adt.hl7", "hl7v2", "h3", AS_OF)
    later.patients.append(Patient(None, "279035121518989", given_names="DOMINIQUE MARIE"))
    store.apply_import(later)
    patient = store.patient_by_ipp("000003")
    assert patient.given_names == "DOMINIQUE MARIE"
    assert patient.birth_name == "PAT-TROIS" and patient.used_name == "DURAND"
    assert store.counts()["patients"] == 1


@pytest.mark.both_backends
def test_census_is_in_natural_bed_order_and_follows_movements(store):
    b = batch()
    for i, room in enumerate(["2", "10", "1"]):
        ipp, nda = f"10000{i}", f"S{i}"
        b.patients.append(Patient(ipp, birth_name=f"P{i}", sex=Sex.MALE))
        b.stays.append(Stay(nda, PatientKey(ipp)))
        b.movements.append(Movement("a", nda, MovementKind.ADMISSION, AS_OF, "1201", room, "A"))
    store.apply_import(b)
    assert [r.stay.room for r in store.census("1201")] == ["1", "2", "10", "10"]

    moves = ImportBatch("adt", "hl7v2", "h4", AS_OF)
    moves.movements.append(Movement("d", "S1", MovementKind.DISCHARGE, AS_OF, "1201"))
    store.apply_import(moves)
    assert [r.stay.room for r in store.census()] == ["1", "2", "10"]

    undo = ImportBatch("adt", "hl7v2", "h5", AS_OF)
    undo.movements.append(Movement("d", "S1", MovementKind.DISCHARGE, None, cancelled=True))
    store.apply_import(undo)
    assert len(store.census()) == 4


@pytest.mark.both_backends
def test_dossier_returns_recent_observations_only(store):
    old = datetime(2026, 11, 20, tzinfo=UTC)
    store.apply_import(batch(observations=[
        Observation("o-new", PatientKey("000003"), "8867-4", "FC", AS_OF, "N1", 80, None, "/min"),
        Observation("o-old", PatientKey("000003"), "8867-4", "FC", old, "N1", 70, None, "/min"),
    ]))
    patient = store.patient_by_ipp("000003")
    dossier = store.dossier(patient.id, since=datetime(2026, 11, 22, tzinfo=UTC))
    assert [o.source_id for o in dossier.observations] == ["o-new"]
    assert dossier.ward.name == "Cardiologie" and dossier.stay.bed == "A"
    assert dossier.snapshot.data_as_of == AS_OF


@pytest.mark.both_backends
def test_a_stay_number_reused_for_another_patient_is_refused(store):
    store.apply_import(batch())
    other = ImportBatch("adt.hl7", "hl7v2", "h9", AS_OF)
    other.patients.append(Patient("777777", birth_name="AUTRE", sex=Sex.MALE))
    other.stays.append(Stay("N1", PatientKey("777777")))
    before = store.counts()
    with pytest.raises(FileRejected) as caught:
        store.apply_import(other)
    assert "identitovigilance" in caught.value.message()
    assert store.counts() == before
    assert store.census()[0].patient.ipp == "000003"
