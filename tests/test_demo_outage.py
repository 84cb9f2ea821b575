"""The outage demo: sheets printed and registered, part re-entered with plausible values."""

from datetime import UTC, datetime

from click.testing import CliRunner

from reentry.cli import cli
from reentry.demo.outage import create_outage_demo
from reentry.domain.sheet_state import count_states
from reentry.entry.progress import ward_progress
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_outage_demo_shows_the_whole_journey(store, tmp_path):
    result = create_outage_demo(store, tmp_path / "pdf", patients=30, seed=3, as_of=AS_OF)
    assert 0 < result.sheets.returned < result.sheets.expected and result.typed_rows > 0
    states = {s.state for s in tracked_sheets(store)}
    assert {"missing", "returned", "entered", "verified", "lost", "not_used"} <= states
    totals = ward_progress(tracked_sheets(store))
    assert sum(w.sheets.entered for w in totals) > 0 and sum(w.sheets.missing for w in totals) > 0
    items = store.items()
    assert {i.kind.value for i in items} == {"vital_sign", "medication_administration",
                                             "nursing_note"}
    assert all(i.effective_time < i.entered_at for i in items)  # late entries, never backdated
    assert list((tmp_path / "pdf").glob("*.pdf"))
    sih = result.sih_export.read_text(encoding="utf-8").splitlines()
    assert sih[0] == "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text"
    assert 0 < len(sih) - 1  # most items, some missing, some twice, monitor readings
    # The patient admitted on paper was registered in the SIH meanwhile: the first run finds her.
    [case] = store.identity_cases(result.review_run)
    registered = {line.split(",")[0]: line for line in
                  (tmp_path / "pdf" / "sih-patients.csv").read_text(encoding="utf-8").splitlines()}
    assert case.decision == "link" and case.right_id.startswith("8")
    assert "RENAUD" in registered[case.right_id]
    again = create_outage_demo(store, tmp_path / "pdf", patients=30, seed=3, as_of=AS_OF)
    assert again.already_done and len(store.items()) == len(items)


def test_same_seed_same_outage(tmp_path):
    counts = []
    for name in ("a", "b"):
        store = open_store(tmp_path / f"{name}.sqlite")
        result = create_outage_demo(store, tmp_path / name, patients=20, seed=9, as_of=AS_OF)
        counts.append((result.sheets, result.typed_rows,
                       [(i.code, i.value) for i in store.items()]))
        store.close()
    assert counts[0] == counts[1]


def test_demo_command_builds_the_outage_scenario(tmp_path):
    db = tmp_path / "h.sqlite"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--patients", "15",
                                      "--scenario", "outage", "--as-of", "2026-11-23 21:00"])
    assert result.exit_code == 0, result.output
    assert "feuilles attendues en retour" in result.output and "aurore.petit" in result.output
    assert list((tmp_path / "impressions").glob("*.pdf"))
    # the figures the event window and the quality report give, under their words
    store = open_store(db)
    try:
        counts = count_states(s.state for s in tracked_sheets(store))
    finally:
        store.close()
    assert f"{counts.expected} feuilles attendues en retour" in result.output
    assert f"{counts.missing} manquantes ; {counts.unaccounted} non soldées" in result.output
