"""``GET /metrics`` series of metric ingestion through CloudWatch's and OpenTelemetry's protocols.

- ``lsnotify_ingest_requests_total{protocol, status}``: requests by protocol (``cloudwatch-json``,
  ``cloudwatch-query``, ``cloudwatch-cbor``, ``otlp-protobuf``, ``otlp-json``) and HTTP status.
- ``lsnotify_ingest_datums_stored_total{source}``: datums stored into a Lightsail metric (``cloudwatch``, ``otlp``).
- ``lsnotify_ingest_datums_unmapped_total{source, reason}``: datums accepted that feed no Lightsail metric, by why
  (``service.alarms.datums.UNMAPPED_REASONS``).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from lsnotify.service.alarms.ingest import IngestReport


class IngestMetrics(Collector):
    """Plain counters updated on the event loop, turned into metric families at each scrape."""

    def __init__(self) -> None:
        self._requests: dict[tuple[str, int], int] = {}
        self._stored: dict[str, int] = {}
        self._unmapped: dict[tuple[str, str], int] = {}

    def observe_request(self, protocol: str, status: int) -> None:
        key = (protocol, status)
        self._requests[key] = self._requests.get(key, 0) + 1

    def observe_report(self, source: str, report: IngestReport) -> None:
        self._stored[source] = self._stored.get(source, 0) + report.stored
        for item in report.unmapped:
            key = (source, item.reason)
            self._unmapped[key] = self._unmapped.get(key, 0) + 1

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "lsnotify_ingest_requests",
            "Metric ingestion requests by protocol and HTTP status.",
            labels=["protocol", "status"],
        )
        for (protocol, status), count in sorted(self._requests.items()):
            requests.add_metric([protocol, str(status)], count)
        yield requests
        stored = CounterMetricFamily(
            "lsnotify_ingest_datums_stored", "Datums stored into a Lightsail metric, by source.", labels=["source"]
        )
        for source, count in sorted(self._stored.items()):
            stored.add_metric([source], count)
        yield stored
        unmapped = CounterMetricFamily(
            "lsnotify_ingest_datums_unmapped",
            "Datums accepted that feed no Lightsail metric, by source and reason.",
            labels=["source", "reason"],
        )
        for (source, reason), count in sorted(self._unmapped.items()):
            unmapped.add_metric([source, reason], count)
        yield unmapped
