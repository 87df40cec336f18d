"""The little a transaction written once needs from a database connection: ``Executor``.

The reads and transactions of ``storage.access_keys``, ``contact_methods``, ``tags``, ``operations``, ``outbox``,
``alarms`` and ``limits`` are written against it; ``sqlite.executor`` and ``postgres.executor`` implement it. The
SQLite executor's methods never suspend, so the same ``async def`` runs synchronously on SQLite's writer thread
(``run_now``) and its reads take no hop off the event loop; the PostgreSQL executor awaits asyncpg.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Concatenate, ParamSpec, Protocol, TypeAlias, TypeVar

from lsnotify.storage.queries import Query
from lsnotify.storage.rows import Row

T = TypeVar("T")
P = ParamSpec("P")


class LostRace(Exception):
    """Inside ``Executor.savepoint``: a concurrent transaction took the unique key this one was writing."""


class ParentGone(Exception):
    """Inside ``Executor.savepoint``: the row this one refers to was deleted by a concurrent transaction."""


class Executor(Protocol):
    def dump(self, value: Any) -> Any:
        """A Python value (list, dict) as the dialect's JSON column takes it."""

    def load(self, value: Any) -> Any:
        """What the dialect's JSON column gives, as the Python value."""

    async def fetch(self, query: Query, *args: Any) -> Sequence[Row]: ...

    async def fetchrow(self, query: Query, *args: Any) -> Row | None: ...

    async def fetchval(self, query: Query, *args: Any) -> Any:
        """The first column of the first row, or None when there is no row."""

    async def execute(self, query: Query, *args: Any) -> int:
        """Run a statement; the number of rows it changed."""

    async def executemany(self, query: Query, args: Iterable[Sequence[Any]]) -> None: ...

    async def run_script(self, script: str) -> None:
        """Run every statement of ``script`` (a migration file), inside the current transaction."""

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A nested transaction that rolls back alone and turns a lost race into ``LostRace`` or ``ParentGone``.

        Where one writer runs at a time (SQLite) no race can be lost, and this is no more than a block.
        """


StoreFn: TypeAlias = Callable[Concatenate[Executor, P], Coroutine[Any, Any, T]]
"""A read or a transaction written once: ``fn(executor, *args)``."""


def run_now(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of ``coroutine``, which must finish without suspending (it awaits only a SQLite executor)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    coroutine.close()
    raise RuntimeError("a store function awaited something other than its SQLite executor")
