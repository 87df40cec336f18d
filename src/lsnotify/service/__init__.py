"""The business rules of the Lightsail notifications API, and what every operation handler is given besides its
request: the store, the clock, the configured rules and the secret box.

The handlers live in the modules beside this one; ``api.py`` maps each operation name to its handler. ``Services``
is defined here rather than in ``api.py`` because every handler module needs it and ``api.py`` imports every handler
module: in one module the two would import each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lsnotify.clock import Clock
from lsnotify.context import RequestContext
from lsnotify.domain import Scope
from lsnotify.domain.metrics import DEFAULT_METRIC_RETENTION_SECONDS, MetricRetention
from lsnotify.identity import SecretBox
from lsnotify.service.limits import NO_LIMITS, Limits
from lsnotify.storage.base import Store


@dataclass(frozen=True, slots=True)
class Rules:
    """The settings that change business rules."""

    sms_regions: frozenset[str]
    """Regions where SMS contact methods may be created; empty disables SMS."""
    sms_countries: frozenset[str]
    """ISO 3166 country codes SMS may go to; ``config.EVERY_COUNTRY`` among them allows every country, empty none."""
    verification_ttl: float
    """Seconds an email verification stays open before the contact method becomes ``Invalid``."""
    metric_retention: float = DEFAULT_METRIC_RETENTION_SECONDS
    """Seconds in the past a datapoint is accepted; older ones are refused."""
    metric_points: MetricRetention = field(default_factory=MetricRetention)
    """How long metric points are kept at each resolution: which one Get*MetricData reads a range from."""
    limits: Limits = NO_LIMITS
    """What one account may make lsnotify send or keep; none unless given."""


@dataclass(frozen=True, slots=True)
class Services:
    store: Store
    clock: Clock
    rules: Rules
    box: SecretBox


def scope_of(ctx: RequestContext) -> Scope:
    return Scope(ctx.account_id, ctx.region)
