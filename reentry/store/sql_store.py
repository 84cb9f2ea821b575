"""The embedded store: one SQLite file, WAL, versioned migrations, one transaction per write."""

from __future__ import annotations

import functools
import json
import random
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlite_utils import Database

from reentry import clock
from reentry.config import database_password
from reentry.display import natural_key
from reentry.errors import (
    DatabaseError,
    DatabaseTooNew,
    FileRejected,
    UserError,
)
from reentry.files import create_private_database
from reentry.i18n import msg
from reentry.model import (
    Allergy,
    CensusRow,
    Dossier,
    IdentityStatus,
    ImportBatch,
    ImportOutcome,
    MovementKind,
    Note,
    Observation,
    Patient,
    PatientKey,
    Prescription,
    Sex,
    Site,
    Snapshot,
    Stay,
    Ward,
)
from reentry.store.database import SqlConnection, WriteConflict, server_engine, sqlite_engine
from reentry.store.location import (
    DatabaseLocation,
    PostgresLocation,
    SqliteLocation,
    parse_location,
)
from reentry.store.migrate import migrate_server
from reentry.store.offline import META_KEY as OFFLINE_KEY
from reentry.store.offline import offline_facts, write_offline_copy
from reentry.store.schema import MIGRATION_FUNCTIONS, MIGRATION_NAMES, migrations
from reentry.store.sql_admissions import AdmissionQueries
from reentry.store.sql_auth import AuthQueries
from reentry.store.sql_entry import EntryQueries
from reentry.store.sql_events import EventQueries
from reentry.store.sql_registry import RegistryQueries
from reentry.store.sql_reports import ReportQueries
from reentry.store.sql_review import ReviewQueries
from reentry.store.sql_scans import ScanQueries
from reentry.store.sql_second_read import SecondReadQueries
from reentry.store.sql_sheets import SheetQueries
from reentry.store.sql_verify import VerifyQueries

T = TypeVar("T")

_PATIENT_TRAITS = (
    "ipp", "ins_nir", "identity_status", "birth_name", "used_name", "given_names",
    "birth_date", "sex", "birthplace_insee", "address", "postcode", "city",
)


