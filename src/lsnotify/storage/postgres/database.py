"""The PostgreSQL connection pool, and the one place where transactions run and transient errors are retried.

``Database.transaction(fn, *args)`` runs ``fn(connection, *args)`` inside one transaction; ``Database.read`` runs a
read on a pooled connection without one (a single statement sees one snapshot anyway). Both retry, a bounded number
of times with jittered exponential backoff, the errors after which running the same work again is safe and likely to
succeed: a serialization failure or deadlock (PostgreSQL rolled the transaction back), a connection that was refused,
dropped or ended by the server (a restart, a failover: ``admin_shutdown``), too many connections. A connection lost
while COMMIT is in flight is different: the transaction may have committed, so running it again could apply it twice.
That raises ``CommitOutcomeUnknown`` and is not retried; the caller reports a server error, as any database client
must, and the API client decides whether to retry.

Every pooled connection gets ``statement_timeout`` and ``idle_in_transaction_session_timeout`` from the settings, so a
runaway query or a client stuck inside a transaction cannot hold locks for long, and decodes ``jsonb`` with orjson.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, Protocol, TypeAlias, TypeVar
from urllib.parse import urlsplit

import asyncpg
import orjson

from lsnotify.storage.base import StoreError

log = logging.getLogger("lsnotify.storage")

T = TypeVar("T")
P = ParamSpec("P")
Connection: TypeAlias = "asyncpg.pool.PoolConnectionProxy[asyncpg.Record]"

# SQLSTATEs after which the same transaction, run again, is safe and likely to succeed.
TRANSIENT_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "57P01",  # admin_shutdown: the server is stopping or restarting, or an operator ended the session
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: the server is starting up
        "53300",  # too_many_connections
    }
)
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08"})  # connection_exception: the connection failed or was lost

BACKOFF_BASE = 0.1
BACKOFF_CAP = 2.0


class DatabaseUnavailable(StoreError):
    """PostgreSQL could not be reached, or refused the connection."""


class CommitOutcomeUnknown(StoreError):
    """The connection was lost while COMMIT was in flight: the transaction may or may not have committed."""


class PoolSettings(Protocol):
    """The settings ``PoolOptions`` reads (``config.Settings`` has them); storage itself never reads the config."""

    @property
    def database_pool_size(self) -> int: ...

    @property
    def database_connect_timeout(self) -> float: ...

    @property
    def database_statement_timeout(self) -> float: ...

    @property
    def database_idle_transaction_timeout(self) -> float: ...

    @property
    def database_retries(self) -> int: ...


@dataclass(frozen=True, slots=True)
class PoolOptions:
    pool_size: int = 10
    connect_timeout: float = 10.0
    statement_timeout: float = 30.0
    idle_transaction_timeout: float = 60.0
    retries: int = 6

    @classmethod
    def from_settings(cls, settings: PoolSettings) -> PoolOptions:
        """Each option from the setting of its name with ``database_`` before it."""
        return cls(**{field.name: getattr(settings, f"database_{field.name}") for field in dataclasses.fields(cls)})


def is_transient(exc: BaseException) -> bool:
    """True for the errors after which the same work may simply be run again (see the module docstring)."""
    if isinstance(exc, CommitOutcomeUnknown):
        return False
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        return state in TRANSIENT_SQLSTATES or state[:2] in TRANSIENT_SQLSTATE_CLASSES
    # Refused or reset connections (the server is down or restarting) and asyncpg's "connection was closed".
    return isinstance(exc, OSError | asyncpg.exceptions.ConnectionDoesNotExistError)


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based): doubling from 0.1 s up to 2 s, with jitter."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2.0**attempt) * random.uniform(0.5, 1.0)


def redacted(url: str) -> str:
    """``url`` without its password, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _millis(seconds: float) -> str:
    return str(max(1, round(seconds * 1000)))


async def _prepare_connection(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=lambda value: orjson.dumps(value).decode(), decoder=orjson.loads, schema="pg_catalog"
    )


async def _keep_session(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """What a connection needs on its way back to the pool beyond the rollback of an open transaction asyncpg always
    does: nothing. The store keeps no session state (its locks are per transaction, its settings are the session's
    own, it never LISTENs or leaves a cursor open), so asyncpg's default reset would only cost a round trip per call.
    """


class Database:
    """A pool of connections to one PostgreSQL database; see the module docstring."""

    def __init__(self, url: str, options: PoolOptions) -> None:
        self.url = url
        self.options = options
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None

    async def open(self) -> None:
        try:
            self._pool = await self._create_pool()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {redacted(self.url)}: {exc}") from None

    async def _create_pool(self) -> asyncpg.Pool[asyncpg.Record]:
        options = self.options
        return await self._retrying(
            lambda: asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=options.pool_size,
                timeout=options.connect_timeout,
                # Beyond statement_timeout the server has cancelled the statement; a client still waiting after
                # that (and a little slack) is waiting on a dead network path.
                command_timeout=options.statement_timeout + 5.0,
                server_settings={
                    "application_name": "lsnotify",
                    "statement_timeout": _millis(options.statement_timeout),
                    "idle_in_transaction_session_timeout": _millis(options.idle_transaction_timeout),
                },
                init=_prepare_connection,
                reset=_keep_session,
            )
        )

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool[asyncpg.Record]:
        if self._pool is None:
            raise RuntimeError("the store is not open")
        return self._pool

    async def transaction(
        self, fn: Callable[Concatenate[Connection, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(connection, *args)`` in one transaction, retrying it after transient errors."""
        return await self._retrying(lambda: self._transaction_once(fn, *args, **kwargs))

    async def read(
        self, fn: Callable[Concatenate[Connection, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run the read ``fn(connection, *args)`` on a pooled connection, retrying it after transient errors."""

        async def once() -> T:
            async with self.pool.acquire(timeout=self.options.connect_timeout) as conn:
                return await fn(conn, *args, **kwargs)

        return await self._retrying(once)

    async def ping(self, timeout: float) -> None:
        """One round trip to the server, failing after ``timeout`` seconds (a pool with no free connection counts)."""
        async with self.pool.acquire(timeout=timeout) as conn:
            await conn.fetchval("SELECT 1", timeout=timeout)

    async def _transaction_once(
        self, fn: Callable[Concatenate[Connection, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        async with self.pool.acquire(timeout=self.options.connect_timeout) as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                result = await fn(conn, *args, **kwargs)
            except BaseException:
                with contextlib.suppress(Exception):  # a lost connection has rolled back already
                    await transaction.rollback()
                raise
            try:
                await transaction.commit()
            except asyncpg.PostgresError as exc:
                # The server answered: a serialization failure or deferred constraint rolled everything back.
                if getattr(exc, "sqlstate", "")[:2] in TRANSIENT_SQLSTATE_CLASSES:
                    raise CommitOutcomeUnknown(str(exc)) from exc
                raise
            except (TimeoutError, OSError, asyncpg.InterfaceError) as exc:
                raise CommitOutcomeUnknown(str(exc)) from exc
            return result

    async def _retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        for number in range(self.options.retries + 1):
            try:
                return await attempt()
            except Exception as exc:
                if number == self.options.retries or not is_transient(exc):
                    raise
                delay = backoff(number)
                log.warning(
                    "PostgreSQL: %s (%s); trying again in %.2f s (%d of %d)",
                    type(exc).__name__,
                    str(exc).splitlines()[0] if str(exc) else "",
                    delay,
                    number + 1,
                    self.options.retries,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
