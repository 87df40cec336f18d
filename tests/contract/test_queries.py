"""The shared SQL: each statement renders to both dialects with the same parameters, and each dialect accepts it."""

from __future__ import annotations

import re
import sqlite3

import asyncpg
import pytest

from lsnotify.storage import queries
from lsnotify.storage.base import Store
from lsnotify.storage.postgres.database import Connection
from lsnotify.storage.postgres.store import PostgresStore
from lsnotify.storage.queries import Query, numbered, query
from lsnotify.storage.sqlite.store import SqliteStore, connect

STATEMENTS = {name: value for name, value in vars(queries).items() if isinstance(value, Query)}
STATEMENTS.update({f"SET_TAGS[{kind}]": q for kind, q in queries.SET_TAGS.items()})


def test_placeholders_are_numbered_in_order_outside_string_literals() -> None:
    assert numbered("UPDATE t SET a = ?, b = '?' WHERE c = ? AND d IN (?, ?)") == (
        "UPDATE t SET a = $1, b = '?' WHERE c = $2 AND d IN ($3, $4)"
    )


def test_a_lock_goes_to_postgres_only_at_its_marker_or_the_end() -> None:
    at_end = query("SELECT a FROM t WHERE k = ?", lock="FOR UPDATE")
    assert at_end == Query("SELECT a FROM t WHERE k = ?", "SELECT a FROM t WHERE k = $1 FOR UPDATE")
    inside = query(f"UPDATE t SET a = 1 WHERE k IN (SELECT k FROM t LIMIT ? {queries.LOCK}) RETURNING k", lock="SKIP")
    assert inside.sqlite == "UPDATE t SET a = 1 WHERE k IN (SELECT k FROM t LIMIT ?) RETURNING k"
    assert inside.postgres == "UPDATE t SET a = 1 WHERE k IN (SELECT k FROM t LIMIT $1 SKIP) RETURNING k"


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_both_dialects_take_the_same_parameters(name: str) -> None:
    statement = STATEMENTS[name]
    count = statement.sqlite.count("?")
    assert "{lock}" not in statement.sqlite + statement.postgres
    assert "?" not in statement.postgres
    assert re.findall(r"\$(\d+)", statement.postgres) == [str(n) for n in range(1, count + 1)]


async def test_every_statement_compiles_in_its_dialect(store: Store) -> None:
    if isinstance(store, SqliteStore):
        conn = connect(store.path)
        try:
            for name, statement in STATEMENTS.items():
                try:
                    conn.execute(f"EXPLAIN {statement.sqlite}", [None] * statement.sqlite.count("?"))
                except sqlite3.Error as exc:
                    raise AssertionError(f"{name}: {exc}") from exc
        finally:
            conn.close()
        return
    assert isinstance(store, PostgresStore)

    async def prepare_all(conn: Connection) -> None:
        for name, statement in STATEMENTS.items():
            try:
                await conn.prepare(statement.postgres)
            except asyncpg.PostgresError as exc:
                raise AssertionError(f"{name}: {exc}") from exc

    await store.db.read(prepare_all)