def alphabetical_key(text: str | None) -> str:
    """« énoxaparine » between « amlodipine » and « furosémide », not after « zopiclone »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class SqlStore(RegistryQueries, EntryQueries, EventQueries, SheetQueries, ScanQueries,
               VerifyQueries, AdmissionQueries, ReviewQueries, ReportQueries, AuthQueries,
               SecondReadQueries):
    """The ``Store`` on one database (``SqlConnection``). Create it with ``open_store``."""

    def __init__(self, sql: SqlConnection, path: str) -> None:
        self.sql = sql
        self.path = path

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        with self.sql.errors():
            yield

    @contextmanager
    def _transaction(self) -> Iterator[SqlConnection]:
        """One write transaction (see ``SqlConnection.transaction``)."""
        with self.sql.transaction() as conn:
            yield conn

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return self.sql.rows(sql, tuple(params))

    def atomically(self, work: Callable[[], T]) -> T:
        """Run ``work`` (a service's reads, checks and writes) as one transaction: on one PC
        nobody writes in between; on a server, done again from the start when another PC's
        transaction won a race (see ``_attempts``)."""
        def transaction() -> T:
            with self.sql.transaction():
                return work()
        return _attempts(self, transaction)

    def close(self) -> None:
        self.sql.close()

    def write_offline_copy(self, target: Path, wards: Sequence[str]) -> int:
        """The read-only extract of ``wards`` a ward PC opens when the server is cut
        (``reentry.store.offline``); returns how many patients it holds."""
        return write_offline_copy(self.sql, target, wards)

    def offline_copy(self) -> dict[str, object] | None:
        """What this store says of itself when it is a ward's offline copy, else None."""
        return offline_facts(self.store_meta(OFFLINE_KEY))

    # -- writing ----------------------------------------------------------------------------

    def apply_import(self, batch: ImportBatch) -> ImportOutcome:
        existing = self._rows(
            "SELECT * FROM snapshots WHERE content_hash = ?", [batch.content_hash]
        )
        if existing:
            return ImportOutcome(_snapshot(existing[0]), True, {})
        imported_at = clock.now()
        with self._transaction() as conn:
            snapshot_id = conn.insert(
                "INSERT INTO snapshots (source, format, content_hash, data_as_of, imported_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (batch.source, batch.format, batch.content_hash,
                 clock.to_storage(batch.data_as_of), clock.to_storage(imported_at)),
            )
            _Writer(conn, batch, snapshot_id).write()
        snapshot = Snapshot(batch.source, batch.format, batch.content_hash, batch.data_as_of,
                            imported_at, snapshot_id)
        return ImportOutcome(snapshot, False, batch.counts())

    # -- reading ----------------------------------------------------------------------------

    def sites(self) -> list[Site]:
        return [Site(r["code"], r["name"]) for r in self._rows("SELECT * FROM sites ORDER BY name")]

    def wards(self, site_code: str | None = None) -> list[Ward]:
        sql = "SELECT * FROM wards"
        params: list[Any] = []
        if site_code is not None:
            sql += " WHERE site_code = ?"
            params.append(site_code)
        rows = self._rows(sql + " ORDER BY site_code, name", params)
        return [Ward(r["code"], r["name"], r["site_code"]) for r in rows]

    def census(self, ward_code: str | None = None) -> list[CensusRow]:
        sql = """
            SELECT p.*, s.id AS stay_id, s.nda, s.ward_code, s.room, s.bed, s.admitted_at,
                   s.discharged_at, s.cancelled, w.name AS ward_name, w.site_code,
                   si.name AS site_name
            FROM stays s
            JOIN patients p ON p.id = s.patient_id
            JOIN wards w ON w.code = s.ward_code
            JOIN sites si ON si.code = w.site_code
            WHERE s.discharged_at IS NULL AND s.cancelled = 0
        """
        params: list[Any] = []
        if ward_code is not None:
            sql += " AND s.ward_code = ?"
            params.append(ward_code)
        rows = []
        for r in self._rows(sql, params):
            patient = _patient(r)
            stay = _stay(r, id_column="stay_id", patient_id=patient.id)
            rows.append(CensusRow(
                patient=patient,
                stay=stay,
                site=Site(r["site_code"], r["site_name"]),
                ward=Ward(r["ward_code"], r["ward_name"], r["site_code"]),
            ))
        rows.sort(key=lambda row: (row.site.name, row.ward.name, natural_key(row.stay.room),
                                   natural_key(row.stay.bed), row.patient.birth_name or ""))
        return rows

    def patient_by_ipp(self, ipp: str) -> Patient | None:
        rows = self._rows("SELECT * FROM patients WHERE ipp = ?", [ipp])
        return _patient(rows[0]) if rows else None

    def dossier(self, patient_id: int, since: datetime | None = None) -> Dossier:
        patients = self._rows("SELECT * FROM patients WHERE id = ?", [patient_id])
        if not patients:
            raise LookupError(f"no patient with id {patient_id}")
        patient = _patient(patients[0])
        key = patient.key
        stays = self._rows(
            "SELECT * FROM stays WHERE patient_id = ? AND cancelled = 0"
            " ORDER BY discharged_at IS NULL DESC, admitted_at DESC LIMIT 1",
            [patient_id],
        )
        stay = _stay(stays[0], patient_id=patient_id, key=key) if stays else None
        ward = site = None
        if stay and stay.ward_code:
            ward_rows = self._rows(
                "SELECT w.*, s.name AS site_name FROM wards w JOIN sites s ON s.code = w.site_code"
                " WHERE w.code = ?", [stay.ward_code])
            if ward_rows:
                ward = Ward(ward_rows[0]["code"], ward_rows[0]["name"], ward_rows[0]["site_code"])
                site = Site(ward_rows[0]["site_code"], ward_rows[0]["site_name"])
        since_text = clock.to_storage(since) if since else ""
        allergies = [
            Allergy(r["source_id"], key, r["substance"], r["reaction"], r["severity"],
                    r["criticality"], clock.from_storage(r["recorded_at"]), r["id"])
            for r in self._rows(
                "SELECT * FROM allergies WHERE patient_id = ? ORDER BY substance", [patient_id])
        ]
        prescriptions = [
            Prescription(
                r["source_id"], key, r["drug"], r["nda"], r["dose"], r["unit"], r["route"],
                tuple(json.loads(r["schedule"])), r["frequency"],
                clock.from_storage(r["start"]), clock.from_storage(r["end"]), r["status"], r["id"],
            )
            for r in self._rows(
                "SELECT p.*, s.nda FROM prescriptions p LEFT JOIN stays s ON s.id = p.stay_id"
                " WHERE p.patient_id = ? AND p.status = 'active'", [patient_id])
        ]
        prescriptions.sort(key=lambda rx: alphabetical_key(rx.drug))
        allergies.sort(key=lambda a: alphabetical_key(a.substance))
        observations = [
            Observation(r["source_id"], key, r["code"], r["label"],
                        clock.from_storage(r["effective_at"]),  # type: ignore[arg-type]
                        r["nda"], r["value"], r["value_text"], r["unit"], r["id"])
            for r in self._rows(
                "SELECT o.*, s.nda FROM observations o LEFT JOIN stays s ON s.id = o.stay_id"
                " WHERE o.patient_id = ? AND o.effective_at >= ?"
                " ORDER BY o.effective_at DESC, o.code", [patient_id, since_text])
        ]
        notes = [
            Note(r["source_id"], key, clock.from_storage(r["written_at"]),  # type: ignore[arg-type]
                 r["text"], r["nda"], r["author"], r["id"])
            for r in self._rows(
                "SELECT n.*, s.nda FROM notes n LEFT JOIN stays s ON s.id = n.stay_id"
                " WHERE n.patient_id = ? AND n.written_at >= ? ORDER BY n.written_at DESC",
                [patient_id, since_text])
        ]
        return Dossier(patient, stay, ward, site, allergies, prescriptions, observations, notes,
                       self.latest_snapshot())

    def latest_snapshot(self) -> Snapshot | None:
        rows = self._rows("SELECT * FROM snapshots ORDER BY data_as_of DESC, id DESC LIMIT 1")
        return _snapshot(rows[0]) if rows else None

    def snapshots(self) -> list[Snapshot]:
        return [_snapshot(r) for r in self._rows("SELECT * FROM snapshots ORDER BY id")]

    def counts(self) -> dict[str, int]:
        tables = ("snapshots", "sites", "wards", "beds", "patients", "stays", "movements",
                  "allergies", "prescriptions", "observations", "administrations", "notes")
        return {t: self._rows(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}


class _Writer:
    """Writes one batch inside an open transaction: places, patients, stays, then the dossier."""

    def __init__(self, conn: SqlConnection, batch: ImportBatch, snapshot_id: int) -> None:
        self.conn = conn
        self.batch = batch
        self.snapshot_id = snapshot_id
        self.patient_ids: dict[PatientKey, int] = {}
        self.stay_ids: dict[str, int] = {}

    def write(self) -> None:
        b = self.batch
        self.conn.executemany(
            "INSERT INTO sites (code, name) VALUES (?, ?)"
            " ON CONFLICT(code) DO UPDATE SET name = excluded.name",
            [(s.code, s.name) for s in b.sites])
        self.conn.executemany(
            "INSERT INTO wards (code, name, site_code) VALUES (?, ?, ?) ON CONFLICT(code)"
            " DO UPDATE SET name = excluded.name, site_code = excluded.site_code",
            [(w.code, w.name, w.site_code) for w in b.wards])
        self.conn.executemany(
            "INSERT INTO beds (ward_code, room, bed) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(x.ward_code, x.room, x.bed) for x in b.beds])
        for patient in b.patients:
            self._upsert_patient(patient)
        for patient in b.patient_references:
            self._upsert_patient(patient, fill_only=True)
        for stay in b.stays:
            self._upsert_stay(stay)
        touched: set[int] = set()
        for movement in b.movements:
            stay_id = self._stay_id(movement.nda)
            touched.add(stay_id)
            self.conn.execute(
                "INSERT INTO movements (stay_id, movement_id, kind, at, ward_code, room, bed,"
                " cancelled, snapshot_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(stay_id, movement_id) DO UPDATE SET"
                " kind = excluded.kind, at = coalesce(excluded.at, movements.at),"
                " ward_code = coalesce(excluded.ward_code, movements.ward_code),"
                " room = coalesce(excluded.room, movements.room),"
                " bed = coalesce(excluded.bed, movements.bed),"
                " cancelled = excluded.cancelled, snapshot_id = excluded.snapshot_id",
                (stay_id, movement.movement_id, movement.kind.value,
                 clock.to_storage(movement.at) if movement.at else None,
                 movement.ward_code, movement.room, movement.bed, int(movement.cancelled),
                 self.snapshot_id))
        for stay_id in touched:
            self._derive_stay(stay_id)
        self._write_dossier()

    def _patient_id(self, key: PatientKey) -> int:
        if key in self.patient_ids:
            return self.patient_ids[key]
        found = self._find_patient(key)
        if found is None:
            reference = key.ipp or key.ins_nir or "?"
            raise FileRejected(self.batch.source, msg("where.file"),
                               msg("problem.missing_reference", reference=f"patient {reference}"))
        self.patient_ids[key] = found
        return found

    def _find_patient(self, key: PatientKey) -> int | None:
        if key.ipp:
            row = self.conn.execute("SELECT id FROM patients WHERE ipp = ?", (key.ipp,)).fetchone()
            if row:
                return int(row[0])
        if key.ins_nir:
            # An INS names the same person whatever the IPP, but never steal a row that carries
            # another IPP: that is an identity collision for the vigilance cell, not a merge.
            row = self.conn.execute(
                "SELECT id FROM patients WHERE ins_nir = ?"
                " AND (ipp IS NULL OR CAST(? AS TEXT) IS NULL) ORDER BY id LIMIT 1",
                (key.ins_nir, key.ipp)).fetchone()
            if row:
                return int(row[0])
        return None

    def _upsert_patient(self, patient: Patient, fill_only: bool = False) -> None:
        values = {
            "ipp": patient.ipp, "ins_nir": patient.ins_nir,
            "identity_status": patient.identity_status.value if patient.identity_status else None,
            "birth_name": patient.birth_name, "used_name": patient.used_name,
            "given_names": patient.given_names,
            "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
            "sex": patient.sex.value if patient.sex else None,
            "birthplace_insee": patient.birthplace_insee, "address": patient.address,
            "postcode": patient.postcode, "city": patient.city,
        }
        found = self._find_patient(patient.key)
        if found is None:
            columns = [*values, "snapshot_id"]
            found = self.conn.insert(
                f"INSERT INTO patients ({', '.join(columns)})"
                f" VALUES ({', '.join('?' for _ in columns)})",
                (*values.values(), self.snapshot_id))
        else:
            given = {k: v for k, v in values.items() if v is not None}
            assignments = ", ".join(f"{k} = coalesce({k}, ?)" if fill_only else f"{k} = ?"
                                    for k in given)
            self.conn.execute(
                f"UPDATE patients SET {assignments}, snapshot_id = ? WHERE id = ?",
                (*given.values(), self.snapshot_id, found))
        self.patient_ids[patient.key] = found
        for alias in (PatientKey(patient.ipp, None), PatientKey(None, patient.ins_nir)):
            if alias:
                self.patient_ids.setdefault(alias, found)

    def _upsert_stay(self, stay: Stay) -> None:
        patient_id = self._patient_id(stay.patient)
        row = self.conn.execute("SELECT patient_id FROM stays WHERE nda = ?",
                                (stay.nda,)).fetchone()
        if row is not None and int(row[0]) != patient_id:
            # The same stay number on another patient is an identity collision: never move a
            # stay (and its dossier) silently from one person to another.
            raise FileRejected(self.batch.source, msg("where.file"),
                               msg("problem.stay_of_another_patient", nda=stay.nda))
        self.conn.execute(
            "INSERT INTO stays (nda, patient_id, ward_code, room, bed, admitted_at,"
            " discharged_at, cancelled, snapshot_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(nda) DO UPDATE SET"
            " ward_code = coalesce(excluded.ward_code, stays.ward_code),"
            " room = coalesce(excluded.room, stays.room), bed = coalesce(excluded.bed, stays.bed),"
            " admitted_at = coalesce(excluded.admitted_at, stays.admitted_at),"
            " discharged_at = coalesce(excluded.discharged_at, stays.discharged_at),"
            " cancelled = excluded.cancelled, snapshot_id = excluded.snapshot_id",
            (stay.nda, patient_id, stay.ward_code, stay.room, stay.bed,
             clock.to_storage(stay.admitted_at) if stay.admitted_at else None,
             clock.to_storage(stay.discharged_at) if stay.discharged_at else None,
             int(stay.cancelled), self.snapshot_id))

    def _stay_id(self, nda: str) -> int:
        if nda not in self.stay_ids:
            row = self.conn.execute("SELECT id FROM stays WHERE nda = ?", (nda,)).fetchone()
            if row is None:
                raise FileRejected(self.batch.source, msg("where.file"),
                                   msg("problem.missing_reference", reference=f"NDA {nda}"))
            self.stay_ids[nda] = int(row[0])
        return self.stay_ids[nda]

    def _derive_stay(self, stay_id: int) -> None:
        """Location, admission and discharge follow the stay's movements that stand."""
        rows = self.conn.execute(
            "SELECT kind, at, ward_code, room, bed, cancelled FROM movements WHERE stay_id = ?"
            " ORDER BY at IS NULL, at, id", (stay_id,)).fetchall()
        standing = [r for r in rows if not r[5]]
        admissions = [r for r in standing if r[0] == MovementKind.ADMISSION.value]
        located = [r for r in standing if r[2] and r[0] != MovementKind.DISCHARGE.value]
        discharge = None
        if standing and standing[-1][0] == MovementKind.DISCHARGE.value:
            discharge = standing[-1][1]
        cancelled = bool(rows) and not admissions and any(
            r[0] == MovementKind.ADMISSION.value for r in rows)
        updates: dict[str, Any] = {"discharged_at": discharge, "cancelled": int(cancelled)}
        if admissions:
            updates["admitted_at"] = admissions[0][1]
        if located:
            last = located[-1]
            updates.update(ward_code=last[2], room=last[3], bed=last[4])
        elif standing and standing[-1][0] == MovementKind.DISCHARGE.value and standing[-1][2]:
            updates.update(ward_code=standing[-1][2])
        assignments = ", ".join(f"{k} = ?" for k in updates)
        self.conn.execute(f"UPDATE stays SET {assignments} WHERE id = ?",
                          (*updates.values(), stay_id))

    def _optional_stay_id(self, nda: str | None) -> int | None:
        return self._stay_id(nda) if nda else None

    def _write_dossier(self) -> None:
        b, sid = self.batch, self.snapshot_id
        ts = clock.to_storage

        def upsert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
            if not rows:
                return
            all_columns = ["source_id", *columns, "snapshot_id"]
            updates = ", ".join(
                f'"{c}" = excluded."{c}"' for c in all_columns if c != "source_id")
            self.conn.executemany(
                f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in all_columns)})"
                f" VALUES ({', '.join('?' for _ in all_columns)})"
                f" ON CONFLICT(source_id) DO UPDATE SET {updates}",
                [(*row, sid) for row in rows])

        upsert("allergies",
               ["patient_id", "substance", "reaction", "severity", "criticality", "recorded_at"],
               [(a.source_id, self._patient_id(a.patient), a.substance, a.reaction, a.severity,
                 a.criticality, ts(a.recorded_at) if a.recorded_at else None)
                for a in b.allergies])
        upsert("prescriptions",
               ["patient_id", "stay_id", "drug", "dose", "unit", "route", "schedule",
                "frequency", "start", "end", "status"],
               [(p.source_id, self._patient_id(p.patient), self._optional_stay_id(p.nda),
                 p.drug, p.dose, p.unit, p.route, json.dumps(list(p.schedule)), p.frequency,
                 ts(p.start) if p.start else None, ts(p.end) if p.end else None, p.status)
                for p in b.prescriptions])
        upsert("observations",
               ["patient_id", "stay_id", "code", "label", "value", "value_text", "unit",
                "effective_at"],
               [(o.source_id, self._patient_id(o.patient), self._optional_stay_id(o.nda),
                 o.code, o.label, o.value, o.value_text, o.unit, ts(o.effective_at))
                for o in b.observations])
        upsert("administrations",
               ["patient_id", "stay_id", "drug", "at", "dose", "unit", "route", "status",
                "performer"],
               [(a.source_id, self._patient_id(a.patient), self._optional_stay_id(a.nda),
                 a.drug, ts(a.at), a.dose, a.unit, a.route, a.status, a.performer)
                for a in b.administrations])
        upsert("notes",
               ["patient_id", "stay_id", "written_at", "author", "text"],
               [(n.source_id, self._patient_id(n.patient), self._optional_stay_id(n.nda),
                 ts(n.written_at), n.author, n.text)
                for n in b.notes])


