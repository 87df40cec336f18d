"""The PostgreSQL SQL of monitored resources, metric data and alarms; ``PostgresStore``'s alarm methods call these.

The dialect twin of ``sqlite_alarms``. SQLite's one writer makes every read-then-write there race-free; here writers
on many nodes run at once, so each rule rests on the database itself:

- a resource name is a primary key (``INSERT … ON CONFLICT DO NOTHING`` tells the loser);
- metric periods are upserts (``ON CONFLICT … DO UPDATE`` adds atomically), written in period order so that two
  writers never deadlock, under a key-share lock on the resource so that a concurrent delete waits for them;
- two alarms per metric is a UNIQUE (resource, metric, slot) constraint with slots 1 and 2: a writer that loses
  the race for a slot (or for an alarm's name) rolls back to a savepoint and looks again, so of any number of
  concurrent creates exactly two succeed and the rest get ``AlarmLimitExceeded``;
- a state change is a compare-and-set on the alarm's revision: an ``UPDATE … WHERE revision = $n`` waits for a
  concurrent one and then finds the revision moved on, so of several evaluators exactly one records the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from lsnotify.domain import Operation, Scope, TaggableResource
from lsnotify.domain.alarms import (
    ALARM_RESOURCE_TYPE,
    ALARMS_PER_METRIC,
    Alarm,
    AlarmStateChange,
    MetricAggregate,
    MonitoredResource,
)
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.storage.alarm_rows import ALARM_CONFIG_COLUMNS, alarm_config_values, alarm_from_row, state_change_from_row
from lsnotify.storage.base import AlarmLimitExceeded, RecordNotFound, ResourceExists, ResourceTypeMismatch
from lsnotify.storage.columns import ALARM_SELECT, HISTORY_COLUMNS, RESOURCE_COLUMNS
from lsnotify.storage.postgres.core import as_jsonb, insert_operation, insert_outbox, tags_json
from lsnotify.storage.postgres.database import Connection
from lsnotify.storage.postgres.delivery import rowcount

# -- rows <-> records ---------------------------------------------------------------------------------------------


def _resource(row: asyncpg.Record) -> MonitoredResource:
    return MonitoredResource(*row)


def _decoded(value: Any) -> Any:
    return value  # jsonb arrives decoded


def _alarm(row: asyncpg.Record) -> Alarm:
    return alarm_from_row(row, _decoded)


def _history(row: asyncpg.Record) -> AlarmStateChange:
    return state_change_from_row(row, _decoded)


async def _select_resource(
    conn: Connection, account_id: str, region: str, name: str, lock: str = ""
) -> MonitoredResource | None:
    row = await conn.fetchrow(
        f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources "
        f"WHERE account_id = $1 AND region = $2 AND name = $3 {lock}",
        account_id,
        region,
        name,
    )
    return _resource(row) if row else None


async def _select_alarm(conn: Connection, account_id: str, region: str, name: str) -> Alarm | None:
    row = await conn.fetchrow(f"{ALARM_SELECT} WHERE a.account_id = $1 AND a.region = $2 AND a.name = $3", account_id,
                              region, name)  # fmt: skip
    return _alarm(row) if row else None


async def _insert_resource(conn: Connection, resource: MonitoredResource) -> bool:
    """Insert ``resource`` unless its name is taken; True when it was inserted."""
    inserted = await conn.fetchval(
        f"INSERT INTO monitored_resources ({RESOURCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        resource.account_id,
        resource.region,
        resource.name,
        resource.resource_type,
        resource.id,
        resource.created_at,
    )
    return inserted is not None


# -- monitored resources and metric data --------------------------------------------------------------------------


async def add_resource(conn: Connection, resource: MonitoredResource) -> None:
    while not await _insert_resource(conn, resource):
        existing = await _select_resource(conn, resource.account_id, resource.region, resource.name)
        if existing is not None:
            raise ResourceExists(existing)
        # The one that took the name was deleted in between: try again.


async def get_resource(conn: Connection, scope: Scope, name: str) -> MonitoredResource | None:
    return await _select_resource(conn, scope.account_id, scope.region, name)


async def list_resources(conn: Connection, scope: Scope | None) -> list[MonitoredResource]:
    if scope is None:
        rows = await conn.fetch(f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources ORDER BY account_id, region, name")
    else:
        rows = await conn.fetch(
            f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources WHERE account_id = $1 AND region = $2 ORDER BY name",
            scope.account_id,
            scope.region,
        )
    return [_resource(row) for row in rows]


async def delete_resource(conn: Connection, scope: Scope, name: str) -> int:
    key = (scope.account_id, scope.region, name)
    alarms = await conn.fetchval(
        "SELECT count(*) FROM alarms WHERE account_id = $1 AND region = $2 AND resource_name = $3", *key
    )
    deleted = await conn.execute("DELETE FROM monitored_resources WHERE account_id = $1 AND region = $2 AND name = $3",
                                 *key)  # fmt: skip
    if rowcount(deleted) == 0:
        raise RecordNotFound(name)
    return int(alarms)


async def put_metric_data(
    conn: Connection, resource: MonitoredResource, metric_name: str, aggregates: Sequence[MetricAggregate]
) -> MonitoredResource:
    stored = None
    while stored is None:  # None: deleted between the insert and the lock, so register it afresh
        await _insert_resource(conn, resource)
        # KEY SHARE: a concurrent delete of the resource waits until these periods are in (then deletes them too).
        stored = await _select_resource(conn, resource.account_id, resource.region, resource.name, "FOR KEY SHARE")
    if stored.resource_type != resource.resource_type:
        raise ResourceTypeMismatch(stored)
    await conn.executemany(
        "INSERT INTO metric_periods (account_id, region, resource_name, metric_name, period_start, sample_count, sum, "
        "minimum, maximum) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (account_id, region, resource_name, metric_name, period_start) DO UPDATE SET "
        "sample_count = metric_periods.sample_count + excluded.sample_count, "
        "sum = metric_periods.sum + excluded.sum, minimum = least(metric_periods.minimum, excluded.minimum), "
        "maximum = greatest(metric_periods.maximum, excluded.maximum)",
        [
            (stored.account_id, stored.region, stored.name, metric_name, a.period_start, a.sample_count, a.sum,
             a.minimum, a.maximum)
            for a in sorted(aggregates, key=lambda a: a.period_start)  # one order for every writer: no deadlock
        ],
    )  # fmt: skip
    return stored


async def get_metric_data(
    conn: Connection, scope: Scope, resource_name: str, metric_name: str, first: int, last: int
) -> list[MetricAggregate]:
    rows = await conn.fetch(
        "SELECT period_start, sample_count, sum, minimum, maximum FROM metric_periods "
        "WHERE account_id = $1 AND region = $2 AND resource_name = $3 AND metric_name = $4 "
        "AND period_start BETWEEN $5 AND $6 ORDER BY period_start",
        scope.account_id,
        scope.region,
        resource_name,
        metric_name,
        first,
        last,
    )
    return [MetricAggregate(*row) for row in rows]


async def prune_metric_data(conn: Connection, before: float) -> int:
    periods = await conn.execute("DELETE FROM metric_periods WHERE period_start < $1::double precision", before)
    history = await conn.execute("DELETE FROM alarm_history WHERE changed_at < $1", before)
    return rowcount(periods) + rowcount(history)


# -- alarms ---------------------------------------------------------------------------------------------------------


async def _free_slot(conn: Connection, alarm: Alarm) -> int:
    """A free slot of the alarm's (resource, metric), or ``AlarmLimitExceeded`` naming the alarms holding them."""
    holders = await conn.fetch(
        "SELECT slot, name FROM alarms WHERE account_id = $1 AND region = $2 AND resource_name = $3 "
        "AND metric_name = $4 ORDER BY name",
        alarm.account_id,
        alarm.region,
        alarm.resource.name,
        alarm.metric_name,
    )
    free = set(range(1, ALARMS_PER_METRIC + 1)) - {row["slot"] for row in holders}
    if not free:
        raise AlarmLimitExceeded([row["name"] for row in holders])
    return min(free)


