"""Metrics: which metrics each resource type has, with their statistic and unit, and taking datapoints in.

The per-type lists are those of PutAlarm's ``metricName`` documentation; the statistic is the one the
Get*MetricData documentation calls most useful (behavior.md §3.2), and it is what alarms compare with their threshold.
Datapoints are stored as 5-minute aggregates (count, sum, minimum, maximum), from which every statistic derives.
They come through ``LsNotify_20261127.PutMetricData`` on the API's front door, or ``lsnotify metrics put``; both
register a resource the first time it reports. Timestamps may lie within the retention window behind and two hours
ahead (as CloudWatch allows).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.utils import parse_timestamp

from lsnotify.context import RequestContext
from lsnotify.domain import Scope
from lsnotify.domain.alarms import (
    INSTANCE,
    LOAD_BALANCER,
    RELATIONAL_DATABASE,
    MetricAggregate,
    MonitoredResource,
    period_start,
)
from lsnotify.errors import InvalidInputException, shown
from lsnotify.service.alarms.resources import new_resource
from lsnotify.service.deps import Services, scope_of
from lsnotify.service.limits import check_resource_room
from lsnotify.storage.base import ResourceTypeMismatch, Store

FUTURE_TOLERANCE_SECONDS = 7200.0


@dataclass(frozen=True, slots=True)
class MetricInfo:
    statistic: str
    unit: str


_AVERAGE_PERCENT = MetricInfo("Average", "Percent")
_SUM_COUNT = MetricInfo("Sum", "Count")
_SUM_BYTES = MetricInfo("Sum", "Bytes")
_AVERAGE_SECONDS = MetricInfo("Average", "Seconds")
_AVERAGE_COUNT = MetricInfo("Average", "Count")
_AVERAGE_BYTES_PER_SECOND = MetricInfo("Average", "Bytes/Second")

METRICS: Mapping[str, Mapping[str, MetricInfo]] = {
    INSTANCE: {
        "BurstCapacityPercentage": _AVERAGE_PERCENT,
        "BurstCapacityTime": _AVERAGE_SECONDS,
        "CPUUtilization": _AVERAGE_PERCENT,
        "NetworkIn": _SUM_BYTES,
        "NetworkOut": _SUM_BYTES,
        "StatusCheckFailed": _SUM_COUNT,
        "StatusCheckFailed_Instance": _SUM_COUNT,
        "StatusCheckFailed_System": _SUM_COUNT,
        "DiskReadOps": _SUM_COUNT,
        "DiskWriteOps": _SUM_COUNT,
        "DiskReadBytes": _SUM_BYTES,
        "DiskWriteBytes": _SUM_BYTES,
        "DiskTotalReadTime": _AVERAGE_SECONDS,
        "DiskTotalWriteTime": _AVERAGE_SECONDS,
        "DiskQueueLength": _AVERAGE_COUNT,
    },
    LOAD_BALANCER: {
        "ClientTLSNegotiationErrorCount": _SUM_COUNT,
        "HealthyHostCount": _AVERAGE_COUNT,
        "UnhealthyHostCount": _AVERAGE_COUNT,
        "HTTPCode_LB_4XX_Count": _SUM_COUNT,
        "HTTPCode_LB_5XX_Count": _SUM_COUNT,
        "HTTPCode_Instance_2XX_Count": _SUM_COUNT,
        "HTTPCode_Instance_3XX_Count": _SUM_COUNT,
        "HTTPCode_Instance_4XX_Count": _SUM_COUNT,
        "HTTPCode_Instance_5XX_Count": _SUM_COUNT,
        "InstanceResponseTime": _AVERAGE_SECONDS,
        "RejectedConnectionCount": _SUM_COUNT,
        "RequestCount": _SUM_COUNT,
    },
    RELATIONAL_DATABASE: {
        "CPUUtilization": _AVERAGE_PERCENT,
        "DatabaseConnections": MetricInfo("Maximum", "Count"),
        "DiskQueueDepth": _SUM_COUNT,
        "FreeStorageSpace": _SUM_BYTES,
        "NetworkReceiveThroughput": _AVERAGE_BYTES_PER_SECOND,
        "NetworkTransmitThroughput": _AVERAGE_BYTES_PER_SECOND,
    },
}


def metric_info(resource_type: str, metric_name: str, field: str = "metricName") -> MetricInfo:
    """The statistic and unit of the metric; InvalidInputException when the resource type has no such metric."""
    metrics = METRICS[resource_type]
    info = metrics.get(metric_name)
    if info is None:
        raise InvalidInputException(
            f"{field}: {shown(metric_name)} is not a metric of {resource_type} resources; their metrics are "
            f"{', '.join(metrics)}."
        )
    return info


def to_epoch_seconds(value: float | str | datetime) -> float:
    """A wire or command-line timestamp (epoch seconds, or a string botocore can parse) as epoch seconds."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        return float(parse_timestamp(value).timestamp())
    return float(value)


