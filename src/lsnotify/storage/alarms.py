"""Monitored resources, their metric data and their alarms, in any dialect.

Every rule rests on the database, so that it holds with writers on many PostgreSQL nodes as with SQLite's one:

- a resource name is a primary key (``INSERT … ON CONFLICT DO NOTHING`` tells the loser);
- metric points are upserts that add atomically, each datapoint to one point of each resolution (1 minute, 5 minutes,
  1 hour) in the same transaction; a batch locks its resources and writes its points in key order, so that two
  writers never deadlock, under key-share locks on the resources so that a concurrent delete waits for them;
  downsampling is then only pruning each resolution past its retention, an idempotent ``DELETE``;
- two alarms per metric is a UNIQUE (resource, metric, slot) constraint with slots 1 and 2: a writer that loses the
  race for a slot (or for an alarm's name) rolls back to a savepoint and looks again, so of any number of concurrent
  creates exactly two succeed and the rest get ``AlarmLimitExceeded``;
- a state change is a compare-and-set on the alarm's revision: an ``UPDATE … WHERE revision = ?`` waits for a
  concurrent one and then finds the revision moved on, so of several evaluators exactly one records the change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from lsnotify.domain import Operation, Scope
from lsnotify.domain.alarms import (
    ALARMS_PER_METRIC,
    Alarm,
    AlarmStateChange,
    MetricAggregate,
    MetricSeries,
    MonitoredResource,
)
from lsnotify.domain.metrics import MINUTE, RESOLUTIONS, period_start
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.storage import queries
from lsnotify.storage.base import AlarmLimitExceeded, RecordNotFound, ResourceExists, ResourceTypeMismatch
from lsnotify.storage.executor import Executor, LostRace, ParentGone
from lsnotify.storage.operations import insert_operation
from lsnotify.storage.outbox import insert_outbox
from lsnotify.storage.rows import (
    alarm_config_values,
    alarm_from_row,
    alarm_values,
    resource_from_row,
    resource_values,
    state_change_from_row,
    state_change_values,
)

# -- monitored resources and metric data ----------------------------------------------------------------------------


async def _select_resource(ex: Executor, key: tuple[str, str, str], query: queries.Query) -> MonitoredResource | None:
    row = await ex.fetchrow(query, *key)
    return resource_from_row(row) if row else None


async def _insert_resource(ex: Executor, resource: MonitoredResource) -> bool:
    """Insert ``resource`` unless its name is taken; True when it was inserted."""
    return await ex.fetchval(queries.INSERT_RESOURCE, *resource_values(resource)) is not None


async def add_resource(ex: Executor, resource: MonitoredResource, operation: Operation | None) -> None:
    key = (resource.account_id, resource.region, resource.name)
    while not await _insert_resource(ex, resource):
        existing = await _select_resource(ex, key, queries.SELECT_RESOURCE)
        if existing is not None:
            raise ResourceExists(existing)
        # The one that took the name was deleted in between: try again.
    if operation is not None:
        await insert_operation(ex, operation)


async def get_resource(ex: Executor, scope: Scope, name: str) -> MonitoredResource | None:
    return await _select_resource(ex, (scope.account_id, scope.region, name), queries.SELECT_RESOURCE)


async def list_resources(ex: Executor, scope: Scope | None) -> list[MonitoredResource]:
    if scope is None:
        rows = await ex.fetch(queries.LIST_ALL_RESOURCES)
    else:
        rows = await ex.fetch(queries.LIST_RESOURCES, scope.account_id, scope.region)
    return [resource_from_row(row) for row in rows]


async def delete_resource(ex: Executor, scope: Scope, name: str) -> int:
    key = (scope.account_id, scope.region, name)
    if await _select_resource(ex, key, queries.LOCK_RESOURCE) is None:
        raise RecordNotFound(name)
    alarms = await ex.fetchval(queries.COUNT_RESOURCE_ALARMS, *key)
    await ex.execute(queries.DELETE_RESOURCE_POINTS, *key)  # the series and alarms go by foreign key, the points not
    if await ex.execute(queries.DELETE_RESOURCE, *key) == 0:
        raise RecordNotFound(name)
    return int(alarms)


async def _lock_resource(ex: Executor, resource: MonitoredResource) -> MonitoredResource:
    """The resource as stored, registered as ``resource`` if new, under a key-share lock until the commit."""
    key = (resource.account_id, resource.region, resource.name)
    stored = await _select_resource(ex, key, queries.KEY_SHARE_RESOURCE)
    while stored is None:  # new, or deleted between the insert and the lock: register it afresh
        await _insert_resource(ex, resource)
        stored = await _select_resource(ex, key, queries.KEY_SHARE_RESOURCE)
    return stored


async def _series_ids(ex: Executor, key: tuple[str, str, str], metrics: Iterable[str]) -> dict[str, int]:
    """The ids of the resource's series of ``metrics``, creating those it does not have yet."""
    known: dict[str, int] = {name: sid for name, sid in await ex.fetch(queries.SERIES_OF_RESOURCE, *key)}
    for metric in sorted(set(metrics) - set(known)):  # one order for every writer: no deadlock
        series_id = None
        while series_id is None:  # None: a concurrent writer created it first, so read it back
            series_id = await ex.fetchval(queries.INSERT_SERIES, *key, metric)
            if series_id is None:
                series_id = await ex.fetchval(queries.SELECT_SERIES, *key, metric)
        known[metric] = series_id
    return known


