"""The metric catalogue: which metrics each resource type has, with the statistic and unit of each; the resolutions
metric data is stored at (1 minute, 5 minutes, 1 hour) and how long each is kept; the 5-minute period every alarm
evaluates.

The per-type lists are those of PutAlarm's ``metricName`` documentation; the statistic is the one the
Get*MetricData documentation calls most useful, and it is what alarms compare with their threshold. The time limits
on datapoints are CloudWatch's (docs/lightsail-behavior.md, "Metrics").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final

from lsnotify.domain.alarms import (
    EXTRA_PERIODS,
    INSTANCE,
    LOAD_BALANCER,
    MAX_EVALUATION_PERIODS,
    RELATIONAL_DATABASE,
    MetricAggregate,
)

MINUTE: Final = 60
PERIOD_SECONDS: Final = 5 * 60
"""Every alarm evaluates 5-minute periods."""
HOUR: Final = 60 * 60
RESOLUTIONS: Final = (MINUTE, PERIOD_SECONDS, HOUR)
"""The resolutions metric data is stored at, finest first: every datapoint is added to one point of each."""

LONGEST_EVALUATION_RANGE_SECONDS: Final = (MAX_EVALUATION_PERIODS + EXTRA_PERIODS) * PERIOD_SECONDS
"""How far back the alarm with the most evaluation periods reads: metric data must be kept at least this long."""

_HOUR_SECONDS: Final = 60 * 60
DEFAULT_METRIC_RETENTION_SECONDS: Final = 14 * 24 * _HOUR_SECONDS
"""How long metric data is kept, and how far back a datapoint's timestamp may lie: two weeks, as CloudWatch accepts."""
FUTURE_TOLERANCE_SECONDS: Final = 2 * _HOUR_SECONDS
"""How far ahead of now a datapoint's timestamp may lie: two hours, as CloudWatch accepts."""


def period_start(timestamp: float, resolution: int = PERIOD_SECONDS) -> int:
    """The start of the period of ``resolution`` seconds (by default an alarm's 5 minutes) holding ``timestamp``."""
    return int(timestamp // resolution) * resolution


def rolled_up(aggregates: Iterable[MetricAggregate], resolution: int) -> list[MetricAggregate]:
    """The aggregates merged into one per period of ``resolution`` seconds (starting there), oldest first."""
    periods: dict[int, MetricAggregate] = {}
    for item in aggregates:
        start = period_start(item.period_start, resolution)
        current = periods.get(start)
        periods[start] = replace(item, period_start=start) if current is None else current.merged(item)
    return [periods[start] for start in sorted(periods)]


@dataclass(frozen=True, slots=True)
class MetricRetention:
    """How long metric data is kept at each resolution, in seconds: by default as Lightsail (CloudWatch) keeps it."""

    minute: float = 15 * 24 * _HOUR_SECONDS
    five_minutes: float = 63 * 24 * _HOUR_SECONDS
    hour: float = 455 * 24 * _HOUR_SECONDS

    def by_resolution(self) -> dict[int, float]:
        return {MINUTE: self.minute, PERIOD_SECONDS: self.five_minutes, HOUR: self.hour}

    def cutoffs(self, now: float) -> dict[int, float]:
        """For each resolution, the time before which its points are dropped."""
        return {resolution: now - kept for resolution, kept in self.by_resolution().items()}


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