def _patient(r: dict[str, Any]) -> Patient:
    return Patient(
        ipp=r["ipp"], ins_nir=r["ins_nir"],
        identity_status=IdentityStatus(r["identity_status"]) if r["identity_status"] else None,
        birth_name=r["birth_name"], used_name=r["used_name"], given_names=r["given_names"],
        birth_date=date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
        sex=Sex(r["sex"]) if r["sex"] else None, birthplace_insee=r["birthplace_insee"],
        address=r["address"], postcode=r["postcode"], city=r["city"], id=r["id"],
    )


def _stay(r: dict[str, Any], id_column: str = "id", patient_id: int | None = None,
          key: PatientKey | None = None) -> Stay:
    return Stay(
        nda=r["nda"], patient=key or PatientKey(r.get("ipp"), r.get("ins_nir")),
        ward_code=r["ward_code"], room=r["room"], bed=r["bed"],
        admitted_at=clock.from_storage(r["admitted_at"]),
        discharged_at=clock.from_storage(r["discharged_at"]),
        cancelled=bool(r["cancelled"]), id=r[id_column], patient_id=patient_id,
    )


def _snapshot(r: dict[str, Any]) -> Snapshot:
    return Snapshot(r["source"], r["format"], r["content_hash"],
                    clock.from_storage(r["data_as_of"]),  # type: ignore[arg-type]
                    clock.from_storage(r["imported_at"]), r["id"])


