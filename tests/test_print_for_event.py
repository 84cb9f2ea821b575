"""Printing belongs to an outage event; outside one, only a test print, which registers nothing.

Real SQLite files, the real print station, PDFs read back (the diagonal mark with pdfium, which
reads rotated text).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pypdfium2
import pytest
from printed_ward import PRINTER

from reentry import clock
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.domain.events import DeclareEvent
from reentry.entry import service
from reentry.errors import UserError
from reentry.events.service import declare_event, end_event
from reentry.printing.station import (
    TEST_FIRST_SERIAL,
    PrintRequest,
    event_window_start,
    print_batch,
    print_test,
)
from reentry.registry import resolve_code

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 21:00 in Paris


@pytest.fixture
def hospital(store):
    create_demo(store, patients=6, seed=8, as_of=AS_OF)
    manager = service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
    return store, manager


def _ward(store) -> str:
    return store.census()[0].ward.code


def _texts(pdf) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def _declare(store, manager, started_at=AS_OF):
    return declare_event(store, DeclareEvent(title="Coupure réseau", started_at=started_at,
                                             user=manager, planned=True),
                         now=AS_OF - timedelta(hours=1)).event


def test_a_test_print_registers_nothing_and_every_page_says_so(hospital, tmp_path):
    store, _ = hospital
    counts = store.counts()
    outcome = print_test(store, PrintRequest(user=PRINTER, out_dir=tmp_path / "essai", wards=(_ward(store),),
                                             start=AS_OF, admission_packets=1))
    assert store.batches() == [] and store.counts() == counts
    (ward,) = outcome.wards
    assert ward.pdf.exists() and ward.pdf.name.startswith("essai-")
    texts = _texts(ward.pdf)
    assert len(texts) == ward.pages == outcome.pages > 5
    assert all("IMPRESSION D'ESSAI — RIEN N'EST ENREGISTRÉ" in text for text in texts)
    # its codes come from a range the registry never gives: scanned by mistake, refused
    codes = re.findall(r"\b(\d{4} \d{4} \d{4})\b", "\n".join(texts))
    assert codes and all(int(code.replace(" ", "")[:9]) >= TEST_FIRST_SERIAL for code in codes)
    resolution = resolve_code(store, codes[0])
    assert resolution.instance is None
    assert resolution.problem is not None and resolution.problem.id == "registry.unknown_code"


def test_printing_for_the_ongoing_event_puts_the_batch_in_it(hospital, tmp_path):
    store, manager = hospital
    event = _declare(store, manager)
    outcome = print_batch(store, PrintRequest(user=PRINTER, out_dir=tmp_path / "pdf", wards=(_ward(store),),
                                              start=AS_OF, event_id=event.id))
    assert store.event_of_batch(outcome.batch_id) == event.id


def test_printing_for_an_event_that_is_no_longer_ongoing_prints_and_registers_nothing(
        hospital, tmp_path):
    store, manager = hospital
    event = _declare(store, manager)
    end_event(store, manager, event.id, AS_OF + timedelta(hours=3))
    with pytest.raises(UserError) as refused:
        print_batch(store, PrintRequest(user=PRINTER, out_dir=tmp_path / "pdf", wards=(_ward(store),),
                                        start=AS_OF, event_id=event.id))
    assert f"L'événement n° {event.id} n'est plus en cours" in refused.value.message()
    assert store.batches() == [] and not (tmp_path / "pdf").exists()


def test_the_window_starts_at_a_planned_cut_else_at_the_current_hour(hospital):
    store, manager = hospital
    now = AS_OF - timedelta(minutes=50)  # 20:10, the cut is planned for 21:00
    assert event_window_start(None, now) == clock.local(AS_OF - timedelta(hours=1))
    event = _declare(store, manager)
    assert event_window_start(event, now) == clock.local(AS_OF)
    later = AS_OF + timedelta(hours=2, minutes=25)  # 23:25, during the outage
    assert event_window_start(event, later) == clock.local(AS_OF + timedelta(hours=2))
