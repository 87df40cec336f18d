"""Reading metric data back: the datapoints of one resource's metric over a time range, for a statistic and a period.

The store keeps 5-minute aggregates (count, sum, minimum, maximum); a longer period merges the aggregates it spans,
so every statistic of it is exact. This is the one read path: the console's graphs use it, and an API that serves
metric data (Lightsail's Get*MetricData) is meant to build on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lsnotify.domain import Scope
from lsnotify.domain.alarms import MetricAggregate
from lsnotify.domain.metrics import PERIOD_SECONDS, period_start
from lsnotify.errors import InvalidInputException
from lsnotify.storage.base import Store

STATISTICS = ("Average", "Sum", "Minimum", "Maximum", "SampleCount")


@dataclass(frozen=True, slots=True)
class Datapoint:
    timestamp: int
    """The start of the period, in epoch seconds."""
    value: float
    sample_count: int
    """How many datapoints the period holds."""


def check_period(period: int) -> int:
    if period < PERIOD_SECONDS or period % PERIOD_SECONDS:
        raise InvalidInputException(f"period: must be a multiple of {PERIOD_SECONDS} seconds (got {period}).")
    return period


def check_statistic(statistic: str) -> str:
    if statistic not in STATISTICS:
        raise InvalidInputException(f"statistics: must be one of {', '.join(STATISTICS)} (got {statistic!r}).")
    return statistic


def merge_periods(aggregates: list[MetricAggregate], period: int) -> list[MetricAggregate]:
    """The 5-minute ``aggregates`` (oldest first) merged into periods of ``period`` seconds, aligned on the epoch."""
    merged: list[MetricAggregate] = []
    for aggregate in aggregates:
        start = aggregate.period_start // period * period
        if merged and merged[-1].period_start == start:
            merged[-1] = merged[-1].merged(aggregate)
        else:
            merged.append(replace(aggregate, period_start=start))
    return merged


async def read_datapoints(
    store: Store,
    scope: Scope,
    resource_name: str,
    metric_name: str,
    *,
    start: float,
    end: float,
    statistic: str,
    period: int,
) -> list[Datapoint]:
    """The metric's datapoints whose period starts within ``[start, end)``, oldest first; periods without data are
    left out. ``period`` is a multiple of 5 minutes; ``statistic`` is one of ``STATISTICS``."""
    check_period(period)
    check_statistic(statistic)
    first = int(start // period * period)
    if first < start:
        first += period
    last = period_start(end - 1)
    if last < first:
        return []
    aggregates = await store.get_metric_data(scope, resource_name, metric_name, first, last)
    return [
        Datapoint(aggregate.period_start, aggregate.statistic(statistic), aggregate.sample_count)
        for aggregate in merge_periods(aggregates, period)
        if aggregate.period_start < end
    ]
