"""« Rapport qualité… » in the viewer: choose the event and a folder, the report is written in
the background (real files), and the box says where; no event, no report."""

from datetime import UTC, datetime, timedelta

from reentry.config import Settings
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.domain.events import DeclareEvent
from reentry.entry import service
from reentry.events.service import declare_event, end_event
from reentry.store import open_store
from ui.main_window import MainWindow
from ui.quality_report import QualityReportRun

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def _events(db_path, titles):
    store = open_store(db_path)
    create_demo(store, patients=3, seed=8, as_of=AS_OF)
    manager = service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
    for index, title in enumerate(titles):
        start = AS_OF + timedelta(days=index)
        event = declare_event(store, DeclareEvent(title=title, started_at=start, user=manager,
                                                  planned=False)).event
        end_event(store, manager, event.id, start + timedelta(hours=3))
    store.close()
    return manager  # who writes the report (a ward manager may)


def test_the_report_is_written_in_the_background_for_the_chosen_event(qtbot, db_path,
                                                                       tmp_path):
    manager = _events(db_path, ["Coupure réseau", "Incendie du datacenter"])
    window = MainWindow(db_path, Settings(language="fr"))
    qtbot.addWidget(window)
    assert window.report_action in window.file_menu.actions()
    assert window.report_action.text() == "Rapport &qualité…"
    offered = []

    def choose(_parent, events):
        offered.extend(e.title for e in events)
        return next(e for e in events if e.title == "Coupure réseau")

    run = QualityReportRun(db_path, window, user=manager, choose_event=choose,
                           choose_folder=lambda _parent: tmp_path / "rapport")
    with qtbot.waitSignal(run.written, timeout=20_000) as written:
        assert run.start()
    files = written.args[0]
    assert offered == ["Incendie du datacenter", "Coupure réseau"]  # newest first
    assert files.report.event.title == "Coupure réseau"
    assert sorted(p.name for p in (tmp_path / "rapport").iterdir()) == [
        "elements-ouverts.csv", "par-unite.csv", "rapport-qualite.pdf"]
    assert str(tmp_path / "rapport") in run.box.text()


def test_no_event_no_report(qtbot, db_path, tmp_path):
    manager = _events(db_path, [])
    window = MainWindow(db_path, Settings(language="fr"))
    qtbot.addWidget(window)
    run = QualityReportRun(db_path, window, user=manager, choose_event=lambda *_: None,
                           choose_folder=lambda _parent: tmp_path)
    assert not run.start()
    assert "Aucun événement" in run.box.text()
    assert not list(tmp_path.glob("*.pdf"))
