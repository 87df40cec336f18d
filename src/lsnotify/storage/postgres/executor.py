"""``PostgresExecutor``: the shared store functions' ``Executor`` on a pooled asyncpg connection.

A JSON column travels as its Python value: the pool's ``jsonb`` codec (``database.py``) encodes and decodes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg

from lsnotify.storage.executor import LostRace, ParentGone
from lsnotify.storage.postgres.database import Connection
from lsnotify.storage.queries import Query
from lsnotify.storage.rows import Row


def rowcount(status: str) -> int:
    """The number of rows a command changed, from asyncpg's status string (``UPDATE 3``, ``DELETE 0``)."""
    return int(status.rsplit(" ", 1)[-1])


class PostgresExecutor:
    """Runs ``Query.postgres`` on one connection; see the module docstring."""

    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def dump(self, value: Any) -> Any:
        return value

    def load(self, value: Any) -> Any:
        return value

    async def fetch(self, query: Query, *args: Any) -> Sequence[Row]:
        return await self.conn.fetch(query.postgres, *args)

    async def fetchrow(self, query: Query, *args: Any) -> Row | None:
        return await self.conn.fetchrow(query.postgres, *args)

    async def fetchval(self, query: Query, *args: Any) -> Any:
        return await self.conn.fetchval(query.postgres, *args)

    async def execute(self, query: Query, *args: Any) -> int:
        return rowcount(await self.conn.execute(query.postgres, *args))

    async def executemany(self, query: Query, args: Iterable[Sequence[Any]]) -> None:
        await self.conn.executemany(query.postgres, args)

    async def run_script(self, script: str) -> None:
        await self.conn.execute(script)  # no arguments: the simple protocol runs every statement of the script

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return self._savepoint()

    @asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[None]:
        try:
            async with self.conn.transaction():
                yield
        except asyncpg.UniqueViolationError:
            raise LostRace from None
        except asyncpg.ForeignKeyViolationError:
            raise ParentGone from None
