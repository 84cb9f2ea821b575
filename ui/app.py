"""``reentry-app``: the offline dossier viewer for a ward PC; ``--reentry`` opens re-entry.

``--db`` (or ``REENTRY_DB``) is a SQLite file on this PC or a ``postgresql://`` server shared by
several PCs; a file that does not exist is refused, as by the command line. When the server does
not answer, the viewer opens the ward's offline copy (setting ``offline_dir``), read-only. Bugs
end in a crash log and a dialog, never in a vanished window.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import sys
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QApplication

from reentry import i18n
from reentry.config import Settings, default_db_location, load_settings
from reentry.errors import UserError
from reentry.files import restrict_umask
from reentry.logs import configure_logging
from reentry.store.location import DatabaseLocation, parse_location
from ui import theme
from ui.errors import ErrorReporter, crash_log_dir, show_user_error
from ui.language import apply_qt_language
from ui.main_window import MainWindow
from ui.reentry_window import ReentryWindow
from ui.session import IdleLock, Session


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
    parser.add_argument("--db", default=None, metavar="PATH|URL",
                        help="Base : fichier SQLite existant ou adresse postgresql://utilisateur@"
                             "serveur/base (défaut : $REENTRY_DB, sinon le dossier de données de "
                             "l'utilisateur) / database: a SQLite file or a postgresql:// URL.")
    parser.add_argument("--offline-dir", dest="offline_dir", default=None, metavar="DOSSIER",
                        help="Dossier de « reentry prepare --dir » : sa copie hors ligne s'ouvre "
                             "quand le serveur ne répond pas (défaut : réglage offline_dir) / "
                             "folder of the ward's offline copy."),
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
    changes: dict[str, Any] = {}  # Settings' fields: a language, hours, a folder
    if args.lang:
        changes["language"] = args.lang
    if args.stale_after:
        changes["stale_after_hours"] = args.stale_after
    if getattr(args, "offline_dir", None):
        changes["offline_dir"] = args.offline_dir
    settings = dataclasses.replace(settings, **changes)
    if settings.language not in i18n.LANGUAGES:
        settings = dataclasses.replace(settings, language=i18n.DEFAULT_LANGUAGE)
    return settings


def database_location(args: argparse.Namespace) -> DatabaseLocation:
    """``--db``, else ``REENTRY_DB``, else this user's embedded database (its password, if
    any, shown nowhere: windows show ``location.shown``)."""
    return parse_location(args.db if args.db else default_db_location())


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
    configure_logging()  # warnings to the log file beside the crash logs
    args = parse_args(argv)
    settings = settings_from(args, load_settings())
    app = prepare_application(settings)

    try:
        db = database_location(args)
    except UserError as error:  # a malformed --db or REENTRY_DB: said, never a traceback
        box = show_user_error(None, error)
        box.finished.connect(lambda _result: app.quit())
        app.exec()
        return 1
    window: ReentryWindow | MainWindow = (ReentryWindow(db, settings) if args.reentry
                                          else MainWindow(db, settings))
    ErrorReporter(crash_log_dir(), parent=lambda: window).install()
    session: Session = window.session
    lock = IdleLock(session, int(settings.idle_lock_minutes * 60_000), app)
    app.installEventFilter(lock)  # any key or click anywhere in the app restarts the wait
    window.show()
    if isinstance(window, MainWindow):
        window.load()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
