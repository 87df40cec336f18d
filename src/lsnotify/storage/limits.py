"""What the outbound limits count (recent messages, sends, tests, resources, alarms), and a suppressed message.

The rules (which window, how many) are the service's and the worker's; these only count, over committed rows, so
every node and worker counts the same messages. A paced alarm test is the one compare-and-set: under the writer on
SQLite, under a row lock on the alarm on PostgreSQL, a test is recorded only when none is as recent.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from lsnotify.domain import Operation, Scope
from lsnotify.domain.alarms import Alarm
from lsnotify.domain.outbox import ClaimedMessage, OutboxMessage
from lsnotify.storage import queries
from lsnotify.storage.alarms import record_alarm_test
from lsnotify.storage.base import RecordNotFound
from lsnotify.storage.executor import Executor


async def outbox_times(ex: Executor, scope: Scope, kind: str, since: float) -> list[float]:
    rows = await ex.fetch(queries.OUTBOX_TIMES, scope.account_id, scope.region, kind, since)
    return [float(row[0]) for row in rows]


async def count_sent(ex: Executor, account_id: str, protocol: str, since: float, excluding: Collection[str]) -> int:
    ids = list(excluding)
    sql = queries.COUNT_SENT
    if ids:
        sql += f" AND id NOT IN ({queries.placeholders(len(ids))})"
    return int(await ex.fetchval(queries.query_of(sql), account_id, protocol, since, *ids))


async def record_suppressed(ex: Executor, claimed: ClaimedMessage, reason: str) -> bool:
    return await ex.execute(queries.RECORD_SUPPRESSED, reason, claimed.message.id, claimed.claim) == 1


async def last_operation_at(ex: Executor, scope: Scope, resource_name: str, operation_type: str) -> float | None:
    at = await ex.fetchval(queries.LAST_OPERATION_AT, scope.account_id, scope.region, resource_name, operation_type)
    return None if at is None else float(at)


async def record_alarm_test_paced(
    ex: Executor, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage], tested_since: float
) -> float | None:
    if await ex.fetchval(queries.LOCK_ALARM, alarm.account_id, alarm.region, alarm.id) is None:
        raise RecordNotFound(alarm.name)
    scope = Scope(alarm.account_id, alarm.region)
    last = await last_operation_at(ex, scope, alarm.name, operation.operation_type)
    if last is not None and last >= tested_since:
        return last
    await record_alarm_test(ex, alarm, operation, outbox)
    return None


async def count_resources(ex: Executor, account_id: str) -> int:
    return int(await ex.fetchval(queries.COUNT_ACCOUNT_RESOURCES, account_id))


async def count_alarms(ex: Executor, account_id: str) -> int:
    return int(await ex.fetchval(queries.COUNT_ACCOUNT_ALARMS, account_id))