async def put_metric_batch(ex: Executor, batch: Sequence[MetricSeries]) -> list[MonitoredResource]:
    wanted: dict[tuple[str, str, str], tuple[MonitoredResource, set[str]]] = {}
    for series in batch:
        wanted.setdefault(_key_of(series.resource), (series.resource, set()))[1].add(series.metric_name)
    stored: dict[tuple[str, str, str], MonitoredResource] = {}
    ids: dict[tuple[str, str, str, str], int] = {}
    # Resources are locked, series created and points written in one order for every writer: no deadlock.
    for key in sorted(wanted):
        resource, metrics = wanted[key]
        stored[key] = await _lock_resource(ex, resource)
        if stored[key].resource_type == resource.resource_type:
            ids.update(((*key, metric), sid) for metric, sid in (await _series_ids(ex, key, metrics)).items())
    rows: list[tuple[int, int, int, int, float, float, float]] = []
    for series in batch:
        series_id = ids.get((*_key_of(series.resource), series.metric_name))
        if series_id is not None and stored[_key_of(series.resource)].resource_type == series.resource.resource_type:
            # A row per minute and resolution: the upsert adds up the rows of one point, even within the batch.
            rows.extend(
                (series_id, r, a.period_start - a.period_start % r, a.sample_count, a.sum, a.minimum, a.maximum)
                for a in series.minutes
                for r in RESOLUTIONS
            )
    await ex.executemany(queries.ADD_METRIC_POINT, sorted(rows))
    return [stored[_key_of(series.resource)] for series in batch]


def _key_of(resource: MonitoredResource) -> tuple[str, str, str]:
    return resource.account_id, resource.region, resource.name


async def put_metric_data(
    ex: Executor, resource: MonitoredResource, metric_name: str, aggregates: Sequence[MetricAggregate]
) -> MonitoredResource:
    minutes = [replace(a, period_start=period_start(a.period_start, MINUTE)) for a in aggregates]
    [stored] = await put_metric_batch(ex, [MetricSeries(resource, metric_name, minutes)])
    if stored.resource_type != resource.resource_type:
        raise ResourceTypeMismatch(stored)
    return stored


async def get_metric_data(
    ex: Executor, scope: Scope, resource_name: str, metric_name: str, first: int, last: int, resolution: int
) -> list[MetricAggregate]:
    rows = await ex.fetch(queries.GET_METRIC_POINTS, scope.account_id, scope.region, resource_name, metric_name,
                          resolution, first, last)  # fmt: skip
    return [MetricAggregate(*row) for row in rows]


async def prune_metric_data(ex: Executor, cutoffs: Mapping[int, float], history_before: float) -> int:
    pruned = 0
    for resolution, before in sorted(cutoffs.items()):
        pruned += await ex.execute(queries.PRUNE_METRIC_POINTS, resolution, math.ceil(before))
    return pruned + await ex.execute(queries.PRUNE_ALARM_HISTORY, history_before)


# -- alarms ---------------------------------------------------------------------------------------------------------


async def select_alarm(ex: Executor, account_id: str, region: str, name: str) -> Alarm | None:
    row = await ex.fetchrow(queries.SELECT_ALARM, account_id, region, name)
    return alarm_from_row(row, ex.load) if row else None


async def _free_slot(ex: Executor, alarm: Alarm) -> int:
    """A free slot of the alarm's (resource, metric), or ``AlarmLimitExceeded`` naming the alarms holding them."""
    holders = await ex.fetch(queries.SLOT_HOLDERS, alarm.account_id, alarm.region, alarm.resource.name,
                             alarm.metric_name)  # fmt: skip
    free = set(range(1, ALARMS_PER_METRIC + 1)) - {slot for slot, _ in holders}
    if not free:
        raise AlarmLimitExceeded([name for _, name in holders])
    return min(free)


