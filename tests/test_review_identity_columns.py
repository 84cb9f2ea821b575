"""A run reads the SIH patients' identity file whole, as columns (``columns_from_file``), rather
than row by row: the candidates, decisions and traits must be those the rows give."""

from __future__ import annotations

import sys
from pathlib import Path

from reentry.review import identities

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from outage_scenario import scenario, write_scenario  # noqa: E402


def test_patients_as_columns_link_as_rows_do(tmp_path: Path) -> None:
    write_scenario(tmp_path, scenario(2000, 3000, seed=9, per_patient=40, temporary=40,
                                      extra_patients=400, monitored_every=4))
    left = identities.rows_from_file(tmp_path / "temporary.csv")
    rows = identities.rows_from_file(tmp_path / "patients.csv")
    columns = identities.columns_from_file(tmp_path / "patients.csv")
    by_rows = identities.link_candidates(left, rows)
    assert {o.decision for o in by_rows} >= {"link", "review"}
    assert identities.link_against_columns(left, columns) == by_rows
    assert identities.traits_by_id(columns) == {r[0]: identities.traits(r) for r in rows}
    assert identities.traits_by_id(identities.columns_of(rows)) == identities.traits_by_id(columns)
