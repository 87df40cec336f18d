"""The PostgreSQL SQL of accounts and keys, contact methods, verification, tags and operations, and the row helpers
the other ``postgres_*`` modules share. ``PostgresStore`` runs each write function in one transaction.

The dialect twin of the module-level functions of ``sqlite.py``: where SQLite's one writer makes a read-then-write
race-free, these rely on the database (see ``postgres``'s docstring).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg

from lsnotify.domain import AccessKey, Operation, Scope, Tag, TaggableResource
from lsnotify.domain.contacts import EMAIL, VALID, ContactMethod, VerificationToken
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.storage.base import AlreadyVerified, ContactMethodExists, RecordNotFound, TooManyTags
from lsnotify.storage.columns import (
    ACCESS_KEY_COLUMNS,
    CONTACT_METHOD_COLUMNS,
    OPERATION_COLUMNS,
    OUTBOX_COLUMNS,
    operation_values,
    outbox_values,
)
from lsnotify.storage.postgres.database import Connection

# -- rows <-> records ---------------------------------------------------------------------------------------------


def tags_json(tags: Sequence[Tag]) -> list[list[str | None]]:
    return [[tag.key, tag.value] for tag in tags]


def tags_of(value: list[list[str | None]]) -> tuple[Tag, ...]:
    return tuple(Tag(str(key), tag_value) for key, tag_value in value)


def contact_method(row: asyncpg.Record) -> ContactMethod:
    account_id, region, protocol, id_, endpoint, status, created_at, expires_at, tags = row
    return ContactMethod(account_id, region, protocol, endpoint, status, id_, created_at, tags_of(tags), expires_at)


def operation(row: asyncpg.Record) -> Operation:
    return Operation(*row)


def outbox_message(row: asyncpg.Record | Sequence[Any]) -> OutboxMessage:
    return OutboxMessage(*row)


def as_jsonb(value: Any) -> Any:
    """How a JSON column is written in PostgreSQL: the Python value, which the pool's ``jsonb`` codec encodes."""
    return value


async def insert_operation(conn: Connection, op: Operation) -> None:
    await conn.execute(
        f"INSERT INTO operations ({OPERATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        *operation_values(op),
    )


async def insert_outbox(conn: Connection, messages: Sequence[OutboxMessage]) -> None:
    if not messages:
        return
    await conn.executemany(
        f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        [outbox_values(m, as_jsonb) for m in messages],
    )


async def insert_token(conn: Connection, token: VerificationToken) -> None:
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


async def select_contact_method(
    conn: Connection, account_id: str, region: str, protocol: str, *, lock: bool = False
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE account_id = $1 AND region = $2 AND protocol = $3"
        + (" FOR UPDATE" if lock else ""),
        account_id,
        region,
        protocol,
    )


async def drop_tokens(conn: Connection, cm: ContactMethod) -> None:
    await conn.execute(
        "DELETE FROM verification_tokens WHERE account_id = $1 AND region = $2 AND contact_method_id = $3",
        cm.account_id,
        cm.region,
        cm.id,
    )


# -- write transactions -------------------------------------------------------------------------------------------


async def create_access_key(conn: Connection, key: AccessKey) -> None:
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


async def set_access_key_status(conn: Connection, access_key_id: str, status: str) -> None:
    row = await conn.fetchrow(
        "UPDATE access_keys SET status = $1 WHERE access_key_id = $2 RETURNING 1", status, access_key_id
    )
    if row is None:
        raise RecordNotFound(access_key_id)


async def delete_access_key(conn: Connection, access_key_id: str) -> None:
    if await conn.fetchrow("DELETE FROM access_keys WHERE access_key_id = $1 RETURNING 1", access_key_id) is None:
        raise RecordNotFound(access_key_id)


async def create_contact_method(
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
            tags_json(cm.tags),
        )
        if inserted is not None:
            break
        existing = await select_contact_method(conn, cm.account_id, cm.region, cm.protocol)
        if existing is not None:
            raise ContactMethodExists(contact_method(existing))
        # The winner was deleted in between: the conflict is gone, so try again.
    await insert_operation(conn, op)
    await insert_outbox(conn, outbox)
    if token is not None:
        await insert_token(conn, token)


async def delete_contact_method(conn: Connection, scope: Scope, protocol: str, op: Operation) -> ContactMethod:
    row = await conn.fetchrow(
        f"DELETE FROM contact_methods WHERE account_id = $1 AND region = $2 AND protocol = $3 "
        f"RETURNING {CONTACT_METHOD_COLUMNS}",
        scope.account_id,
        scope.region,
        protocol,
    )
    if row is None:
        raise RecordNotFound(protocol)
    cm = contact_method(row)
    await drop_tokens(conn, cm)
    await insert_operation(conn, op)
    return cm


async def restart_verification(
    conn: Connection,
    cm: ContactMethod,
    token: VerificationToken,
    op: Operation,
    outbox: Sequence[OutboxMessage],
) -> ContactMethod:
    row = await select_contact_method(conn, cm.account_id, cm.region, cm.protocol, lock=True)
    if row is None or row["id"] != cm.id:
        raise RecordNotFound(cm.id)
    current = contact_method(row)
    if current.status == VALID:
        raise AlreadyVerified(cm.id)
    await drop_tokens(conn, current)
    await insert_token(conn, token)
    updated = await conn.fetchrow(
        "UPDATE contact_methods SET status = 'PendingVerification', verification_expires_at = $1 "
        f"WHERE account_id = $2 AND region = $3 AND protocol = $4 RETURNING {CONTACT_METHOD_COLUMNS}",
        token.expires_at,
        cm.account_id,
        cm.region,
        cm.protocol,
    )
    await insert_operation(conn, op)
    await insert_outbox(conn, outbox)
    assert updated is not None  # locked above
    return contact_method(updated)


async def confirm_verification(conn: Connection, token_hash: str, now: float) -> ContactMethod:
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
    cm = contact_method(row)
    await drop_tokens(conn, cm)
    return cm


# How each taggable resource type keeps its tags: (select tags for update, update tags), keyed by scope and id.
TAG_TABLES = {
    "ContactMethod": (
        "SELECT tags FROM contact_methods WHERE account_id = $1 AND region = $2 AND id = $3 FOR UPDATE",
        "UPDATE contact_methods SET tags = $4 WHERE account_id = $1 AND region = $2 AND id = $3",
    ),
    "Alarm": (
        "SELECT tags FROM alarms WHERE account_id = $1 AND region = $2 AND id = $3 FOR UPDATE",
        "UPDATE alarms SET tags = $4 WHERE account_id = $1 AND region = $2 AND id = $3",
    ),
}


async def change_tags(
    conn: Connection,
    scope: Scope,
    resource: TaggableResource,
    change: Callable[[dict[str, str | None]], None],
    op: Operation,
    max_tags: int | None,
) -> None:
    select_sql, update_sql = TAG_TABLES[resource.resource_type]
    key = (scope.account_id, scope.region, resource.resource_id)
    current = await conn.fetchval(select_sql, *key)
    if current is None:
        raise RecordNotFound(resource.name)
    tags = {tag.key: tag.value for tag in tags_of(current)}
    change(tags)
    if max_tags is not None and len(tags) > max_tags:
        raise TooManyTags(len(tags))
    await conn.execute(update_sql, *key, tags_json([Tag(k, v) for k, v in tags.items()]))
    await insert_operation(conn, op)
