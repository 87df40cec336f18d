"""The embedded SQLite store: WAL, durable group commits, reads on the caller's thread.

Reads run synchronously on a read-only connection in the event loop's thread: a primary-key lookup costs a few
microseconds, far less than a hop to a thread pool. Writes go through ``SqliteWriter`` (group commit, fsync before
acknowledging). Several processes may share one database file (``serve`` and the ``keys`` command, say): SQLite's
locks and the busy timeout order their writes. The Store methods themselves are ``SqlStore``'s; this module adds how
they run here, and the contact-method cache of the hottest read.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from lsnotify.domain import AccessKey, Scope
from lsnotify.domain.contacts import ContactMethod
from lsnotify.domain.outbox import ClaimedMessage
from lsnotify.storage import access_keys, alarms, contact_methods, outbox, queries
from lsnotify.storage.executor import StoreFn, run_now
from lsnotify.storage.migrations import apply_migrations
from lsnotify.storage.outbox import anything_due
from lsnotify.storage.rows import access_key_from_row, contact_method_from_row
from lsnotify.storage.sql_store import SqlStore
from lsnotify.storage.sqlite.executor import SqliteExecutor, json_value
from lsnotify.storage.sqlite.writer import SqliteWriter
from lsnotify.storage.tags import change_tags

T = TypeVar("T")
P = ParamSpec("P")

BUSY_TIMEOUT_SECONDS = 30.0
WRITER_CACHE_KIB = 16 * 1024
"""The writing connection's page cache. Every write appends to the operations table and its two indexes in the
writer's scope; with SQLite's default of 2 MiB their hot pages no longer fit once there are some ten thousand
operations, and each insert reads pages back through the operating system."""
CHECKPOINT_PAGES = 10_000
"""WAL pages (of 4 KiB) after which a commit copies the WAL back into the database (SQLite's default is 1,000). A
group commit writes a hundred pages or more, so the default checkpoints every few commits, each copying the same hot
pages again and waiting for an fsync of the database file; durability is the same, as every commit still fsyncs the
WAL before it is acknowledged."""

# performance: the hottest reads' SQL as constants, run straight on the connection
_LIST_CONTACT_METHODS = queries.LIST_CONTACT_METHODS.sqlite
_GET_ACCESS_KEY = queries.GET_ACCESS_KEY.sqlite
_COMMITS_COUNTED = queries.COMMITS_COUNTED.sqlite
_CONTACT_METHODS_CACHED = 10_000
"""Most scopes whose contact methods ``SqliteStore`` keeps decoded; beyond, it starts again from empty."""

# Which cached scope a write can change, so that it forgets only that one: writes of one scope's contact methods
# or tags (the tags are part of a contact method's answer) name it in their first argument; the writes listed in
# _LEAVE_CONTACT_METHODS never change a contact method. Any other write (confirming a verification, whose scope is
# known only inside the transaction, or one added later) empties the whole cache.
_SCOPE_WRITTEN: dict[Any, Callable[[Any], tuple[str, str]]] = {
    contact_methods.create_contact_method: lambda cm: (cm.account_id, cm.region),
    contact_methods.restart_verification: lambda cm: (cm.account_id, cm.region),
    contact_methods.delete_contact_method: lambda scope: (scope.account_id, scope.region),
    change_tags: lambda scope: (scope.account_id, scope.region),
}
_LEAVE_CONTACT_METHODS: frozenset[Any] = frozenset(
    {
        access_keys.create_access_key,
        access_keys.set_access_key_status,
        access_keys.delete_access_key,
        alarms.add_resource,
        alarms.delete_resource,
        alarms.put_metric_data,
        alarms.prune_metric_data,
        alarms.put_alarm,
        alarms.delete_alarm,
        alarms.record_alarm_state,
        alarms.record_alarm_test,
        outbox.insert_outbox,
        outbox.claim,
        outbox.record_sent,
        outbox.record_failure,
        outbox.retry,
        outbox.prune,
        outbox.capture,
        outbox.delete_captured,
    }
)


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    if read_only:
        conn.execute("PRAGMA query_only=ON")
    else:
        conn.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        conn.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
    return conn


def run_on(conn: sqlite3.Connection, fn: StoreFn[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(executor, *args)`` on ``conn``, at once: what the writer thread runs for each write."""
    return run_now(fn(SqliteExecutor(conn), *args, **kwargs))


class SqliteStore(SqlStore):
    """The Store on one SQLite database file; see the module docstring."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._read_conn: sqlite3.Connection | None = None
        self._read_executor: SqliteExecutor | None = None
        self._writer: SqliteWriter | None = None
        # The contact methods of recently read scopes, decoded. This process's writes forget what they may have
        # changed when they end (see _forget_written); another process's commits change the database's
        # data_version, looked at once per event-loop iteration (see _look_for_other_writers).
        self._contact_methods: dict[tuple[str, str], tuple[ContactMethod, ...]] = {}
        self._data_version = -1
        self._commits_seen: int | None = None
        self._data_version_looked = False

    # -- lifecycle --------------------------------------------------------------------------------------------------
    async def open(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._writer = SqliteWriter(lambda: connect(self.path))
        self._writer.start()
        self._read_conn = connect(self.path, read_only=True)
        self._read_executor = SqliteExecutor(self._read_conn)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.stop()
            self._writer = None
        if self._read_conn is not None:
            self._read_conn.close()
            self._read_conn = self._read_executor = None

    async def migrate(self) -> list[str]:
        conn = connect(self.path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
            )
            names = run_on(conn, apply_migrations, self.dialect)
            conn.execute("COMMIT")
            return names
        finally:
            conn.close()

    async def ping(self) -> None:
        self._reader.execute("SELECT 1").fetchone()

    @property
    def _reader(self) -> sqlite3.Connection:
        if self._read_conn is None:
            raise RuntimeError("the store is not open")
        return self._read_conn

    async def _read(self, fn: StoreFn[P, T], *args: P.args, **kw: P.kwargs) -> T:
        if self._read_executor is None:
            raise RuntimeError("the store is not open")
        return await fn(self._read_executor, *args, **kw)  # never suspends: no hop off the event loop

    async def _write(self, fn: StoreFn[P, T], *args: P.args, **kw: P.kwargs) -> T:
        if self._writer is None:
            raise RuntimeError("the store is not open")
        try:
            return await self._writer.submit(lambda conn: run_on(conn, fn, *args, **kw))
        finally:
            self._forget_written(fn, args)

    def _forget_written(self, fn: object, args: tuple[Any, ...]) -> None:
        """After a write, however it ended: drop the cached contact methods it may have changed."""
        scope_of = _SCOPE_WRITTEN.get(fn)
        if scope_of is not None:
            self._contact_methods.pop(scope_of(args[0]), None)
        elif fn not in _LEAVE_CONTACT_METHODS:
            self._contact_methods.clear()

    def _look_for_other_writers(self, reader: sqlite3.Connection) -> None:
        """Empty the contact-method cache if another process (or connection) has committed since the last look.

        The PRAGMA costs about half a query, so one look serves the rest of the event-loop iteration. That is enough
        for a client that reads after another process acknowledged its write: the read's request arrived after the
        acknowledgement, and so before any look made in the iteration that handles it or in the one before. The
        data_version changes with this process's commits too: then the commit count says whether all the commits
        since the last look were this process's, whose writes have forgotten what they changed themselves.
        """
        if self._data_version_looked:
            return
        version = reader.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            seen, counted = self._commits_seen, _commits_counted(reader)
            if seen is None or counted is None or self._writer is None or not self._writer.wrote_all(seen, counted):
                self._contact_methods.clear()
            self._commits_seen = counted
        self._data_version_looked = True
        asyncio.get_running_loop().call_soon(self._forget_look)

    def _forget_look(self) -> None:
        self._data_version_looked = False

    # -- the reads clients repeat most, straight on the connection --------------------------------------------------
    async def get_access_key(self, access_key_id: str) -> AccessKey | None:
        row = self._reader.execute(_GET_ACCESS_KEY, (access_key_id,)).fetchone()
        return access_key_from_row(row) if row else None

    async def list_contact_methods(self, scope: Scope, protocols: Collection[str] | None = None) -> list[ContactMethod]:
        # GetContactMethods is the call clients repeat most: a cached scope skips the query and the rows' decoding.
        reader = self._reader
        self._look_for_other_writers(reader)
        key = (scope.account_id, scope.region)
        methods = self._contact_methods.get(key)
        if methods is None:
            rows = reader.execute(_LIST_CONTACT_METHODS, key).fetchall()
            methods = tuple(contact_method_from_row(row, json_value) for row in rows)
            if len(self._contact_methods) >= _CONTACT_METHODS_CACHED:
                self._contact_methods.clear()
            self._contact_methods[key] = methods
        return [cm for cm in methods if protocols is None or cm.protocol in protocols]

    async def claim_outbox(self, worker: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
        # A cheap look on the read connection first, so that an idle worker's polls never take the write lock.
        if not await self._read(anything_due, now):
            return []
        return await super().claim_outbox(worker, now, limit, lease_seconds)


def _commits_counted(reader: sqlite3.Connection) -> int | None:
    """The database's commit count; None before the migration that makes it."""
    try:
        counted: int = reader.execute(_COMMITS_COUNTED).fetchone()[0]
    except sqlite3.OperationalError:
        return None
    return counted
