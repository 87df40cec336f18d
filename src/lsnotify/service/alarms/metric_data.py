"""Reading metric data back: ``read_datapoints``, the one read of a resource's metric over a time range, and the
Lightsail operations built on it, ``GetInstanceMetricData``, ``GetLoadBalancerMetricData`` and
``GetRelationalDatabaseMetricData``.

``read_datapoints`` gives one ``MetricAggregate`` per period that holds data (count, sum, minimum, maximum, from
which ``statistic(name)`` derives Average, Sum, Minimum, Maximum and SampleCount), oldest first; anything that graphs
or reports metrics should read through it. It reads the stored resolution CloudWatch would: the age of the range's
start decides the finest one still kept (1-minute points within ``minute`` retention, 15 days by default; 5-minute
points within 63 days; 1-hour points within 455 days), the start is rounded down to it, and of the resolutions at
least that fine that divide both the period and the rounded start the coarsest is read (fewest rows, same figures).
Periods start at the rounded start and follow each other; a range asks for at most 1,440 of them.
"""

from __future__ import annotations

import math
from typing import Any, Final

from lsnotify.config import Settings
from lsnotify.context import RequestContext
from lsnotify.domain import Scope
from lsnotify.domain.alarms import INSTANCE, LOAD_BALANCER, RELATIONAL_DATABASE, MetricAggregate
from lsnotify.domain.metrics import MINUTE, RESOLUTIONS, MetricRetention, period_start
from lsnotify.errors import InvalidInputException, NotFoundException, shown
from lsnotify.service import Services, scope_of
from lsnotify.service.alarms.metrics import metric_info, to_epoch_seconds
from lsnotify.storage.base import Store

MAX_DATAPOINTS: Final = 1440
"""The most periods one read may span (as CloudWatch's GetMetricStatistics)."""
MAX_PERIOD_SECONDS: Final = 86400

STATISTIC_KEYS: Final = {
    "Average": "average",
    "Maximum": "maximum",
    "Minimum": "minimum",
    "SampleCount": "sampleCount",
    "Sum": "sum",
}
"""Each statistic a request may ask for, and its key in a ``MetricDatapoint``."""


def metric_points_retention(settings: Settings) -> MetricRetention:
    """The retention of each resolution, as configured."""
    return MetricRetention(
        settings.minute_metric_retention, settings.five_minute_metric_retention, settings.hour_metric_retention
    )


def finest_kept_resolution(start: float, now: float, retention: MetricRetention) -> int | None:
    """The finest resolution whose points starting at ``start`` are still kept at ``now``; None if no longer any."""
    age = now - start
    for resolution, kept in retention.by_resolution().items():
        if age <= kept:
            return resolution
    return None


async def read_datapoints(
    store: Store,
    scope: Scope,
    resource_name: str,
    metric_name: str,
    start: float,
    end: float,
    period: int,
    now: float,
    retention: MetricRetention,
) -> list[MetricAggregate]:
    """The metric's data in ``[start, end)`` as one aggregate per ``period`` seconds that holds data, oldest first;
    each ``period_start`` is its period's start. ``InvalidInputException`` for a period that is not whole minutes
    between 60 and 86400, or not a multiple of the resolution the range's age leaves, an empty or reversed range,
    or more than 1,440 periods."""
    if not (MINUTE <= period <= MAX_PERIOD_SECONDS and period % MINUTE == 0):
        raise InvalidInputException(
            f"period: must be a whole number of minutes from 60 to 86400 seconds (got {period})."
        )
    if not start < end:
        raise InvalidInputException("startTime: must be before endTime.")
    finest = finest_kept_resolution(start, now, retention)
    if finest is None:
        return []
    if period % finest:
        raise InvalidInputException(
            f"period: data from {now - start:.0f} seconds ago is kept at {finest}-second resolution, so the period "
            f"must be a multiple of {finest} seconds (got {period})."
        )
    first = period_start(start, finest)
    periods = math.ceil((end - first) / period)
    if periods > MAX_DATAPOINTS:
        raise InvalidInputException(
            f"startTime, endTime, period: the range spans {periods} periods of {period} seconds; at most "
            f"{MAX_DATAPOINTS} datapoints can be returned in one call."
        )
    resolution = max(r for r in RESOLUTIONS if r >= finest and period % r == 0 and first % r == 0)
    points = await store.get_metric_data(scope, resource_name, metric_name, first, math.ceil(end) - 1, resolution)
    merged: dict[int, MetricAggregate] = {}
    for point in points:
        bucket = first + (point.period_start - first) // period * period
        current = merged.get(bucket)
        merged[bucket] = MetricAggregate(bucket, *_figures(point)) if current is None else current.merged(point)
    return [merged[bucket] for bucket in sorted(merged)]


def _figures(point: MetricAggregate) -> tuple[int, float, float, float]:
    return point.sample_count, point.sum, point.minimum, point.maximum


def datapoint_to_wire(point: MetricAggregate, statistics: list[str], unit: str) -> dict[str, Any]:
    wire: dict[str, Any] = {STATISTIC_KEYS[name]: point.statistic(name) for name in statistics}
    return {**wire, "timestamp": point.period_start, "unit": unit}


async def get_metric_data(
    svc: Services, ctx: RequestContext, params: dict[str, Any], resource_type: str, name_field: str
) -> dict[str, Any]:
    """One of the Get*MetricData operations, for resources of ``resource_type`` named by ``name_field``."""
    scope = scope_of(ctx)
    name, metric_name = params[name_field], params["metricName"]
    info = metric_info(resource_type, metric_name)
    statistics = list(params["statistics"])
    if not statistics:
        raise InvalidInputException(f"statistics: name at least one of {', '.join(STATISTIC_KEYS)}.")
    resource = await svc.store.get_resource(scope, name)
    if resource is None or resource.resource_type != resource_type:
        raise NotFoundException(f"{name_field}: no {resource_type} named {shown(name)} is monitored in this region.")
    start, end = to_epoch_seconds(params["startTime"]), to_epoch_seconds(params["endTime"])
    points = await read_datapoints(
        svc.store, scope, name, metric_name, start, end, params["period"], svc.clock(), svc.rules.metric_points
    )
    unit = params["unit"]
    # As CloudWatch, data is kept in the metric's own unit: asking for another finds none.
    found = points if unit == info.unit else []
    return {"metricName": metric_name, "metricData": [datapoint_to_wire(p, statistics, unit) for p in found]}


async def get_instance_metric_data(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return await get_metric_data(svc, ctx, params, INSTANCE, "instanceName")


async def get_load_balancer_metric_data(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return await get_metric_data(svc, ctx, params, LOAD_BALANCER, "loadBalancerName")


async def get_relational_database_metric_data(
    svc: Services, ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    return await get_metric_data(svc, ctx, params, RELATIONAL_DATABASE, "relationalDatabaseName")
