"""The outbox (messages waiting for delivery, claimed under a lease, sent or dead) and the dev inbox, in any dialect.

A claim selects the due rows and marks them in one statement. On SQLite the one writer makes that atomic; on
PostgreSQL the claim's ``FOR UPDATE SKIP LOCKED`` makes each worker (any process, any node) lock the rows it selects
and skip those another is locking, so no message is claimed twice and no worker waits on another.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from typing import Any

from lsnotify.domain.outbox import OUTBOX_STATES, CapturedMessage, ClaimedMessage, OutboxMessage
from lsnotify.storage import queries
from lsnotify.storage.base import MessageFilter
from lsnotify.storage.executor import Executor
from lsnotify.storage.rows import captured_from_row, captured_values, outbox_from_row, outbox_values


async def insert_outbox(ex: Executor, messages: Sequence[OutboxMessage]) -> None:
    if messages:
        await ex.executemany(queries.INSERT_OUTBOX, [outbox_values(m, ex.dump) for m in messages])


async def list_outbox(ex: Executor, status: str | None, limit: int) -> list[OutboxMessage]:
    if status is None:
        rows = await ex.fetch(queries.LIST_OUTBOX, limit)
    else:
        rows = await ex.fetch(queries.LIST_OUTBOX_IN_STATUS, status, limit)
    return [outbox_from_row(row, ex.load) for row in rows]


async def anything_due(ex: Executor, now: float) -> bool:
    return await ex.fetchrow(queries.ANYTHING_DUE, now) is not None


async def claim(ex: Executor, worker: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
    token = f"{worker}/{secrets.token_hex(8)}"
    rows = await ex.fetch(queries.CLAIM_OUTBOX, token, now + lease_seconds, now, limit)
    claimed = [ClaimedMessage(outbox_from_row(tuple(row)[:-1], ex.load), token, row[-1]) for row in rows]
    claimed.sort(key=lambda c: (c.message.created_at, c.message.id))
    return claimed


async def record_sent(ex: Executor, claimed: ClaimedMessage, now: float) -> None:
    await ex.execute(queries.RECORD_SENT, now, claimed.message.id)


async def record_failure(ex: Executor, claimed: ClaimedMessage, error: str, retry_at: float | None) -> bool:
    if retry_at is None:
        changed = await ex.execute(queries.RECORD_DEAD, error, claimed.message.id, claimed.claim)
    else:
        changed = await ex.execute(queries.RECORD_RETRY_AT, retry_at, error, claimed.message.id, claimed.claim)
    return changed == 1


async def retry(ex: Executor, message_ids: Collection[str] | None, now: float) -> list[str]:
    sql = queries.REQUEUE_DEAD
    params: list[Any] = [now, now]
    if message_ids is not None:
        ids = list(message_ids)
        if not ids:
            return []
        sql += f" AND id IN ({queries.placeholders(len(ids))})"
        params.extend(ids)
    return sorted(row[0] for row in await ex.fetch(queries.query_of(sql + " RETURNING id"), *params))


async def prune(ex: Executor, sent_before: float) -> int:
    return await ex.execute(queries.PRUNE_OUTBOX, sent_before, sent_before)


async def counts(ex: Executor) -> dict[str, int]:
    found = {status: count for status, count in await ex.fetch(queries.OUTBOX_COUNTS)}
    return {status: int(found.get(status, 0)) for status in OUTBOX_STATES}


# -- the dev inbox --------------------------------------------------------------------------------------------------


async def capture(ex: Executor, message: CapturedMessage) -> None:
    await ex.execute(queries.INSERT_CAPTURED, *captured_values(message))


def _where(where: MessageFilter) -> tuple[str, list[Any]]:
    clauses, params = queries.given(
        ("protocol = ?", where.protocol),
        ("destination = ?", where.destination),
        ("account_id = ?", where.account_id),
        ("region = ?", where.region),
    )
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


async def list_captured(ex: Executor, where: MessageFilter, limit: int, newest_first: bool) -> list[CapturedMessage]:
    clause, params = _where(where)
    order = "created_at DESC, id DESC" if newest_first else "created_at, id"
    sql = queries.query_of(f"{queries.LIST_CAPTURED}{clause} ORDER BY {order} LIMIT ?")
    return [captured_from_row(row) for row in await ex.fetch(sql, *params, limit)]


async def delete_captured(ex: Executor, where: MessageFilter) -> int:
    clause, params = _where(where)
    return await ex.execute(queries.query_of(f"{queries.DELETE_CAPTURED}{clause}"), *params)
