"""All storage goes through the ``Store`` interface; SQL lives only in this package.

``open_store(path)`` gives the embedded SQLite store. A shared server store for several PCs
will implement the same protocol. ``copy_database(source, target)`` takes a consistent copy of an
embedded database file (a drill's copy). Services use these names only, never the
``reentry.store.sql_store*`` modules (``lint-imports`` checks it; docs/architecture.md).
"""

from reentry.store.areas import Store
from reentry.store.sql_events import copy_database
from reentry.store.sql_store import SqlStore, open_store

__all__ = ["Store", "SqlStore", "copy_database", "open_store"]
