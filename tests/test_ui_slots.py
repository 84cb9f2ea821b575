"""Screens connect methods that return a value (``attach() -> bool``) through ``discarding``:
the slot Qt calls returns None, and gets as many of the signal's arguments as the method takes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton

from ui.shortcuts import add_shortcut
from ui.slots import discarding

pytestmark = [pytest.mark.qt]


class _Emitter(QObject):
    three = Signal(str, str, str)


def test_a_button_calls_a_method_without_arguments_and_the_slot_returns_none(qtbot):
    calls: list[tuple[object, ...]] = []

    def attach() -> bool:
        calls.append(())
        return True

    button = QPushButton()
    qtbot.addWidget(button)
    slot = discarding(attach)
    button.clicked.connect(slot)
    button.click()
    assert calls == [()]
    assert slot(False) is None


def test_the_signal_arguments_reach_the_method(qtbot):
    seen: list[tuple[str, ...]] = []

    def resolve(key: str, reason: str, comment: str = "") -> bool:
        seen.append((key, reason, comment))
        return True

    emitter = _Emitter()
    emitter.three.connect(discarding(resolve))
    emitter.three.connect(discarding(lambda key, reason, comment: seen.append((comment,))))
    emitter.three.emit("k", "r", "c")
    assert seen == [("k", "r", "c"), ("c",)]


def test_a_shortcut_to_a_method_returning_a_value_still_calls_it(qtbot):
    button = QPushButton()
    qtbot.addWidget(button)
    called: list[int] = []
    action = add_shortcut(button, ("F9",), lambda: called.append(1) or True)
    action.trigger()
    assert called == [1]
