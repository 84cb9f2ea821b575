"""The unit of work: a service reads, decides and writes in one transaction, done again from its
first read when another PC won a race on the server (reentry/store/areas/work.py)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from printed_ward import print_demo_ward

from reentry.domain.entry import RecordRow, Role
from reentry.domain.events import DeclareEvent, EventStatus
from reentry.entry import service
from reentry.errors import UserError
from reentry.events.service import declare_event, end_event
from reentry.sheets.policy import set_mode
from reentry.store import open_store
from reentry.store.areas.work import unit_of_work
from reentry.store.database import WriteConflict
from reentry.verify import second_entry

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
VITALS = {"time": "07h15", "systolic": "120", "diastolic": "80", "heart_rate": "72",
          "temperature": "37,5", "spo2": "97", "initials": "AB"}


def _at_once(stores, read_name, act):
    """Run ``act(name, store)`` on two PCs at once, each pausing after its first
    ``read_name`` read until both have read (a retry reads on its own)."""
    both_read = threading.Barrier(2, timeout=10)
    outcomes: dict[str, object] = {}

    def pc(name: str, store) -> None:
        original = getattr(store, read_name)
        waited = []

        def read_then_wait(*args):
            found = original(*args)
            if not waited:
                waited.append(True)
                both_read.wait()
            return found

        setattr(store, read_name, read_then_wait)
        try:
            outcomes[name] = act(name, store)
        except UserError as error:
            outcomes[name] = error.msg.id

    threads = [threading.Thread(target=pc, args=item) for item in stores.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def _declared(store):
    manager = service.add_user(store, "cadre", "Cadre Santé", Role.WARD_MANAGER)
    event = declare_event(store, DeclareEvent("Panne du DPI", START, manager)).event
    return manager, event


@pytest.mark.both_backends
def test_a_service_runs_in_one_transaction_and_is_done_again_after_a_lost_race(store):
    seen: list[bool] = []

    @unit_of_work
    def count_users(store, lose_first: bool) -> int:
        seen.append(store.sql.in_transaction)
        store.users()
        if lose_first and len(seen) == 1:
            raise WriteConflict("test")
        return len(store.users())

    assert count_users(store, False) == 0
    assert seen == [True]
    seen.clear()
    assert count_users(store, True) == 0
    assert seen == [True, True]  # done again from its first read
    assert not store.sql.in_transaction and not store.sql.serialized


@pytest.mark.both_backends
def test_a_refusal_is_not_done_again_and_writes_nothing(store):
    manager, event = _declared(store)
    calls = []
    original = store.outage_event

    def counted(event_id):
        calls.append(event_id)
        return original(event_id)

    store.outage_event = counted
    with pytest.raises(UserError) as refused:
        end_event(store, manager, event.id, START - timedelta(hours=1))
    assert refused.value.msg.id == "events.end_before_start"
    assert len(calls) == 1
    assert store.outage_event(event.id).status is EventStatus.ONGOING
    assert [a for a in store.audit() if a["action"] == "event_ended"] == []


@pytest.mark.both_backends
def test_rules_decided_by_the_service(store):
    manager, event = _declared(store)
    with pytest.raises(UserError) as second:
        declare_event(store, DeclareEvent("Autre panne", START, manager))
    assert second.value.msg.id == "events.already_ongoing"
    ended = end_event(store, manager, event.id, START + timedelta(hours=3))
    assert ended.status is EventStatus.ENDED
    with pytest.raises(UserError) as again:
        end_event(store, manager, event.id, START + timedelta(hours=4))
    assert again.value.msg.id == "events.not_ongoing"


def test_two_pcs_ending_the_same_event_at_once_on_the_server(postgres_url):
    """Both PCs read the event while it is ongoing, then both write: on a server (SERIALIZABLE)
    the loser's unit of work is done again, reads that the event has ended, and gets the same
    clear refusal as on one PC; the event is ended once, audited once."""
    first = open_store(postgres_url)
    manager, event = _declared(first)
    second = open_store(postgres_url)
    try:
        outcomes = _at_once({"a": first, "b": second}, "outage_event", lambda _name, store:
                            end_event(store, manager, event.id, START + timedelta(hours=2)))
        ended = [o for o in outcomes.values() if not isinstance(o, str)]
        refused = [o for o in outcomes.values() if isinstance(o, str)]
        assert len(ended) == 1 and refused == ["events.not_ongoing"], outcomes
        audited = [a for a in first.audit() if a["action"] == "event_ended"]
        assert len(audited) == 1
    finally:
        first.close()
        second.close()


def test_two_second_typists_starting_the_same_sheet_at_once_on_the_server(postgres_url,
                                                                           tmp_path):
    """A blind second entry has one second typist: two nurses who open the same sheet on two
    PCs and save their first row at the same moment do not both become it."""
    first = open_store(postgres_url)
    outcome = print_demo_ward(first, tmp_path / "pdf")
    typist = service.add_user(first, "mdupont", "Marie Dupont", Role.NURSE)
    nurses = {"a": service.add_user(first, "jmartin", "Jean Martin", Role.NURSE),
              "b": service.add_user(first, "lpetit", "Lou Petit", Role.NURSE)}
    manager = service.add_user(first, "croux", "Claire Roux", Role.WARD_MANAGER)
    set_mode(first, manager, "vital_signs", "blind")
    sheet = next(s for s in first.batch_sheets(outcome.batch_id)
                 if s.template_id == "vital_signs" and s.patient_id)

    def row(user):
        return RecordRow(serial=sheet.serial, page=1, section_id="readings", row_index=0,
                         values=VITALS, sheet_values={"date": "01/03/2026"}, user=user,
                         confirmed_warnings=frozenset(VITALS))

    service.open_sheet(first, sheet.code(1), typist)
    service.confirm_identity(first, typist, sheet.serial)
    service.record_row(first, row(typist), now=START)
    service.mark_sheet_entered(first, typist, sheet.serial)
    for nurse in nurses.values():
        service.confirm_identity(first, nurse, sheet.serial)
    second = open_store(postgres_url)
    try:
        outcomes = _at_once({"a": first, "b": second}, "double_entry_sheet", lambda name, store:
                            second_entry.record_row(store, row(nurses[name]), now=START))
        saved = [o for o in outcomes.values() if not isinstance(o, str)]
        refused = [o for o in outcomes.values() if isinstance(o, str)]
        assert len(saved) == 1 and refused == ["verify.second_in_progress"], outcomes
        assert len(first.second_entries(sheet.serial)) == 1
    finally:
        first.close()
        second.close()
