"""The Store contract for scrape targets: setting, changing and removing an Instance's node_exporter URL, the counters
that carry a series across scrapers, and claims that give each due target to exactly one scraper."""

from __future__ import annotations

import asyncio

import pytest

from lsnotify.domain import Scope, new_id
from lsnotify.domain.alarms import INSTANCE, LOAD_BALANCER, MonitoredResource
from lsnotify.domain.scrape import NodeCounters
from lsnotify.storage.base import RecordNotFound, ResourceTypeMismatch, Store

SCOPE = Scope("111111111111", "us-east-1")
OTHER = Scope("222222222222", "eu-west-1")
NOW = 1_800_000_000.0
URL = "http://127.0.0.1:9100/metrics"
LEASE = 30.0


async def instance(store: Store, name: str = "web-1", scope: Scope = SCOPE, kind: str = INSTANCE) -> str:
    await store.add_resource(MonitoredResource(scope.account_id, scope.region, name, kind, new_id(), NOW))
    return name


def counters(at: float, rx: float = 1e9) -> NodeCounters:
    return NodeCounters(at, 12.5, 100.25, {"eth0": rx, "eth1": 3.0}, {"eth0": 7.0})


async def test_a_target_is_set_listed_and_deleted_with_its_resource(store: Store) -> None:
    await instance(store, "web-1")
    await instance(store, "web-2")
    await instance(store, "web-1", OTHER)
    first = await store.set_scrape_target(SCOPE, "web-1", URL, NOW)
    assert (first.account_id, first.region) == (SCOPE.account_id, SCOPE.region)
    assert (first.resource_name, first.url) == ("web-1", URL)
    assert (first.created_at, first.due_at, first.counters) == (NOW, NOW, None)
    await store.set_scrape_target(SCOPE, "web-2", "http://10.0.0.2:9100/metrics", NOW)
    await store.set_scrape_target(OTHER, "web-1", URL, NOW)

    assert [t.resource_name for t in await store.list_scrape_targets(SCOPE)] == ["web-1", "web-2"]
    assert [(t.account_id, t.resource_name) for t in await store.list_scrape_targets()] == [
        (SCOPE.account_id, "web-1"),
        (SCOPE.account_id, "web-2"),
        (OTHER.account_id, "web-1"),
    ]
    await store.delete_scrape_target(SCOPE, "web-2")
    with pytest.raises(RecordNotFound):
        await store.delete_scrape_target(SCOPE, "web-2")
    assert await store.get_resource(SCOPE, "web-2") is not None  # the resource stays

    await store.delete_resource(SCOPE, "web-1")  # and its target goes with it
    assert await store.list_scrape_targets(SCOPE) == []
    assert len(await store.list_scrape_targets(OTHER)) == 1


async def test_only_an_existing_instance_can_be_scraped(store: Store) -> None:
    with pytest.raises(RecordNotFound):
        await store.set_scrape_target(SCOPE, "nowhere", URL, NOW)
    await instance(store, "lb-1", kind=LOAD_BALANCER)
    with pytest.raises(ResourceTypeMismatch):
        await store.set_scrape_target(SCOPE, "lb-1", URL, NOW)
    assert await store.list_scrape_targets() == []


async def test_counters_carry_over_until_the_url_changes(store: Store) -> None:
    await instance(store)
    await store.set_scrape_target(SCOPE, "web-1", URL, NOW)
    (claimed,) = await store.claim_scrape_targets("a", NOW, 10, LEASE)
    assert claimed.target.counters is None
    assert await store.record_scrape(claimed, counters(NOW), NOW + 60)

    (stored,) = await store.list_scrape_targets(SCOPE)
    assert stored.counters == counters(NOW) and stored.due_at == NOW + 60
    again = await store.set_scrape_target(SCOPE, "web-1", URL, NOW + 5)  # the same URL: nothing changes
    assert again == stored

    (claimed,) = await store.claim_scrape_targets("b", NOW + 60, 10, LEASE)
    assert claimed.target.counters == counters(NOW)  # another scraper continues the series
    assert await store.record_scrape(claimed, None, NOW + 120)  # a failed scrape keeps the counters
    (stored,) = await store.list_scrape_targets(SCOPE)
    assert stored.counters == counters(NOW) and stored.due_at == NOW + 120

    moved = await store.set_scrape_target(SCOPE, "web-1", "http://127.0.0.1:9101/metrics", NOW + 70)
    assert (moved.url, moved.counters, moved.due_at) == ("http://127.0.0.1:9101/metrics", None, NOW + 70)


async def test_a_claim_leases_due_targets_and_a_lapsed_lease_lets_another_take_over(store: Store) -> None:
    for name in ("web-1", "web-2", "web-3"):
        await instance(store, name)
        await store.set_scrape_target(SCOPE, name, URL, NOW)
    assert await store.claim_scrape_targets("a", NOW - 1, 10, LEASE) == []  # nothing due yet

    first = await store.claim_scrape_targets("a", NOW, 2, LEASE)
    assert [c.target.resource_name for c in first] == ["web-1", "web-2"]
    (third,) = await store.claim_scrape_targets("b", NOW, 10, LEASE)
    assert third.target.resource_name == "web-3"
    assert await store.record_scrape(third, counters(NOW), NOW + 60)
    assert await store.claim_scrape_targets("c", NOW + LEASE - 1, 10, LEASE) == []  # all leased

    # "a" died holding web-1 and web-2: their leases run out and "c" takes them over.
    taken = await store.claim_scrape_targets("c", NOW + LEASE, 10, LEASE)
    assert sorted(c.target.resource_name for c in taken) == ["web-1", "web-2"]
    assert not await store.record_scrape(first[0], counters(NOW), NOW + 60)  # a's claim no longer holds
    assert await store.record_scrape(taken[0], counters(NOW + LEASE), NOW + 90)
    (web_1, *_) = await store.list_scrape_targets(SCOPE)
    assert web_1.counters == counters(NOW + LEASE)


async def test_a_removed_or_moved_target_records_nothing(store: Store) -> None:
    await instance(store)
    await store.set_scrape_target(SCOPE, "web-1", URL, NOW)
    (claimed,) = await store.claim_scrape_targets("a", NOW, 10, LEASE)
    await store.set_scrape_target(SCOPE, "web-1", "http://127.0.0.1:9200/metrics", NOW + 1)
    assert not await store.record_scrape(claimed, counters(NOW), NOW + 60)
    (stored,) = await store.list_scrape_targets(SCOPE)
    assert stored.counters is None
    (claimed,) = await store.claim_scrape_targets("a", NOW + 1, 10, LEASE)
    await store.delete_scrape_target(SCOPE, "web-1")
    assert not await store.record_scrape(claimed, counters(NOW), NOW + 60)


async def test_concurrent_claims_share_out_the_due_targets(store: Store) -> None:
    names = [f"host-{i:02d}" for i in range(24)]
    for name in names:
        await instance(store, name)
        await store.set_scrape_target(SCOPE, name, URL, NOW)
    batches = await asyncio.gather(*(store.claim_scrape_targets(f"s{i}", NOW, 5, LEASE) for i in range(8)))
    claimed = [c.target.resource_name for batch in batches for c in batch]
    assert sorted(claimed) == names  # each exactly once
