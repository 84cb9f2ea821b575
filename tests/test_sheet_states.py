"""One sheet, one state: the rule on its own, then every view of a real outage (progress, the
event accounting and its close check, the quality report, the demo's closing message) counting
the same sheets the same way, a sheet declared lost and found again included."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner

from reentry.barcodes import page_code
from reentry.cli import cli
from reentry.domain.events import UnaccountedSheets
from reentry.domain.sheet_state import (
    EXPECTED,
    SheetCounts,
    SheetFacts,
    SheetState,
    count_states,
    sheet_state,
)
from reentry.entry import service
from reentry.entry.progress import ward_progress
from reentry.events.accounting import account_lines, declare_sheets, unaccounted_by_ward
from reentry.events.service import close_event
from reentry.registry import BatchKind, SheetStatus
from reentry.reports.gather import gather_report
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store

AS_OF = "2026-11-23 20:00"
COUNTS = ("expected", "returned", "entered", "verified", "lost", "not_used", "missing",
          "unaccounted")


def _facts(**changes) -> SheetFacts:
    values = dict(template_id="vital_signs", status=SheetStatus.PRINTED,
                  batch_kind=BatchKind.PRINT, adopted=True)
    return SheetFacts(**{**values, **changes})


# -- the rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("facts", "state"), [
    (_facts(), SheetState.MISSING),
    (_facts(returned=3), SheetState.RETURNED),
    (_facts(returned=3, entered=5), SheetState.ENTERED),
    (_facts(returned=3, entered=5, verified=9), SheetState.VERIFIED),
    (_facts(declared=SheetState.LOST, declared_position=4), SheetState.LOST),
    (_facts(declared=SheetState.NOT_USED, declared_position=4), SheetState.NOT_USED),
    # declared after it came back: the declaration stands
    (_facts(returned=3, declared=SheetState.LOST, declared_position=4), SheetState.LOST),
    # lost, then scanned: found, it counts as back (and entered, verified when it is)
    (_facts(returned=6, declared=SheetState.LOST, declared_position=4), SheetState.RETURNED),
    (_facts(returned=6, entered=7, declared=SheetState.LOST, declared_position=4),
     SheetState.ENTERED),
    (_facts(returned=6, entered=7, verified=8, declared=SheetState.NOT_USED,
            declared_position=4), SheetState.VERIFIED),
    # entered wins over any declaration
    (_facts(entered=2, declared=SheetState.LOST, declared_position=4), SheetState.ENTERED),
    (_facts(status=SheetStatus.REGISTERED), SheetState.UNPRINTED),
    (_facts(status=SheetStatus.SUPERSEDED, returned=2), SheetState.SUPERSEDED),
    (_facts(status=SheetStatus.CANCELLED), SheetState.CANCELLED),
    (_facts(template_id="dossier"), SheetState.READ_ONLY),
    (_facts(template_id="ward_cover"), SheetState.READ_ONLY),
    # prepared sets: never marked printed; on paper once an outage adopted them for the ward
    (_facts(status=SheetStatus.REGISTERED, batch_kind=BatchKind.PREPARED), SheetState.MISSING),
    (_facts(status=SheetStatus.REGISTERED, batch_kind=BatchKind.PREPARED, adopted=False),
     SheetState.UNPRINTED),
    (_facts(status=SheetStatus.SUPERSEDED, batch_kind=BatchKind.PREPARED),
     SheetState.SUPERSEDED),
])
def test_one_function_decides_the_state_from_the_facts(facts, state):
    assert sheet_state(facts) is state


def test_counts_add_up_whatever_the_states():
    states = [*EXPECTED, SheetState.VERIFIED, SheetState.RETURNED, SheetState.UNPRINTED,
              SheetState.SUPERSEDED, SheetState.CANCELLED, SheetState.READ_ONLY]
    counts = count_states(states)
    assert counts == SheetCounts(expected=8, returned=5, entered=3, verified=2, lost=1,
                                 not_used=1)
    assert (counts.missing, counts.unaccounted) == (1, 3)  # missing; missing + returned x2
    assert counts.expected == counts.missing + counts.returned + counts.lost + counts.not_used
    assert counts + counts == count_states(states + states)


# -- every view of a real outage ---------------------------------------------------------------


def _totals(counts) -> dict[str, int]:
    total = sum(counts, SheetCounts())
    return {column: total.value(column) for column in COUNTS}


def _number(text: str, label: str) -> int:
    found = re.search(rf"(\d+) {label}", text)
    assert found, (label, text)
    return int(found.group(1))


def _message_counts(text: str) -> dict[str, int]:
    """The counts of a French progress line or demo closing message (the progress line also
    gives the sheets still owed, « non soldées », under the event accounting's word)."""
    counts = {"expected": _number(text, "feuilles attendues"),
              "returned": _number(text, "rendues"), "entered": _number(text, "saisies"),
              "verified": _number(text, "vérifiées"), "lost": _number(text, "perdues"),
              "not_used": _number(text, "non utilisées"), "missing": _number(text, "manquantes")}
    if "non soldées" in text:
        counts["unaccounted"] = _number(text, "non soldées")
    return counts


def _progress_command(db) -> dict[str, int]:
    output = CliRunner().invoke(cli, ["--db", str(db), "progress"]).output
    lines = [_message_counts(line) for line in output.splitlines()
             if "feuilles attendues," in line]
    assert lines, output
    return {column: sum(line[column] for line in lines) for column in lines[0]}


def _accounting_command(db, event_id) -> dict[str, int]:
    output = CliRunner().invoke(cli, ["--db", str(db), "accounting", "--event", str(event_id),
                                      "--format", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert rows, output
    return {column: sum(int(r[column]) for r in rows) for column in rows[0]
            if column not in ("event", "batch", "ward")}


@pytest.fixture
def demo_outage(tmp_path):
    """The demo outage built by its command, as a newcomer runs it; the closing message."""
    db = tmp_path / "demo.sqlite"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--scenario", "outage",
                                      "--patients", "30", "--seed", "3", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    yield db, store, result.output
    store.close()


def test_progress_accounting_report_and_demo_message_count_the_same_sheets(demo_outage):
    db, store, message = demo_outage
    [event] = store.outage_events()
    sheets = tracked_sheets(store, event_id=event.id)
    assert sheets == tracked_sheets(store)  # every sheet of this outage belongs to the event

    # Every state a sheet expected back can be in, a sheet lost then found included.
    assert {s.state for s in sheets} == set(EXPECTED)
    found = [s for s in sheets if s.declared is SheetState.LOST and s.returned]
    assert found and all(s.state is SheetState.RETURNED for s in found)
    history = [r["action"] for r in store.sheet_events(found[0].serial)]
    assert history.index("lost") < len(history) - 1 - history[::-1].index("returned")

    truth = {column: count_states(s.state for s in sheets).value(column) for column in COUNTS}
    progress = _totals(w.sheets for w in ward_progress(tracked_sheets(store)))
    accounting = _totals(line.sheets for line in account_lines(sheets))
    report = gather_report(store, event.id)
    reported = {column: report.total.sheets.value(column) for column in COUNTS}
    by_ward = {w.ward_code: w.sheets for w in report.wards}
    assert progress == accounting == reported == truth
    assert truth["lost"] == 1  # the sheet declared lost the next day; the found one is back
    assert {w.ward_code: w.sheets for w in ward_progress(tracked_sheets(store))} == by_ward

    # The commands print the same numbers, and so does the demo's closing message.
    shown = _message_counts(message)
    assert shown == {column: truth[column] for column in shown}
    assert _progress_command(db) == {column: truth[column] for column in COUNTS}
    assert _accounting_command(db, event.id) == {
        column: truth[column] for column in ("expected", "returned", "entered", "verified",
                                             "lost", "not_used", "unaccounted")}

    # What still holds the event open is the same sheets (the found one among them).
    owed = unaccounted_by_ward(sheets)
    assert sum(owed.values()) == truth["unaccounted"]
    manager = store.user_by_name("claire.roux")
    with pytest.raises(UnaccountedSheets) as refused:
        close_event(store, manager, event.id)
    assert refused.value.by_ward == owed
    assert sum(i.category == "sheet" for i in report.open_items) == truth["unaccounted"]


def test_a_withdrawn_sheet_and_a_sheet_found_then_typed_change_every_view_alike(demo_outage):
    db, store, _ = demo_outage
    [event] = store.outage_events()
    before = count_states(s.state for s in tracked_sheets(store, event_id=event.id))
    sheets = tracked_sheets(store, event_id=event.id)
    missing = [s for s in sheets if s.state is SheetState.MISSING and s.ipp]
    withdrawn, lost = missing[0], missing[1]
    assert store.cancel_sheets([withdrawn.serial], "operator", "imprimée en double") == 1
    nurse = store.user_by_name("aurore.petit")
    declare_sheets(store, [lost.serial], "lost", "égarée", store.user_by_name("claire.roux"))
    service.open_sheet(store, page_code(lost.serial, 1), nurse)
    service.mark_sheet_entered(store, nurse, lost.serial)

    after = tracked_sheets(store, event_id=event.id)
    states = {s.serial: s.state for s in after}
    assert withdrawn.serial not in states and states[lost.serial] is SheetState.ENTERED
    counts = count_states(states.values())
    assert (counts.expected, counts.entered, counts.lost, counts.missing) == (
        before.expected - 1, before.entered + 1, before.lost, before.missing - 2)
    assert _totals(w.sheets for w in ward_progress(tracked_sheets(store))) == _totals(
        line.sheets for line in account_lines(after)) == _totals(
        [gather_report(store, event.id).total.sheets]) == _totals([counts])
    assert _progress_command(db)["expected"] == counts.expected


def test_scanning_a_sheet_declared_lost_records_that_it_came_back(demo_outage):
    _, store, _ = demo_outage
    [event] = store.outage_events()
    back = next(s for s in tracked_sheets(store, event_id=event.id)
                if s.state is SheetState.RETURNED and s.declared is None)
    manager, nurse = store.user_by_name("claire.roux"), store.user_by_name("karim.benali")
    declare_sheets(store, [back.serial], "lost", "égarée après le scan", manager)
    states = {s.serial: s for s in tracked_sheets(store, event_id=event.id)}
    assert states[back.serial].state is SheetState.LOST  # the latest fact: declared lost
    service.open_sheet(store, page_code(back.serial, 1), nurse)  # found, scanned again
    found = {s.serial: s for s in tracked_sheets(store, event_id=event.id)}[back.serial]
    assert found.state is SheetState.RETURNED and found.declared is SheetState.LOST
    assert found.declared_at is not None  # the declaration stays in the sheet's history


def test_the_demo_closing_message_in_english(tmp_path):
    db = tmp_path / "demo.sqlite"
    result = CliRunner().invoke(cli, ["--db", str(db), "--lang", "en", "demo", "--scenario",
                                      "outage", "--patients", "12", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    try:
        counts = count_states(s.state for s in tracked_sheets(store))
    finally:
        store.close()
    assert (f"{counts.expected} sheets expected back, {counts.returned} returned, {counts.entered} "
            f"entered, {counts.verified} verified, {counts.lost} lost, {counts.not_used} not "
            f"used, {counts.missing} missing") in result.output
