"""Reading metric datapoints back (service/alarms/metric_read.py) from a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lsnotify.domain import Scope
from lsnotify.domain.alarms import INSTANCE, MonitoredResource
from lsnotify.errors import InvalidInputException
from lsnotify.service.alarms.metric_read import Datapoint, read_datapoints
from lsnotify.service.alarms.metrics import aggregate
from lsnotify.storage.base import Store
from lsnotify.storage.sqlite.store import SqliteStore

SCOPE = Scope("111122223333", "us-east-1")
WEB = MonitoredResource(SCOPE.account_id, SCOPE.region, "web-1", INSTANCE, "r-1", 0.0)
T0 = 1_800_000_000 // 3600 * 3600  # on the hour


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = SqliteStore(tmp_path / "lsnotify.db")
    await store.open()
    await store.migrate()
    # Four 5-minute periods: 10 and 20 in the first, 30, 40, and (after a gap) 50 at T0 + 25 min.
    points = [(T0 + 1, 10.0), (T0 + 2, 20.0), (T0 + 300, 30.0), (T0 + 600, 40.0), (T0 + 1500, 50.0)]
    await store.put_metric_data(WEB, "CPUUtilization", aggregate(points))
    try:
        yield store
    finally:
        await store.close()


async def read(store: Store, statistic: str, period: int, start: float = T0, end: float = T0 + 3600) -> list[Datapoint]:
    return await read_datapoints(
        store, SCOPE, "web-1", "CPUUtilization", start=start, end=end, statistic=statistic, period=period
    )


async def test_five_minute_periods_each_statistic(store: Store) -> None:
    assert [(p.timestamp - T0, p.value) for p in await read(store, "Average", 300)] == [
        (0, 15.0), (300, 30.0), (600, 40.0), (1500, 50.0)
    ]  # fmt: skip
    assert [p.value for p in await read(store, "Maximum", 300)] == [20.0, 30.0, 40.0, 50.0]
    assert [p.value for p in await read(store, "SampleCount", 300)] == [2.0, 1.0, 1.0, 1.0]


async def test_longer_periods_merge_the_aggregates_exactly(store: Store) -> None:
    fifteen = await read(store, "Average", 900)
    assert [(p.timestamp - T0, p.value, p.sample_count) for p in fifteen] == [(0, 25.0, 4), (900, 50.0, 1)]
    assert [p.value for p in await read(store, "Sum", 3600)] == [150.0]
    assert [p.value for p in await read(store, "Minimum", 3600)] == [10.0]


async def test_the_range_is_start_inclusive_end_exclusive(store: Store) -> None:
    assert [p.timestamp - T0 for p in await read(store, "Sum", 300, T0 + 300, T0 + 900)] == [300, 600]
    assert await read(store, "Sum", 300, T0 + 900, T0 + 900) == []
    # A range starting inside a period begins with the next whole one.
    assert [p.timestamp - T0 for p in await read(store, "Sum", 300, T0 + 1, T0 + 900)] == [300, 600]


async def test_bad_period_or_statistic_is_refused(store: Store) -> None:
    with pytest.raises(InvalidInputException, match="period: must be a multiple of 300"):
        await read(store, "Sum", 60)
    with pytest.raises(InvalidInputException, match="statistics: must be one of"):
        await read(store, "p99", 300)
