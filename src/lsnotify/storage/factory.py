"""Chooses the Store a configuration asks for."""

from __future__ import annotations

from lsnotify.config import ConfigError, Settings
from lsnotify.storage.base import Store
from lsnotify.storage.sqlite import SqliteStore

SQLITE_FILE = "lsnotify.db"


def create_store(settings: Settings) -> Store:
    if settings.database_url:
        raise ConfigError("database_url: PostgreSQL is not supported by this build yet")
    return SqliteStore(settings.data_dir / SQLITE_FILE)
