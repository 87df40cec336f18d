"""The scrape loop against a real HTTP server and a real store: what each way of failing gives, the series carried
from one scrape to the next, the schedule, and a scraper whose claim lapsed storing nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar, cast

import pytest

from lsnotify.config import ConfigError, load_settings
from lsnotify.domain import Scope, new_id
from lsnotify.domain.alarms import INSTANCE, MetricAggregate, MonitoredResource
from lsnotify.service.alarms.scraper import Scraper, next_due, scraper_of
from lsnotify.storage.base import Store
from lsnotify.storage.factory import open_store

SCOPE = Scope("111111111111", "us-east-1")
NOW = 1_800_000_000.0
TIMEOUT = 0.5


def page(busy: float, idle: float, rx: float) -> bytes:
    return (
        "# TYPE node_cpu_seconds_total counter\n"
        f'node_cpu_seconds_total{{cpu="0",mode="user"}} {busy}\n'
        f'node_cpu_seconds_total{{cpu="0",mode="idle"}} {idle}\n'
        "# TYPE node_network_receive_bytes_total counter\n"
        f'node_network_receive_bytes_total{{device="eth0"}} {rx}\n'
        f'node_network_receive_bytes_total{{device="lo"}} {rx * 10}\n'
    ).encode()


class Exporter(BaseHTTPRequestHandler):
    """``/ok`` serves ``pages`` in turn; ``/missing`` is a 404, ``/garbage`` not metrics, ``/slow`` too slow."""

    pages: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(TIMEOUT * 10)
        if self.path == "/missing":
            self.send_error(404)
            return
        body = self.pages.pop(0) if self.path == "/ok" else b"<html>hello</html>"
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the scraper gave up on a slow answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Exporter)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(load_settings({"data_dir": str(tmp_path)})) as opened:
        yield opened


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


async def watched(store: Store, name: str, url: str) -> None:
    await store.add_resource(MonitoredResource(SCOPE.account_id, SCOPE.region, name, INSTANCE, new_id(), NOW))
    await store.set_scrape_target(SCOPE, name, url, NOW)


async def metric(store: Store, name: str, metric_name: str) -> list[MetricAggregate]:
    return await store.get_metric_data(SCOPE, name, metric_name, 0, 2**40)


def values(periods: list[MetricAggregate]) -> list[tuple[int, float]]:
    return [(p.sample_count, p.sum) for p in periods]


async def test_each_way_of_failing_fails_the_status_checks(store: Store, base_url: str) -> None:
    for path in ("missing", "garbage", "slow"):
        await watched(store, path, f"{base_url}/{path}")
    await watched(store, "refused", "http://127.0.0.1:1/metrics")
    scraper = Scraper(store, Clock(), interval=60, timeout=TIMEOUT, concurrency=8)
    started = time.monotonic()
    assert await scraper.run_once(NOW) == 4
    assert time.monotonic() - started < TIMEOUT * 6  # the slow one cut off at the timeout, not answered
    await scraper.stop()
    for name in ("missing", "garbage", "slow", "refused"):
        assert values(await metric(store, name, "StatusCheckFailed")) == [(1, 1.0)], name
        assert values(await metric(store, name, "StatusCheckFailed_Instance")) == [(1, 1.0)], name
        assert await metric(store, name, "CPUUtilization") == [], name


async def test_a_hanging_target_holds_up_one_slot_not_a_batch(store: Store, base_url: str) -> None:
    Exporter.pages = [page(10, 90, 1_000)] * 3
    for name in ("a0", "a1", "b0", "b1", "c0", "c1"):  # claimed in this order, two at a time
        await watched(store, name, f"{base_url}/{'slow' if name.endswith('0') else 'ok'}")
    scraper = Scraper(store, Clock(), interval=60, timeout=1.0, concurrency=2)
    started = time.monotonic()
    assert await scraper.run_once(NOW) == 6
    took = time.monotonic() - started
    await scraper.stop()
    # In batches of two, each batch would wait for its hanging target: three timeouts. Here the fast ones go past.
    assert took < 2.6, took
    for name in ("a0", "b0", "c0"):
        assert values(await metric(store, name, "StatusCheckFailed")) == [(1, 1.0)]
    for name in ("a1", "b1", "c1"):
        assert values(await metric(store, name, "StatusCheckFailed")) == [(1, 0.0)]


async def test_successive_scrapes_continue_the_series_across_scrapers(store: Store, base_url: str) -> None:
    Exporter.pages = [page(10, 90, 1_000), page(40, 150, 6_000), page(5, 15, 500)]  # the third after a restart
    await watched(store, "web-1", f"{base_url}/ok")
    clock = Clock()
    first = Scraper(store, clock, interval=60, timeout=TIMEOUT, concurrency=4, name="first")
    assert await first.run_once(NOW) == 1
    assert values(await metric(store, "web-1", "StatusCheckFailed")) == [(1, 0.0)]
    assert await metric(store, "web-1", "CPUUtilization") == []  # nothing to compare with yet
    assert await first.run_once(NOW + 30) == 0  # not due again before the next minute of the grid
    await first.stop()

    clock.now = next_due(NOW, 60)
    second = Scraper(store, clock, interval=60, timeout=TIMEOUT, concurrency=4, name="second")
    assert await second.run_once(clock.now) == 1
    assert values(await metric(store, "web-1", "CPUUtilization")) == [(1, 100 * 30 / 90)]
    assert values(await metric(store, "web-1", "NetworkIn")) == [(1, 5_000.0)]  # loopback left out
    clock.now += 60
    assert await second.run_once(clock.now) == 1
    await second.stop()
    cpu = await metric(store, "web-1", "CPUUtilization")
    assert sum(p.sample_count for p in cpu) == 2 and max(p.maximum for p in cpu) == 100 * 30 / 90
    assert min(p.minimum for p in cpu) == 100 * 5 / 20  # the share since the restart
    assert sum(p.sum for p in await metric(store, "web-1", "NetworkIn")) == 5_000.0 + 500.0


async def test_a_scraper_whose_claim_lapsed_stores_nothing(store: Store, base_url: str) -> None:
    Exporter.pages = [page(10, 90, 1_000)]
    await watched(store, "web-1", f"{base_url}/ok")
    (stale,) = await store.claim_scrape_targets("slow-one", NOW, 10, 1.0)
    (current,) = await store.claim_scrape_targets("other", NOW + 1, 10, 60.0)  # the lease ran out
    scraper = Scraper(store, Clock(), interval=60, timeout=TIMEOUT, concurrency=4)
    assert not await scraper.scrape(stale, NOW + 1)
    await scraper.stop()
    assert await metric(store, "web-1", "StatusCheckFailed") == []
    (target,) = await store.list_scrape_targets(SCOPE)
    assert target.counters is None and current.claim != stale.claim


async def test_a_tick_scrapes_each_target_once_however_late_it_runs(store: Store, base_url: str) -> None:
    Exporter.pages = [page(10, 90, 1_000)]
    await watched(store, "web-1", f"{base_url}/ok")
    scraper = Scraper(store, Clock(), interval=60, timeout=TIMEOUT, concurrency=1)
    assert await scraper.run_once(NOW + 600) == 1  # the clock lags the tick: due again only after the tick's time
    await scraper.stop()
    (target,) = await store.list_scrape_targets(SCOPE)
    assert target.due_at == NOW + 660


@pytest.mark.parametrize(
    ("name", "value"), [("scrape_interval", "0.5"), ("scrape_timeout", "0"), ("scrape_concurrency", "0")]
)
def test_scrape_settings_out_of_range_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_the_scraper_follows_its_settings() -> None:
    settings = load_settings({}, {"LSNOTIFY_SCRAPE_INTERVAL": "15", "LSNOTIFY_SCRAPE_TIMEOUT": "3"})
    scraper = scraper_of(settings, cast(Store, None), Clock())
    assert (scraper.interval, scraper.timeout, scraper.concurrency) == (15.0, 3.0, 32)
    assert load_settings({}).scrape_interval == 60.0 and load_settings({}).run_scraper
