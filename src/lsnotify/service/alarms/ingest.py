"""Storing datapoints that came from other agents' protocols once they are mapped to Lightsail metrics: the one
ingestion entry point, ``store_points``.

A point carries the figures of a statistic set (count, sum, minimum, maximum), which a single value, a CloudWatch
``Values``/``Counts`` pair, a ``StatisticValues`` and a scraped sample all reduce to. Points are grouped by metric and
minute and stored in ONE transaction per call (a whole PutMetricData request, OTLP export or scrape), registering a
resource the first time it reports (as ``metrics.ingest`` does). A resource registered with another type than the
datum's dimension says feeds nothing: ``resource_type_mismatch``; nor does a new one beyond the account's
resource cap: ``resource_cap_reached``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lsnotify.domain import Scope
from lsnotify.domain.alarms import MetricAggregate, MetricSeries
from lsnotify.domain.metrics import MINUTE
from lsnotify.service.alarms.datums import RESOURCE_CAP, TYPE_MISMATCH, Target, Unmapped
from lsnotify.service.alarms.resources import new_resource
from lsnotify.service.limits import resources_without_room
from lsnotify.storage.base import Store


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


def minutes(points: Sequence[MappedPoint]) -> list[MetricAggregate]:
    """The points (all of one metric) as aggregates of the minutes they fall in."""
    return [MetricAggregate(int(p.timestamp // MINUTE) * MINUTE, p.count, p.sum, p.minimum, p.maximum) for p in points]


async def store_points(
    store: Store, scope: Scope, points: Sequence[MappedPoint], now: float, report: IngestReport, max_resources: int
) -> None:
    """Store ``points`` in one durable transaction, counting them in ``report`` as stored, or as unmapped when their
    resource is registered with another type or is new beyond ``max_resources`` per account (0: no cap). Resources
    seen for the first time are registered at ``now``."""
    by_target: dict[Target, list[MappedPoint]] = {}
    for point in points:
        by_target.setdefault(point.target, []).append(point)
    no_room = await resources_without_room(store, max_resources, scope, [t.resource_name for t in by_target])
    for target in [t for t in by_target if t.resource_name in no_room]:
        report.unmapped.extend(Unmapped(RESOURCE_CAP, target.metric_name) for _ in by_target.pop(target))
    if not by_target:
        return
    named = {(target.resource_type, target.resource_name) for target in by_target}
    resources = {(kind, name): new_resource(scope, kind, name, now) for kind, name in named}
    batch = [
        MetricSeries(resources[target.resource_type, target.resource_name], target.metric_name, minutes(group))
        for target, group in by_target.items()
    ]
    stored = await store.put_metric_batch(batch)
    for (target, group), resource in zip(by_target.items(), stored, strict=True):
        if resource.resource_type == target.resource_type:
            report.stored += len(group)
        else:
            report.unmapped.extend(Unmapped(TYPE_MISMATCH, target.metric_name) for _ in group)
