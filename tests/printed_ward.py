"""One ward of a small demo hospital, printed by the real print station (core and UI tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from reentry.demo import create_demo
from reentry.domain.entry import Role, User
from reentry.printing.station import PrintOutcome, PrintRequest, print_batch

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 21:00 in Paris, the evening of the outage
# Who prints in tests that are not about who prints: a user who may (printing looks nobody up;
# the registry keeps the name).
PRINTER = User(0, "imprimeur", "Poste d'impression", Role.NURSE)


def print_demo_ward(store, out_dir: Path, *, admission_packets: int = 1) -> PrintOutcome:
    """Six demo patients (always the same: seed 8) and the first ward's sheets printed from
    ``AS_OF``, with ``admission_packets`` downtime admission packets, PDFs in ``out_dir``."""
    create_demo(store, patients=6, seed=8, as_of=AS_OF)
    ward = store.census()[0].ward.code
    return print_batch(store, PrintRequest(out_dir=out_dir, user=PRINTER, wards=(ward,),
                                           start=AS_OF, admission_packets=admission_packets))
