"""PostgreSQL SQL for delivery: claiming outbox messages under a lease, recording results, dead letters, the dev inbox.

The dialect twin of ``sqlite_delivery``, with the same lease semantics. Where SQLite's one writer makes a claim's
select-then-update atomic, here ``FOR UPDATE SKIP LOCKED`` does: each worker (any process, any node) locks the due
rows it selects and skips those another worker is locking, so no message is claimed twice and no worker waits on
another. Write functions run inside ``Database.transaction``, read functions on a pooled connection.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from typing import Any

from lsnotify.domain import (
    EMAIL,
    OUTBOX_STATES,
    CapturedMessage,
    ClaimedMessage,
    ContactMethod,
)
from lsnotify.storage.base import MessageFilter
from lsnotify.storage.columns import CAPTURED_COLUMNS, OUTBOX_COLUMNS
from lsnotify.storage.postgres.core import contact_method, outbox_message, select_contact_method
from lsnotify.storage.postgres.database import Connection


def rowcount(status: str) -> int:
    """The number of rows a command changed, from asyncpg's status string (``UPDATE 3``, ``DELETE 0``)."""
    return int(status.rsplit(" ", 1)[-1])


# -- the outbox ---------------------------------------------------------------------------------------------------


async def claim(conn: Connection, worker: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
    token = f"{worker}/{secrets.token_hex(8)}"
    rows = await conn.fetch(
        f"UPDATE outbox SET claimed_by = $1, attempts = attempts + 1, next_attempt_at = $2 "
        f"WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 "
        f"ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) "
        f"RETURNING {OUTBOX_COLUMNS}, COALESCE(queued_at, created_at)",
        token,
        now + lease_seconds,
        now,
        limit,
    )
    claimed = [ClaimedMessage(outbox_message(tuple(row)[:-1]), token, row[-1]) for row in rows]
    claimed.sort(key=lambda c: (c.message.created_at, c.message.id))
    return claimed


async def record_sent(conn: Connection, claimed: ClaimedMessage, now: float) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_by = NULL, last_error = NULL "
        "WHERE id = $2 AND status = 'pending'",
        now,
        claimed.message.id,
    )


async def record_failure(conn: Connection, claimed: ClaimedMessage, error: str, retry_at: float | None) -> bool:
    if retry_at is None:
        status = await conn.execute(
            "UPDATE outbox SET status = 'dead', last_error = $1, claimed_by = NULL WHERE id = $2 AND claimed_by = $3",
            error,
            claimed.message.id,
            claimed.claim,
        )
    else:
        status = await conn.execute(
            "UPDATE outbox SET next_attempt_at = $1, last_error = $2, claimed_by = NULL "
            "WHERE id = $3 AND claimed_by = $4 AND status = 'pending'",
            retry_at,
            error,
            claimed.message.id,
            claimed.claim,
        )
    return rowcount(status) == 1


async def retry(conn: Connection, message_ids: Collection[str] | None, now: float) -> list[str]:
    sql = (
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, queued_at = $1, claimed_by = NULL "
        "WHERE status = 'dead'"
    )
    params: list[Any] = [now]
    if message_ids is not None:
        ids = list(message_ids)
        if not ids:
            return []
        sql += " AND id = ANY($2::text[])"
        params.append(ids)
    return sorted(row["id"] for row in await conn.fetch(sql + " RETURNING id", *params))


async def prune(conn: Connection, sent_before: float) -> int:
    return rowcount(
        await conn.execute(
            "DELETE FROM outbox "
            "WHERE (status = 'sent' AND sent_at < $1) OR (status = 'suppressed' AND created_at < $1)",
            sent_before,
        )
    )


async def counts(conn: Connection) -> dict[str, int]:
    found = {row["status"]: row["count"] for row in await conn.fetch("SELECT status, count(*) FROM outbox GROUP BY 1")}
    return {status: int(found.get(status, 0)) for status in OUTBOX_STATES}


# -- the dev inbox ------------------------------------------------------------------------------------------------


async def capture(conn: Connection, m: CapturedMessage) -> None:
    await conn.execute(
        f"INSERT INTO captured_messages ({CAPTURED_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (id) DO NOTHING",
        m.id,
        m.account_id,
        m.region,
        m.protocol,
        m.destination,
        m.subject,
        m.body,
        m.html,
        m.created_at,
    )


def _where(where: MessageFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("protocol", where.protocol),
        ("destination", where.destination),
        ("account_id", where.account_id),
        ("region", where.region),
    ):
        if value is not None:
            params.append(value)
            clauses.append(f"{column} = ${len(params)}")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


async def list_captured(
    conn: Connection, where: MessageFilter, limit: int, newest_first: bool
) -> list[CapturedMessage]:
    clause, params = _where(where)
    order = "created_at DESC, id DESC" if newest_first else "created_at, id"
    rows = await conn.fetch(
        f"SELECT {CAPTURED_COLUMNS} FROM captured_messages{clause} ORDER BY {order} LIMIT ${len(params) + 1}",
        *params,
        limit,
    )
    return [CapturedMessage(*row) for row in rows]


async def delete_captured(conn: Connection, where: MessageFilter) -> int:
    clause, params = _where(where)
    return rowcount(await conn.execute(f"DELETE FROM captured_messages{clause}", *params))


# -- verification -------------------------------------------------------------------------------------------------


async def peek_verification(conn: Connection, token_hash: str, now: float) -> ContactMethod | None:
    token = await conn.fetchrow(
        "SELECT account_id, region, contact_method_id FROM verification_tokens "
        "WHERE token_hash = $1 AND expires_at > $2",
        token_hash,
        now,
    )
    if token is None:
        return None
    row = await select_contact_method(conn, token["account_id"], token["region"], EMAIL)
    if row is None or row["id"] != token["contact_method_id"]:
        return None
    return contact_method(row)
