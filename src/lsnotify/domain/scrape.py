"""The records of watching a server by itself: a scrape target (an Instance's node_exporter URL) and the counters
read at its last successful scrape, from which the next scrape's metrics are the differences.

A target belongs to its monitored resource (deleting the resource deletes it) and carries its own schedule and lease:
``due_at`` is when it is next to be scraped, and a claimed target is leased to one scraper until ``due_at`` moves on,
so that of several scrapers sharing a database each target is scraped by one at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class NodeCounters:
    """The counters of one node_exporter scrape that the Lightsail instance metrics are derived from.

    ``cpu_busy`` and ``cpu_total`` are seconds summed over every CPU (see ``service.alarms.node_exporter`` for what
    counts as busy); ``received`` and ``transmitted`` are bytes per network device, loopback left out.
    """

    at: float
    cpu_busy: float
    cpu_total: float
    received: Mapping[str, float] = field(default_factory=dict)
    transmitted: Mapping[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "cpuBusy": self.cpu_busy,
            "cpuTotal": self.cpu_total,
            "received": dict(self.received),
            "transmitted": dict(self.transmitted),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> NodeCounters:
        return cls(
            float(value["at"]),
            float(value["cpuBusy"]),
            float(value["cpuTotal"]),
            {str(k): float(v) for k, v in value["received"].items()},
            {str(k): float(v) for k, v in value["transmitted"].items()},
        )


@dataclass(frozen=True, slots=True)
class ScrapeTarget:
    """An Instance's node_exporter, scraped every interval."""

    account_id: str
    region: str
    resource_name: str
    url: str
    created_at: float
    due_at: float
    """When the target is next due: a claim moves it to the end of the lease, recording a scrape to the next one."""
    counters: NodeCounters | None = None
    """The counters of the last successful scrape; None before the first (or after the URL changed)."""


@dataclass(frozen=True, slots=True)
class ClaimedTarget:
    """A target leased to one scraper: ``claim`` is the token that records its scrape."""

    target: ScrapeTarget
    claim: str