def check_datapoints(points: Sequence[tuple[float, float]], now: float, retention: float) -> None:
    """Each (timestamp, value) must be finite and lie within [now - retention, now + two hours]."""
    oldest, newest = now - retention, now + FUTURE_TOLERANCE_SECONDS
    for index, (timestamp, value) in enumerate(points):
        if not math.isfinite(value):
            raise InvalidInputException(f"datapoints[{index}].value: must be a finite number (got {value}).")
        if not oldest <= timestamp <= newest:
            raise InvalidInputException(
                f"datapoints[{index}].timestamp: {_shown_time(timestamp)} is outside the accepted window: at most "
                f"{retention:g} seconds in the past (the retention window) and {FUTURE_TOLERANCE_SECONDS:g} seconds "
                "in the future."
            )


def _shown_time(timestamp: float) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return f"{timestamp:g}"


def aggregate(points: Iterable[tuple[float, float]]) -> list[MetricAggregate]:
    """The datapoints as one aggregate per 5-minute period, oldest first."""
    periods: dict[int, MetricAggregate] = {}
    for timestamp, value in points:
        start = period_start(timestamp)
        point = MetricAggregate(start, 1, value, value, value)
        current = periods.get(start)
        periods[start] = point if current is None else current.merged(point)
    return [periods[start] for start in sorted(periods)]


async def ingest(
    store: Store,
    scope: Scope,
    resource_type: str,
    resource_name: str,
    metric_name: str,
    points: Sequence[tuple[float, float]],
    now: float,
    retention: float,
    max_resources: int = 0,
) -> MonitoredResource:
    """Check and store the datapoints, registering the resource if it is new (and the account has fewer than
    ``max_resources``, 0: no cap); return the resource."""
    resource = new_resource(scope, resource_type, resource_name, now)
    metric_info(resource_type, metric_name)
    check_datapoints(points, now, retention)
    if max_resources and await store.get_resource(scope, resource_name) is None:
        await check_resource_room(store, max_resources, scope.account_id, "resourceName")
    try:
        return await store.put_metric_data(resource, metric_name, aggregate(points))
    except ResourceTypeMismatch as exc:
        raise InvalidInputException(
            f"resourceType: {shown(resource_name)} is registered with type {exc.existing.resource_type}, "
            f"not {resource_type}."
        ) from None


async def put_metric_data(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """``LsNotify_20261127.PutMetricData``."""
    points = [(to_epoch_seconds(point["timestamp"]), float(point["value"])) for point in params["datapoints"]]
    resource = await ingest(
        svc.store,
        scope_of(ctx),
        params["resourceType"],
        params["resourceName"],
        params["metricName"],
        points,
        svc.clock(),
        svc.rules.metric_retention,
        svc.rules.limits.max_resources,
    )
    return {"resourceArn": resource.arn, "datapointsAccepted": len(points)}
