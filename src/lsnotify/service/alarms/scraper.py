"""The scraper: every interval, fetch each due Instance's node_exporter and store the metrics its counters give.

``run_once(now)`` claims the due targets (``Store.claim_scrape_targets``) and scrapes them, up to ``concurrency`` at
once, each under ``timeout`` seconds in all, and for each records the counters read and when it is next
due (``Store.record_scrape``), then stores its datapoints (``node_exporter.derive``, or ``failed`` for a scrape that
was refused, timed out, answered other than HTTP 200 or not with a node_exporter's metrics) through the same
ingestion path as PutMetricData. The counters are recorded before the datapoints are stored, under the claim: a
scraper that lost its lease stores nothing, so an interval is never counted twice.

Targets are due on a grid of ``interval`` seconds, looked for every half interval (at most every 5 seconds).
``run()`` repeats until ``stop()``. The scraper runs inside ``lsnotify serve`` (unless ``--no-run-scraper``) or as
``lsnotify scraper``; any number may share one database, each target going to one of them at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import httpx

from lsnotify.clock import Clock
from lsnotify.config import Settings
from lsnotify.domain import Scope
from lsnotify.domain.alarms import INSTANCE
from lsnotify.domain.scrape import ClaimedTarget, NodeCounters, ScrapeTarget
from lsnotify.process import process_name
from lsnotify.service.alarms.datums import Target
from lsnotify.service.alarms.ingest import IngestReport, MappedPoint, store_points
from lsnotify.service.alarms.node_exporter import Datapoint, NotNodeMetrics, derive, failed, parse_counters
from lsnotify.service.background import finish
from lsnotify.storage.base import Store

log = logging.getLogger("lsnotify.scraper")

LEASE_MARGIN_SECONDS = 30.0
"""A claim's lease is the scrape timeout and this much more, for recording the scrape and storing its datapoints."""
MAX_BODY_BYTES = 16 * 1024 * 1024
"""A node_exporter's page is tens of kilobytes; a larger answer is not one and fails the scrape."""
LONGEST_POLL_SECONDS = 5.0
SHORTEST_MAX_GAP_SECONDS = 900.0
"""Two scrapes at most this far apart (or three intervals, if longer) give differences: a 5-minute period's worth of
failed scrapes, and more, still continues the series."""


class ScrapeFailed(Exception):
    """The target did not answer with a node_exporter's metrics; the message says why."""


