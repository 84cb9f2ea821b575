"""Shared fixtures: the real sample files, fresh SQLite stores, a private PostgreSQL server
(``postgres_url``: a fresh database for each test), and Qt kept offscreen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from ldap_fixture import ldap_server  # noqa: F401 (a private slapd: directory sign-in)
from postgres_fixture import postgres_server, postgres_url  # noqa: F401 (fixtures for all tests)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("REENTRY_SAMPLES", REPO.parent / "shared" / "samples"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The real sample files written by others (never copied into this repository)."""
    if not SAMPLES.is_dir():
        pytest.fail(f"sample files not found at {SAMPLES}; set REENTRY_SAMPLES")
    return SAMPLES


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "reentry.sqlite"


@pytest.fixture
def store_location(request: pytest.FixtureRequest, db_path: Path) -> Path | str:
    """Where ``store`` lives: the SQLite file ``db_path``, or, for a test marked
    ``both_backends``, also a fresh database on the private PostgreSQL server."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return db_path


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked ``both_backends`` runs once on SQLite and once on PostgreSQL."""
    if metafunc.definition.get_closest_marker("both_backends") and \
            "store_location" in metafunc.fixturenames:
        metafunc.parametrize("store_location", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def store(store_location: Path | str):
    from reentry.store import open_store

    store = open_store(store_location)
    yield store
    store.close()


@pytest.fixture
def stored(store_location: Path | str):
    """A second connection, as another PC reads what a window or a screen wrote."""
    from reentry.store import open_store

    store = open_store(store_location)
    yield store
    store.close()


@pytest.fixture(autouse=True)
def _french_by_default():
    """Every test starts in French, the default language, whatever the previous one did."""
    from reentry import i18n

    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    if "ui.language" in sys.modules:  # Qt's own texts and number format, as a test found them
        sys.modules["ui.language"].reset_qt_language()


@pytest.fixture
def message_boxes(qtbot):
    """The message boxes open on screen; any left at the end are closed."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    def visible() -> list[QMessageBox]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()]

    yield visible
    for box in visible():
        box.close()


@pytest.fixture
def sheets(db_path, tmp_path):
    """Real printed sheets of one ward of a small demo hospital, and a nurse to type them."""
    from printed_ward import print_demo_ward

    from reentry.domain.entry import Role
    from reentry.entry import service
    from reentry.store import open_store

    store = open_store(db_path)
    outcome = print_demo_ward(store, tmp_path / "pdf")
    printed = store.batch_sheets(outcome.batch_id)
    service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    store.close()
    return printed
