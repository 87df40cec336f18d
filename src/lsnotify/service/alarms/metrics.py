"""Taking metric datapoints in: checking them against the metric catalogue (``domain/metrics.py``) and storing them.

Datapoints are stored as aggregates (count, sum, minimum, maximum) of 1 minute, 5 minutes and 1 hour, from which
every statistic derives.
They come through ``LsNotify_20261127.PutMetricData`` on the API's front door, or ``lsnotify metrics put``, or from
other agents' protocols (``cloudwatch.py``, ``host_metrics.py``); all register a resource the first time it
reports. Timestamps may lie within the retention window behind and two hours ahead (as CloudWatch allows).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from botocore.utils import parse_timestamp

from lsnotify.context import RequestContext
from lsnotify.domain import Scope
from lsnotify.domain.alarms import MetricAggregate, MonitoredResource
from lsnotify.domain.metrics import FUTURE_TOLERANCE_SECONDS, METRICS, MINUTE, MetricInfo, rolled_up
from lsnotify.errors import InvalidInputException, shown
from lsnotify.messages.formats import shown_time
from lsnotify.service import Services, scope_of
from lsnotify.service.alarms.resources import new_resource
from lsnotify.storage.base import ResourceTypeMismatch, Store


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
                f"datapoints[{index}].timestamp: {shown_time(timestamp)} is outside the accepted window: at most "
                f"{retention:g} seconds in the past (the retention window) and {FUTURE_TOLERANCE_SECONDS:g} seconds "
                "in the future."
            )


def aggregate(points: Iterable[tuple[float, float]], resolution: int = MINUTE) -> list[MetricAggregate]:
    """The datapoints as one aggregate per period of ``resolution`` seconds (by default the stored minute), oldest
    first."""
    return rolled_up((MetricAggregate(int(time), 1, value, value, value) for time, value in points), resolution)


async def ingest(
    store: Store,
    scope: Scope,
    resource_type: str,
    resource_name: str,
    metric_name: str,
    points: Sequence[tuple[float, float]],
    now: float,
    retention: float,
) -> MonitoredResource:
    """Check and store the datapoints, registering the resource if it is new; return the resource."""
    resource = new_resource(scope, resource_type, resource_name, now)
    metric_info(resource_type, metric_name)
    check_datapoints(points, now, retention)
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
    )
    return {"resourceArn": resource.arn, "datapointsAccepted": len(points)}
