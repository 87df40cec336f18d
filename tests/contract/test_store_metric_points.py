"""The Store contract for metric points: every datapoint at 1 minute, 5 minutes and 1 hour, batches in one
transaction, and downsampling by pruning each resolution, tested through the interface alone on both dialects."""

from __future__ import annotations

import asyncio

from lsnotify.domain import Scope, new_id
from lsnotify.domain.alarms import INSTANCE, LOAD_BALANCER, MetricAggregate, MetricSeries, MonitoredResource
from lsnotify.domain.metrics import HOUR, MINUTE, PERIOD_SECONDS
from lsnotify.storage.base import Store

SCOPE = Scope("111111111111", "us-east-1")
NOW = 1_800_000_000.0
H0 = 1_800_000_000 - 1_800_000_000 % 3600  # an hour's start


def resource(name: str = "web-1", kind: str = INSTANCE) -> MonitoredResource:
    return MonitoredResource(SCOPE.account_id, SCOPE.region, name, kind, new_id(), NOW)


def point(start: int, value: float) -> MetricAggregate:
    return MetricAggregate(start, 1, value, value, value)


async def read(store: Store, resolution: int, name: str = "web-1", metric: str = "CPUUtilization") -> list[object]:
    return list(await store.get_metric_data(SCOPE, name, metric, 0, 2**40, resolution))


async def test_each_datapoint_counts_in_its_minute_its_five_minutes_and_its_hour(store: Store) -> None:
    # Minutes 0, 1, 4 and 5 of one hour, and minute 0 of the next; minute 1 twice.
    minutes = [point(H0, 10), point(H0 + 60, 20), point(H0 + 60, 40), point(H0 + 240, 5), point(H0 + 300, 1)]
    await store.put_metric_batch([MetricSeries(resource(), "CPUUtilization", [*minutes, point(H0 + HOUR, 7)])])
    assert await read(store, MINUTE) == [
        MetricAggregate(H0, 1, 10, 10, 10),
        MetricAggregate(H0 + 60, 2, 60, 20, 40),
        MetricAggregate(H0 + 240, 1, 5, 5, 5),
        MetricAggregate(H0 + 300, 1, 1, 1, 1),
        MetricAggregate(H0 + HOUR, 1, 7, 7, 7),
    ]
    assert await read(store, PERIOD_SECONDS) == [
        MetricAggregate(H0, 4, 75, 5, 40),
        MetricAggregate(H0 + 300, 1, 1, 1, 1),
        MetricAggregate(H0 + HOUR, 1, 7, 7, 7),
    ]
    assert await read(store, HOUR) == [MetricAggregate(H0, 5, 76, 1, 40), MetricAggregate(H0 + HOUR, 1, 7, 7, 7)]
    # A late datapoint of a minute already stored adds to all three.
    await store.put_metric_data(resource(), "CPUUtilization", [point(H0 + 30, -3)])
    assert (await read(store, MINUTE))[0] == MetricAggregate(H0, 2, 7, -3, 10)
    assert (await read(store, PERIOD_SECONDS))[0] == MetricAggregate(H0, 5, 72, -3, 40)
    assert (await read(store, HOUR))[0] == MetricAggregate(H0, 6, 73, -3, 40)


async def test_a_batch_stores_every_series_and_skips_a_resource_of_another_type(store: Store) -> None:
    lb = resource("lb-1", LOAD_BALANCER)
    await store.add_resource(lb)
    web = resource()
    stored = await store.put_metric_batch(
        [
            MetricSeries(web, "CPUUtilization", [point(H0, 1)]),
            MetricSeries(resource("lb-1"), "CPUUtilization", [point(H0, 2)]),  # lb-1 is a load balancer
            MetricSeries(web, "NetworkIn", [point(H0, 3)]),
        ]
    )
    assert stored == [web, lb, web]
    assert await read(store, MINUTE) == [point(H0, 1)]
    assert await read(store, MINUTE, metric="NetworkIn") == [point(H0, 3)]
    assert await read(store, MINUTE, name="lb-1") == []
    assert await store.get_resource(SCOPE, "web-1") == web


async def test_pruning_downsamples_each_resolution_by_its_cutoff_and_is_idempotent(store: Store) -> None:
    day = 86400
    minutes = [point(H0 - d * day, d) for d in range(4)]  # one point a day, 0 to 3 days old
    await store.put_metric_batch([MetricSeries(resource(), "CPUUtilization", minutes)])
    cutoffs = {MINUTE: H0 - day + 1, PERIOD_SECONDS: H0 - 2 * day + 1, HOUR: H0 - 3 * day + 1}
    assert await store.prune_metric_data(cutoffs, 0) == 3 + 2 + 1
    assert [p.period_start for p in await read(store, MINUTE)] == [H0]  # type: ignore[attr-defined]
    assert [p.period_start for p in await read(store, PERIOD_SECONDS)] == [H0 - day, H0]  # type: ignore[attr-defined]
    assert [p.period_start for p in await read(store, HOUR)] == [H0 - 2 * day, H0 - day, H0]  # type: ignore[attr-defined]
    assert await store.prune_metric_data(cutoffs, 0) == 0  # a second node running the same prune finds nothing


async def test_concurrent_batches_over_the_same_points_add_up_without_deadlock(store: Store) -> None:
    names = [f"web-{i}" for i in range(6)]

    def batch(order: list[str]) -> list[MetricSeries]:
        return [MetricSeries(resource(n), m, [point(H0, 1), point(H0 + 60, 2)]) for n in order for m in ("A", "B")]

    orders = [names, names[::-1], names[3:] + names[:3]] * 4
    await asyncio.gather(*(store.put_metric_batch(batch(order)) for order in orders))
    for name in names:
        for metric in ("A", "B"):
            assert await read(store, HOUR, name, metric) == [MetricAggregate(H0, 24, 36, 1, 2)]


async def test_deleting_a_resource_deletes_its_points_and_a_new_one_starts_afresh(store: Store) -> None:
    await store.put_metric_batch([MetricSeries(resource(), "CPUUtilization", [point(H0, 1), point(H0 + 60, 2)])])
    await store.delete_resource(SCOPE, "web-1")
    assert await read(store, MINUTE) == [] and await read(store, HOUR) == []
    # A new resource of that name, and its series (whose id the database may give again), hold only their own points.
    await store.put_metric_batch([MetricSeries(resource(), "CPUUtilization", [point(H0, 5)])])
    assert await read(store, MINUTE) == [point(H0, 5)]
    assert await read(store, HOUR) == [point(H0, 5)]
