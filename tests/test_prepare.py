"""Scheduled readiness: a new set after each snapshot, swapped in whole, stale sets reported."""

from datetime import UTC, datetime, timedelta

from cli_passwords import ENV, give_passwords
from click.testing import CliRunner
from printed_ward import PRINTER

from reentry.cli import cli
from reentry.demo import create_demo
from reentry.printing.prepare import CURRENT, prepare, read_current
from reentry.registry import BatchKind, SheetStatus
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_prepare_renders_once_per_snapshot_and_swaps_whole_sets(store, tmp_path):
    create_demo(store, patients=6, seed=4, as_of=AS_OF)
    ward = store.census()[0].ward.code
    root = tmp_path / "poste"
    first = prepare(store, root, user=PRINTER, wards=(ward,), hours=4, admission_packets=0,
                    now=AS_OF + timedelta(minutes=30))
    assert first.refreshed and not first.stale
    pdfs = sorted((root / CURRENT).glob("*.pdf"))
    assert len(pdfs) == 1 and read_current(root).wards == (ward,)
    again = prepare(store, root, user=PRINTER, wards=(ward,), hours=4, admission_packets=0,
                    now=AS_OF + timedelta(hours=1))
    assert not again.refreshed and sorted((root / CURRENT).glob("*.pdf")) == pdfs
    batch = store.batches()[-1]
    assert batch.kind is BatchKind.PREPARED
    assert {s.status for s in store.batch_sheets(batch.id)} == {SheetStatus.REGISTERED}

    create_demo(store, patients=6, seed=4, as_of=AS_OF + timedelta(hours=2))
    newer = prepare(store, root, user=PRINTER, wards=(ward,), hours=4, admission_packets=0,
                    now=AS_OF + timedelta(hours=2, minutes=5))
    assert newer.refreshed and newer.current.batch_id != first.current.batch_id
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_a_failed_render_keeps_the_previous_set(store, tmp_path, monkeypatch):
    create_demo(store, patients=4, seed=4, as_of=AS_OF)
    ward = (store.census()[0].ward.code,)  # one ward: drawn in this process
    root = tmp_path / "poste"
    prepare(store, root, user=PRINTER, wards=ward, admission_packets=0, now=AS_OF)
    before = read_current(root)
    create_demo(store, patients=4, seed=5, as_of=AS_OF + timedelta(hours=1))

    import reentry.printing.station as station

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(station, "render_ward", broken)
    try:
        prepare(store, root, user=PRINTER, wards=ward, admission_packets=0, now=AS_OF + timedelta(hours=1))
    except Exception as error:  # the user-facing error of a full disk
        assert "place disque" in str(error)
    else:
        raise AssertionError("a failed render must be reported")
    assert read_current(root) == before
    assert [p.name for p in root.iterdir()] == [CURRENT]


def test_prepare_command_warns_and_exits_3_when_the_set_is_too_old(tmp_path):
    db = tmp_path / "h.sqlite"
    store = open_store(db)
    create_demo(store, patients=4, seed=4, as_of=datetime(2020, 1, 1, tzinfo=UTC))
    store.add_user(PRINTER.username, PRINTER.display_name, PRINTER.role)
    store.close()
    give_passwords(db)
    result = CliRunner(env=ENV).invoke(cli, [
        "--db", str(db), "prepare", "--dir", str(tmp_path / "p"), "--max-age", "4",
        "--admission-packets", "0", "--user", PRINTER.username])
    assert result.exit_code == 3
    assert "ALERTE" in result.stderr and "prêt" in result.output
