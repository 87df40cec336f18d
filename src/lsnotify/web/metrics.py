"""``GET /metrics`` (Prometheus text format): API requests and their latency, the outbox, and deliveries.

- ``lsnotify_api_requests_total{operation, status}`` and ``lsnotify_api_request_duration_seconds{operation}``
  (a histogram), fed by the API endpoint's per-request hook. An operation is counted under its name when one of the
  served models (Lightsail's, lsnotify's own) has it, else as ``unknown``, so clients cannot grow the label set.
- ``lsnotify_outbox_messages{state}``: messages pending, sent (not yet pruned), dead and suppressed, read from the
  store at each scrape, so it covers every worker sharing the database.
- ``lsnotify_deliveries_total{provider, outcome}``: this process's delivery attempts, ``sent``, ``failed`` (to be
  retried), ``dead`` (dead-lettered) or ``suppressed`` (over the account's hourly cap, not sent).
- ``lsnotify_event_loop_lag_seconds``: how late the event loop runs a task due every 20 ms (a histogram), from
  ``web.loop_watch``, registered by the app.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lsnotify.storage.base import Store

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNKNOWN = "unknown"

# The ``*_created`` series double the output and tell a scraper nothing it uses.
disable_created_metrics()  # type: ignore[no-untyped-call]
OUTCOMES = ("sent", "failed", "dead", "suppressed")


class RequestMetrics(Collector):
    """The API's request counts and latency histogram, kept in plain numbers and turned into metrics at each scrape.

    ``observe`` runs once per API request, on the event loop: a dictionary update and a bisect, where
    prometheus-client's labelled Counter and Histogram each take a lock per update.
    """

    def __init__(self, operations: Iterable[str]) -> None:
        self._operations = frozenset(operations)
        self._requests: dict[tuple[str, int], int] = {}
        # Per operation: one count per bucket of LATENCY_BUCKETS and one for +Inf (not cumulative), and their sum.
        self._latency: dict[str, tuple[list[int], list[float]]] = {}

    def observe(self, operation: str | None, status: int, seconds: float) -> None:
        label = operation if operation in self._operations else UNKNOWN
        key = (label, status)
        self._requests[key] = self._requests.get(key, 0) + 1
        latency = self._latency.get(label)
        if latency is None:
            latency = self._latency[label] = ([0] * (len(LATENCY_BUCKETS) + 1), [0.0])
        latency[0][bisect_left(LATENCY_BUCKETS, seconds)] += 1
        latency[1][0] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "lsnotify_api_requests", "API requests by operation and HTTP status.", labels=["operation", "status"]
        )
        for (operation, status), count in sorted(self._requests.items()):
            requests.add_metric([operation, str(status)], count)
        yield requests
        latency = HistogramMetricFamily(
            "lsnotify_api_request_duration_seconds",
            "Seconds to answer an API request, by operation.",
            labels=["operation"],
        )
        bounds = [*(repr(float(bound)) for bound in LATENCY_BUCKETS), "+Inf"]
        for operation, (counts, total) in sorted(self._latency.items()):
            latency.add_metric([operation], list(zip(bounds, itertools.accumulate(counts), strict=True)), total[0])
        yield latency


class Metrics:
    """One registry per app, so that several apps in one process (tests) keep separate counts."""

    def __init__(self, operations: Iterable[str], providers: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        self._requests = RequestMetrics(operations)
        self.registry.register(self._requests)
        self._outbox = Gauge("lsnotify_outbox_messages", "Outbox messages by state.", ["state"], registry=self.registry)
        self._deliveries = Counter(
            "lsnotify_deliveries",
            "Delivery attempts by provider and outcome (sent, failed: to retry, dead, suppressed: over a cap).",
            ["provider", "outcome"],
            registry=self.registry,
        )
        for provider in set(providers):
            for outcome in OUTCOMES:
                self._deliveries.labels(provider, outcome)

    def observe_request(self, operation: str | None, status: int, seconds: float) -> None:
        self._requests.observe(operation, status, seconds)

    def observe_delivery(self, provider: str, outcome: str) -> None:
        self._deliveries.labels(provider, outcome).inc()

    def route(self, store: Store) -> Route:
        async def metrics(_: Request) -> Response:
            for state, count in (await store.outbox_counts()).items():
                self._outbox.labels(state).set(count)
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        return Route("/metrics", metrics, methods=["GET"])
