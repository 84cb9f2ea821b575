"""Keystrokes to enter a full vital-signs sheet in the real re-entry window (offscreen).

A nurse signs in, scans the sheet (the scanner types the code: not counted), types the date once
and every row of the paper, cell after cell, confirms the patient's identity once and finishes
the sheet. Counts the keys she presses besides the characters of the values, against the goal:
one key per field plus two.

    .venv/bin/python bench/bench_keystrokes.py [--rows 12]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from reentry.auth import set_password  # noqa: E402
from reentry.demo import create_demo  # noqa: E402
from reentry.domain.entry import Role, User  # noqa: E402
from reentry.entry import service  # noqa: E402
from reentry.printing.station import PrintRequest, print_batch  # noqa: E402
from reentry.store import open_store  # noqa: E402
from ui.reentry_window import ReentryWindow  # noqa: E402

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
PRINTER = User(0, "bench", "Poste d'impression", Role.NURSE)  # who prints (looked up by no one)
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
SECRET = "mot de passe du banc"  # the bench nurse signs in as anyone does


class Keys:
    """The keys the simulated nurse presses (the scanner's burst is not hers)."""

    def __init__(self) -> None:
        self.characters = 0
        self.others = 0

    def type(self, text: str) -> None:
        QTest.keyClicks(QApplication.focusWidget(), text)
        self.characters += len(text)

    def press(self, key: Qt.Key) -> None:
        QTest.keyClick(QApplication.focusWidget(), key)
        self.others += 1


def row_values(index: int) -> dict[str, str]:
    return {"time": f"{21 + index // 6:02d}h{(index % 6) * 10:02d}"
            if 21 + index // 6 < 24 else f"23h{50 + index % 6}",
            "systolic": str(110 + index), "diastolic": str(70 + index % 10),
            "heart_rate": str(70 + index), "temperature": "37,2", "spo2": "97",
            "respiratory_rate": "16", "pain": "2", "consciousness": "A", "initials": "AB"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="rows to fill (default: all)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        store = open_store(db)
        create_demo(store, patients=4, seed=3, as_of=AS_OF)
        ward = store.census()[0].ward.code
        outcome = print_batch(store, PrintRequest(out_dir=Path(tmp) / "pdf", user=PRINTER,
                                                  wards=(ward,), start=AS_OF, admission_packets=0))
        sheet = next(s for s in store.batch_sheets(outcome.batch_id)
                     if s.template_id == "vital_signs" and s.patient_id)
        set_password(store, service.add_user(store, "bench", "Bench", Role.NURSE), SECRET)
        store.close()

        window = ReentryWindow(db, now=lambda: NOW, beep=lambda: None)
        window.show()
        window.activateWindow()
        app.processEvents()
        page = window.sign_in_page  # the name, Enter, the password, Enter
        QTest.keyClicks(page.name_field, "bench")
        QTest.keyClick(page.name_field, Qt.Key.Key_Return)
        QTest.keyClicks(page.password_field, SECRET)
        QTest.keyClick(page.password_field, Qt.Key.Key_Return)
        app.processEvents()
        target = QApplication.focusWidget()
        for digit in sheet.code(1):  # the scanner's burst
            QTest.keyClick(target, digit)
        QTest.keyClick(target, Qt.Key.Key_Return)
        for _ in range(20):
            app.processEvents()
        screen = window.entry

        counter = Keys()

        def type_cell(text: str) -> None:
            counter.type(text)
            counter.press(Qt.Key.Key_Return)
            app.processEvents()

        type_cell("23/11/2026")  # the sheet's date, once
        fields = 1
        section = next(s for s in screen.rows if "heart_rate" in getattr(s, "cells", {}))
        row_fields = list(section.cells)
        rows = [r for r in screen.rows if list(getattr(r, "cells", {})) == row_fields]
        wanted = len(rows) if args.rows is None else min(args.rows, len(rows))
        for index in range(wanted):
            values = row_values(index)
            for field_id in row_fields:
                type_cell(values.get(field_id, ""))
                fields += 1
            if screen.confirmation.isVisible():  # the first save asks for the identity, once
                counter.press(Qt.Key.Key_Return)
                app.processEvents()
        counter.press(Qt.Key.Key_F9)  # sheet finished
        for _ in range(10):
            app.processEvents()
        store = open_store(db)
        history = service.sheet_history(store, sheet.serial)
        saved = len(history)
        right = sum(e.values.get("heart_rate") == row_values(e.row_index)["heart_rate"]
                    for e in history)
        finished = any(e["action"] == "entered" for e in store.sheet_events(sheet.serial))
        store.close()
        window.close()

    print(f"sheet: {wanted} rows x {len(row_fields)} fields + the date = {fields} fields; "
          f"{saved} rows saved ({right} with the typed values), finished: {finished}")
    print(f"keys: {counter.characters} characters of values + {counter.others} other keys "
          f"(Enter, confirmations, finish) = {counter.characters + counter.others} in all")
    print(f"overhead: {counter.others} keys besides the values; goal: fields + 2 = {fields + 2}")


if __name__ == "__main__":
    main()
