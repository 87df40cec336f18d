"""Chooses the Store a configuration asks for: PostgreSQL when ``database_url`` is set, else SQLite in the data dir."""

from __future__ import annotations

from lsnotify.config import Settings
from lsnotify.storage.base import Store
from lsnotify.storage.sqlite.store import SqliteStore

SQLITE_FILE = "lsnotify.db"


def create_store(settings: Settings) -> Store:
    if settings.database_url:
        # postgres (issue 5): imported only when asked for, so SQLite users never load the driver
        from lsnotify.storage.postgres.database import PoolOptions
        from lsnotify.storage.postgres.store import PostgresStore

        return PostgresStore(settings.database_url, PoolOptions.from_settings(settings))
    return SqliteStore(settings.data_dir / SQLITE_FILE)