RETRIES = 4  # a write that loses a race on a server is done again this many times at most


def _attempts(store: SqlStore, work: Callable[[], T]) -> T:
    """On a server, two PCs' transactions may conflict (SERIALIZABLE): the loser's whole work
    is done again, from its first read, so that it decides on what the winner wrote (and then
    says "already entered" or "already closed" as on one PC). Never inside an open transaction:
    the outer work is the one done again. Done again, its transactions wait their turn
    (``SqlConnection.serialized``): busy PCs that all write the audit chain would otherwise
    keep losing to each other."""
    if store.sql.in_transaction or store.sql.serialized:
        return work()  # the outer call is the one done again
    try:
        for attempt in range(RETRIES):
            try:
                return work()
            except WriteConflict:
                if attempt == RETRIES - 1:
                    raise
                store.sql.serialized = True
                time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
    finally:
        store.sql.serialized = False
    raise AssertionError("unreachable")


def _retrying(method: Callable[..., Any]) -> Callable[..., Any]:
    """Each store call is its own unit of work (``_attempts``)."""
    @functools.wraps(method)
    def call(self: SqlStore, *args: Any, **kwargs: Any) -> Any:
        return _attempts(self, lambda: method(self, *args, **kwargs))
    return call


for _name in dir(SqlStore):
    if not _name.startswith("_") and callable(getattr(SqlStore, _name)) \
            and _name not in ("close", "atomically"):
        setattr(SqlStore, _name, _retrying(getattr(SqlStore, _name)))


