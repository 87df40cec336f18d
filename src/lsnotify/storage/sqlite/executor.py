"""``SqliteExecutor``: the shared store functions' ``Executor`` on a ``sqlite3`` connection, never suspending.

A JSON column is its text. Most records have no tags, so an empty list's text is not parsed.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import orjson

from lsnotify.storage.queries import Query
from lsnotify.storage.rows import Row

_NO_SAVEPOINT: AbstractAsyncContextManager[None] = contextlib.nullcontext()


def json_text(value: Any) -> str:
    """How a JSON column is written in SQLite: its text."""
    return orjson.dumps(value).decode()


def json_value(text: str) -> Any:
    """A JSON column's text as its value."""
    return () if text == "[]" else orjson.loads(text)


class SqliteExecutor:
    """Runs ``Query.sqlite`` on one connection; see the module docstring."""

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def dump(self, value: Any) -> str:
        return json_text(value)

    def load(self, value: str) -> Any:
        return json_value(value)

    async def fetch(self, query: Query, *args: Any) -> Sequence[Row]:
        return self.conn.execute(query.sqlite, args).fetchall()

    async def fetchrow(self, query: Query, *args: Any) -> Row | None:
        row: Row | None = self.conn.execute(query.sqlite, args).fetchone()
        return row

    async def fetchval(self, query: Query, *args: Any) -> Any:
        row = self.conn.execute(query.sqlite, args).fetchone()
        return None if row is None else row[0]

    async def execute(self, query: Query, *args: Any) -> int:
        return self.conn.execute(query.sqlite, args).rowcount

    async def executemany(self, query: Query, args: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(query.sqlite, args)

    async def run_script(self, script: str) -> None:
        for statement in _statements(script):
            self.conn.execute(statement)

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        # One writer at a time: no race to lose, and a failing write rolls back with its whole job (see writer.py).
        return _NO_SAVEPOINT


def _statements(script: str) -> list[str]:
    """Split a migration into statements, so that all of them run inside the migration's one transaction."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not all(ln.strip().startswith("--") or not ln.strip() for ln in current.splitlines()):
        raise ValueError(f"incomplete SQL statement at the end of a migration: {current.strip()[:80]!r}")
    return statements