async def _write_alarm(ex: Executor, alarm: Alarm, existing: Alarm | None) -> bool:
    """Insert ``alarm``, or update ``existing`` with its configuration; False when ``existing`` is gone meanwhile."""
    if existing is None:
        await ex.execute(queries.INSERT_ALARM, *alarm_values(alarm, await _free_slot(ex, alarm), ex.dump))
        return True
    config = alarm_config_values(alarm, ex.dump)
    key = (alarm.account_id, alarm.region, alarm.name)
    if (existing.resource.name, existing.metric_name) == (alarm.resource.name, alarm.metric_name):
        return await ex.execute(queries.CONFIGURE_ALARM, *config, *key) > 0
    return await ex.execute(queries.CONFIGURE_ALARM_IN_SLOT, *config, await _free_slot(ex, alarm), *key) > 0


async def put_alarm(ex: Executor, alarm: Alarm, operation: Operation) -> Alarm:
    key = (alarm.account_id, alarm.region, alarm.name)
    while True:
        resource = await _select_resource(ex, (alarm.account_id, alarm.region, alarm.resource.name),
                                          queries.SELECT_RESOURCE)  # fmt: skip
        if resource is None or resource.resource_type != alarm.resource.resource_type:
            raise RecordNotFound(alarm.resource.name)
        existing = await select_alarm(ex, *key)
        try:
            async with ex.savepoint():  # losing a race for a slot or a name is not fatal
                if await _write_alarm(ex, alarm, existing):
                    break
        except LostRace:
            pass  # another writer took the slot, or created this alarm, meanwhile: look again
        except ParentGone:
            raise RecordNotFound(alarm.resource.name) from None  # the resource was deleted meanwhile
    await insert_operation(ex, operation)
    stored = await select_alarm(ex, *key)
    assert stored is not None
    return stored


async def get_alarm(ex: Executor, scope: Scope, name: str) -> Alarm | None:
    return await select_alarm(ex, scope.account_id, scope.region, name)


async def list_alarms(
    ex: Executor, scope: Scope, limit: int, resource_name: str | None, after: str | None
) -> list[Alarm]:
    clauses, params = queries.given(("a.resource_name = ?", resource_name), ("a.name > ?", after))
    sql = "".join([queries.LIST_ALARMS, *(f" AND {c}" for c in clauses), " ORDER BY a.name LIMIT ?"])
    rows = await ex.fetch(queries.query_of(sql), scope.account_id, scope.region, *params, limit)
    return [alarm_from_row(row, ex.load) for row in rows]


async def delete_alarm(ex: Executor, scope: Scope, name: str, operation: Operation) -> Alarm:
    alarm = await select_alarm(ex, scope.account_id, scope.region, name)
    deleted = await ex.execute(queries.DELETE_ALARM, scope.account_id, scope.region, name)
    if alarm is None or deleted == 0:
        raise RecordNotFound(name)
    await insert_operation(ex, operation)
    return alarm


async def list_alarms_to_evaluate(ex: Executor, limit: int, after: tuple[str, str, str] | None) -> list[Alarm]:
    if after is None:
        rows = await ex.fetch(queries.ALARMS_TO_EVALUATE, limit)
    else:
        rows = await ex.fetch(queries.ALARMS_TO_EVALUATE_AFTER, *after, limit)
    return [alarm_from_row(row, ex.load) for row in rows]


async def record_alarm_state(
    ex: Executor, alarm: Alarm, change: AlarmStateChange, outbox: Sequence[OutboxMessage]
) -> bool:
    if change.revision != alarm.revision + 1:
        raise ValueError(f"a change of revision {alarm.revision} must have revision {alarm.revision + 1}")
    updated = await ex.execute(
        queries.SET_ALARM_STATE,
        *(change.new_state, change.reason, change.changed_at, change.revision),
        *(alarm.account_id, alarm.region, alarm.name, alarm.id, alarm.revision),
    )
    if updated == 0:
        return False
    await ex.execute(queries.INSERT_HISTORY, *state_change_values(change, ex.dump))
    await insert_outbox(ex, outbox)
    return True


async def record_alarm_test(ex: Executor, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage]) -> None:
    if await ex.fetchval(queries.SHARE_ALARM, alarm.account_id, alarm.region, alarm.id) is None:
        raise RecordNotFound(alarm.name)
    await insert_operation(ex, operation)
    await insert_outbox(ex, outbox)


async def list_alarm_history(ex: Executor, scope: Scope, alarm_name: str, limit: int) -> list[AlarmStateChange]:
    rows = await ex.fetch(queries.LIST_ALARM_HISTORY, scope.account_id, scope.region, alarm_name, limit)
    return [state_change_from_row(row, ex.load) for row in rows]
