"""The PostgreSQL store: any number of ``serve`` and ``worker`` processes share one database.

Each method is one transaction (``Database.transaction``, which retries transient errors) or one read on a pooled
connection. Rules that must hold across nodes are decided by the database, never by a read followed by a write: the
primary key of ``contact_methods`` is the one-per-protocol rule (``INSERT … ON CONFLICT DO NOTHING`` tells the loser),
a resource's tags are changed under ``SELECT … FOR UPDATE``, a verification token is spent under a row lock, and
outbox messages are claimed with ``FOR UPDATE SKIP LOCKED`` (see ``postgres_delivery``). Migrations run in one
transaction under an advisory lock, so nodes starting together apply each migration once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

import asyncpg

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
from lsnotify.storage.base import AlreadyVerified, ContactMethodExists, MessageFilter, RecordNotFound, TooManyTags
from lsnotify.storage.columns import ACCESS_KEY_COLUMNS, CONTACT_METHOD_COLUMNS, OPERATION_COLUMNS, OUTBOX_COLUMNS
from lsnotify.storage.migrations import migrations
from lsnotify.storage.postgres_database import Connection, Database, PoolOptions

# pg_advisory_xact_lock key held while migrating: "lsnotify" as a 64-bit integer.
MIGRATION_LOCK = int.from_bytes(b"lsnotify", "big") & (2**63 - 1)
PING_TIMEOUT = 2.0


# -- rows <-> records ---------------------------------------------------------------------------------------------


def _tags_json(tags: Sequence[Tag]) -> list[list[str | None]]:
    return [[tag.key, tag.value] for tag in tags]


def _tags(value: list[list[str | None]]) -> tuple[Tag, ...]:
    return tuple(Tag(str(key), tag_value) for key, tag_value in value)


def _contact_method(row: asyncpg.Record) -> ContactMethod:
    account_id, region, protocol, id_, endpoint, status, created_at, expires_at, tags = row
    return ContactMethod(account_id, region, protocol, endpoint, status, id_, created_at, _tags(tags), expires_at)


def _operation(row: asyncpg.Record) -> Operation:
    return Operation(*row)


def _outbox_message(row: asyncpg.Record | Sequence[Any]) -> OutboxMessage:
    return OutboxMessage(*row)


async def _insert_operation(conn: Connection, op: Operation) -> None:
    await conn.execute(
        f"INSERT INTO operations ({OPERATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        op.id,
        op.account_id,
        op.region,
        op.resource_name,
        op.resource_type,
        op.operation_type,
        op.created_at,
        op.status,
        op.is_terminal,
        op.status_changed_at,
        op.operation_details,
        op.error_code,
        op.error_details,
    )


async def _insert_outbox(conn: Connection, messages: Sequence[OutboxMessage]) -> None:
    if not messages:
        return
    await conn.executemany(
        f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        [
            (
                m.id,
                m.account_id,
                m.region,
                m.protocol,
                m.destination,
                m.kind,
                dict(m.payload),
                m.idempotency_key,
                m.created_at,
                m.status,
                m.attempts,
                m.next_attempt_at,
                m.last_error,
                m.sent_at,
            )
            for m in messages
        ],
    )


async def _insert_token(conn: Connection, token: VerificationToken) -> None:
    await conn.execute(
        "INSERT INTO verification_tokens (token_hash, account_id, region, contact_method_id, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        token.token_hash,
        token.account_id,
        token.region,
        token.contact_method_id,
        token.created_at,
        token.expires_at,
    )


async def _select_contact_method(
    conn: Connection, account_id: str, region: str, protocol: str, *, lock: bool = False
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE account_id = $1 AND region = $2 AND protocol = $3"
        + (" FOR UPDATE" if lock else ""),
        account_id,
        region,
        protocol,
    )


async def _drop_tokens(conn: Connection, cm: ContactMethod) -> None:
    await conn.execute(
        "DELETE FROM verification_tokens WHERE account_id = $1 AND region = $2 AND contact_method_id = $3",
        cm.account_id,
        cm.region,
        cm.id,
    )


# -- write transactions -------------------------------------------------------------------------------------------


async def _create_access_key(conn: Connection, key: AccessKey) -> None:
    await conn.execute(
        "INSERT INTO accounts (account_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        key.account_id,
        key.created_at,
    )
    await conn.execute(
        f"INSERT INTO access_keys ({ACCESS_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5)",
        key.access_key_id,
        key.account_id,
        key.secret_sealed,
        key.status,
        key.created_at,
    )


async def _set_access_key_status(conn: Connection, access_key_id: str, status: str) -> None:
    row = await conn.fetchrow(
        "UPDATE access_keys SET status = $1 WHERE access_key_id = $2 RETURNING 1", status, access_key_id
    )
    if row is None:
        raise RecordNotFound(access_key_id)


async def _delete_access_key(conn: Connection, access_key_id: str) -> None:
    if await conn.fetchrow("DELETE FROM access_keys WHERE access_key_id = $1 RETURNING 1", access_key_id) is None:
        raise RecordNotFound(access_key_id)


async def _create_contact_method(
    conn: Connection,
    cm: ContactMethod,
    op: Operation,
    outbox: Sequence[OutboxMessage],
    token: VerificationToken | None,
) -> None:
    # ON CONFLICT waits for a concurrent insert of the same key to commit or roll back, then does nothing if it
    # committed: of several nodes creating at once, exactly one inserts. Each statement sees the latest commits.
    while True:
        inserted = await conn.fetchval(
            f"INSERT INTO contact_methods ({CONTACT_METHOD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
            "ON CONFLICT DO NOTHING RETURNING id",
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
        if inserted is not None:
            break
        existing = await _select_contact_method(conn, cm.account_id, cm.region, cm.protocol)
        if existing is not None:
            raise ContactMethodExists(_contact_method(existing))
        # The winner was deleted in between: the conflict is gone, so try again.
    await _insert_operation(conn, op)
    await _insert_outbox(conn, outbox)
    if token is not None:
        await _insert_token(conn, token)


async def _delete_contact_method(conn: Connection, scope: Scope, protocol: str, op: Operation) -> ContactMethod:
    row = await conn.fetchrow(
        f"DELETE FROM contact_methods WHERE account_id = $1 AND region = $2 AND protocol = $3 "
        f"RETURNING {CONTACT_METHOD_COLUMNS}",
        scope.account_id,
        scope.region,
        protocol,
    )
    if row is None:
        raise RecordNotFound(protocol)
    cm = _contact_method(row)
    await _drop_tokens(conn, cm)
    await _insert_operation(conn, op)
    return cm


async def _restart_verification(
    conn: Connection,
    cm: ContactMethod,
    token: VerificationToken,
    op: Operation,
    outbox: Sequence[OutboxMessage],
) -> ContactMethod:
    row = await _select_contact_method(conn, cm.account_id, cm.region, cm.protocol, lock=True)
    if row is None or row["id"] != cm.id:
        raise RecordNotFound(cm.id)
    current = _contact_method(row)
    if current.status == VALID:
        raise AlreadyVerified(cm.id)
    await _drop_tokens(conn, current)
    await _insert_token(conn, token)
    updated = await conn.fetchrow(
        "UPDATE contact_methods SET status = 'PendingVerification', verification_expires_at = $1 "
        f"WHERE account_id = $2 AND region = $3 AND protocol = $4 RETURNING {CONTACT_METHOD_COLUMNS}",
        token.expires_at,
        cm.account_id,
        cm.region,
        cm.protocol,
    )
    await _insert_operation(conn, op)
    await _insert_outbox(conn, outbox)
    assert updated is not None  # locked above
    return _contact_method(updated)


async def _confirm_verification(conn: Connection, token_hash: str, now: float) -> ContactMethod:
    # The row lock makes two clicks on one link take turns: the second finds the token spent.
    token = await conn.fetchrow(
        "SELECT account_id, region, contact_method_id, expires_at FROM verification_tokens "
        "WHERE token_hash = $1 FOR UPDATE",
        token_hash,
    )
    if token is None or token["expires_at"] <= now:
        raise RecordNotFound("token")
    account_id, region, contact_method_id, _ = token
    row = await conn.fetchrow(
        "UPDATE contact_methods SET status = 'Valid', verification_expires_at = NULL "
        f"WHERE account_id = $1 AND region = $2 AND protocol = $3 AND id = $4 RETURNING {CONTACT_METHOD_COLUMNS}",
        account_id,
        region,
        EMAIL,
        contact_method_id,
    )
    if row is None:
        raise RecordNotFound(contact_method_id)
    cm = _contact_method(row)
    await _drop_tokens(conn, cm)
    return cm


# How each taggable resource type keeps its tags: (select tags for update, update tags), keyed by scope and id.
_TAG_TABLES = {
    "ContactMethod": (
        "SELECT tags FROM contact_methods WHERE account_id = $1 AND region = $2 AND id = $3 FOR UPDATE",
        "UPDATE contact_methods SET tags = $4 WHERE account_id = $1 AND region = $2 AND id = $3",
    ),
}


async def _change_tags(
    conn: Connection,
    scope: Scope,
    resource: TaggableResource,
    change: Callable[[dict[str, str | None]], None],
    op: Operation,
    max_tags: int | None,
) -> None:
    select_sql, update_sql = _TAG_TABLES[resource.resource_type]
    key = (scope.account_id, scope.region, resource.resource_id)
    current = await conn.fetchval(select_sql, *key)
    if current is None:
        raise RecordNotFound(resource.name)
    tags = {tag.key: tag.value for tag in _tags(current)}
    change(tags)
    if max_tags is not None and len(tags) > max_tags:
        raise TooManyTags(len(tags))
    await conn.execute(update_sql, *key, _tags_json([Tag(k, v) for k, v in tags.items()]))
    await _insert_operation(conn, op)


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
        await self.db.transaction(_create_access_key, key)

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
        await self.db.transaction(_set_access_key_status, access_key_id, status)

    async def delete_access_key(self, access_key_id: str) -> None:
        await self.db.transaction(_delete_access_key, access_key_id)

    # -- contact methods ------------------------------------------------------------------------------------------
    async def create_contact_method(
        self,
        contact_method: ContactMethod,
        operation: Operation,
        outbox: Sequence[OutboxMessage] = (),
        token: VerificationToken | None = None,
    ) -> None:
        await self.db.transaction(_create_contact_method, contact_method, operation, outbox, token)

    async def list_contact_methods(self, scope: Scope, protocols: Collection[str] | None = None) -> list[ContactMethod]:
        rows = await self._fetch(
            f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE account_id = $1 AND region = $2 "
            "ORDER BY protocol",
            scope.account_id,
            scope.region,
        )
        return [_contact_method(row) for row in rows if protocols is None or row["protocol"] in protocols]

    async def delete_contact_method(self, scope: Scope, protocol: str, operation: Operation) -> ContactMethod:
        return await self.db.transaction(_delete_contact_method, scope, protocol, operation)

    async def restart_verification(
        self,
        contact_method: ContactMethod,
        token: VerificationToken,
        operation: Operation,
        outbox: Sequence[OutboxMessage],
    ) -> ContactMethod:
        return await self.db.transaction(_restart_verification, contact_method, token, operation, outbox)

    async def confirm_verification(self, token_hash: str, now: float) -> ContactMethod:
        return await self.db.transaction(_confirm_verification, token_hash, now)

    # -- tags -----------------------------------------------------------------------------------------------------
    async def find_taggable(self, scope: Scope, resource_name: str) -> TaggableResource | None:
        for protocol in (EMAIL, SMS):
            if contact_method_name(protocol, scope.region) == resource_name:
                row = await self.db.read(_select_contact_method, scope.account_id, scope.region, protocol)
                if row is None:
                    return None
                cm = _contact_method(row)
                return TaggableResource("ContactMethod", cm.id, cm.name, cm.arn, cm.tags)
        return None

    async def tag_resource(
        self, scope: Scope, resource: TaggableResource, tags: Sequence[Tag], operation: Operation, max_tags: int
    ) -> None:
        def merge(current: dict[str, str | None]) -> None:
            current.update((tag.key, tag.value) for tag in tags)

        await self.db.transaction(_change_tags, scope, resource, merge, operation, max_tags)

    async def untag_resource(
        self, scope: Scope, resource: TaggableResource, keys: Collection[str], operation: Operation
    ) -> None:
        def drop(current: dict[str, str | None]) -> None:
            for key in keys:
                current.pop(key, None)

        await self.db.transaction(_change_tags, scope, resource, drop, operation, None)

    # -- operations -----------------------------------------------------------------------------------------------
    async def get_operation(self, scope: Scope, operation_id: str) -> Operation | None:
        row = await self._fetchrow(
            f"SELECT {OPERATION_COLUMNS} FROM operations WHERE account_id = $1 AND region = $2 AND id = $3",
            scope.account_id,
            scope.region,
            operation_id,
        )
        return _operation(row) if row else None

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
        return [_operation(row) for row in await self._fetch(sql, *params)]

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
        return [_outbox_message(row) for row in rows]

    # -- delivery (issue 3): the SQL is in postgres_delivery -------------------------------------------------------
    async def enqueue_outbox(self, messages: Sequence[OutboxMessage]) -> None:
        await self.db.transaction(_insert_outbox, messages)

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


# Delivery's SQL builds on the row helpers above, so it is imported once they exist.
from lsnotify.storage import postgres_delivery as _delivery  # noqa: E402
