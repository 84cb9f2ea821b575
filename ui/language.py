"""Switching language at run time: every widget retranslates itself on Qt's LanguageChange.

The core's ``i18n`` holds the current language; Qt's own event then reaches every window and,
through them, every child widget, so a screen added later only has to handle ``changeEvent``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from reentry import i18n

_QT_LOCALES = {"fr": QLocale.Language.French, "en": QLocale.Language.English}
_QT_CATALOGS = ("qtbase",)  # file chooser, message box buttons, context menus
_installed: list[QTranslator] = []
# Qt texts its shipped catalogs leave in English (Qt 6.11 added mnemonics to these labels, the
# French catalog still has the old ones): (context, source) → our message id.
_QT_SUPPLEMENT = {
    ("QFileDialog", "&Look in:"): "qt.look_in",
    ("QFileDialog", "Files of &type:"): "qt.files_of_type",
    ("QAbstractFileIconProvider", "Folder"): "qt.folder",
    ("QAbstractFileIconProvider", "File"): "qt.file",
    ("QAbstractFileIconProvider", "Drive"): "qt.drive",
}


class _Supplement(QTranslator):
    """The few Qt texts missing from Qt's own catalogs, from ours (installed last: asked first)."""

    def __init__(self, parent: QCoreApplication, language: str) -> None:
        super().__init__(parent)
        self._language = language

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        """None (a null string for Qt) lets the next catalog answer."""
        message_id = _QT_SUPPLEMENT.get((str(context), str(source)))
        return i18n.tr(message_id, lang=self._language) if message_id else None

    def isEmpty(self) -> bool:
        return False
_system_locale: list[QLocale] = []  # the default before the first change, for reset_qt_language


def apply_qt_language(language: str) -> None:
    """Qt's own texts (OK / Annuler, the file chooser) and numbers in spin boxes (« 8,00 ») in
    ``language``: the translations shipped with PySide6, and the language's number format.

    A missing catalog (a trimmed build) leaves Qt's English buttons, never an error.
    """
    if not _system_locale:
        _system_locale.append(QLocale())
    qt_language = _QT_LOCALES.get(language, QLocale.Language.French)
    locale = QLocale(qt_language, QLocale.Country.France if language == "fr"
                     else QLocale.Country.UnitedKingdom)
    locale.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)
    QLocale.setDefault(locale)
    app = QCoreApplication.instance()
    if app is None:
        return
    if isinstance(app, QApplication):  # open windows too: their spin boxes follow
        for window in app.topLevelWidgets():
            window.setLocale(locale)
    _remove_translators(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in _QT_CATALOGS:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            _installed.append(translator)
    supplement = _Supplement(app, language)
    app.installTranslator(supplement)
    _installed.append(supplement)


def reset_qt_language() -> None:
    """Qt's own English texts and the system's number format again (each test starts there)."""
    app = QCoreApplication.instance()
    if app is not None:
        _remove_translators(app)
    if _system_locale:
        QLocale.setDefault(_system_locale[0])


def _remove_translators(app: QCoreApplication) -> None:
    while _installed:
        app.removeTranslator(_installed.pop())


def switch_language(language: str) -> None:
    """Render every message in ``language`` from now on and ask all widgets to retranslate."""
    i18n.set_language(language)
    app = QCoreApplication.instance()
    if app is not None:
        apply_qt_language(language)  # installing a translator sends LanguageChange itself
        QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))


def is_language_change(event: QEvent) -> bool:
    return event.type() == QEvent.Type.LanguageChange
