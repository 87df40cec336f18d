"""The embedded SQLite store: WAL, durable group commits, reads on the caller's thread.

Reads run synchronously on a read-only connection in the event loop's thread: a primary-key lookup costs a few
microseconds, far less than a hop to a thread pool. Writes go through ``SqliteWriter`` (group commit, fsync before
acknowledging). Several processes may share one database file (``serve`` and the ``keys`` command, say): SQLite's
locks and the busy timeout order their writes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import orjson

from lsnotify.domain import (
    EMAIL,
    SMS,
    VALID,
    AccessKey,
    CapturedMessage,
    ClaimedMessage,
    ContactMethod,
    Operation,
    OutboxMessage,
    Scope,
    Tag,
    TaggableResource,
    VerificationToken,
    contact_method_name,
)
from lsnotify.domain.alarms import Alarm, AlarmStateChange, MetricAggregate, MonitoredResource
from lsnotify.storage.base import AlreadyVerified, ContactMethodExists, MessageFilter, RecordNotFound, TooManyTags
from lsnotify.storage.columns import (
    ACCESS_KEY_COLUMNS,
    CONTACT_METHOD_COLUMNS,
    OPERATION_COLUMNS,
    OUTBOX_COLUMNS,
    operation_values,
    outbox_values,
)
from lsnotify.storage.migrations import migrations
from lsnotify.storage.sqlite import limits as _limits
from lsnotify.storage.sqlite.writer import SqliteWriter

BUSY_TIMEOUT_SECONDS = 30.0

# performance: the hottest reads' SQL as constants (a string made per call is hashed anew for the statement cache)
_LIST_CONTACT_METHODS = (
    f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE account_id = ? AND region = ? ORDER BY protocol"
)
_CONTACT_METHODS_CACHED = 10_000
"""Most scopes whose contact methods ``SqliteStore`` keeps decoded; beyond, it starts again from empty."""
_GET_ACCESS_KEY = f"SELECT {ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = ?"


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    if read_only:
        conn.execute("PRAGMA query_only=ON")
    return conn


# -- rows <-> records ---------------------------------------------------------------------------------------------


def _tags_json(tags: Sequence[Tag]) -> str:
    return _json_text([[tag.key, tag.value] for tag in tags])


def _tags(text: str) -> tuple[Tag, ...]:
    if text == "[]":  # most records have no tags: skip the parse
        return ()
    return tuple(Tag(key, value) for key, value in orjson.loads(text))


def _contact_method(row: Sequence[Any]) -> ContactMethod:
    account_id, region, protocol, id_, endpoint, status, created_at, expires_at, tags = row
    return ContactMethod(account_id, region, protocol, endpoint, status, id_, created_at, _tags(tags), expires_at)


def _contact_method_row(cm: ContactMethod) -> tuple[Any, ...]:
    return (
        cm.account_id,
        cm.region,
        cm.protocol,
        cm.id,
        cm.contact_endpoint,
        cm.status,
        cm.created_at,
        cm.verification_expires_at,
        _tags_json(cm.tags),
    )


def _operation(row: Sequence[Any]) -> Operation:
    values = list(row)
    values[8] = bool(values[8])
    return Operation(*values)


def _outbox_message(row: Sequence[Any]) -> OutboxMessage:
    values = list(row)
    values[6] = orjson.loads(values[6])
    return OutboxMessage(*values)


def _json_text(value: Any) -> str:
    """How a JSON column is written in SQLite: its text."""
    return orjson.dumps(value).decode()


def _insert_operation(conn: sqlite3.Connection, op: Operation) -> None:
    conn.execute(
        f"INSERT INTO operations ({OPERATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        operation_values(op),
    )


def _insert_outbox(conn: sqlite3.Connection, messages: Sequence[OutboxMessage]) -> None:
    conn.executemany(
        f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [outbox_values(m, _json_text) for m in messages],
    )


def _insert_token(conn: sqlite3.Connection, token: VerificationToken) -> None:
    conn.execute(
        "INSERT INTO verification_tokens (token_hash, account_id, region, contact_method_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (token.token_hash, token.account_id, token.region, token.contact_method_id, token.created_at, token.expires_at),
    )


def _select_contact_method(conn: sqlite3.Connection, account_id: str, region: str, protocol: str) -> Any:
    return conn.execute(
        f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE account_id = ? AND region = ? AND protocol = ?",
        (account_id, region, protocol),
    ).fetchone()


def _drop_tokens(conn: sqlite3.Connection, cm: ContactMethod) -> None:
    conn.execute(
        "DELETE FROM verification_tokens WHERE account_id = ? AND region = ? AND contact_method_id = ?",
        (cm.account_id, cm.region, cm.id),
    )


# -- write transactions (run on the writer thread) ----------------------------------------------------------------


def _create_access_key(conn: sqlite3.Connection, key: AccessKey) -> None:
    conn.execute(
        "INSERT INTO accounts (account_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (key.account_id, key.created_at),
    )
    conn.execute(
        f"INSERT INTO access_keys ({ACCESS_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
        (key.access_key_id, key.account_id, key.secret_sealed, key.status, key.created_at),
    )


def _set_access_key_status(conn: sqlite3.Connection, access_key_id: str, status: str) -> None:
    if conn.execute("UPDATE access_keys SET status = ? WHERE access_key_id = ?", (status, access_key_id)).rowcount == 0:
        raise RecordNotFound(access_key_id)


def _delete_access_key(conn: sqlite3.Connection, access_key_id: str) -> None:
    if conn.execute("DELETE FROM access_keys WHERE access_key_id = ?", (access_key_id,)).rowcount == 0:
        raise RecordNotFound(access_key_id)


def _create_contact_method(
    conn: sqlite3.Connection,
    cm: ContactMethod,
    op: Operation,
    outbox: Sequence[OutboxMessage],
    token: VerificationToken | None,
) -> None:
    try:
        conn.execute(
            f"INSERT INTO contact_methods ({CONTACT_METHOD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _contact_method_row(cm),
        )
    except sqlite3.IntegrityError:
        existing = _select_contact_method(conn, cm.account_id, cm.region, cm.protocol)
        if existing is None:
            raise
        raise ContactMethodExists(_contact_method(existing)) from None
    _insert_operation(conn, op)
    _insert_outbox(conn, outbox)
    if token is not None:
        _insert_token(conn, token)


def _delete_contact_method(conn: sqlite3.Connection, scope: Scope, protocol: str, op: Operation) -> ContactMethod:
    row = conn.execute(
        f"DELETE FROM contact_methods WHERE account_id = ? AND region = ? AND protocol = ? "
        f"RETURNING {CONTACT_METHOD_COLUMNS}",
        (scope.account_id, scope.region, protocol),
    ).fetchone()
    if row is None:
        raise RecordNotFound(protocol)
    cm = _contact_method(row)
    _drop_tokens(conn, cm)
    _insert_operation(conn, op)
    return cm


def _restart_verification(
    conn: sqlite3.Connection,
    cm: ContactMethod,
    token: VerificationToken,
    op: Operation,
    outbox: Sequence[OutboxMessage],
) -> ContactMethod:
    row = _select_contact_method(conn, cm.account_id, cm.region, cm.protocol)
    if row is None or row[3] != cm.id:
        raise RecordNotFound(cm.id)
    current = _contact_method(row)
    if current.status == VALID:
        raise AlreadyVerified(cm.id)
    _drop_tokens(conn, current)
    _insert_token(conn, token)
    conn.execute(
        "UPDATE contact_methods SET status = 'PendingVerification', verification_expires_at = ? "
        "WHERE account_id = ? AND region = ? AND protocol = ?",
        (token.expires_at, cm.account_id, cm.region, cm.protocol),
    )
    _insert_operation(conn, op)
    _insert_outbox(conn, outbox)
    row = _select_contact_method(conn, cm.account_id, cm.region, cm.protocol)
    return _contact_method(row)


def _confirm_verification(conn: sqlite3.Connection, token_hash: str, now: float) -> ContactMethod:
    token = conn.execute(
        "SELECT account_id, region, contact_method_id, expires_at FROM verification_tokens WHERE token_hash = ?",
        (token_hash,),
    ).fetchone()
    if token is None or token[3] <= now:
        raise RecordNotFound("token")
    account_id, region, contact_method_id, _ = token
    row = _select_contact_method(conn, account_id, region, EMAIL)
    if row is None or row[3] != contact_method_id:
        raise RecordNotFound(contact_method_id)
    conn.execute(
        "UPDATE contact_methods SET status = 'Valid', verification_expires_at = NULL "
        "WHERE account_id = ? AND region = ? AND protocol = ?",
        (account_id, region, EMAIL),
    )
    cm = _contact_method(_select_contact_method(conn, account_id, region, EMAIL))
    _drop_tokens(conn, cm)
    return cm


# How each taggable resource type keeps its tags: (select tags, update tags), both keyed by scope and id.
_TAG_TABLES = {
    "ContactMethod": (
        "SELECT tags FROM contact_methods WHERE account_id = ? AND region = ? AND id = ?",
        "UPDATE contact_methods SET tags = ? WHERE account_id = ? AND region = ? AND id = ?",
    ),
    # -- alarms (issue 4)
    "Alarm": (
        "SELECT tags FROM alarms WHERE account_id = ? AND region = ? AND id = ?",
        "UPDATE alarms SET tags = ? WHERE account_id = ? AND region = ? AND id = ?",
    ),
}


def _change_tags(
    conn: sqlite3.Connection,
    scope: Scope,
    resource: TaggableResource,
    change: Callable[[dict[str, str | None]], None],
    op: Operation,
    max_tags: int | None,
) -> None:
    select_sql, update_sql = _TAG_TABLES[resource.resource_type]
    key = (scope.account_id, scope.region, resource.resource_id)
    row = conn.execute(select_sql, key).fetchone()
    if row is None:
        raise RecordNotFound(resource.name)
    tags = {tag.key: tag.value for tag in _tags(row[0])}
    change(tags)
    if max_tags is not None and len(tags) > max_tags:
        raise TooManyTags(len(tags))
    conn.execute(update_sql, (_tags_json([Tag(k, v) for k, v in tags.items()]), *key))
    _insert_operation(conn, op)


class SqliteStore:
    """The Store on one SQLite database file; see the module docstring."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._read: sqlite3.Connection | None = None
        self._writer: SqliteWriter | None = None
        # The contact methods of recently read scopes, decoded. This process's writes empty the cache when they
        # commit; another process's commits change the database's data_version, looked at once per event-loop
        # iteration (see _look_for_other_writers).
        self._contact_methods: dict[tuple[str, str], tuple[ContactMethod, ...]] = {}
        self._data_version = -1
        self._data_version_looked = False

    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def open(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._writer = SqliteWriter(lambda: connect(self.path))
        self._writer.start()
        self._read = connect(self.path, read_only=True)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.stop()
            self._writer = None
        if self._read is not None:
            self._read.close()
            self._read = None

    async def migrate(self) -> list[str]:
        conn = connect(self.path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
            )
            applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            names = []
            for migration in migrations(self.dialect):
                if migration.version in applied:
                    continue
                for statement in _statements(migration.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, time.time()),
                )
                names.append(migration.name)
            conn.execute("COMMIT")
            return names
        finally:
            conn.close()

    async def ping(self) -> None:
        self._reader.execute("SELECT 1").fetchone()

    @property
    def _reader(self) -> sqlite3.Connection:
        if self._read is None:
            raise RuntimeError("the store is not open")
        return self._read

    async def _write(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._writer is None:
            raise RuntimeError("the store is not open")
        try:
            return await self._writer.submit(fn, *args)
        finally:
            self._contact_methods.clear()

    def _look_for_other_writers(self, reader: sqlite3.Connection) -> None:
        """Empty the contact-method cache if another process has committed since the last look.

        The PRAGMA costs about half a query, so one look serves the rest of the event-loop iteration. That is enough
        for a client that reads after another process acknowledged its write: the read's request arrived after the
        acknowledgement, and so before any look made in the iteration that handles it or in the one before.
        """
        if self._data_version_looked:
            return
        version = reader.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._contact_methods.clear()
            self._data_version = version
        self._data_version_looked = True
        asyncio.get_running_loop().call_soon(self._forget_look)

    def _forget_look(self) -> None:
        self._data_version_looked = False

    # -- identity -------------------------------------------------------------------------------------------------
    async def create_access_key(self, key: AccessKey) -> None:
        await self._write(_create_access_key, key)

    async def get_access_key(self, access_key_id: str) -> AccessKey | None:
        row = self._reader.execute(_GET_ACCESS_KEY, (access_key_id,)).fetchone()
        return AccessKey(*row) if row else None

    async def list_access_keys(self, account_id: str | None = None) -> list[AccessKey]:
        sql = f"SELECT {ACCESS_KEY_COLUMNS} FROM access_keys"
        params: tuple[str, ...] = ()
        if account_id is not None:
            sql += " WHERE account_id = ?"
            params = (account_id,)
        return [AccessKey(*row) for row in self._reader.execute(sql + " ORDER BY created_at, access_key_id", params)]

    async def set_access_key_status(self, access_key_id: str, status: str) -> None:
        await self._write(_set_access_key_status, access_key_id, status)

    async def delete_access_key(self, access_key_id: str) -> None:
        await self._write(_delete_access_key, access_key_id)

    # -- contact methods ------------------------------------------------------------------------------------------
    async def create_contact_method(
        self,
        contact_method: ContactMethod,
        operation: Operation,
        outbox: Sequence[OutboxMessage] = (),
        token: VerificationToken | None = None,
    ) -> None:
        await self._write(_create_contact_method, contact_method, operation, outbox, token)

    async def list_contact_methods(self, scope: Scope, protocols: Collection[str] | None = None) -> list[ContactMethod]:
        # GetContactMethods is the call clients repeat most: a cached scope skips the query and the rows' decoding.
        reader = self._reader
        self._look_for_other_writers(reader)
        key = (scope.account_id, scope.region)
        methods = self._contact_methods.get(key)
        if methods is None:
            methods = tuple(_contact_method(row) for row in reader.execute(_LIST_CONTACT_METHODS, key).fetchall())
            if len(self._contact_methods) >= _CONTACT_METHODS_CACHED:
                self._contact_methods.clear()
            self._contact_methods[key] = methods
        return [cm for cm in methods if protocols is None or cm.protocol in protocols]

    async def delete_contact_method(self, scope: Scope, protocol: str, operation: Operation) -> ContactMethod:
        result: ContactMethod = await self._write(_delete_contact_method, scope, protocol, operation)
        return result

    async def restart_verification(
        self,
        contact_method: ContactMethod,
        token: VerificationToken,
        operation: Operation,
        outbox: Sequence[OutboxMessage],
    ) -> ContactMethod:
        result: ContactMethod = await self._write(_restart_verification, contact_method, token, operation, outbox)
        return result

    async def confirm_verification(self, token_hash: str, now: float) -> ContactMethod:
        result: ContactMethod = await self._write(_confirm_verification, token_hash, now)
        return result

    # -- tags -----------------------------------------------------------------------------------------------------
    async def find_taggable(self, scope: Scope, resource_name: str) -> TaggableResource | None:
        for protocol in (EMAIL, SMS):
            if contact_method_name(protocol, scope.region) == resource_name:
                row = _select_contact_method(self._reader, scope.account_id, scope.region, protocol)
                if row is not None:
                    cm = _contact_method(row)
                    return TaggableResource("ContactMethod", cm.id, cm.name, cm.arn, cm.tags)
        return sqlite_alarms.find_taggable_alarm(self._reader, scope, resource_name)

    async def tag_resource(
        self, scope: Scope, resource: TaggableResource, tags: Sequence[Tag], operation: Operation, max_tags: int
    ) -> None:
        def merge(current: dict[str, str | None]) -> None:
            current.update((tag.key, tag.value) for tag in tags)

        await self._write(_change_tags, scope, resource, merge, operation, max_tags)

    async def untag_resource(
        self, scope: Scope, resource: TaggableResource, keys: Collection[str], operation: Operation
    ) -> None:
        def drop(current: dict[str, str | None]) -> None:
            for key in keys:
                current.pop(key, None)

        await self._write(_change_tags, scope, resource, drop, operation, None)

    # -- operations -----------------------------------------------------------------------------------------------
    async def get_operation(self, scope: Scope, operation_id: str) -> Operation | None:
        row = self._reader.execute(
            f"SELECT {OPERATION_COLUMNS} FROM operations WHERE account_id = ? AND region = ? AND id = ?",
            (scope.account_id, scope.region, operation_id),
        ).fetchone()
        return _operation(row) if row else None

    async def list_operations(
        self,
        scope: Scope,
        *,
        limit: int,
        resource_name: str | None = None,
        after: tuple[float, str] | None = None,
    ) -> list[Operation]:
        sql = f"SELECT {OPERATION_COLUMNS} FROM operations WHERE account_id = ? AND region = ?"
        params: list[Any] = [scope.account_id, scope.region]
        if resource_name is not None:
            sql += " AND resource_name = ?"
            params.append(resource_name)
        if after is not None:
            sql += " AND (created_at, id) < (?, ?)"
            params.extend(after)
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        params.append(limit)
        return [_operation(row) for row in self._reader.execute(sql, params)]

    # -- monitored resources, metric data and alarms (issue 4): the SQL is in sqlite_alarms.py -----------------
    async def add_resource(self, resource: MonitoredResource) -> None:
        await self._write(sqlite_alarms.add_resource, resource)

    async def get_resource(self, scope: Scope, name: str) -> MonitoredResource | None:
        return sqlite_alarms.get_resource(self._reader, scope, name)

    async def list_resources(self, scope: Scope | None = None) -> list[MonitoredResource]:
        return sqlite_alarms.list_resources(self._reader, scope)

    async def delete_resource(self, scope: Scope, name: str) -> int:
        result: int = await self._write(sqlite_alarms.delete_resource, scope, name)
        return result

    async def put_metric_data(
        self, resource: MonitoredResource, metric_name: str, aggregates: Sequence[MetricAggregate]
    ) -> MonitoredResource:
        result: MonitoredResource = await self._write(sqlite_alarms.put_metric_data, resource, metric_name, aggregates)
        return result

    async def get_metric_data(
        self, scope: Scope, resource_name: str, metric_name: str, first_period: int, last_period: int
    ) -> list[MetricAggregate]:
        return sqlite_alarms.get_metric_data(self._reader, scope, resource_name, metric_name, first_period, last_period)

    async def prune_metric_data(self, before: float) -> int:
        result: int = await self._write(sqlite_alarms.prune_metric_data, before)
        return result

    async def put_alarm(self, alarm: Alarm, operation: Operation) -> Alarm:
        result: Alarm = await self._write(sqlite_alarms.put_alarm, alarm, operation)
        return result

    async def get_alarm(self, scope: Scope, name: str) -> Alarm | None:
        return sqlite_alarms.get_alarm(self._reader, scope, name)

    async def list_alarms(
        self, scope: Scope, *, limit: int, resource_name: str | None = None, after: str | None = None
    ) -> list[Alarm]:
        return sqlite_alarms.list_alarms(self._reader, scope, limit, resource_name, after)

    async def delete_alarm(self, scope: Scope, name: str, operation: Operation) -> Alarm:
        result: Alarm = await self._write(sqlite_alarms.delete_alarm, scope, name, operation)
        return result

    async def list_alarms_to_evaluate(self, *, limit: int, after: tuple[str, str, str] | None = None) -> list[Alarm]:
        return sqlite_alarms.list_alarms_to_evaluate(self._reader, limit, after)

    async def record_alarm_state(
        self, alarm: Alarm, change: AlarmStateChange, outbox: Sequence[OutboxMessage] = ()
    ) -> bool:
        result: bool = await self._write(sqlite_alarms.record_alarm_state, alarm, change, outbox)
        return result

    async def record_alarm_test(self, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage]) -> None:
        await self._write(sqlite_alarms.record_alarm_test, alarm, operation, outbox)

    async def list_alarm_history(self, scope: Scope, alarm_name: str, limit: int = 100) -> list[AlarmStateChange]:
        return sqlite_alarms.list_alarm_history(self._reader, scope, alarm_name, limit)

    # -- outbox ---------------------------------------------------------------------------------------------------
    async def list_outbox(self, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        sql = f"SELECT {OUTBOX_COLUMNS} FROM outbox"
        params: list[Any] = []
        if status is not None:
            sql += " WHERE status = ?"
            params.append(status)
        sql += " ORDER BY created_at, id LIMIT ?"
        params.append(limit)
        return [_outbox_message(row) for row in self._reader.execute(sql, params)]

    # -- delivery (issue 3): the SQL is in sqlite_delivery ---------------------------------------------------------
    async def enqueue_outbox(self, messages: Sequence[OutboxMessage]) -> None:
        await self._write(_delivery.enqueue, messages)

    async def claim_outbox(self, worker: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
        if not _delivery.anything_due(self._reader, now):
            return []
        claimed: list[ClaimedMessage] = await self._write(_delivery.claim, worker, now, limit, lease_seconds)
        return claimed

    async def record_outbox_sent(self, claimed: ClaimedMessage, now: float) -> None:
        await self._write(_delivery.record_sent, claimed, now)

    async def record_outbox_failure(self, claimed: ClaimedMessage, error: str, retry_at: float | None) -> bool:
        recorded: bool = await self._write(_delivery.record_failure, claimed, error, retry_at)
        return recorded

    async def retry_outbox(self, message_ids: Collection[str] | None, now: float) -> list[str]:
        requeued: list[str] = await self._write(_delivery.retry, message_ids, now)
        return requeued

    async def outbox_counts(self) -> dict[str, int]:
        return _delivery.counts(self._reader)

    async def prune_outbox(self, sent_before: float) -> int:
        pruned: int = await self._write(_delivery.prune, sent_before)
        return pruned

    async def capture_message(self, message: CapturedMessage) -> None:
        await self._write(_delivery.capture, message)

    async def list_captured_messages(
        self, where: MessageFilter, limit: int = 1000, *, newest_first: bool = False
    ) -> list[CapturedMessage]:
        return _delivery.list_captured(self._reader, where, limit, newest_first)

    async def delete_captured_messages(self, where: MessageFilter) -> int:
        deleted: int = await self._write(_delivery.delete_captured, where)
        return deleted

    async def peek_verification(self, token_hash: str, now: float) -> ContactMethod | None:
        return _delivery.peek_verification(self._reader, token_hash, now)

    # -- limits: the SQL is in sqlite/limits.py --------------------------------------------------------------------
    async def outbox_times(self, scope: Scope, kind: str, since: float) -> list[float]:
        return _limits.outbox_times(self._reader, scope, kind, since)

    async def count_sent(self, account_id: str, protocol: str, since: float, excluding: Collection[str] = ()) -> int:
        return _limits.count_sent(self._reader, account_id, protocol, since, excluding)

    async def record_outbox_suppressed(self, claimed: ClaimedMessage, reason: str) -> bool:
        recorded: bool = await self._write(_limits.record_suppressed, claimed, reason)
        return recorded

    async def record_alarm_test_paced(
        self, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage], tested_since: float
    ) -> float | None:
        def write(conn: sqlite3.Connection) -> float | None:
            scope = Scope(alarm.account_id, alarm.region)
            last = _limits.last_operation_at(conn, scope, alarm.name, operation.operation_type)
            if last is not None and last >= tested_since:
                return last
            sqlite_alarms.record_alarm_test(conn, alarm, operation, outbox)
            return None

        last: float | None = await self._write(write)
        return last

    async def last_operation_at(self, scope: Scope, resource_name: str, operation_type: str) -> float | None:
        return _limits.last_operation_at(self._reader, scope, resource_name, operation_type)

    async def count_resources(self, account_id: str) -> int:
        return _limits.count_resources(self._reader, account_id)

    async def count_alarms(self, account_id: str) -> int:
        return _limits.count_alarms(self._reader, account_id)


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


# Delivery's SQL, and the alarms' (issue 4), build on the row helpers above, so they are imported once those exist.
from lsnotify.storage.sqlite import alarms as sqlite_alarms  # noqa: E402
from lsnotify.storage.sqlite import delivery as _delivery  # noqa: E402
