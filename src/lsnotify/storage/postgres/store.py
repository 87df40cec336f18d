"""The PostgreSQL store: any number of ``serve``, ``worker`` and ``evaluator`` processes share one database.

Each method is one transaction (``Database.transaction``, which retries transient errors) or one read on a pooled
connection. Rules that must hold across nodes are decided by the database, never by a read followed by a write: the
primary key of ``contact_methods`` is the one-per-protocol rule (``INSERT … ON CONFLICT DO NOTHING`` tells the loser),
a resource's tags change under ``SELECT … FOR UPDATE``, a verification token is spent under a row lock
(``postgres_core``); outbox messages are claimed with ``FOR UPDATE SKIP LOCKED`` (``postgres_delivery``); two alarms
per metric is a unique slot and an alarm's state change a compare-and-set on its revision (``postgres_alarms``).
Migrations run in one transaction under an advisory lock, so nodes starting together apply each migration once.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import Any

import asyncpg

from lsnotify.domain import (
    EMAIL,
    SMS,
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
from lsnotify.storage.base import MessageFilter
from lsnotify.storage.columns import ACCESS_KEY_COLUMNS, CONTACT_METHOD_COLUMNS, OPERATION_COLUMNS, OUTBOX_COLUMNS
from lsnotify.storage.migrations import migrations
from lsnotify.storage.postgres import alarms as _alarms
from lsnotify.storage.postgres import core
from lsnotify.storage.postgres import delivery as _delivery
from lsnotify.storage.postgres import limits as _limits
from lsnotify.storage.postgres.database import Connection, Database, PoolOptions

# pg_advisory_xact_lock key held while migrating: "lsnotify" as a 64-bit integer.
MIGRATION_LOCK = int.from_bytes(b"lsnotify", "big") & (2**63 - 1)
PING_TIMEOUT = 2.0


async def _migrate(conn: Connection) -> list[str]:
    # A long migration, or a wait for another node's, must not be cut short by the statement timeout.
    await conn.execute("SET LOCAL statement_timeout = 0")
    await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version integer PRIMARY KEY, name text NOT NULL, applied_at double precision NOT NULL)"
    )
    applied = {row["version"] for row in await conn.fetch("SELECT version FROM schema_migrations")}
    names = []
    for migration in migrations(PostgresStore.dialect):
        if migration.version in applied:
            continue
        await conn.execute(migration.sql)  # no arguments: the simple protocol runs every statement of the file
        await conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            migration.version,
            migration.name,
            time.time(),
        )
        names.append(migration.name)
    return names


class PostgresStore:
    """The Store on one PostgreSQL database; see the module docstring."""

    dialect = "postgres"

    def __init__(self, url: str, options: PoolOptions | None = None) -> None:
        self.db = Database(url, options or PoolOptions())

    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()

    async def migrate(self) -> list[str]:
        return await self.db.transaction(_migrate)

    async def ping(self) -> None:
        await self.db.ping(PING_TIMEOUT)

    async def _fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async def fetch(conn: Connection) -> list[asyncpg.Record]:
            return await conn.fetch(sql, *args)

        return await self.db.read(fetch)

    async def _fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        async def fetchrow(conn: Connection) -> asyncpg.Record | None:
            return await conn.fetchrow(sql, *args)

        return await self.db.read(fetchrow)

    # -- identity -------------------------------------------------------------------------------------------------
    async def create_access_key(self, key: AccessKey) -> None:
        await self.db.transaction(core.create_access_key, key)

    async def get_access_key(self, access_key_id: str) -> AccessKey | None:
        row = await self._fetchrow(
            f"SELECT {ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = $1", access_key_id
        )
        return AccessKey(*row) if row else None

    async def list_access_keys(self, account_id: str | None = None) -> list[AccessKey]:
        sql = f"SELECT {ACCESS_KEY_COLUMNS} FROM access_keys"
        if account_id is None:
            rows = await self._fetch(sql + " ORDER BY created_at, access_key_id")
        else:
            rows = await self._fetch(sql + " WHERE account_id = $1 ORDER BY created_at, access_key_id", account_id)
        return [AccessKey(*row) for row in rows]

    async def set_access_key_status(self, access_key_id: str, status: str) -> None:
        await self.db.transaction(core.set_access_key_status, access_key_id, status)

    async def delete_access_key(self, access_key_id: str) -> None:
        await self.db.transaction(core.delete_access_key, access_key_id)

    # -- contact methods ------------------------------------------------------------------------------------------
    async def create_contact_method(
        self,
        contact_method: ContactMethod,
        operation: Operation,
        outbox: Sequence[OutboxMessage] = (),
        token: VerificationToken | None = None,
    ) -> None:
        await self.db.transaction(core.create_contact_method, contact_method, operation, outbox, token)

    async def list_contact_methods(self, scope: Scope, protocols: Collection[str] | None = None) -> list[ContactMethod]:
        rows = await self._fetch(
            f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE account_id = $1 AND region = $2 "
            "ORDER BY protocol",
            scope.account_id,
            scope.region,
        )
        return [core.contact_method(row) for row in rows if protocols is None or row["protocol"] in protocols]

    async def delete_contact_method(self, scope: Scope, protocol: str, operation: Operation) -> ContactMethod:
        return await self.db.transaction(core.delete_contact_method, scope, protocol, operation)

    async def restart_verification(
        self,
        contact_method: ContactMethod,
        token: VerificationToken,
        operation: Operation,
        outbox: Sequence[OutboxMessage],
    ) -> ContactMethod:
        return await self.db.transaction(core.restart_verification, contact_method, token, operation, outbox)

    async def confirm_verification(self, token_hash: str, now: float) -> ContactMethod:
        return await self.db.transaction(core.confirm_verification, token_hash, now)

    # -- tags -----------------------------------------------------------------------------------------------------
    async def find_taggable(self, scope: Scope, resource_name: str) -> TaggableResource | None:
        for protocol in (EMAIL, SMS):
            if contact_method_name(protocol, scope.region) == resource_name:
                row = await self.db.read(core.select_contact_method, scope.account_id, scope.region, protocol)
                if row is not None:
                    cm = core.contact_method(row)
                    return TaggableResource("ContactMethod", cm.id, cm.name, cm.arn, cm.tags)
        return await self.db.read(_alarms.find_taggable_alarm, scope, resource_name)

    async def tag_resource(
        self, scope: Scope, resource: TaggableResource, tags: Sequence[Tag], operation: Operation, max_tags: int
    ) -> None:
        def merge(current: dict[str, str | None]) -> None:
            current.update((tag.key, tag.value) for tag in tags)

        await self.db.transaction(core.change_tags, scope, resource, merge, operation, max_tags)

    async def untag_resource(
        self, scope: Scope, resource: TaggableResource, keys: Collection[str], operation: Operation
    ) -> None:
        def drop(current: dict[str, str | None]) -> None:
            for key in keys:
                current.pop(key, None)

        await self.db.transaction(core.change_tags, scope, resource, drop, operation, None)

    # -- operations -----------------------------------------------------------------------------------------------
    async def get_operation(self, scope: Scope, operation_id: str) -> Operation | None:
        row = await self._fetchrow(
            f"SELECT {OPERATION_COLUMNS} FROM operations WHERE account_id = $1 AND region = $2 AND id = $3",
            scope.account_id,
            scope.region,
            operation_id,
        )
        return core.operation(row) if row else None

    async def list_operations(
        self,
        scope: Scope,
        *,
        limit: int,
        resource_name: str | None = None,
        after: tuple[float, str] | None = None,
    ) -> list[Operation]:
        sql = f"SELECT {OPERATION_COLUMNS} FROM operations WHERE account_id = $1 AND region = $2"
        params: list[Any] = [scope.account_id, scope.region]
        if resource_name is not None:
            params.append(resource_name)
            sql += f" AND resource_name = ${len(params)}"
        if after is not None:
            params.extend(after)
            sql += f" AND (created_at, id) < (${len(params) - 1}, ${len(params)})"
        params.append(limit)
        sql += f" ORDER BY created_at DESC, id DESC LIMIT ${len(params)}"
        return [core.operation(row) for row in await self._fetch(sql, *params)]

    # -- monitored resources, metric data and alarms (issue 4): the SQL is in postgres_alarms ----------------------
    async def add_resource(self, resource: MonitoredResource) -> None:
        await self.db.transaction(_alarms.add_resource, resource)

    async def get_resource(self, scope: Scope, name: str) -> MonitoredResource | None:
        return await self.db.read(_alarms.get_resource, scope, name)

    async def list_resources(self, scope: Scope | None = None) -> list[MonitoredResource]:
        return await self.db.read(_alarms.list_resources, scope)

    async def delete_resource(self, scope: Scope, name: str) -> int:
        return await self.db.transaction(_alarms.delete_resource, scope, name)

    async def put_metric_data(
        self, resource: MonitoredResource, metric_name: str, aggregates: Sequence[MetricAggregate]
    ) -> MonitoredResource:
        return await self.db.transaction(_alarms.put_metric_data, resource, metric_name, aggregates)

    async def get_metric_data(
        self, scope: Scope, resource_name: str, metric_name: str, first_period: int, last_period: int
    ) -> list[MetricAggregate]:
        return await self.db.read(_alarms.get_metric_data, scope, resource_name, metric_name, first_period, last_period)

    async def prune_metric_data(self, before: float) -> int:
        return await self.db.transaction(_alarms.prune_metric_data, before)

    async def put_alarm(self, alarm: Alarm, operation: Operation) -> Alarm:
        return await self.db.transaction(_alarms.put_alarm, alarm, operation)

    async def get_alarm(self, scope: Scope, name: str) -> Alarm | None:
        return await self.db.read(_alarms.get_alarm, scope, name)

    async def list_alarms(
        self, scope: Scope, *, limit: int, resource_name: str | None = None, after: str | None = None
    ) -> list[Alarm]:
        return await self.db.read(_alarms.list_alarms, scope, limit, resource_name, after)

    async def delete_alarm(self, scope: Scope, name: str, operation: Operation) -> Alarm:
        return await self.db.transaction(_alarms.delete_alarm, scope, name, operation)

    async def list_alarms_to_evaluate(self, *, limit: int, after: tuple[str, str, str] | None = None) -> list[Alarm]:
        return await self.db.read(_alarms.list_alarms_to_evaluate, limit, after)

    async def record_alarm_state(
        self, alarm: Alarm, change: AlarmStateChange, outbox: Sequence[OutboxMessage] = ()
    ) -> bool:
        return await self.db.transaction(_alarms.record_alarm_state, alarm, change, outbox)

    async def record_alarm_test(self, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage]) -> None:
        await self.db.transaction(_alarms.record_alarm_test, alarm, operation, outbox)

    async def list_alarm_history(self, scope: Scope, alarm_name: str, limit: int = 100) -> list[AlarmStateChange]:
        return await self.db.read(_alarms.list_alarm_history, scope, alarm_name, limit)

    # -- outbox ---------------------------------------------------------------------------------------------------
    async def list_outbox(self, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        if status is None:
            rows = await self._fetch(f"SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY created_at, id LIMIT $1", limit)
        else:
            rows = await self._fetch(
                f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = $1 ORDER BY created_at, id LIMIT $2",
                status,
                limit,
            )
        return [core.outbox_message(row) for row in rows]

    # -- delivery (issue 3): the SQL is in postgres_delivery -------------------------------------------------------
    async def enqueue_outbox(self, messages: Sequence[OutboxMessage]) -> None:
        await self.db.transaction(core.insert_outbox, messages)

    async def claim_outbox(self, worker: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
        return await self.db.transaction(_delivery.claim, worker, now, limit, lease_seconds)

    async def record_outbox_sent(self, claimed: ClaimedMessage, now: float) -> None:
        await self.db.transaction(_delivery.record_sent, claimed, now)

    async def record_outbox_failure(self, claimed: ClaimedMessage, error: str, retry_at: float | None) -> bool:
        return await self.db.transaction(_delivery.record_failure, claimed, error, retry_at)

    async def retry_outbox(self, message_ids: Collection[str] | None, now: float) -> list[str]:
        return await self.db.transaction(_delivery.retry, message_ids, now)

    async def outbox_counts(self) -> dict[str, int]:
        return await self.db.read(_delivery.counts)

    async def prune_outbox(self, sent_before: float) -> int:
        return await self.db.transaction(_delivery.prune, sent_before)

    async def capture_message(self, message: CapturedMessage) -> None:
        await self.db.transaction(_delivery.capture, message)

    async def list_captured_messages(
        self, where: MessageFilter, limit: int = 1000, *, newest_first: bool = False
    ) -> list[CapturedMessage]:
        return await self.db.read(_delivery.list_captured, where, limit, newest_first)

    async def delete_captured_messages(self, where: MessageFilter) -> int:
        return await self.db.transaction(_delivery.delete_captured, where)

    async def peek_verification(self, token_hash: str, now: float) -> ContactMethod | None:
        return await self.db.read(_delivery.peek_verification, token_hash, now)

    # -- limits: the SQL is in postgres/limits.py ------------------------------------------------------------------
    async def outbox_times(self, scope: Scope, kind: str, since: float) -> list[float]:
        return await self.db.read(_limits.outbox_times, scope, kind, since)

    async def count_sent(self, account_id: str, protocol: str, since: float, excluding: Collection[str] = ()) -> int:
        return await self.db.read(_limits.count_sent, account_id, protocol, since, excluding)

    async def record_outbox_suppressed(self, claimed: ClaimedMessage, reason: str) -> bool:
        return await self.db.transaction(_limits.record_suppressed, claimed, reason)

    async def record_alarm_test_paced(
        self, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage], tested_since: float
    ) -> float | None:
        async def write(conn: Connection) -> float | None:
            last = await _limits.last_operation_locked(conn, alarm, operation.operation_type)
            if last is not None and last >= tested_since:
                return last
            await _alarms.record_alarm_test(conn, alarm, operation, outbox)
            return None

        return await self.db.transaction(write)

    async def last_operation_at(self, scope: Scope, resource_name: str, operation_type: str) -> float | None:
        return await self.db.read(_limits.last_operation_at, scope, resource_name, operation_type)

    async def count_resources(self, account_id: str) -> int:
        return await self.db.read(_limits.count_resources, account_id)

    async def count_alarms(self, account_id: str) -> int:
        return await self.db.read(_limits.count_alarms, account_id)