async def _write_alarm(conn: Connection, alarm: Alarm, existing: Alarm | None) -> bool:
    """Insert ``alarm``, or update ``existing`` with its configuration; False when ``existing`` is gone meanwhile."""
    key = (alarm.account_id, alarm.region, alarm.name)
    config = alarm_config_values(alarm, as_jsonb)
    if existing is None:
        columns = ("account_id", "region", "name", "id", "created_at", "slot", *ALARM_CONFIG_COLUMNS, "state",
                   "state_reason", "state_changed_at", "revision", "tags")  # fmt: skip
        values = (*key, alarm.id, alarm.created_at, await _free_slot(conn, alarm), *config, alarm.state,
                  alarm.state_reason, alarm.state_changed_at, alarm.revision, tags_json(alarm.tags))  # fmt: skip
        placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        await conn.execute(f"INSERT INTO alarms ({', '.join(columns)}) VALUES ({placeholders})", *values)
        return True
    assignments = [f"{column} = ${i}" for i, column in enumerate(ALARM_CONFIG_COLUMNS, start=4)]
    args: list[Any] = [*key, *config]
    if (existing.resource.name, existing.metric_name) != (alarm.resource.name, alarm.metric_name):
        args.append(await _free_slot(conn, alarm))
        assignments.append(f"slot = ${len(args)}")
    updated = await conn.fetchval(
        f"UPDATE alarms SET {', '.join(assignments)}, revision = revision + 1 "
        "WHERE account_id = $1 AND region = $2 AND name = $3 RETURNING 1",
        *args,
    )
    return updated is not None