def next_due(now: float, interval: float) -> float:
    """The first instant of the ``interval`` grid after ``now``."""
    return (now // interval + 1) * interval


class Scraper:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        interval: float,
        timeout: float,
        concurrency: int,
        name: str | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.interval = interval
        self.timeout = timeout
        self.concurrency = concurrency
        self.max_gap = max(3 * interval, SHORTEST_MAX_GAP_SECONDS)
        self.name = name or process_name()
        self._http: httpx.AsyncClient | None = None
        self._failing: set[tuple[str, str, str]] = set()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self, now: float) -> int:
        """Scrape every target due at ``now``; return how many were scraped (successfully or not) by this scraper.

        Up to ``concurrency`` scrapes run at once, and more targets are claimed as soon as half the slots are free,
        so a target that hangs until the timeout holds up one slot, not a whole batch."""
        scraped = 0
        lease = self.timeout + LEASE_MARGIN_SECONDS
        running: set[asyncio.Task[bool]] = set()
        more = True
        try:
            while True:
                free = self.concurrency - len(running)
                if more and free * 2 >= self.concurrency and not self._stopping.is_set():
                    claimed = await self._store.claim_scrape_targets(self.name, now, free, lease)
                    more = len(claimed) == free
                    running.update(asyncio.create_task(self._scrape_logging_errors(c, now)) for c in claimed)
                if not running:
                    return scraped
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                scraped += sum(task.result() for task in done)
        finally:
            for task in running:  # only when cancelled: the scrapes go with the tick
                task.cancel()

    async def _scrape_logging_errors(self, claimed: ClaimedTarget, now: float) -> bool:
        target = claimed.target
        try:
            return await self.scrape(claimed, now)
        except Exception:
            log.exception("scraping %s (account %s, %s) failed", target.resource_name, target.account_id, target.region)
            return False

    async def scrape(self, claimed: ClaimedTarget, now: float) -> bool:
        """Scrape one claimed target (claimed at ``now``), record it and store its datapoints; False when the claim no
        longer held. The target is next due on the grid after ``now`` and after the scrape began, so one tick never
        scrapes it twice."""
        target = claimed.target
        started = self._clock()
        try:
            counters: NodeCounters | None = await self.fetch(target.url)
        except ScrapeFailed as exc:
            counters = None
            self._note_failure(target, str(exc))
        else:
            self._note_success(target)
        at = counters.at if counters is not None else self._clock()
        if not await self._store.record_scrape(claimed, counters, next_due(max(now, started), self.interval)):
            log.info("lost the claim on %s's scrape target meanwhile; its scrape is dropped", target.resource_name)
            return False
        points = failed() if counters is None else derive(target.counters, counters, self.max_gap)
        await self._store_datapoints(target, points, at)
        log.debug("scraper %s scraped %s: %s", self.name, target.resource_name, dict(points))
        return True

    @property
    def _client(self) -> httpx.AsyncClient:
        """The HTTP client of every scrape, made on first use (inside the event loop)."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.timeout,
                follow_redirects=False,
                trust_env=False,  # a proxy set for the process's own calls is no way to reach the watched machines
                limits=httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency),
                headers={"Accept": "text/plain;version=0.0.4"},
            )
        return self._http

    async def fetch(self, url: str) -> NodeCounters:
        """The counters at ``url``, or ``ScrapeFailed``: within ``timeout`` seconds in all, HTTP 200, a node_exporter's
        metrics in at most ``MAX_BODY_BYTES``."""
        try:
            async with asyncio.timeout(self.timeout), self._client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise ScrapeFailed(f"HTTP {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise ScrapeFailed(f"the answer is larger than {MAX_BODY_BYTES} bytes")
        except TimeoutError:
            raise ScrapeFailed(f"no answer within {self.timeout:g} seconds") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise ScrapeFailed(f"{type(exc).__name__}: {exc}") from None
        try:
            return parse_counters(body.decode("utf-8", errors="replace"), self._clock())
        except NotNodeMetrics as exc:
            raise ScrapeFailed(str(exc)) from None

    async def _store_datapoints(self, target: ScrapeTarget, points: Sequence[Datapoint], at: float) -> None:
        """The one place the scraper hands datapoints to metric ingestion."""
        mapped = [
            MappedPoint(Target(INSTANCE, target.resource_name, metric), at, 1, value, value, value)
            for metric, value in points
        ]
        report = IngestReport()
        # No resource cap (0): a target's resource was registered by the operator, so it already exists.
        scope = Scope(target.account_id, target.region)
        await store_points(self._store, scope, mapped, self._clock(), report, max_resources=0)
        if report.unmapped:
            log.warning(
                "%d datapoint(s) of %s were not stored: %s",
                len(report.unmapped),
                target.resource_name,
                ", ".join(sorted({item.reason for item in report.unmapped})),
            )

    def _note_failure(self, target: ScrapeTarget, reason: str) -> None:
        key = (target.account_id, target.region, target.resource_name)
        if key not in self._failing:
            self._failing.add(key)
            log.warning("scrape of %s (%s) failed: %s", target.resource_name, target.url, reason)

    def _note_success(self, target: ScrapeTarget) -> None:
        key = (target.account_id, target.region, target.resource_name)
        if key in self._failing:
            self._failing.discard(key)
            log.info("scrape of %s (%s) succeeds again", target.resource_name, target.url)

    async def run(self) -> None:
        """Scrape what is due every half interval (at most every 5 seconds) until ``stop()``."""
        poll = min(self.interval / 2, LONGEST_POLL_SECONDS)
        log.info("scraper %s scraping node_exporter targets every %g seconds", self.name, self.interval)
        while not self._stopping.is_set():
            try:
                await self.run_once(self._clock())
            except Exception:
                log.exception("scraping failed; trying again in %g seconds", poll)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=poll)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="lsnotify-scraper")

    async def stop(self, timeout: float = 30.0) -> None:
        """Let the scrapes in progress finish (up to ``timeout`` seconds, then cancel them) and close connections."""
        self._stopping.set()
        if self._task is not None:
            await finish(self._task, timeout, "scraper", log)
            self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def scraper_of(settings: Settings, store: Store, clock: Clock) -> Scraper:
    """The scraper the settings describe."""
    return Scraper(
        store,
        clock,
        interval=settings.scrape_interval,
        timeout=settings.scrape_timeout,
        concurrency=settings.scrape_concurrency,
    )
