"""Storing datapoints that came from other agents' protocols once they are mapped to Lightsail metrics.

A point carries the figures of a statistic set (count, sum, minimum, maximum), which a single value, a CloudWatch
``Values``/``Counts`` pair and a ``StatisticValues`` all reduce to. Points are grouped by metric and 5-minute period
and stored one metric at a time, registering a resource the first time it reports (as ``metrics.ingest`` does). A
resource registered with another type than the datum's dimension says feeds nothing: ``resource_type_mismatch``;
nor does a new one beyond the account's resource cap: ``resource_cap_reached``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from lsnotify.domain import Scope
from lsnotify.domain.alarms import MetricAggregate
from lsnotify.domain.metrics import period_start
from lsnotify.service.alarms.datums import RESOURCE_CAP, TYPE_MISMATCH, Target, Unmapped
from lsnotify.service.alarms.metrics import merge_periods
from lsnotify.service.alarms.resources import new_resource
from lsnotify.service.limits import resources_without_room
from lsnotify.storage.base import ResourceTypeMismatch, Store

CONCURRENT_WRITES = 8


@dataclass(frozen=True, slots=True)
class MappedPoint:
    target: Target
    timestamp: float
    count: int
    sum: float
    minimum: float
    maximum: float


@dataclass(slots=True)
class IngestReport:
    """What became of a request's datums."""

    stored: int = 0
    unmapped: list[Unmapped] = field(default_factory=list)


def aggregates(points: Sequence[MappedPoint]) -> list[MetricAggregate]:
    """The points (all of one metric) as one aggregate per 5-minute period, oldest first."""
    return merge_periods(
        MetricAggregate(period_start(point.timestamp), point.count, point.sum, point.minimum, point.maximum)
        for point in points
    )


async def store_points(
    store: Store, scope: Scope, points: Sequence[MappedPoint], now: float, report: IngestReport, max_resources: int
) -> None:
    """Store ``points``, counting them in ``report`` as stored, or unmapped when their resource has another type or
    is new beyond ``max_resources`` per account (0: no cap).

    Each metric is its own transaction; up to ``CONCURRENT_WRITES`` of them are in flight at once, so that SQLite's
    group commit (or PostgreSQL's pool) takes a request's metrics together rather than one fsync after another."""
    by_target: dict[Target, list[MappedPoint]] = {}
    for point in points:
        by_target.setdefault(point.target, []).append(point)
    no_room = await resources_without_room(store, max_resources, scope, [t.resource_name for t in by_target])
    for target in [t for t in by_target if t.resource_name in no_room]:
        report.unmapped.extend(Unmapped(RESOURCE_CAP, target.metric_name) for _ in by_target.pop(target))
    slots = asyncio.Semaphore(CONCURRENT_WRITES)

    async def put(target: Target, group: list[MappedPoint]) -> None:
        resource = new_resource(scope, target.resource_type, target.resource_name, now)
        async with slots:
            try:
                await store.put_metric_data(resource, target.metric_name, aggregates(group))
            except ResourceTypeMismatch:
                report.unmapped.extend(Unmapped(TYPE_MISMATCH, target.metric_name) for _ in group)
            else:
                report.stored += len(group)

    await asyncio.gather(*(put(target, group) for target, group in by_target.items()))