async def put_alarm(conn: Connection, alarm: Alarm, operation: Operation) -> Alarm:
    key = (alarm.account_id, alarm.region, alarm.name)
    while True:
        resource = await _select_resource(conn, alarm.account_id, alarm.region, alarm.resource.name)
        if resource is None or resource.resource_type != alarm.resource.resource_type:
            raise RecordNotFound(alarm.resource.name)
        existing = await _select_alarm(conn, *key)
        try:
            async with conn.transaction():  # a savepoint: losing a race for a slot or a name is not fatal
                if await _write_alarm(conn, alarm, existing):
                    break
        except asyncpg.UniqueViolationError:
            pass  # another writer took the slot, or created this alarm, meanwhile: look again
        except asyncpg.ForeignKeyViolationError:
            raise RecordNotFound(alarm.resource.name) from None  # the resource was deleted meanwhile
    await insert_operation(conn, operation)
    stored = await _select_alarm(conn, *key)
    assert stored is not None
    return stored


async def get_alarm(conn: Connection, scope: Scope, name: str) -> Alarm | None:
    return await _select_alarm(conn, scope.account_id, scope.region, name)


async def list_alarms(
    conn: Connection, scope: Scope, limit: int, resource_name: str | None, after: str | None
) -> list[Alarm]:
    sql = f"{ALARM_SELECT} WHERE a.account_id = $1 AND a.region = $2"
    params: list[Any] = [scope.account_id, scope.region]
    if resource_name is not None:
        params.append(resource_name)
        sql += f" AND a.resource_name = ${len(params)}"
    if after is not None:
        params.append(after)
        sql += f" AND a.name > ${len(params)}"
    params.append(limit)
    return [_alarm(row) for row in await conn.fetch(sql + f" ORDER BY a.name LIMIT ${len(params)}", *params)]


async def delete_alarm(conn: Connection, scope: Scope, name: str, operation: Operation) -> Alarm:
    alarm = await _select_alarm(conn, scope.account_id, scope.region, name)
    deleted = await conn.execute(
        "DELETE FROM alarms WHERE account_id = $1 AND region = $2 AND name = $3", scope.account_id, scope.region, name
    )
    if alarm is None or rowcount(deleted) == 0:
        raise RecordNotFound(name)
    await insert_operation(conn, operation)
    return alarm


async def list_alarms_to_evaluate(conn: Connection, limit: int, after: tuple[str, str, str] | None) -> list[Alarm]:
    if after is None:
        rows = await conn.fetch(f"{ALARM_SELECT} ORDER BY a.account_id, a.region, a.name LIMIT $1", limit)
    else:
        rows = await conn.fetch(
            f"{ALARM_SELECT} WHERE (a.account_id, a.region, a.name) > ($1, $2, $3) "
            "ORDER BY a.account_id, a.region, a.name LIMIT $4",
            *after,
            limit,
        )
    return [_alarm(row) for row in rows]


async def record_alarm_state(
    conn: Connection, alarm: Alarm, change: AlarmStateChange, outbox: Sequence[OutboxMessage]
) -> bool:
    if change.revision != alarm.revision + 1:
        raise ValueError(f"a change of revision {alarm.revision} must have revision {alarm.revision + 1}")
    updated = await conn.fetchval(
        "UPDATE alarms SET state = $1, state_reason = $2, state_changed_at = $3, revision = $4 "
        "WHERE account_id = $5 AND region = $6 AND name = $7 AND id = $8 AND revision = $9 RETURNING 1",
        *(change.new_state, change.reason, change.changed_at, change.revision),
        *(alarm.account_id, alarm.region, alarm.name, alarm.id, alarm.revision),
    )
    if updated is None:
        return False
    await conn.execute(
        f"INSERT INTO alarm_history ({HISTORY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        *(change.account_id, change.region, change.alarm_name, change.alarm_id, change.revision),
        *(change.changed_at, change.old_state, change.new_state, change.reason),
        [list(point) for point in change.datapoints],
        [list(pair) for pair in change.notified],
    )
    await insert_outbox(conn, outbox)
    return True


async def record_alarm_test(
    conn: Connection, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage]
) -> None:
    # SHARE: the alarm cannot be deleted before this test's operation and notifications commit.
    found = await conn.fetchval(
        "SELECT 1 FROM alarms WHERE account_id = $1 AND region = $2 AND id = $3 FOR SHARE",
        alarm.account_id,
        alarm.region,
        alarm.id,
    )
    if found is None:
        raise RecordNotFound(alarm.name)
    await insert_operation(conn, operation)
    await insert_outbox(conn, outbox)


async def list_alarm_history(conn: Connection, scope: Scope, alarm_name: str, limit: int) -> list[AlarmStateChange]:
    rows = await conn.fetch(
        f"SELECT {HISTORY_COLUMNS} FROM alarm_history WHERE account_id = $1 AND region = $2 AND alarm_name = $3 "
        "ORDER BY revision DESC LIMIT $4",
        scope.account_id,
        scope.region,
        alarm_name,
        limit,
    )
    return [_history(row) for row in rows]


async def find_taggable_alarm(conn: Connection, scope: Scope, name: str) -> TaggableResource | None:
    alarm = await _select_alarm(conn, scope.account_id, scope.region, name)
    if alarm is None:
        return None
    return TaggableResource(ALARM_RESOURCE_TYPE, alarm.id, alarm.name, alarm.arn, alarm.tags)
