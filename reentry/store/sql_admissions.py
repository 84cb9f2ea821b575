"""Downtime admissions: the identity written on paper for a temporary-identity packet."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from reentry import clock
from reentry.domain.admission import (
    PROVISIONAL_NDA_PREFIX,
    Admission,
    AdmissionStatus,
    AdmissionToStore,
    Packet,
    ProvisionalPatient,
)
from reentry.domain.entry import User
from reentry.model import IdentityStatus, Patient, Sex
from reentry.store.database import SqlConnection
from reentry.store.sql_entry import _audit

_VERSION_SELECT = """
    SELECT a.*, t.code AS temporary_code, u.username
    FROM downtime_admissions a
    JOIN temporary_identities t ON t.id = a.temporary_identity_id
    JOIN users u ON u.id = a.entered_by
"""
_TRAITS = ("birth_name", "used_name", "given_names", "birth_date", "sex", "birthplace_insee")


class AdmissionQueries:
    """Mixed into ``SqlStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any

    def packet(self, temporary_code: str) -> Packet | None:
        """The packet printed with ``temporary_code``, with its sheets still in use."""
        rows = self._rows(
            "SELECT t.*, b.window_start, b.window_hours FROM temporary_identities t"
            " JOIN print_batches b ON b.id = t.batch_id WHERE t.code = ?", [temporary_code])
        if not rows:
            return None
        r = rows[0]
        sheets = self._rows(
            "SELECT serial, template_id FROM form_instances WHERE temporary_identity_id = ?"
            " AND status IN ('registered', 'printed') ORDER BY serial", [r["id"]])
        return Packet(
            temporary_identity_id=r["id"], code=r["code"], ward_code=r["ward_code"],
            batch_id=r["batch_id"],
            window_start=clock.from_storage(r["window_start"]),  # type: ignore[arg-type]
            window_hours=r["window_hours"], patient_id=r["patient_id"],
            sheets=tuple((s["serial"], s["template_id"]) for s in sheets))

    def admission_versions(self, temporary_identity_id: int) -> list[Admission]:
        """Every version of the packet's admission, oldest first."""
        rows = self._rows(_VERSION_SELECT + " WHERE a.temporary_identity_id = ? ORDER BY a.id",
                          [temporary_identity_id])
        return [_admission(r) for r in rows]

    def provisional_patients(self, ward_code: str | None = None) -> list[ProvisionalPatient]:
        """Active admissions with their patient as it stands now, by ward then admission time."""
        from reentry.store.sql_store import _patient

        sql = _VERSION_SELECT + " WHERE a.status = 'active'"
        params: list[Any] = []
        if ward_code:
            sql += " AND a.ward_code = ?"
            params.append(ward_code)
        admissions = [_admission(r) for r in self._rows(
            sql + " ORDER BY a.ward_code, a.admitted_at, a.id", params)]
        patients = {r["id"]: _patient(r) for r in self._rows(
            "SELECT p.* FROM patients p JOIN downtime_admissions a ON a.patient_id = p.id"
            " WHERE a.status = 'active'")}
        return [ProvisionalPatient(a, patients[a.patient.id]) for a in admissions]

    def patients_born_on(self, day: date) -> list[Patient]:
        """Everyone born on ``day`` (to spot a patient the hospital may already know)."""
        from reentry.store.sql_store import _patient

        rows = self._rows("SELECT * FROM patients WHERE birth_date = ? ORDER BY id",
                          [day.isoformat()])
        return [_patient(r) for r in rows]

    def save_admission(self, record: AdmissionToStore, user: User) -> Admission:
        """Store an admission in one transaction.

        The first version creates the provisional patient (PROV, no IPP) and its stay, links the
        temporary identity to it and puts every sheet of the packet on that patient and stay.
        A correction retires the active version (kept, marked corrected) and updates the patient
        and stay it created. Whether the admission may be stored is decided by
        ``reentry.admission.service`` in its unit of work.
        """
        packet = record.packet
        entered_at = clock.to_storage(record.entered_at)
        with self._transaction() as conn:
            active = conn.execute(
                "SELECT id, patient_id, stay_id, entered_at FROM downtime_admissions"
                " WHERE temporary_identity_id = ? AND status = 'active'",
                (packet.temporary_identity_id,)).fetchone()
            if record.corrects is None:
                patient_id, stay_id = _create_patient_and_stay(conn, record)
                attached = _attach_packet(conn, packet.temporary_identity_id, patient_id, stay_id)
                conn.execute("INSERT INTO sheet_events (serial, at, action, \"user\")"
                             " VALUES (?, ?, 'entered', ?)",
                             (record.serial, entered_at, user.username))
            else:
                patient_id, stay_id = int(active[1]), int(active[2])
                conn.execute("UPDATE downtime_admissions SET status = 'corrected' WHERE id = ?",
                             (record.corrects,))
                _update_patient_and_stay(conn, record, patient_id, stay_id)
                attached = 0
            new_id = conn.insert(
                "INSERT INTO downtime_admissions (temporary_identity_id, serial, patient_id,"
                " stay_id, birth_name, used_name, given_names, birth_date, sex, birthplace_insee,"
                " ward_code, room, bed, admitted_at, author, field_values, entered_by,"
                " entered_at, status, corrects, reason, warnings_confirmed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)",
                (packet.temporary_identity_id, record.serial, patient_id, stay_id,
                 *_traits(record.patient), record.ward_code, record.room, record.bed,
                 clock.to_storage(record.admitted_at), record.author,
                 json.dumps(record.values, ensure_ascii=False), user.id, entered_at,
                 record.corrects, record.reason, json.dumps(list(record.warnings_confirmed))))
            admission_id = new_id
            if record.corrects is None:
                _audit(conn, user.id, "admission_recorded", "admission", admission_id, {
                    "serial": record.serial, "temporary_id": packet.code,
                    "patient_id": patient_id, "stay_id": stay_id, "sheets_attached": attached})
            else:
                before = conn.execute("SELECT field_values FROM downtime_admissions WHERE id = ?",
                                      (record.corrects,)).fetchone()[0]
                _audit(conn, user.id, "admission_corrected", "admission", admission_id, {
                    "serial": record.serial, "temporary_id": packet.code,
                    "corrects": record.corrects, "reason": record.reason,
                    "before": json.loads(before), "after": record.values})
        return next(a for a in self.admission_versions(packet.temporary_identity_id)
                    if a.id == admission_id)


