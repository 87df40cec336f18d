"""read_datapoints: which stored resolution a range is read from (as CloudWatch chooses), how periods are cut, and
its refusals; against a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lsnotify.config import load_settings
from lsnotify.domain import Scope
from lsnotify.domain.alarms import MetricAggregate, MetricSeries, MonitoredResource
from lsnotify.domain.metrics import HOUR, MINUTE, PERIOD_SECONDS, MetricRetention
from lsnotify.errors import InvalidInputException
from lsnotify.service.alarms.metric_data import finest_kept_resolution, read_datapoints
from lsnotify.storage.base import Store
from lsnotify.storage.factory import open_store

SCOPE = Scope("111111111111", "us-east-1")
DAY = 86400
NOW = float(1_800_000_000 - 1_800_000_000 % HOUR)
KEPT = MetricRetention()
WEB = MonitoredResource(SCOPE.account_id, SCOPE.region, "web-1", "Instance", "r-1", NOW)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(load_settings({"data_dir": str(tmp_path)})) as store:
        yield store


async def put(store: Store, *points: tuple[float, float]) -> None:
    minutes = [MetricAggregate(int(at // MINUTE) * MINUTE, 1, value, value, value) for at, value in points]
    await store.put_metric_batch([MetricSeries(WEB, "CPUUtilization", minutes)])


async def read(store: Store, start: float, end: float, period: int, now: float = NOW) -> list[MetricAggregate]:
    return await read_datapoints(store, SCOPE, "web-1", "CPUUtilization", start, end, period, now, KEPT)


def test_the_age_of_the_start_picks_the_finest_resolution_kept() -> None:
    assert finest_kept_resolution(NOW - 15 * DAY, NOW, KEPT) == MINUTE
    assert finest_kept_resolution(NOW - 15 * DAY - 1, NOW, KEPT) == PERIOD_SECONDS
    assert finest_kept_resolution(NOW - 63 * DAY - 1, NOW, KEPT) == HOUR
    assert finest_kept_resolution(NOW - 455 * DAY - 1, NOW, KEPT) is None


async def test_a_recent_range_is_read_by_the_minute_and_periods_start_at_the_start(store: Store) -> None:
    await put(store, (NOW - 3600 + 30, 1.0), (NOW - 3600 + 90, 2.0), (NOW - 3600 + 150, 4.0))
    # Two-minute periods from a start 20 seconds into a minute: rounded down to the minute.
    periods = await read(store, NOW - 3600 + 20, NOW, 120)
    assert periods == [MetricAggregate(int(NOW) - 3600, 2, 3.0, 1.0, 2.0), MetricAggregate(int(NOW) - 3480, 1, 4, 4, 4)]


async def test_an_older_range_is_read_from_coarser_points(store: Store) -> None:
    old = NOW - 20 * DAY  # past the 1-minute retention: 5-minute points
    await put(store, (old + 10, 1.0), (old + 70, 3.0), (old + 310, 5.0))
    await store.prune_metric_data(KEPT.cutoffs(NOW), 0)  # the 1-minute points go
    assert await read(store, old, old + 600, 300) == [
        MetricAggregate(int(old), 2, 4.0, 1.0, 3.0),
        MetricAggregate(int(old) + 300, 1, 5.0, 5.0, 5.0),
    ]
    with pytest.raises(InvalidInputException, match="multiple of 300"):
        await read(store, old, old + 600, 120)
    ancient = NOW - 100 * DAY  # past the 5-minute retention: hourly points
    await put(store, (ancient + 10, 7.0), (ancient + 1900, 9.0))
    await store.prune_metric_data(KEPT.cutoffs(NOW), 0)
    assert await read(store, ancient, ancient + 2 * HOUR, HOUR) == [MetricAggregate(int(ancient), 2, 16.0, 7.0, 9.0)]
    with pytest.raises(InvalidInputException, match="multiple of 3600"):
        await read(store, ancient, ancient + 2 * HOUR, 300)
    assert await read(store, NOW - 500 * DAY, NOW - 499 * DAY, HOUR) == []  # nothing is kept that long


@pytest.mark.parametrize(
    ("start", "end", "period", "fragment"),
    [
        (NOW - 600, NOW, 90, "whole number of minutes"),
        (NOW - 600, NOW, 86460, "whole number of minutes"),
        (NOW, NOW, 60, "before endTime"),
        (NOW - 1441 * 60, NOW, 60, "1441 periods"),
    ],
)
async def test_refusals(store: Store, start: float, end: float, period: int, fragment: str) -> None:
    with pytest.raises(InvalidInputException, match=fragment):
        await read(store, start, end, period)


async def test_1440_periods_is_the_most_a_read_may_span(store: Store) -> None:
    await put(store, (NOW - 60, 1.0))
    assert await read(store, NOW - 1440 * 60, NOW, 60) == [MetricAggregate(int(NOW) - 60, 1, 1.0, 1.0, 1.0)]


async def put_spread(store: Store) -> float:
    """Four 5-minute periods of the hour before NOW: 10 and 20 in the first, 30, 40, and (after a gap) 50 at 25
    minutes; returns the hour's start."""
    t0 = NOW - HOUR
    await put(store, (t0 + 1, 10.0), (t0 + 2, 20.0), (t0 + 300, 30.0), (t0 + 600, 40.0), (t0 + 1500, 50.0))
    return t0


async def test_five_minute_periods_give_each_statistic_and_leave_out_the_empty_ones(store: Store) -> None:
    t0 = await put_spread(store)
    periods = await read(store, t0, NOW, 300)
    assert [(p.period_start - t0, p.statistic("Average")) for p in periods] == [
        (0, 15.0), (300, 30.0), (600, 40.0), (1500, 50.0)
    ]  # fmt: skip
    assert [p.statistic("Maximum") for p in periods] == [20.0, 30.0, 40.0, 50.0]
    assert [p.statistic("SampleCount") for p in periods] == [2.0, 1.0, 1.0, 1.0]


async def test_longer_periods_merge_the_points_exactly(store: Store) -> None:
    t0 = await put_spread(store)
    fifteen = await read(store, t0, NOW, 900)
    assert [(p.period_start - t0, p.statistic("Average"), p.sample_count) for p in fifteen] == [
        (0, 25.0, 4), (900, 50.0, 1)
    ]  # fmt: skip
    (hour,) = await read(store, t0, NOW, HOUR)
    assert (hour.statistic("Sum"), hour.statistic("Minimum")) == (150.0, 10.0)


async def test_the_range_is_start_inclusive_end_exclusive(store: Store) -> None:
    t0 = await put_spread(store)
    assert [p.period_start - t0 for p in await read(store, t0 + 300, t0 + 900, 300)] == [300, 600]
    assert [p.period_start - t0 for p in await read(store, t0 + 300, t0 + 600, 300)] == [300]


def test_a_statistic_outside_the_five_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown statistic 'p99'"):
        MetricAggregate(0, 1, 1.0, 1.0, 1.0).statistic("p99")
