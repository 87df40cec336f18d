"""What every operation handler is given besides its request: the store, the clock and the configured rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from lsnotify.clock import Clock
from lsnotify.context import RequestContext
from lsnotify.domain import Scope
from lsnotify.identity import SecretBox
from lsnotify.service.limits import NO_LIMITS, Limits
from lsnotify.storage.base import Store


@dataclass(frozen=True, slots=True)
class Rules:
    """The settings that change business rules."""

    sms_regions: frozenset[str]
    """Regions where SMS contact methods may be created; empty disables SMS."""
    sms_countries: frozenset[str]
    """ISO 3166 country codes SMS may go to; empty allows every country."""
    verification_ttl: float
    """Seconds an email verification stays open before the contact method becomes ``Invalid``."""
    # -- alarms (issue 4)
    metric_retention: float = 14 * 86400.0
    """Seconds metric data is kept; older datapoints are refused."""
    limits: Limits = NO_LIMITS
    """What one account may make lsnotify send or keep; none unless given."""


@dataclass(frozen=True, slots=True)
class Services:
    store: Store
    clock: Clock
    rules: Rules
    box: SecretBox


Handler = Callable[[Services, RequestContext, dict[str, Any]], Awaitable[dict[str, Any]]]


def scope_of(ctx: RequestContext) -> Scope:
    return Scope(ctx.account_id, ctx.region)
