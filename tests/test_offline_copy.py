"""The ward PC's offline copy: written by ``prepare`` beside the ward's PDFs, holding that ward
only, opened read-only, every write refused with what to do instead."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from printed_ward import PRINTER

from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.errors import UserError
from reentry.printing.prepare import CURRENT, prepare
from reentry.store import open_store
from reentry.store.offline import OFFLINE_FILE

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.mark.both_backends
def test_prepare_writes_the_wards_offline_copy_that_opens_read_only(store, tmp_path):
    create_demo(store, patients=30, seed=4, as_of=AS_OF)
    census = store.census()
    ward = census[0].ward.code
    mine = [row for row in census if row.ward.code == ward]
    others = [row for row in census if row.ward.code != ward]
    assert mine and others
    prepare(store, tmp_path / "poste", user=PRINTER, wards=(ward,), hours=4, admission_packets=0,
            now=AS_OF + timedelta(minutes=30))
    path = tmp_path / "poste" / CURRENT / OFFLINE_FILE
    assert path.is_file() and (os.stat(path).st_mode & 0o077) == 0
    assert not list(path.parent.glob(OFFLINE_FILE + "*-wal"))  # one self-contained file

    offline = open_store(path)
    try:
        facts = offline.offline_copy()
        assert facts is not None and facts["wards"] == [ward]
        assert [r.patient.ipp for r in offline.census()] == [r.patient.ipp for r in mine]
        dossier = offline.dossier(offline.census()[0].patient.id)
        original = store.dossier(mine[0].patient.id)
        assert (dossier.patient.ipp, len(dossier.prescriptions), len(dossier.observations)) == (
            original.patient.ipp, len(original.prescriptions), len(original.observations))
        assert offline.latest_snapshot().data_as_of == store.latest_snapshot().data_as_of
        assert offline.patient_by_ipp(others[0].patient.ipp) is None
        with pytest.raises(UserError) as refused:
            offline.add_user("intrus", "Intrus", Role.ADMIN)
        assert "copie hors ligne" in refused.value.message()
        assert offline.users() == []
    finally:
        offline.close()
