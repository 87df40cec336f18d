"""What the metric ingestion endpoints (CloudWatch, OTLP) share: which requests are theirs, reading a bounded and
possibly gzip-compressed body, SigV4 with the signing name ``monitoring``, and answering.

Both run as pure ASGI apps that ``FrontDoor`` hands their requests to (``IngestRouter``), beside the Lightsail API.
They authenticate with the same access keys as the Lightsail API, through their own ``Authenticator`` whose verifier
wants the service ``monitoring`` in the credential scope, as CloudWatch (and its OTLP endpoint) does, and meet the
same per-key rate (``web.throttle``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope

from lsnotify.awsjson.cbor import parse_path
from lsnotify.awsjson.cloudwatch import target_prefix
from lsnotify.awsjson.encoding import decode_body
from lsnotify.identity import Authenticator
from lsnotify.service import Services
from lsnotify.service.alarms.datums import UnmappedLog
from lsnotify.service.alarms.ingest import IngestReport
from lsnotify.web.body_deadline import BodyDeadline
from lsnotify.web.ingest_metrics import IngestMetrics
from lsnotify.web.signed_requests import RequestGate, request_ids
from lsnotify.web.throttle import TokenBuckets

log = logging.getLogger("lsnotify.ingest")

OTLP_METRICS_PATH = "/v1/metrics"
DECOMPRESSED_FACTOR = 8
"""A gzip body may expand to this many times ``max_body_bytes``, no more."""


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class IngestRouter:
    """Says which requests are metric ingestion and sends them to their endpoint."""

    def __init__(self, cloudwatch: ASGIApp, otlp: ASGIApp) -> None:
        self._cloudwatch = cloudwatch
        self._otlp = otlp
        self._json_target = (target_prefix() + ".").encode()

    def route(self, scope: Scope) -> ASGIApp | None:
        """The endpoint for ``scope``, or None when it is not a metric ingestion request."""
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        path = scope["path"]
        if path == OTLP_METRICS_PATH:
            return self._otlp
        if "/service/" in path:
            return self._cloudwatch if parse_path(path) is not None else None
        content_type = None
        for name, value in scope["headers"]:
            if name == b"x-amz-target":  # decides alone, and the Lightsail API's hot path stops here
                return self._cloudwatch if value.startswith(self._json_target) else None
            if name == b"content-type":
                content_type = value
        if path == "/" and content_type is not None and content_type.startswith(b"application/x-www-form-urlencoded"):
            return self._cloudwatch
        return None


@dataclass(frozen=True, slots=True)
class IngestSetup:
    """What both ingestion endpoints are built with; ``web.ingest_wiring`` makes one for the two."""

    authenticator: Authenticator
    """Verifies SigV4 with the signing name ``monitoring``."""
    deps: Services
    metric_names: Mapping[str, str]
    """Metric names translated to Lightsail metric names (the ``metric_names`` setting)."""
    counters: IngestMetrics
    max_body_bytes: int
    body_deadline: BodyDeadline
    access_log: bool
    throttle: TokenBuckets | None = None
    """The API's per-key buckets, which ingestion draws from too; None: no limit."""


class IngestEndpoint:
    """Reads and authenticates an ingestion request, and holds what both endpoints need to take its datums in; the
    subclass parses the request and answers it."""

    def __init__(self, setup: IngestSetup) -> None:
        self.setup = setup
        self.gate = RequestGate.of(
            setup.authenticator, setup.max_body_bytes, setup.body_deadline, setup.access_log, setup.throttle, log
        )
        self.unmapped_log = UnmappedLog()
        self.request_ids = request_ids()

    async def read_body(self, scope: Scope, receive: Receive) -> bytes:
        """The body as sent, as ``RequestGate.body`` reads it."""
        length = header(scope, b"content-length")
        return await self.gate.body(receive, None if length is None else length.encode())

    def decoded(self, scope: Scope, body: bytes) -> bytes:
        """The body without its ``Content-Encoding``."""
        return decode_body(body, header(scope, b"content-encoding"), self.setup.max_body_bytes * DECOMPRESSED_FACTOR)

    def took_in(self, source: str, account_id: str, report: IngestReport) -> None:
        """Count what became of a request's datums, and log the names that fed nothing (once each)."""
        self.setup.counters.observe_report(source, report)
        self.unmapped_log.note(account_id, source, report.unmapped)
