"""Group commit: many writers share commits, a failing write is rolled back alone, nothing is lost on stop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from lsnotify.storage.sqlite.store import connect
from lsnotify.storage.sqlite.writer import SqliteWriter


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    conn = connect(path)
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    conn.close()
    return path


def insert(conn: sqlite3.Connection, key: int, value: str) -> int:
    conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (key, value))
    return key


def rows(path: Path) -> dict[int, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT k, v FROM t"))
    finally:
        conn.close()


async def test_each_caller_gets_its_own_result_and_failures_are_isolated(db: Path) -> None:
    writer = SqliteWriter(lambda: connect(db))
    writer.start()
    try:
        keys = [*range(200), 5, 17]  # the last two collide with earlier keys
        results = await asyncio.gather(*(writer.submit(insert, k, f"v{k}") for k in keys), return_exceptions=True)
        assert results[:200] == list(range(200))
        assert all(isinstance(r, sqlite3.IntegrityError) for r in results[200:])
        assert rows(db) == {k: f"v{k}" for k in range(200)}
    finally:
        writer.stop()


async def test_a_failing_write_leaves_no_partial_change(db: Path) -> None:
    def half_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t (k, v) VALUES (1000, 'half')")
        raise RuntimeError("boom")

    writer = SqliteWriter(lambda: connect(db))
    writer.start()
    try:
        outcome = await asyncio.gather(
            writer.submit(insert, 1, "a"),
            writer.submit(half_then_fail),
            writer.submit(insert, 2, "b"),
            return_exceptions=True,
        )
        assert outcome[0] == 1 and isinstance(outcome[1], RuntimeError) and outcome[2] == 2
        assert rows(db) == {1: "a", 2: "b"}
    finally:
        writer.stop()


async def test_concurrent_writers_share_commits(db: Path) -> None:
    commits = 0
    real_connect = connect

    def counting_connect() -> sqlite3.Connection:
        conn = real_connect(db)

        def trace(statement: str) -> None:
            nonlocal commits
            if statement == "COMMIT":
                commits += 1

        conn.set_trace_callback(trace)
        return conn

    writer = SqliteWriter(counting_connect)
    writer.start()
    try:
        await asyncio.gather(*(writer.submit(insert, k, "x") for k in range(500)))
    finally:
        writer.stop()
    assert len(rows(db)) == 500
    assert commits < 500  # queued writes were grouped under shared commits


async def test_stop_finishes_queued_writes_and_refuses_new_ones(db: Path) -> None:
    writer = SqliteWriter(lambda: connect(db))
    writer.start()
    pending = [asyncio.ensure_future(writer.submit(insert, k, "x")) for k in range(50)]
    await asyncio.sleep(0)
    stopper = threading.Thread(target=writer.stop)
    stopper.start()
    await asyncio.gather(*pending)
    stopper.join()
    assert len(rows(db)) == 50
    with pytest.raises(RuntimeError, match="closed"):
        await writer.submit(insert, 999, "late")


def test_a_connection_that_cannot_open_fails_start(tmp_path: Path) -> None:
    writer = SqliteWriter(lambda: connect(tmp_path / "no" / "such" / "dir.db"))
    with pytest.raises(sqlite3.OperationalError):
        writer.start()
