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

from lsnotify.awsjson.timestamps import epoch_seconds
from lsnotify.context import RequestContext
from lsnotify.domain import Scope
from lsnotify.domain.alarms import MetricAggregate, MonitoredResource
from lsnotify.domain.metrics import FUTURE_TOLERANCE_SECONDS, METRICS, MINUTE, MetricInfo, rolled_up
from lsnotify.errors import InvalidInputException, shown
from lsnotify.messages.formats import shown_time
from lsnotify.service import Services, scope_of
from lsnotify.service.alarms.resources import new_resource
from lsnotify.service.limits import check_resource_room
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
    """A wire or command-line timestamp (epoch seconds, or a strict ISO 8601 or epoch-seconds string; ``ValueError``
    otherwise) as epoch seconds."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        return epoch_seconds(value)
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
