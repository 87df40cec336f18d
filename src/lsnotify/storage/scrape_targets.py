"""Scrape targets in any dialect: setting and removing an Instance's node_exporter URL, and the claims and records of
the scrapers that watch them.

A target is due when its ``due_at`` has passed. Claiming it moves ``due_at`` to the end of a lease and marks it with
the claimer's token; recording the scrape (its counters, the next due time) is a compare-and-set on that token, so a
scraper whose lease ran out, and whose target another scraper claimed meanwhile, records nothing. On PostgreSQL the
claim's ``FOR UPDATE SKIP LOCKED`` makes scrapers on any node take disjoint targets without waiting for each other; on
SQLite the one writer runs each claim alone.
"""

from __future__ import annotations

import secrets

from lsnotify.domain import Scope
from lsnotify.domain.alarms import INSTANCE
from lsnotify.domain.scrape import ClaimedTarget, NodeCounters, ScrapeTarget
from lsnotify.storage import queries
from lsnotify.storage.base import RecordNotFound, ResourceTypeMismatch
from lsnotify.storage.executor import Executor
from lsnotify.storage.rows import counters_value, resource_from_row, scrape_target_from_row


async def set_target(ex: Executor, scope: Scope, resource_name: str, url: str, now: float) -> ScrapeTarget:
    # KEY SHARE: the resource cannot be deleted before the target referring to it commits.
    row = await ex.fetchrow(queries.KEY_SHARE_RESOURCE, scope.account_id, scope.region, resource_name)
    if row is None:
        raise RecordNotFound(resource_name)
    resource = resource_from_row(row)
    if resource.resource_type != INSTANCE:
        raise ResourceTypeMismatch(resource)
    values = (scope.account_id, scope.region, resource_name, url, now, now, None)
    stored = await ex.fetchrow(queries.SET_SCRAPE_TARGET, *values)
    assert stored is not None
    return scrape_target_from_row(stored, ex.load)


async def delete_target(ex: Executor, scope: Scope, resource_name: str) -> None:
    if await ex.execute(queries.DELETE_SCRAPE_TARGET, scope.account_id, scope.region, resource_name) == 0:
        raise RecordNotFound(resource_name)


async def list_targets(ex: Executor, scope: Scope | None) -> list[ScrapeTarget]:
    if scope is None:
        rows = await ex.fetch(queries.LIST_ALL_SCRAPE_TARGETS)
    else:
        rows = await ex.fetch(queries.LIST_SCRAPE_TARGETS, scope.account_id, scope.region)
    return [scrape_target_from_row(row, ex.load) for row in rows]


async def claim(ex: Executor, scraper: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedTarget]:
    token = f"{scraper}/{secrets.token_hex(8)}"
    rows = await ex.fetch(queries.CLAIM_SCRAPE_TARGETS, token, now + lease_seconds, now, limit)
    claimed = [ClaimedTarget(scrape_target_from_row(row, ex.load), token) for row in rows]
    claimed.sort(key=lambda c: (c.target.account_id, c.target.region, c.target.resource_name))
    return claimed


async def record(ex: Executor, claimed: ClaimedTarget, counters: NodeCounters | None, next_due_at: float) -> bool:
    target = claimed.target
    changed = await ex.execute(
        queries.RECORD_SCRAPE,
        counters_value(counters, ex.dump),
        next_due_at,
        *(target.account_id, target.region, target.resource_name, claimed.claim),
    )
    return changed == 1
