"""The PostgreSQL store: any number of ``serve``, ``worker`` and ``evaluator`` processes share one database.

Each method (``SqlStore``'s) is one transaction (``Database.transaction``, which retries transient errors) or one
read on a pooled connection. Rules that must hold across nodes are decided by the database, never by a read followed
by a write: primary keys and unique slots tell the loser of a race (``INSERT … ON CONFLICT DO NOTHING``), tags change
and verification tokens are spent under row locks, outbox messages are claimed with ``FOR UPDATE SKIP LOCKED``, an
alarm's state change is a compare-and-set on its revision (see ``storage.contact_methods``, ``storage.outbox`` and
``storage.alarms``). Migrations run in one transaction under an advisory lock, so nodes starting together apply each
migration once.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from lsnotify.storage.executor import StoreFn
from lsnotify.storage.migrations import apply_migrations
from lsnotify.storage.postgres.database import Connection, Database, PoolOptions
from lsnotify.storage.postgres.executor import PostgresExecutor
from lsnotify.storage.sql_store import SqlStore

T = TypeVar("T")
P = ParamSpec("P")

# pg_advisory_xact_lock key held while migrating: "lsnotify" as a 64-bit integer.
MIGRATION_LOCK = int.from_bytes(b"lsnotify", "big") & (2**63 - 1)
PING_TIMEOUT = 2.0


def _on_executor(
    fn: StoreFn[P, T], *args: P.args, **kwargs: P.kwargs
) -> Callable[[Connection], Coroutine[Any, Any, T]]:
    """``fn(executor, *args)`` as a function of the connection ``Database`` lends."""

    async def run(conn: Connection) -> T:
        return await fn(PostgresExecutor(conn), *args, **kwargs)

    return run


async def _migrate(conn: Connection) -> list[str]:
    # A long migration, or a wait for another node's, must not be cut short by the statement timeout.
    await conn.execute("SET LOCAL statement_timeout = 0")
    await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version integer PRIMARY KEY, name text NOT NULL, applied_at double precision NOT NULL)"
    )
    return await apply_migrations(PostgresExecutor(conn), PostgresStore.dialect)


class PostgresStore(SqlStore):
    """The Store on one PostgreSQL database; see the module docstring."""

    dialect = "postgres"

    def __init__(self, url: str, options: PoolOptions | None = None) -> None:
        self.db = Database(url, options or PoolOptions())

    # -- lifecycle --------------------------------------------------------------------------------------------------
    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()

    async def migrate(self) -> list[str]:
        return await self.db.transaction(_migrate)

    async def ping(self) -> None:
        await self.db.ping(PING_TIMEOUT)

    async def _read(self, fn: StoreFn[P, T], *args: P.args, **kw: P.kwargs) -> T:
        return await self.db.read(_on_executor(fn, *args, **kw))

    async def _write(self, fn: StoreFn[P, T], *args: P.args, **kw: P.kwargs) -> T:
        return await self.db.transaction(_on_executor(fn, *args, **kw))
