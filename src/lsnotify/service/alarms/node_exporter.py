"""From a Prometheus node_exporter's counters to Lightsail's instance metrics: pure functions, no I/O.

``parse_counters`` reads the counter samples of the exposition text (with prometheus_client's parser) into
``NodeCounters``; ``derive`` turns two successive scrapes' counters into the datapoints of the interval between them:

- ``CPUUtilization`` = 100 × busy seconds ÷ all seconds of ``node_cpu_seconds_total``, summed over every CPU. Busy is
  every mode but ``idle``, ``iowait`` and ``steal``, as CloudWatch measures an instance's CPU from the hypervisor: a
  vCPU waiting for I/O is halted, so not using its CPU, and stolen time is time the instance wanted and did not get
  (a burstable instance past its baseline shows the baseline, not 100 %). Both still count in the denominator.
- ``NetworkIn`` / ``NetworkOut`` = bytes of ``node_network_receive_bytes_total`` / ``…transmit…`` between the two
  scrapes, summed over the devices but loopback.
- ``StatusCheckFailed`` and ``StatusCheckFailed_Instance`` = 0 for a scrape that succeeded, 1 for one that failed
  (``failed``): refused, timed out, not HTTP 200, or not a node_exporter's metrics.

Counters only grow, except when the exporter or the machine restarts: a counter lower than before has restarted from
zero, so its increase is its whole new value (as Prometheus' ``increase`` reads a reset). A device not seen at the
previous scrape only sets its baseline. The first scrape of a target has nothing to compare with and gives only the
status checks, and so does one after a gap longer than ``max_gap`` (the target was not scraped for a long while:
the bytes of hours are not one interval's).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

from prometheus_client.parser import text_string_to_metric_families

from lsnotify.domain.scrape import NodeCounters

CPU_SECONDS: Final = "node_cpu_seconds_total"
RECEIVE_BYTES: Final = "node_network_receive_bytes_total"
TRANSMIT_BYTES: Final = "node_network_transmit_bytes_total"
NOT_BUSY_MODES: Final = frozenset({"idle", "iowait", "steal"})
LOOPBACK: Final = "lo"

CPU_UTILIZATION: Final = "CPUUtilization"
NETWORK_IN: Final = "NetworkIn"
NETWORK_OUT: Final = "NetworkOut"
STATUS_CHECKS: Final = ("StatusCheckFailed", "StatusCheckFailed_Instance")

_SAMPLE_STARTS: Final = tuple(f"{name}{end}" for name in (CPU_SECONDS, RECEIVE_BYTES, TRANSMIT_BYTES) for end in "{ ")
"""How the sample lines of the counters read start: a page's other lines (nine in ten) are not parsed at all."""

Datapoint = tuple[str, float]
"""A Lightsail metric's name and its value for the interval."""


class NotNodeMetrics(ValueError):
    """The text is not Prometheus' exposition format, or holds no ``node_cpu_seconds_total``."""


def parse_counters(text: str, at: float) -> NodeCounters:
    """The counters of a node_exporter's ``/metrics`` text, scraped at ``at``; ``NotNodeMetrics`` when it is not one."""
    busy = total = 0.0
    cpus = 0
    received: dict[str, float] = {}
    transmitted: dict[str, float] = {}
    wanted = "\n".join(line for line in text.splitlines() if line.startswith(_SAMPLE_STARTS))
    try:
        for family in text_string_to_metric_families(wanted):
            for sample in family.samples:
                if not math.isfinite(sample.value):
                    continue
                if sample.name == CPU_SECONDS:
                    cpus += 1
                    total += sample.value
                    if sample.labels.get("mode") not in NOT_BUSY_MODES:
                        busy += sample.value
                elif sample.name in (RECEIVE_BYTES, TRANSMIT_BYTES):
                    device = sample.labels.get("device", "")
                    if device != LOOPBACK:
                        side = received if sample.name == RECEIVE_BYTES else transmitted
                        side[device] = side.get(device, 0.0) + sample.value
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise NotNodeMetrics(f"not Prometheus exposition text: {exc}") from None
    if not cpus:
        raise NotNodeMetrics(f"no {CPU_SECONDS} samples: not a node_exporter's metrics")
    return NodeCounters(at, busy, total, received, transmitted)


def increase(previous: float, current: float) -> float:
    """How much a counter grew between two readings; a lower reading means it restarted from zero."""
    return current - previous if current >= previous else current


def _bytes(previous: Mapping[str, float], current: Mapping[str, float]) -> float:
    return sum(increase(previous[device], value) for device, value in current.items() if device in previous)


def derive(previous: NodeCounters | None, current: NodeCounters, max_gap: float = math.inf) -> list[Datapoint]:
    """The datapoints of a successful scrape: the status checks at 0, and, when there is an earlier scrape to compare
    with at most ``max_gap`` seconds before, the CPU utilization and the network bytes of the interval since."""
    points: list[Datapoint] = [(name, 0.0) for name in STATUS_CHECKS]
    if previous is None or not 0 < current.at - previous.at <= max_gap:
        return points
    if current.cpu_total < previous.cpu_total:  # restarted: the share since the restart
        busy, total = current.cpu_busy, current.cpu_total
    else:
        busy, total = current.cpu_busy - previous.cpu_busy, current.cpu_total - previous.cpu_total
    if total > 0:
        points.append((CPU_UTILIZATION, min(100.0, max(0.0, 100.0 * busy / total))))
    points.append((NETWORK_IN, _bytes(previous.received, current.received)))
    points.append((NETWORK_OUT, _bytes(previous.transmitted, current.transmitted)))
    return points


def failed() -> list[Datapoint]:
    """The datapoints of a scrape that failed."""
    return [(name, 1.0) for name in STATUS_CHECKS]
