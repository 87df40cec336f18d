"""The PostgreSQL server the tests use (``LSNOTIFY_TEST_DATABASE_URL``, set by ``scripts/test-postgres``), and fresh
databases on it: one per contract test (copied from a migrated template), one per end-to-end data directory.

Without the variable the PostgreSQL tests skip, except under ``CI=true``, where that is a failure: CI must run them.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import asyncpg
import pytest

URL_VARIABLE = "LSNOTIFY_TEST_DATABASE_URL"
BACKEND_VARIABLE = "LSNOTIFY_TEST_BACKEND"
"""``postgres`` runs the end-to-end suite's servers on PostgreSQL (``make test`` runs the tests marked ``backend``
both ways)."""

T = TypeVar("T")


def server_url() -> str:
    """The test server's URL; skip (fail under CI) when there is none."""
    url = os.environ.get(URL_VARIABLE)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{URL_VARIABLE} is not set; CI must run the PostgreSQL tests (see scripts/test-postgres)")
        pytest.skip(f"{URL_VARIABLE} is not set (run the tests through scripts/test-postgres, as `make test` does)")
    return url


def database_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    return urlsplit(server_url())._replace(path="/" + name).geturl()


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on a private event loop, also from inside a running one (async tests)."""
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def with_search_path(url: str, schema: str) -> str:
    """``url`` with connections whose ``search_path`` is ``schema`` (asyncpg sends unknown parameters as settings)."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), ("search_path", schema)]
    return parts._replace(query=urlencode(query)).geturl()


async def admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_database(name: str) -> str:
    await admin(server_url(), f'CREATE DATABASE "{name}"')
    return database_url(name)


async def drop_database(name: str) -> None:
    await admin(server_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """The rows of one query on database ``url``, from synchronous test code."""

    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    return run_sync(run())


def fresh_name(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


_created_for_data_dirs: set[str] = set()
_lock = threading.Lock()


def backend_env(data_dir: Path) -> dict[str, str]:
    """The settings that put a server with ``data_dir`` on the backend under test: nothing for SQLite; for
    PostgreSQL, a database of its own, the same one each time the same data directory is used (a restart)."""
    if os.environ.get(BACKEND_VARIABLE, "sqlite") != "postgres":
        return {}
    name = "e2e_" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:20]
    with _lock:
        if name not in _created_for_data_dirs:
            run_sync(drop_database(name))
            run_sync(create_database(name))
            _created_for_data_dirs.add(name)
    return {"LSNOTIFY_DATABASE_URL": database_url(name)}


def drop_end_to_end_databases() -> None:
    """Drop the databases ``backend_env`` made (the throwaway server goes anyway; a given one should not fill up)."""
    with _lock:
        for name in sorted(_created_for_data_dirs):
            run_sync(drop_database(name))
        _created_for_data_dirs.clear()
