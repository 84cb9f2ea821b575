"""All storage goes through the ``Store`` interface; SQL lives only in this package.

``open_store(path)`` gives the embedded SQLite store. A shared server store for several PCs
will implement the same protocol.
"""

from reentry.store.areas import Store
from reentry.store.sqlite import SqliteStore, open_store

__all__ = ["Store", "SqliteStore", "open_store"]
