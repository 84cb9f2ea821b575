"""``reentry-app``: the offline dossier viewer for a ward PC; ``--reentry`` opens re-entry.

Works without network, read-only on the local database. Bugs end in a crash log and a dialog,
never in a vanished window.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow

from reentry import i18n
from reentry.config import Settings, default_db_path, load_settings
from reentry.files import restrict_umask
from ui import theme
from ui.errors import ErrorReporter, crash_log_dir
from ui.language import apply_qt_language
from ui.main_window import MainWindow
from ui.reentry_window import ReentryWindow


def _positive_hours(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » : nombre d'heures attendu / hours") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"« {text} » : doit être positif / must be positive")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="reentry-app",
        description="Consultation hors ligne des dossiers / offline dossier viewer.")
    parser.add_argument("--db", type=Path, default=None,
                        help="Base SQLite (défaut : dossier de données de l'utilisateur, "
                             "ou $REENTRY_DB) / database file.")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None,
                        help="Langue (fr par défaut) / language.")
    parser.add_argument("--stale-after", dest="stale_after", type=_positive_hours, default=None,
                        metavar="HEURES",
                        help="Avertir quand les données ont plus de HEURES heures "
                             "/ warn when the data is older than this many hours.")
    parser.add_argument("--reentry", action="store_true",
                        help="Ressaisie des feuilles papier / paper sheet re-entry.")
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings file, overridden by the command line."""
    changes: dict[str, object] = {}
    if args.lang:
        changes["language"] = args.lang
    if args.stale_after:
        changes["stale_after_hours"] = args.stale_after
    settings = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
    if settings.language not in i18n.LANGUAGES:
        settings = dataclasses.replace(settings, language=i18n.DEFAULT_LANGUAGE)
    return settings


def prepare_application(settings: Settings) -> QApplication:
    """The application in the settings' language, Qt's own buttons and dialogs included."""
    i18n.set_language(settings.language)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Reentry")
    apply_qt_language(settings.language)
    theme.enlarge_application_font(app)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    # Scanned pages are decoded in "spawn" worker processes: in a frozen build each one starts
    # this executable, which must run the worker instead of opening another window.
    multiprocessing.freeze_support()
    restrict_umask()  # the database, PDFs and crash logs it writes: readable by this user only
    args = parse_args(argv)
    settings = settings_from(args, load_settings())
    app = prepare_application(settings)

    db = args.db or default_db_path()
    window: QMainWindow = ReentryWindow(db, settings) if args.reentry else MainWindow(db, settings)
    ErrorReporter(crash_log_dir(), parent=lambda: window).install()
    window.show()
    if isinstance(window, MainWindow):
        window.load()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
