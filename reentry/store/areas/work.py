"""The unit of work: a service's reads, checks and writes done as one transaction.

A rule that depends on what is stored ("the event is still ongoing", "this flag is still open")
is decided by the service, not by the store; when another PC may write in between, the service
reads, decides and writes inside one unit of work::

    @unit_of_work
    def end_event(store: EventStore, user: User, event_id: int, ended_at: datetime) -> …:
        event = store.outage_event(event_id)          # read
        if event.status is not EventStatus.ONGOING:   # decide
            raise UserError("events.not_ongoing", …)
        return store.end_outage_event(…)              # write

On the embedded file nobody writes in between (one writer at a time); on a server the
transaction is SERIALIZABLE and, when another PC's won a race, the whole service call is done
again from its first read, so that it decides on what the winner wrote.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

T = TypeVar("T")
P = ParamSpec("P")


class UnitOfWork(Protocol):
    def atomically(self, work: Callable[[], T]) -> T:
        """Run ``work`` as one transaction, done again from the start after a lost race."""
        ...


S = TypeVar("S", bound=UnitOfWork)


def unit_of_work(service: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
    """Run a service (whose first argument is the store) as one unit of work."""
    @functools.wraps(service)
    def run(store: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return store.atomically(lambda: service(store, *args, **kwargs))
    return run
