"""``register_sheets`` writes its sheets a few hundred to a statement (a server pays a round trip
per statement), with the result it had a sheet at a time: serials in the order of the plans,
one 'registered' event each in that order, one new temporary identity per admission packet in
the order packets first appear — a packet shared across two statements too — on both engines.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reentry import clock
from reentry.demo import create_demo
from reentry.domain.sheet_plan import PlannedDose, SheetPlan
from reentry.registry import SheetStatus, temporary_identifier
from reentry.store.sql_registry import _SHEETS_PER_STATEMENT

AS_OF = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _plans(rows) -> list[SheetPlan]:  # type: ignore[no-untyped-def]
    """More plans than two statements hold: patients' sheets, doses, and admission packets
    (packet 1 of the first ward spans the first two statements)."""
    plans = []
    wards = sorted({r.ward.code for r in rows})
    for n in range(2 * _SHEETS_PER_STATEMENT + 37):
        row = rows[n % len(rows)]
        if n % 23 == 0 or n in (_SHEETS_PER_STATEMENT - 1, _SHEETS_PER_STATEMENT):
            packet = 1 if n in (3 * 23, _SHEETS_PER_STATEMENT - 1, _SHEETS_PER_STATEMENT) \
                else n // 100
            plans.append(SheetPlan("downtime_admission", 1, 1, wards[n % len(wards) if
                                                                    packet != 1 else 0],
                                   admission_packet=packet))
        elif n % 2:
            plans.append(SheetPlan("medication_administration", 1, 1, row.ward.code,
                                   row.patient.id, row.stay.id, reserved_top=n / 4,
                                   doses=(PlannedDose(n, "paracétamol", "1 g", "PO", AS_OF),)))
        else:
            plans.append(SheetPlan("dossier", 1, 2, row.ward.code, row.patient.id, row.stay.id))
    return plans


@pytest.mark.both_backends
def test_sheets_registered_in_batches_are_as_a_sheet_at_a_time(store, monkeypatch):
    create_demo(store, patients=8, seed=2, as_of=AS_OF)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    rows = store.census()
    batch = store.open_batch(store.latest_snapshot().id, sorted({r.ward.code for r in rows}),
                             AS_OF, 8, "fr", "opérateur")
    plans = _plans(rows)
    first = store.sql.rows("SELECT coalesce(max(id), 0) AS n FROM temporary_identities")[0]["n"]
    events = store.sql.rows("SELECT coalesce(max(id), 0) AS n FROM sheet_events")[0]["n"]
    sheets = store.register_sheets(batch.id, plans, user="opérateur")

    assert [s.plan for s in sheets] == plans
    serials = [s.serial for s in sheets]
    assert serials == list(range(serials[0], serials[0] + len(plans)))  # in the plans' order
    packets: dict[tuple[str, int], int] = {}  # (ward, packet) → its identity, first seen first
    for sheet in sheets:
        plan = sheet.plan
        if plan.admission_packet is None:
            assert sheet.temporary_id is None
            continue
        identity = packets.setdefault((plan.ward_code, plan.admission_packet),
                                      first + len(packets) + 1)
        assert sheet.temporary_id == temporary_identifier(identity)
    assert sheets[_SHEETS_PER_STATEMENT - 1].temporary_id == \
        sheets[_SHEETS_PER_STATEMENT].temporary_id == sheets[3 * 23].temporary_id
    identities = store.sql.rows("SELECT id, code, batch_id, ward_code FROM temporary_identities"
                                " WHERE id > ? ORDER BY id", [first])
    assert [(r["id"], r["code"], r["batch_id"], r["ward_code"]) for r in identities] == [
        (n, temporary_identifier(n), batch.id, ward) for (ward, _), n in packets.items()]

    for sheet in sheets:  # every column as the plan says
        instance = store.form_instance(sheet.serial)
        assert instance is not None and instance.status is SheetStatus.REGISTERED
        plan = sheet.plan
        assert (instance.template_id, instance.template_version, instance.page_count,
                instance.ward_code, instance.patient_id, instance.stay_id, instance.batch_id,
                instance.temporary_id, instance.created_at, instance.snapshot_id) == (
            plan.template_id, plan.template_version, plan.page_count, plan.ward_code,
            plan.patient_id, plan.stay_id, batch.id, sheet.temporary_id, NOW,
            store.latest_snapshot().id)
    contents = {r["serial"]: r["content"] for r in store.sql.rows(
        "SELECT serial, content FROM form_instances WHERE batch_id = ?", [batch.id])}
    assert '"reserved_top": 0.25' in contents[serials[1]]
    assert '"paracétamol"' in contents[serials[1]] and contents[serials[2]] == "{}"
    logged = store.sql.rows('SELECT id, serial, at, action, "user", reason FROM sheet_events'
                            " WHERE id > ? ORDER BY id", [events])
    assert [(r["id"], r["serial"], r["action"], r["user"], r["reason"]) for r in logged] == [
        (events + 1 + n, serial, "registered", "opérateur", None)
        for n, serial in enumerate(serials)]
    assert {r["at"] for r in logged} == {clock.to_storage(NOW)}
