"""From a datum someone else's agent sent (CloudWatch, OpenTelemetry) to the Lightsail metric it feeds, if any.

A datum names its resource with a dimension: ``InstanceName``, ``LoadBalancerName`` or ``RelationalDatabaseName``,
which also gives the resource type. Its metric is its own name when that is one of the type's Lightsail metrics, else
the name's translation through the ``metric_names`` setting (``cpu_usage_active = "CPUUtilization"``). A datum that
maps to nothing is not an error (CloudWatch accepts any metric); it is reported with a reason, so that it is counted
and logged rather than lost without a trace.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from lsnotify.domain.alarms import INSTANCE, LOAD_BALANCER, RELATIONAL_DATABASE
from lsnotify.domain.metrics import METRICS
from lsnotify.errors import InvalidInputException
from lsnotify.service.alarms.resources import check_resource_name

log = logging.getLogger("lsnotify.metrics")

RESOURCE_DIMENSIONS: Final[Mapping[str, str]] = {
    "InstanceName": INSTANCE,
    "LoadBalancerName": LOAD_BALANCER,
    "RelationalDatabaseName": RELATIONAL_DATABASE,
}

# Why a datum fed no Lightsail metric (the ``reason`` label of the count in /metrics).
NO_RESOURCE: Final = "no_resource_dimension"
SEVERAL_RESOURCES: Final = "several_resource_dimensions"
BAD_RESOURCE_NAME: Final = "invalid_resource_name"
UNKNOWN_METRIC: Final = "unknown_metric"
TYPE_MISMATCH: Final = "resource_type_mismatch"
UNSUPPORTED_POINT: Final = "unsupported_point_type"
OUT_OF_RANGE: Final = "timestamp_out_of_range"
RESOURCE_CAP: Final = "resource_cap_reached"
"""A new resource the account may not register: it has ``max_resources`` already."""
UNMAPPED_REASONS: Final = (
    NO_RESOURCE,
    SEVERAL_RESOURCES,
    BAD_RESOURCE_NAME,
    UNKNOWN_METRIC,
    TYPE_MISMATCH,
    UNSUPPORTED_POINT,
    OUT_OF_RANGE,
    RESOURCE_CAP,
)


@dataclass(frozen=True, slots=True)
class Target:
    """The Lightsail metric a datum feeds."""

    resource_type: str
    resource_name: str
    metric_name: str


@dataclass(frozen=True, slots=True)
class Unmapped:
    """A datum that feeds nothing: why, and the metric name it was sent with."""

    reason: str
    name: str


def lightsail_metric(resource_type: str, name: str, names: Mapping[str, str]) -> str | None:
    """``name`` when it is a metric of ``resource_type``, else its translation when that is one, else None."""
    metrics = METRICS[resource_type]
    if name in metrics:
        return name
    translated = names.get(name)
    return translated if translated in metrics else None


def map_datum(name: str, dimensions: Iterable[tuple[str, str]], names: Mapping[str, str]) -> Target | Unmapped:
    """The Lightsail metric of a datum with metric ``name`` and these (name, value) dimensions."""
    found = [(RESOURCE_DIMENSIONS[key], value) for key, value in dimensions if key in RESOURCE_DIMENSIONS]
    if not found:
        return Unmapped(NO_RESOURCE, name)
    if len(found) > 1:
        return Unmapped(SEVERAL_RESOURCES, name)
    resource_type, resource_name = found[0]
    return map_to_resource(resource_type, resource_name, name, names)


def map_to_resource(resource_type: str, resource_name: str, name: str, names: Mapping[str, str]) -> Target | Unmapped:
    """The Lightsail metric of a datum with metric ``name`` about the resource ``resource_name``."""
    try:
        check_resource_name(resource_name, "resourceName")
    except InvalidInputException:
        return Unmapped(BAD_RESOURCE_NAME, name)
    metric = lightsail_metric(resource_type, name, names)
    if metric is None:
        return Unmapped(UNKNOWN_METRIC, name)
    return Target(resource_type, resource_name, metric)


class UnmappedLog:
    """Logs each (account, metric name) that feeds nothing once per process, remembering at most ``limit`` of them
    (then it starts over), so a misconfigured agent shows up in the log without flooding it."""

    def __init__(self, limit: int = 10_000) -> None:
        self._seen: set[tuple[str, str]] = set()
        self._limit = limit

    def note(self, account_id: str, source: str, unmapped: Iterable[Unmapped]) -> None:
        for item in unmapped:
            key = (account_id, item.name)
            if key in self._seen:
                continue
            if len(self._seen) >= self._limit:
                self._seen.clear()
            self._seen.add(key)
            log.warning(
                "account %s: %s datum %r feeds no Lightsail metric (%s); it was accepted and dropped. See the README "
                "on metric_names and the InstanceName, LoadBalancerName and RelationalDatabaseName dimensions.",
                account_id,
                source,
                item.name[:255],
                item.reason,
            )
