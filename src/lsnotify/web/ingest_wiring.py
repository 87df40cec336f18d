"""Assembles the metric ingestion endpoints (CloudWatch, OTLP) and the router ``FrontDoor`` asks about each request."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from lsnotify.awsjson.cloudwatch import SIGNING_NAME
from lsnotify.clock import Clock
from lsnotify.config import ConfigError, Settings
from lsnotify.domain.metrics import METRICS
from lsnotify.identity import SecretBox, authenticator_of
from lsnotify.service import Services
from lsnotify.web.body_deadline import BodyDeadline
from lsnotify.web.cloudwatch import CloudWatchEndpoint
from lsnotify.web.ingest import IngestRouter, IngestSetup
from lsnotify.web.ingest_metrics import IngestMetrics
from lsnotify.web.otlp import OtlpEndpoint
from lsnotify.web.throttle import TokenBuckets


def ingest_router(
    settings: Settings,
    services: Services,
    box: SecretBox,
    clock: Clock,
    registry: CollectorRegistry,
    throttle: TokenBuckets | None = None,
) -> IngestRouter:
    """Both endpoints, authenticating with the same keys, scoped to the service ``monitoring`` in any Lightsail
    region, and taking each request from the key's bucket in ``throttle`` (the API's); their counters join
    ``registry`` (``/metrics``)."""
    authenticator = authenticator_of(settings, services.store, box, clock, SIGNING_NAME)
    counters = IngestMetrics()
    registry.register(counters)
    names = dict(settings.metric_names)
    known = {metric for metrics in METRICS.values() for metric in metrics}
    if unknown := sorted(target for target in names.values() if target not in known):
        raise ConfigError(f"metric_names: {', '.join(unknown)} not Lightsail metric name(s)")
    setup = IngestSetup(
        authenticator=authenticator,
        deps=services,
        metric_names=names,
        counters=counters,
        max_body_bytes=settings.max_body_bytes,
        body_deadline=BodyDeadline(settings.body_timeout),
        access_log=settings.access_log,
        throttle=throttle,
    )
    return IngestRouter(CloudWatchEndpoint(setup), OtlpEndpoint(setup))
