"""The PostgreSQL connection layer against a real server: per-connection timeouts, and which failures it retries.

Each failure here is real: a connection that ends itself with ``pg_terminate_backend`` (what a server restart or a
failover looks like to the client: ``admin_shutdown``), a genuine serialization failure between two transactions,
a statement cancelled by ``statement_timeout``, a session ended by ``idle_in_transaction_session_timeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from lsnotify.config import load_settings
from lsnotify.storage.postgres.database import CommitOutcomeUnknown, Connection, Database, PoolOptions, is_transient


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    db = Database(postgres_url, PoolOptions(pool_size=3, statement_timeout=0.5, idle_transaction_timeout=0.3))
    await db.open()
    try:
        yield db
    finally:
        await db.close()


async def test_every_pooled_connection_has_the_configured_timeouts(database: Database) -> None:
    async def settings(conn: Connection) -> tuple[str, str, str]:
        row = await conn.fetchrow(
            "SELECT current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout'), "
            "current_setting('application_name')"
        )
        assert row is not None
        return row[0], row[1], row[2]

    seen = await asyncio.gather(*(database.transaction(settings) for _ in range(6)))
    assert set(seen) == {("500ms", "300ms", "lsnotify")}


async def test_a_statement_past_the_timeout_is_cancelled_and_not_retried(database: Database) -> None:
    attempts = 0

    async def slow(conn: Connection) -> None:
        nonlocal attempts
        attempts += 1
        await conn.execute("SELECT pg_sleep(5)")

    with pytest.raises(asyncpg.QueryCanceledError):
        await database.transaction(slow)
    assert attempts == 1


async def test_a_connection_ended_by_the_server_is_retried_on_a_new_one(database: Database) -> None:
    pids: list[int] = []

    async def work(conn: Connection) -> int:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        pids.append(pid)
        await conn.execute("CREATE TABLE IF NOT EXISTS counter (n integer)")
        await conn.execute("INSERT INTO counter VALUES (1)")
        if len(pids) == 1:
            # What a restart or failover does to every session: FATAL 57P01 admin_shutdown, mid-transaction.
            await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return int(await conn.fetchval("SELECT count(*) FROM counter"))

    assert await database.transaction(work) == 1  # the first attempt's insert was rolled back with its session
    assert len(pids) == 2 and pids[0] != pids[1]


async def test_a_serialization_failure_is_retried(database: Database, postgres_url: str) -> None:
    await database.transaction(lambda conn: conn.execute("CREATE TABLE account (id integer PRIMARY KEY, n integer)"))
    await database.transaction(lambda conn: conn.execute("INSERT INTO account VALUES (1, 0)"))
    other = await asyncpg.connect(postgres_url)
    attempts = 0

    async def increment(conn: Connection) -> None:
        nonlocal attempts
        attempts += 1
        await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        await conn.fetchval("SELECT n FROM account WHERE id = 1")  # takes the snapshot
        if attempts == 1:
            await other.execute("UPDATE account SET n = n + 100 WHERE id = 1")  # a concurrent commit
        await conn.execute("UPDATE account SET n = n + 1 WHERE id = 1")  # 40001 on the first attempt

    try:
        await database.transaction(increment)
    finally:
        await other.close()
    assert attempts == 2
    assert await database.read(lambda conn: conn.fetchval("SELECT n FROM account WHERE id = 1")) == 101


async def test_retries_are_bounded(postgres_url: str) -> None:
    db = Database(postgres_url, PoolOptions(retries=2))
    await db.open()
    attempts = 0

    async def always_cut_off(conn: Connection) -> None:
        nonlocal attempts
        attempts += 1
        await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    try:
        with pytest.raises(Exception) as raised:
            await db.transaction(always_cut_off)
    finally:
        await db.close()
    assert is_transient(raised.value)
    assert attempts == 3


async def test_a_connection_lost_before_commit_is_answered_is_not_retried(database: Database) -> None:
    """The client cannot tell whether such a transaction committed, so running it again could apply it twice."""
    attempts = 0

    async def idle_too_long(conn: Connection) -> None:
        nonlocal attempts
        attempts += 1
        await conn.execute("SELECT 1")
        await asyncio.sleep(1.5)  # past idle_in_transaction_session_timeout: the server ends the session

    with pytest.raises(CommitOutcomeUnknown):
        await database.transaction(idle_too_long)
    assert attempts == 1


def test_pool_options_come_from_the_database_settings() -> None:
    settings = load_settings(
        {
            "database_pool_size": 3,
            "database_connect_timeout": 4,
            "database_statement_timeout": 5,
            "database_idle_transaction_timeout": 6,
            "database_retries": 2,
        }
    )
    expected = PoolOptions(
        pool_size=3, connect_timeout=4.0, statement_timeout=5.0, idle_transaction_timeout=6.0, retries=2
    )
    assert PoolOptions.from_settings(settings) == expected
