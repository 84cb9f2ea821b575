"""The store, area by area: one small typed interface (a ``Protocol``) per part of the hospital's
registry, the way Anki's collection exposes its decks and note types.

A service names only the areas it reads and writes (``def record_row(store: EntryStore, …)``),
so that its needs are visible, checked by mypy, and a second backend knows what to implement.
``Store`` is every area at once: what ``open_store`` returns and what a window holds. The one
implementation (``reentry.store.sql_store.SqlStore``, on SQLite or PostgreSQL) satisfies each
area structurally; ``reentry.store.opening`` makes mypy check it.

The store only reads and writes: the rules that decide whether a write is allowed live in the
services, which run their checks and writes in one unit of work (``Store.unit_of_work``) when
a decision depends on what another PC may be writing at the same time.
"""

from __future__ import annotations

from typing import Protocol

from reentry.store.areas.admissions import AdmissionStore
from reentry.store.areas.auth import AuthStore
from reentry.store.areas.census import CensusStore
from reentry.store.areas.entries import EntryStore
from reentry.store.areas.events import EventStore
from reentry.store.areas.registry import RegistryStore
from reentry.store.areas.reports import ReportStore
from reentry.store.areas.review import ReviewStore
from reentry.store.areas.scans import ScanStore
from reentry.store.areas.second_read import SecondReadStore
from reentry.store.areas.sheets import SheetStore
from reentry.store.areas.verify import VerifyStore


class Store(
    CensusStore,
    RegistryStore,
    EntryStore,
    EventStore,
    SheetStore,
    ScanStore,
    VerifyStore,
    AdmissionStore,
    ReviewStore,
    ReportStore,
    AuthStore,
    SecondReadStore,
    Protocol,
):
    """Every area of the store at once."""


__all__ = [
    "AdmissionStore",
    "AuthStore",
    "CensusStore",
    "EntryStore",
    "EventStore",
    "RegistryStore",
    "ReportStore",
    "ReviewStore",
    "ScanStore",
    "SecondReadStore",
    "SheetStore",
    "Store",
    "VerifyStore",
]