def open_server_store(location: PostgresLocation) -> SqlStore:
    """Open (and set up or migrate) the store on a PostgreSQL server."""
    password = None if location.has_password else database_password()
    sql = SqlConnection(server_engine(location.url, password), location.shown)
    try:
        migrate_server(sql, MIGRATION_NAMES, MIGRATION_FUNCTIONS)
    except BaseException:
        sql.close()
        raise
    return SqlStore(sql, location.shown)


def _is_offline_copy(path: Path) -> bool:
    """Whether ``path`` is a ward's offline copy (``reentry.store.offline``), read without
    writing anything, not even a journal."""
    if not path.is_file():
        return False
    try:
        raw = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            return bool(raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'store_meta'")
                        .fetchone() and raw.execute(
                "SELECT 1 FROM store_meta WHERE key = ?", (OFFLINE_KEY,)).fetchone())
        finally:
            raw.close()
    except sqlite3.Error:
        return False


def open_offline_store(path: Path) -> SqlStore:
    """A ward's offline copy, read-only: a write says so instead of happening."""
    shown = str(path)
    sql = SqlConnection(sqlite_engine(str(path), read_only=True), shown, read_only=True)
    try:
        with sql.errors():
            applied = [m.name for m in migrations.applied(Database(sql.dbapi()))]
        if applied != MIGRATION_NAMES[:len(applied)]:  # a migration this code does not know
            raise DatabaseTooNew(path=shown, found=len(applied), known=len(MIGRATION_NAMES))
        if len(applied) < len(MIGRATION_NAMES):
            raise UserError("store.offline_too_old", path=shown)
    except BaseException:
        sql.close()
        raise
    return SqlStore(sql, shown)


