"""Entry forms already laid out, kept for the next sheet that has the same layout.

Laying a form out (a few hundred cells, their styles and signals, the grid) took most of the
time between a scan and the form on screen. The entry screen keeps what it built, one form per
definition, version and page layout (which rows of which section), hidden in its scrolled page,
and refills it with the next sheet's printed values: only a layout never seen yet is built. A
few are kept; the least recently used one goes first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ui.entry_rows import RowEditor, SectionView

KEPT_FORMS = 8  # the four forms, and a few MAR pages with other numbers of planned doses

# (form id, form version, ((section id, row indices shown), ...)): what decides the widgets.
LayoutKey = tuple[str, int, tuple[tuple[str, tuple[int, ...]], ...]]


@dataclass
class BuiltForm:
    """One laid-out form: its widget, its rows in paper order and its sections."""

    widget: QWidget
    rows: list[RowEditor]
    sections: list[SectionView]
    language: str  # the language its headings and tooltips were last written in


class BuiltForms:
    """The kept forms, by layout, the most recently used last."""

    def __init__(self, capacity: int = KEPT_FORMS) -> None:
        self.capacity = capacity
        self._forms: OrderedDict[LayoutKey, BuiltForm] = OrderedDict()

    def __len__(self) -> int:
        return len(self._forms)

    def take(self, key: LayoutKey) -> BuiltForm | None:
        """The form kept for ``key`` (now the most recently used), or None."""
        form = self._forms.get(key)
        if form is not None:
            self._forms.move_to_end(key)
        return form

    def keep(self, key: LayoutKey, form: BuiltForm) -> list[BuiltForm]:
        """Keep ``form``; returns the forms dropped to stay within the capacity."""
        self._forms[key] = form
        self._forms.move_to_end(key)
        dropped = []
        while len(self._forms) > self.capacity:
            dropped.append(self._forms.popitem(last=False)[1])
        return dropped

    def drop_all(self) -> list[BuiltForm]:
        dropped = list(self._forms.values())
        self._forms.clear()
        return dropped
