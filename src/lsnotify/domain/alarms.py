"""The records of alarms and what they watch: monitored resources, metric aggregates, alarms, state changes;
and the comparisons an alarm's threshold is checked with.

Like every record they belong to one (account, region) scope; timestamps are epoch seconds. The limits are
Lightsail's (docs/lightsail-behavior.md, "Alarms").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from lsnotify.domain import Tag, lightsail_arn

# The resource types an alarm may watch ("instances, load balancers and relational databases").
INSTANCE: Final = "Instance"
LOAD_BALANCER: Final = "LoadBalancer"
RELATIONAL_DATABASE: Final = "RelationalDatabase"
RESOURCE_TYPES: Final = (INSTANCE, LOAD_BALANCER, RELATIONAL_DATABASE)

# Alarm states.
OK: Final = "OK"
ALARM: Final = "ALARM"
INSUFFICIENT_DATA: Final = "INSUFFICIENT_DATA"

ALARM_RESOURCE_TYPE: Final = "Alarm"
ALARMS_PER_METRIC: Final = 2
"""Lightsail's limit of alarms per (monitored resource, metric); the database schema enforces it."""

MAX_EVALUATION_PERIODS: Final = 288
"""PutAlarm's ``evaluationPeriods`` is 1 to 288 periods of 5 minutes (24 hours)."""
EXTRA_PERIODS: Final = 2
"""The evaluation range holds this many periods more than ``evaluationPeriods`` (the Lightsail guide's N + 2)."""

COMPARISONS: Final = {
    "GreaterThanOrEqualToThreshold": (">=", "greater than or equal to"),
    "GreaterThanThreshold": (">", "greater than"),
    "LessThanThreshold": ("<", "less than"),
    "LessThanOrEqualToThreshold": ("<=", "less than or equal to"),
}
"""Each ``comparisonOperator`` with its symbol and its words, as messages show it."""


def breaches(comparison_operator: str, value: float, threshold: float) -> bool:
    if comparison_operator == "GreaterThanOrEqualToThreshold":
        return value >= threshold
    if comparison_operator == "GreaterThanThreshold":
        return value > threshold
    if comparison_operator == "LessThanThreshold":
        return value < threshold
    if comparison_operator == "LessThanOrEqualToThreshold":
        return value <= threshold
    raise ValueError(f"unknown comparison operator {comparison_operator!r}")


@dataclass(frozen=True, slots=True)
class MonitoredResource:
    """One of the user's instances, load balancers or databases, known by its name within the scope."""

    account_id: str
    region: str
    name: str
    resource_type: str
    id: str
    created_at: float

    @property
    def arn(self) -> str:
        return lightsail_arn(self.region, self.account_id, self.resource_type, self.id)


@dataclass(frozen=True, slots=True)
class MetricAggregate:
    """The datapoints of one metric in one period (of 1 minute, 5 minutes, an hour, or a Get*MetricData period),
    kept as the figures every statistic derives from."""

    period_start: int
    sample_count: int
    sum: float
    minimum: float
    maximum: float

    def statistic(self, name: str) -> float:
        """The value of ``name`` (``Average``, ``Sum``, ``Minimum``, ``Maximum``, ``SampleCount``) for the period."""
        if name == "Average":
            return self.sum / self.sample_count
        if name == "Sum":
            return self.sum
        if name == "Minimum":
            return self.minimum
        if name == "Maximum":
            return self.maximum
        if name == "SampleCount":
            return float(self.sample_count)
        raise ValueError(f"unknown statistic {name!r}")

    def merged(self, other: MetricAggregate) -> MetricAggregate:
        """Both aggregates of one period as one."""
        return MetricAggregate(
            self.period_start,
            self.sample_count + other.sample_count,
            self.sum + other.sum,
            min(self.minimum, other.minimum),
            max(self.maximum, other.maximum),
        )


@dataclass(frozen=True, slots=True)
class MetricSeries:
    """Datapoints of one metric of one resource, as 1-minute aggregates: one item of an ingestion batch."""

    resource: MonitoredResource
    metric_name: str
    minutes: Sequence[MetricAggregate]
    """One aggregate per minute (``period_start`` a multiple of 60); several of one minute add up."""


@dataclass(frozen=True, slots=True)
class Alarm:
    account_id: str
    region: str
    name: str
    id: str
    created_at: float
    resource: MonitoredResource
    metric_name: str
    comparison_operator: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    contact_protocols: tuple[str, ...]
    notification_triggers: tuple[str, ...]
    notification_enabled: bool
    state: str = INSUFFICIENT_DATA
    state_reason: str = "Unchecked: the alarm was just created."
    state_changed_at: float = 0.0
    revision: int = 0
    """Grows by one with every change of configuration or state: the version a compare-and-set checks."""
    tags: tuple[Tag, ...] = field(default=())

    @property
    def arn(self) -> str:
        return lightsail_arn(self.region, self.account_id, ALARM_RESOURCE_TYPE, self.id)


@dataclass(frozen=True, slots=True)
class AlarmStateChange:
    """A change of an alarm's state, recorded with why it happened and the datapoints that decided it."""

    account_id: str
    region: str
    alarm_name: str
    alarm_id: str
    revision: int
    """The alarm's revision after the change."""
    changed_at: float
    old_state: str
    new_state: str
    reason: str
    datapoints: tuple[tuple[int, float | None], ...] = ()
    """(period start, value) of the periods evaluated, oldest first; None for a missing period."""
    notified: tuple[tuple[str, str], ...] = ()
    """(protocol, destination) of the notifications enqueued with the change."""
