"""Connecting a method that returns something (``attach() -> bool``) to a signal.

PySide6 6.12.0 drops one reference to whatever a slot returns each time a signal calls it
(``tests/test_qt_binding.py``): a few thousand clicks on a slot returning ``True`` abort Python.
The project pins the binding below that release; connecting through ``discarding`` keeps every
slot returning ``None`` as well, so the screens stay safe on any binding.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable


def discarding(method: Callable[..., object]) -> Callable[..., None]:
    """A slot calling ``method`` with as many of the signal's arguments as it takes (as Qt does
    for a method connected directly: ``clicked(bool)`` calls ``attach()`` without ``checked``),
    and returning ``None`` whatever ``method`` returns."""
    parameters = inspect.signature(method).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        taken: int | None = None
    else:
        taken = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)

    def slot(*arguments: object) -> None:
        method(*(arguments if taken is None else arguments[:taken]))

    return slot
