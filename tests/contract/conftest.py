"""The store contract suite runs against every backend: SQLite in a temporary directory, and PostgreSQL.

PostgreSQL is the server named by ``LSNOTIFY_TEST_DATABASE_URL`` (``make test`` starts one). Each test gets a schema
of its own in one database made for the session (its URL sets ``search_path``; the store's SQL names no schema), so
tests share nothing and a fresh, migrated store costs a tenth of a second rather than a ``CREATE DATABASE``.
Without the variable the PostgreSQL tests skip, except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from lsnotify.config import load_settings
from lsnotify.storage.base import Store
from lsnotify.storage.factory import create_store
from postgres_server import admin, create_database, drop_database, fresh_name, run_sync, server_url, with_search_path

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database for the session's contract tests."""
    server_url()  # skip, or fail under CI, before anything else
    name = fresh_name("contract")
    url = run_sync(create_database(name))
    yield url
    run_sync(drop_database(name))


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """A URL whose connections see one fresh, empty schema."""
    schema = fresh_name("test")
    run_sync(admin(postgres_database, f'CREATE SCHEMA "{schema}"'))
    yield with_search_path(postgres_database, schema)
    run_sync(admin(postgres_database, f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        flags = {"data_dir": str(tmp_path)}
    else:
        flags = {"data_dir": str(tmp_path), "database_url": request.getfixturevalue("postgres_url")}
    store = create_store(load_settings(flags))
    await store.open()
    await store.migrate()
    try:
        yield store
    finally:
        await store.close()
