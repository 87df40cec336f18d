"""``GET /metrics`` (Prometheus text format): API requests and their latency, the outbox, and deliveries.

- ``lsnotify_api_requests_total{operation, status}`` and ``lsnotify_api_request_duration_seconds{operation}``
  (a histogram), fed by the API endpoint's per-request hook. An operation the model does not know is counted as
  ``unknown``, so clients cannot grow the label set.
- ``lsnotify_outbox_messages{state}``: messages pending, sent (not yet pruned) and dead, read from the store at
  each scrape, so it covers every worker sharing the database.
- ``lsnotify_deliveries_total{provider, outcome}``: this process's delivery attempts, ``sent``, ``failed`` (to be
  retried) or ``dead`` (dead-lettered).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lsnotify.storage.base import Store

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNKNOWN = "unknown"

# The ``*_created`` series double the output and tell a scraper nothing it uses.
disable_created_metrics()  # type: ignore[no-untyped-call]
OUTCOMES = ("sent", "failed", "dead")


class Metrics:
    """One registry per app, so that several apps in one process (tests) keep separate counts."""

    def __init__(self, operations: Iterable[str], providers: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        self._operations = frozenset(operations)
        self._requests = Counter(
            "lsnotify_api_requests",
            "API requests by operation and HTTP status.",
            ["operation", "status"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "lsnotify_api_request_duration_seconds",
            "Seconds to answer an API request, by operation.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._outbox = Gauge("lsnotify_outbox_messages", "Outbox messages by state.", ["state"], registry=self.registry)
        self._deliveries = Counter(
            "lsnotify_deliveries",
            "Delivery attempts by provider and outcome (sent, failed: to retry, dead).",
            ["provider", "outcome"],
            registry=self.registry,
        )
        for provider in set(providers):
            for outcome in OUTCOMES:
                self._deliveries.labels(provider, outcome)
        self._children: dict[tuple[str, int], tuple[Counter, Histogram]] = {}

    def observe_request(self, operation: str | None, status: int, seconds: float) -> None:
        key = (operation if operation in self._operations else UNKNOWN, status)
        children = self._children.get(key)
        if children is None:
            children = (self._requests.labels(key[0], str(status)), self._latency.labels(key[0]))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def observe_delivery(self, provider: str, outcome: str) -> None:
        self._deliveries.labels(provider, outcome).inc()

    def route(self, store: Store) -> Route:
        async def metrics(_: Request) -> Response:
            for state, count in (await store.outbox_counts()).items():
                self._outbox.labels(state).set(count)
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        return Route("/metrics", metrics, methods=["GET"])
