"""PostgreSQL SQL for the outbound limits: the counts they read, and settling a message as suppressed.

The dialect twin of ``sqlite/limits.py``. Counts read committed rows, so every node and worker counts the same
messages. The rules (which window, how many) are the callers'; these only count.
"""

from __future__ import annotations

from collections.abc import Collection

from lsnotify.domain import ClaimedMessage, Scope
from lsnotify.domain.alarms import Alarm
from lsnotify.storage.postgres.database import Connection
from lsnotify.storage.postgres.delivery import rowcount


async def outbox_times(conn: Connection, scope: Scope, kind: str, since: float) -> list[float]:
    rows = await conn.fetch(
        "SELECT created_at FROM outbox WHERE account_id = $1 AND region = $2 AND kind = $3 AND created_at >= $4 "
        "ORDER BY created_at DESC",
        scope.account_id,
        scope.region,
        kind,
        since,
    )
    return [row[0] for row in rows]


async def count_sent(conn: Connection, account_id: str, protocol: str, since: float, excluding: Collection[str]) -> int:
    count = await conn.fetchval(
        "SELECT count(*) FROM outbox WHERE account_id = $1 AND protocol = $2 AND sent_at >= $3 "
        "AND NOT (id = ANY($4::text[]))",
        account_id,
        protocol,
        since,
        list(excluding),
    )
    return int(count)


async def record_suppressed(conn: Connection, claimed: ClaimedMessage, reason: str) -> bool:
    status = await conn.execute(
        "UPDATE outbox SET status = 'suppressed', last_error = $1, claimed_by = NULL "
        "WHERE id = $2 AND claimed_by = $3 AND status = 'pending'",
        reason,
        claimed.message.id,
        claimed.claim,
    )
    return rowcount(status) == 1


async def last_operation_at(conn: Connection, scope: Scope, resource_name: str, operation_type: str) -> float | None:
    at = await conn.fetchval(
        "SELECT max(created_at) FROM operations WHERE account_id = $1 AND region = $2 AND resource_name = $3 "
        "AND operation_type = $4",
        scope.account_id,
        scope.region,
        resource_name,
        operation_type,
    )
    return None if at is None else float(at)


async def last_operation_locked(conn: Connection, alarm: Alarm, operation_type: str) -> float | None:
    """Lock the alarm's row (FOR UPDATE: one such transaction at a time, on any node), then read when its newest
    operation of ``operation_type`` was, as ``last_operation_at`` does."""
    await conn.execute(
        "SELECT 1 FROM alarms WHERE account_id = $1 AND region = $2 AND id = $3 FOR UPDATE",
        alarm.account_id,
        alarm.region,
        alarm.id,
    )
    return await last_operation_at(conn, Scope(alarm.account_id, alarm.region), alarm.name, operation_type)


async def count_resources(conn: Connection, account_id: str) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM monitored_resources WHERE account_id = $1", account_id))


async def count_alarms(conn: Connection, account_id: str) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM alarms WHERE account_id = $1", account_id))
