"""The unit of work: a service reads, decides and writes in one transaction, done again from its
first read when another PC won a race on the server (reentry/store/areas/work.py)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from reentry.domain.entry import Role
from reentry.domain.events import DeclareEvent, EventStatus
from reentry.entry import service
from reentry.errors import UserError
from reentry.events.service import declare_event, end_event
from reentry.store import open_store
from reentry.store.areas.work import unit_of_work
from reentry.store.database import WriteConflict

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


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
    both_read = threading.Barrier(2, timeout=10)
    outcomes: dict[str, object] = {}

    def pc(name: str, store) -> None:
        original = store.outage_event
        waited = []

        def read_then_wait(event_id):
            found = original(event_id)
            if not waited:  # the first read only: a retry reads on its own
                waited.append(True)
                both_read.wait()
            return found

        store.outage_event = read_then_wait
        try:
            outcomes[name] = end_event(store, manager, event.id, START + timedelta(hours=2))
        except UserError as error:
            outcomes[name] = error.msg.id

    threads = [threading.Thread(target=pc, args=(name, store))
               for name, store in (("a", first), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        ended = [o for o in outcomes.values() if not isinstance(o, str)]
        refused = [o for o in outcomes.values() if isinstance(o, str)]
        assert len(ended) == 1 and refused == ["events.not_ongoing"], outcomes
        audited = [a for a in first.audit() if a["action"] == "event_ended"]
        assert len(audited) == 1
    finally:
        first.close()
        second.close()
