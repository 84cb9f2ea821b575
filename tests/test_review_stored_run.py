"""What a reconciliation run of a whole outage stores is the same, row for row, in an SQLite file
and on a PostgreSQL server (issue 11): the run's bulk writes take a faster way on the server
(``SqlConnection.executemany``), and this is what shows they write the same thing.

A synthetic outage with temporary identities (``bench/outage_scenario.py``), run twice: the
second time after a newer SIH export and some flags worked by the quality team, so that flags
are kept, opened, closed and reopened by the run.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reentry.domain.entry import Role
from reentry.entry import service as entry_service
from reentry.reconcile_run import run_reconciliation
from reentry.review import service
from reentry.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from outage_scenario import scenario, write_scenario  # noqa: E402
from stored_run_rows import STORED as STORED_RUN_ROWS  # noqa: E402
from stored_run_rows import stored_rows  # noqa: E402

RUN_1 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
RUN_2 = RUN_1 + timedelta(hours=3)

# Every row a run leaves behind; its compressed texts too (the verdicts' and the unmatched
# items'), byte for byte as stored.
STORED = {**STORED_RUN_ROWS,
          "review_texts": "SELECT * FROM review_texts ORDER BY run_id, name, part"}


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The outage's files, and ``sih2.csv``: the newer export, where every seventh SIH item
    is gone (flags opened) and the rest is as before (flags kept, duplicates closed)."""
    folder = tmp_path_factory.mktemp("outage")
    write_scenario(folder, scenario(1200, 3000, seed=7, per_patient=40, temporary=6,
                                    extra_patients=60, monitored_every=4))
    header, *lines = (folder / "sih.csv").read_text(encoding="utf-8").splitlines(True)
    (folder / "sih2.csv").write_text(
        header + "".join(line for n, line in enumerate(lines) if n % 7 != 3), encoding="utf-8")
    return folder


def stored_run(location: Path | str, outage: Path, out: Path) -> dict[str, list[dict[str, Any]]]:
    """Two runs of the outage on a fresh store, flags worked in between; what is stored."""
    store = open_store(location)
    try:
        quality = entry_service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)

        def run(sih: str, now: datetime, name: str) -> int | None:
            return run_reconciliation(
                store, [outage / sih], outage / "paper.csv", out / name, user=quality,
                identities_left=outage / "temporary.csv", sih_patients=outage / "patients.csv",
                now=now).run_id

        first = run("sih.csv", RUN_1, "run1")
        for n, flag in enumerate(f for f in store.review_flags(first) if f.status == "open"):
            if n % 3 == 0:  # some flags worked before the newer export comes
                service.resolve_flag(store, quality, flag.item_key, "paper_error",
                                     now=RUN_1 + timedelta(minutes=n))
        run("sih2.csv", RUN_2, "run2")
        return stored_rows(store, STORED)
    finally:
        store.close()


def test_a_stored_run_is_the_same_in_sqlite_and_on_postgresql(outage, tmp_path, postgres_url):
    on_file = stored_run(tmp_path / "reentry.sqlite", outage, tmp_path / "file")
    on_server = stored_run(postgres_url, outage, tmp_path / "server")
    changes = on_file["review_runs"][1]["flag_changes"]
    for action in ("flagged", "kept", "closed_by_run", "reopened_by_run"):
        assert f'"{action}"' in changes, f"the second run never did {action}: {changes}"
    assert len(on_file["review_verdicts"]) == 2 * 1200
    assert on_file["review_texts"] and on_file["review_identity_candidates"]
    assert {r["name"] for r in on_file["review_texts"]} == {
        "identity", "reason", "paper", "sih", "unmatched"}
    for table in STORED:
        assert len(on_server[table]) == len(on_file[table]), table
        for file_row, server_row in zip(on_file[table], on_server[table], strict=True):
            assert server_row == file_row, table
