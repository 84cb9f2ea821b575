"""The corrections of a sheet, kept in view: what was first typed, struck through, and why.

A correction never erases: the replaced row stays in the database and on screen, with who
replaced it, when, and the reason given, so a reviewer sees both versions side by side.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from reentry import clock, display
from reentry.domain.entry import Entry, EntryStatus
from reentry.formdefs_model import FormDefinition
from reentry.i18n import tr
from ui.entry_fields import display_value


class HistoryView(QLabel):
    """Rich text, one line per replaced row of the page; hidden when nothing was corrected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entry_history")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self._form: FormDefinition | None = None
        self._entries: list[Entry] = []
        self._keys: set[str] = set()

    def show_history(self, form: FormDefinition | None, entries: list[Entry],
                     row_keys: set[str]) -> None:
        """``entries``: the sheet's whole history; only rows in ``row_keys`` (this page) show."""
        self._form, self._entries, self._keys = form, entries, row_keys
        self.refresh()

    def refresh(self) -> None:
        lines = self._lines()
        self.setVisible(bool(lines))
        title = f"<b>{html.escape(tr('entry_ui.history_title'))}</b>"
        self.setText("<br>".join([title, *lines]) if lines else "")

    def _lines(self) -> list[str]:
        replaced_by = {e.corrects: e for e in self._entries if e.corrects is not None}
        lines = []
        for old in self._entries:
            if (old.status is not EntryStatus.CORRECTED
                    or f"{old.section_id}:{old.row_index}" not in self._keys):
                continue
            new = replaced_by.get(old.id)
            replaced = ", ".join(text for text in (
                self._values_text(old), self._sheet_text(old, new)) if text)
            lines.append(tr(
                "entry_ui.history_line", row=old.row_index + 1,
                values=f"<s>{html.escape(replaced)}</s>",
                user=html.escape(new.entered_by) if new else "",
                when=clock.format_local(new.entered_at, with_zone=False) if new else "",
                reason=html.escape(new.reason or "") if new else ""))
        return lines

    def _sheet_text(self, old: Entry, new: Entry | None) -> str:
        """« Date 22/11/2026 »: the sheet's own values the correction changed (a sheet
        re-dated corrects each of its rows with the new date, their values unchanged)."""
        if self._form is None or new is None:
            return ""
        parts = []
        for section in self._form.sections:
            for field in () if section.repeated else section.fields:
                stored = old.sheet_values.get(field.id)
                if stored and stored != new.sheet_values.get(field.id):
                    parts.append(tr("entry_ui.history_value", label=field.short_label_in(),
                                    value=display_value(field, stored)))
        return ", ".join(parts)

    def _values_text(self, entry: Entry) -> str:
        """« FC 72/min, T° 37,5 °C, Initiales AB »: what the replaced row said."""
        if self._form is None:
            return ""
        section = next((s for s in self._form.sections if s.id == entry.section_id), None)
        parts = []
        for field in section.fields if section else ():
            stored = entry.values.get(field.id)
            if stored and not field.readonly:
                value = display.value_with_unit(display_value(field, stored), field.unit)
                parts.append(tr("entry_ui.history_value", label=field.short_label_in(),
                                value=value))
        return ", ".join(parts)