def open_store(path: str | Path | DatabaseLocation, *, create: bool = True) -> SqlStore:
    """Open (and create or migrate) the store at ``path``: a SQLite file, or a
    ``postgresql://`` URL (an empty server database is set up by the first client).

    Refuses, without touching it, a database written by a newer version of Reentry.
    """
    location = path if isinstance(path, SqliteLocation | PostgresLocation) \
        else parse_location(path)
    if isinstance(location, PostgresLocation):
        return open_server_store(location)
    path = location.path
    shown = str(path)
    if _is_offline_copy(path):
        return open_offline_store(path)
    try:
        if create:
            create_private_database(path)  # readable by its owner only, -wal and -shm too
        sql = SqlConnection(sqlite_engine(str(path)), shown)
    except OSError as error:
        raise DatabaseError(path=shown, detail=error.strerror or str(error)) from error
    try:
        with sql.errors():
            raw = sql.dbapi()
            db = Database(raw)
            applied = [m.name for m in migrations.applied(db)]
            unknown = [name for name in applied if name not in MIGRATION_NAMES]
            if unknown:
                raise DatabaseTooNew(path=shown, found=len(applied), known=len(MIGRATION_NAMES))
            if raw.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.enable_wal()
            raw.execute("PRAGMA synchronous = FULL")  # a confirmed write survives a power cut
            migrations.apply(db)
    except BaseException:
        sql.close()
        raise
    return SqlStore(sql, shown)
