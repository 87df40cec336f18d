"""Group commit for SQLite: one writer thread runs many callers' write transactions under one durable commit.

Each write is a function of a connection. The writer takes every job waiting in its queue, runs each inside its own
SAVEPOINT within one ``BEGIN IMMEDIATE`` transaction, commits once (``synchronous=FULL``: the WAL is fsynced before
COMMIT returns), and only then resolves the callers' futures. A job that raises is rolled back to its savepoint
alone and its caller gets the exception. While one commit waits for the disk, the next batch gathers, so the cost
of fsync is shared by everyone who arrived meanwhile.

Each group commit also counts itself in the database's ``commit_count`` and the writer keeps the numbers of its own
commits, so that its store can tell, when it sees the database changed, whether anyone else wrote (``wrote_all``).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from lsnotify.storage import queries

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteFn = Callable[..., Any]

MAX_BATCH = 512
_COUNT_COMMIT = queries.COUNT_COMMIT.sqlite
_STOP = object()


class _Job:
    __slots__ = ("args", "error", "fn", "future", "loop", "result")

    def __init__(
        self, fn: WriteFn, args: tuple[Any, ...], future: asyncio.Future[Any], loop: asyncio.AbstractEventLoop
    ):
        self.fn = fn
        self.args = args
        self.future = future
        self.loop = loop
        self.result: Any = None
        self.error: BaseException | None = None


class SqliteWriter:
    """Owns the only writing connection of a store; see the module docstring."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="lsnotify-sqlite-writer", daemon=True)
        self._started = threading.Event()
        self._startup_error: BaseException | None = None
        # commit_count numbers of this writer's commits not yet looked at; added by the writer thread, read and
        # removed by the store's (single-statement set operations, atomic under the GIL)
        self._own_commits: set[int] = set()

    def start(self) -> None:
        self._thread.start()
        self._started.wait()
        if self._startup_error is not None:
            raise self._startup_error

    def stop(self) -> None:
        """Run the jobs already queued, then close the connection and end the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()

    def wrote_all(self, after: int, upto: int) -> bool:
        """Whether every commit numbered after ``after`` up to ``upto`` was this writer's; they are forgotten."""
        own = self._own_commits
        mine = upto - after <= len(own) and all(n in own for n in range(after + 1, upto + 1))
        own.difference_update([n for n in list(own) if n <= upto])
        return mine

    async def submit(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(connection, *args)`` in the next group transaction and return its result once durable."""
        if not self._thread.is_alive():
            raise RuntimeError("the store is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Job(fn, args, future, loop))
        return await future

    def _run(self) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:
            self._startup_error = exc
            self._started.set()
            return
        self._started.set()
        try:
            stopping = False
            while not stopping:
                batch: list[_Job] = []
                item = self._queue.get()
                while True:
                    if item is _STOP:
                        stopping = True
                    else:
                        batch.append(item)
                    if len(batch) >= MAX_BATCH:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                if batch:
                    self._commit_batch(conn, batch)
        finally:
            conn.close()
            self._refuse_late_jobs()

    def _refuse_late_jobs(self) -> None:
        """A write that raced with ``stop`` is refused rather than left waiting forever."""
        late: list[_Job] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                item.error = RuntimeError("the store is closed")
                late.append(item)
        for job in late:
            job.loop.call_soon_threadsafe(_resolve, [job])

    def _commit_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            number = _count_commit(conn)
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    job.result = job.fn(conn, *job.args)
                except BaseException as exc:
                    job.error = exc
                    conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
            conn.execute("COMMIT")
            if number is not None:
                self._own_commits.add(number)
        except BaseException as exc:
            # The transaction as a whole failed (disk full, I/O error, lock timeout): nobody's write is durable.
            log.exception("group commit of %d writes failed", len(batch))
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for job in batch:
                job.error = exc
        by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
        for job in batch:
            by_loop.setdefault(job.loop, []).append(job)
        for loop, jobs in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, jobs)
            except RuntimeError:
                log.warning("a caller's event loop closed before its write was acknowledged")


def _count_commit(conn: sqlite3.Connection) -> int | None:
    """The number of the transaction begun on ``conn``, counted in the database; None before the migration that
    makes the count."""
    try:
        number: int = conn.execute(_COUNT_COMMIT).fetchone()[0]
    except sqlite3.OperationalError:
        return None
    return number


def _resolve(jobs: list[_Job]) -> None:
    for job in jobs:
        if job.future.cancelled():
            continue
        if job.error is not None:
            job.future.set_exception(job.error)
        else:
            job.future.set_result(job.result)
