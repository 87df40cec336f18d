"""The metric catalogue: which metrics each resource type has, with the statistic and unit of each, and the 5-minute
period every datapoint is aggregated into and every alarm evaluates.

The per-type lists are those of PutAlarm's ``metricName`` documentation; the statistic is the one the
Get*MetricData documentation calls most useful, and it is what alarms compare with their threshold. The time limits
on datapoints are CloudWatch's (docs/lightsail-behavior.md, "Metrics").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from lsnotify.domain.alarms import (
    EXTRA_PERIODS,
    INSTANCE,
    LOAD_BALANCER,
    MAX_EVALUATION_PERIODS,
    RELATIONAL_DATABASE,
)

PERIOD_SECONDS: Final = 5 * 60
"""Every metric datapoint aggregates, and every alarm evaluates, 5-minute periods."""

LONGEST_EVALUATION_RANGE_SECONDS: Final = (MAX_EVALUATION_PERIODS + EXTRA_PERIODS) * PERIOD_SECONDS
"""How far back the alarm with the most evaluation periods reads: metric data must be kept at least this long."""

_HOUR_SECONDS: Final = 60 * 60
DEFAULT_METRIC_RETENTION_SECONDS: Final = 14 * 24 * _HOUR_SECONDS
"""How long metric data is kept, and how far back a datapoint's timestamp may lie: two weeks, as CloudWatch accepts."""
FUTURE_TOLERANCE_SECONDS: Final = 2 * _HOUR_SECONDS
"""How far ahead of now a datapoint's timestamp may lie: two hours, as CloudWatch accepts."""


def period_start(timestamp: float) -> int:
    """The start of the 5-minute period holding ``timestamp``."""
    return int(timestamp // PERIOD_SECONDS) * PERIOD_SECONDS


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
