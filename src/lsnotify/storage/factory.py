"""The one way to get a store: the one a configuration asks for (PostgreSQL when ``database_url`` is set, else SQLite
in the data directory), opened for the duration of a block and closed after it.

This is the only module of ``storage`` that reads the configuration.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from lsnotify.config import Settings
from lsnotify.storage.base import Store
from lsnotify.storage.sqlite.store import SqliteStore

SQLITE_FILE = "lsnotify.db"


def create_store(settings: Settings) -> Store:
    """The store ``settings`` ask for, not yet open."""
    if settings.database_url:
        # imported only when asked for, so that SQLite users never load the PostgreSQL driver
        from lsnotify.storage.postgres.database import PoolOptions
        from lsnotify.storage.postgres.store import PostgresStore

        return PostgresStore(settings.database_url, PoolOptions.from_settings(settings))
    return SqliteStore(settings.data_dir / SQLITE_FILE)


@contextlib.asynccontextmanager
async def open_store(settings: Settings, *, migrate: bool = True, store: Store | None = None) -> AsyncIterator[Store]:
    """Open the store ``settings`` ask for (or ``store``, when it was created earlier to be handed to the objects
    that use it), apply the pending migrations unless ``migrate`` is False, and close it when the block ends.

    Leave the migrations out where they must be seen (``lsnotify migrate`` prints them) or where the caller applies
    them itself (a server's first start depends on whether the database was new)."""
    store = store or create_store(settings)
    await store.open()
    try:
        if migrate:
            await store.migrate()
        yield store
    finally:
        await store.close()
