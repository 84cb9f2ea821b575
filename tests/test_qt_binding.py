"""The Qt binding itself: a slot's return value must not lose a reference at each call.

PySide6 6.12.0 drops one reference to the object a slot returns every time a signal calls it.
Screens connect methods that return True or False (``apply``, ``attach``…) to buttons, so after
a few thousand clicks Python aborts ("bool_dealloc"), or frees an object still in use. The
project pins the binding below that release; this test fails on any binding with the defect.
"""

from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtCore import QObject, Signal

pytestmark = pytest.mark.qt

CALLS = 200  # far fewer than True's references: a defective binding is seen, not crashed


class _Emitter(QObject):
    fired = Signal()


def _references(value: object) -> int:
    gc.collect()
    return sys.getrefcount(value)


@pytest.mark.parametrize("returned", [True, False])
def test_a_slot_returning_a_bool_keeps_the_bool_alive(qapp, returned):
    emitter = _Emitter()
    calls = []

    def slot() -> bool:
        calls.append(1)
        return returned

    emitter.fired.connect(slot)
    before = _references(returned)
    for _ in range(CALLS):
        emitter.fired.emit()
    assert len(calls) == CALLS
    assert before - _references(returned) < CALLS // 2


def test_a_slot_returning_an_object_does_not_free_it(qapp):
    emitter = _Emitter()
    kept = object()
    emitter.fired.connect(lambda: kept)
    before = _references(kept)
    for _ in range(5):
        emitter.fired.emit()
    assert _references(kept) == before