def _traits(patient: Patient) -> tuple[Any, ...]:
    return (patient.birth_name, patient.used_name, patient.given_names,
            patient.birth_date.isoformat() if patient.birth_date else None,
            patient.sex.value if patient.sex else Sex.UNKNOWN.value, patient.birthplace_insee)


def _create_patient_and_stay(conn: SqlConnection, record: AdmissionToStore
                             ) -> tuple[int, int]:
    """A patient without IPP (never invented) and a stay numbered after the temporary code."""
    new_id = conn.insert(
        "INSERT INTO patients (ipp, identity_status, " + ", ".join(_TRAITS) + ")"
        " VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)",
        (IdentityStatus.PROV.value, *_traits(record.patient)))
    patient_id = new_id
    new_id = conn.insert(
        "INSERT INTO stays (nda, patient_id, ward_code, room, bed, admitted_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (PROVISIONAL_NDA_PREFIX + record.packet.code, patient_id, record.ward_code, record.room,
         record.bed, clock.to_storage(record.admitted_at)))
    return patient_id, new_id


def _attach_packet(conn: SqlConnection, temporary_identity_id: int, patient_id: int,
                   stay_id: int) -> int:
    conn.execute("UPDATE temporary_identities SET patient_id = ? WHERE id = ?",
                 (patient_id, temporary_identity_id))
    cursor = conn.execute("UPDATE form_instances SET patient_id = ?, stay_id = ?"
                          " WHERE temporary_identity_id = ?",
                          (patient_id, stay_id, temporary_identity_id))
    return int(cursor.rowcount)


def _update_patient_and_stay(conn: SqlConnection, record: AdmissionToStore,
                             patient_id: int, stay_id: int) -> None:
    conn.execute("UPDATE patients SET " + ", ".join(f"{t} = ?" for t in _TRAITS)
                 + " WHERE id = ?", (*_traits(record.patient), patient_id))
    conn.execute("UPDATE stays SET ward_code = ?, room = ?, bed = ?, admitted_at = ?"
                 " WHERE id = ?", (record.ward_code, record.room, record.bed,
                                   clock.to_storage(record.admitted_at), stay_id))


def _admission(r: dict[str, Any]) -> Admission:
    entered_at = clock.from_storage(r["entered_at"])
    admitted_at = clock.from_storage(r["admitted_at"])
    assert entered_at is not None and admitted_at is not None
    patient = Patient(
        ipp=None, identity_status=IdentityStatus.PROV, birth_name=r["birth_name"],
        used_name=r["used_name"], given_names=r["given_names"],
        birth_date=date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
        sex=Sex(r["sex"]), birthplace_insee=r["birthplace_insee"], id=r["patient_id"])
    return Admission(
        id=r["id"], temporary_identity_id=r["temporary_identity_id"],
        temporary_code=r["temporary_code"], serial=r["serial"], patient=patient,
        stay_id=r["stay_id"], ward_code=r["ward_code"], room=r["room"], bed=r["bed"],
        admitted_at=admitted_at, author=r["author"], values=json.loads(r["field_values"]),
        entered_by=r["username"], entered_at=entered_at, status=AdmissionStatus(r["status"]),
        corrects=r["corrects"], reason=r["reason"],
        warnings_confirmed=tuple(json.loads(r["warnings_confirmed"])))
