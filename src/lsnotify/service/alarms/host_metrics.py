"""OpenTelemetry metrics to Lightsail instance metrics: the resource's ``host.name`` names the Instance.

- ``system.cpu.utilization`` (a gauge of fractions, one point per ``cpu`` and ``state``) → ``CPUUtilization`` in
  percent: for each CPU, 1 − its ``idle`` fraction (or the sum of its points when no ``idle`` state is reported, or
  the value itself without a ``state``), averaged over the CPUs, × 100; one datapoint per host and timestamp.
- ``system.network.io`` (a sum of bytes by ``device`` and ``direction``) → ``NetworkIn`` (``receive``) and
  ``NetworkOut`` (``transmit``): the bytes of the interval, summed over the devices but loopback (``lo``); one
  datapoint per host, direction and timestamp.
- Any other gauge or sum feeds the Instance metric its name names, directly or through ``metric_names``.

Sums with delta temporality are the interval's bytes as sent. Cumulative sums become deltas in ``CumulativeDeltas``,
which remembers each series' last point (start time, time, value) in this process: the first point of a series only
sets its baseline; a later one with the same start time and a value not lower gives ``value − last``; a reset (a new
start time, or a lower value) gives the whole new value when the series restarted after the last point seen, and
otherwise only a new baseline; a point not newer than the last is ignored. So one host's exports must reach one
lsnotify process (several nodes: route by host, or export with delta temporality).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from lsnotify.awsjson.otlp import Export, NumberPoint
from lsnotify.context import RequestContext
from lsnotify.domain import Scope
from lsnotify.domain.alarms import INSTANCE
from lsnotify.domain.metrics import FUTURE_TOLERANCE_SECONDS
from lsnotify.service import Services, scope_of
from lsnotify.service.alarms.datums import (
    NO_RESOURCE,
    OUT_OF_RANGE,
    UNSUPPORTED_POINT,
    Target,
    Unmapped,
    map_to_resource,
)
from lsnotify.service.alarms.ingest import IngestReport, MappedPoint, store_points

HOST_NAME: Final = "host.name"
CPU_UTILIZATION: Final = "system.cpu.utilization"
NETWORK_IO: Final = "system.network.io"
DIRECTIONS: Final[Mapping[str, str]] = {"receive": "NetworkIn", "transmit": "NetworkOut"}
NANOS: Final = 1e9

SeriesKey = tuple[str, ...]


class CumulativeDeltas:
    """The last point of each cumulative series, to take deltas from; at most ``limit`` series (then it starts over,
    every series taking a new baseline)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._last: dict[SeriesKey, tuple[int, int, float]] = {}
        self._limit = limit

    def delta(self, key: SeriesKey, start_ns: int, time_ns: int, value: float) -> float | None:
        """The increase since the series' last point, or None when there is none to tell."""
        last = self._last.get(key)
        if last is not None and time_ns <= last[1]:
            return None
        if last is None and len(self._last) >= self._limit:
            self._last.clear()
        self._last[key] = (start_ns, time_ns, value)
        if last is None:
            return None
        last_start, last_time, last_value = last
        if start_ns == last_start and value >= last_value:
            return value - last_value
        return value if start_ns > last_time else None


def _is_loopback(device: str) -> bool:
    return device == "lo" or "loopback" in device.lower()


def map_points(
    scope: Scope, points: Sequence[NumberPoint], names: Mapping[str, str], deltas: CumulativeDeltas
) -> tuple[list[MappedPoint], list[Unmapped]]:
    """The Lightsail datapoints of an export's points, and the points that feed none."""
    unmapped: list[Unmapped] = []
    cpu: dict[tuple[str, int], dict[str, list[tuple[str | None, float]]]] = {}
    network: dict[tuple[str, str, int], float] = {}
    mapped: list[MappedPoint] = []
    for point in points:
        host = point.resource.get(HOST_NAME)
        if not host:
            unmapped.append(Unmapped(NO_RESOURCE, point.metric))
            continue
        if point.metric == CPU_UTILIZATION and not point.is_sum:
            per_cpu = cpu.setdefault((host, point.time_ns), {})
            per_cpu.setdefault(point.attributes.get("cpu", ""), []).append((point.attributes.get("state"), point.value))
            continue
        value: float | None = point.value
        if point.is_sum and point.cumulative:
            key = (
                scope.account_id,
                scope.region,
                host,
                point.metric,
                *sorted(f"{k}={v}" for k, v in point.attributes.items()),
            )
            value = deltas.delta(key, point.start_ns, point.time_ns, point.value)
        if point.metric == NETWORK_IO and point.is_sum:
            metric = DIRECTIONS.get(point.attributes.get("direction", ""))
            if metric is None:
                unmapped.append(Unmapped(UNSUPPORTED_POINT, point.metric))
            elif value is not None and not _is_loopback(point.attributes.get("device", "")):
                network[(host, metric, point.time_ns)] = network.get((host, metric, point.time_ns), 0.0) + value
            continue
        target = map_to_resource(INSTANCE, host, point.metric, names)
        if not isinstance(target, Target):
            unmapped.append(target)
        elif value is not None:
            mapped.append(MappedPoint(target, point.time_ns / NANOS, 1, value, value, value))
    for (host, time_ns), per_cpu in cpu.items():
        percent = 100.0 * sum(_busy(states) for states in per_cpu.values()) / len(per_cpu)
        mapped.extend(_points(host, "CPUUtilization", time_ns, percent, names, unmapped))
    for (host, metric, time_ns), total in network.items():
        mapped.extend(_points(host, metric, time_ns, total, names, unmapped))
    return mapped, unmapped


def _busy(states: Iterable[tuple[str | None, float]]) -> float:
    listed = list(states)
    idle = [value for state, value in listed if state == "idle"]
    return 1.0 - sum(idle) if idle else sum(value for _, value in listed)


def _points(
    host: str, metric: str, time_ns: int, value: float, names: Mapping[str, str], unmapped: list[Unmapped]
) -> list[MappedPoint]:
    target = map_to_resource(INSTANCE, host, metric, names)
    if not isinstance(target, Target):
        unmapped.append(target)
        return []
    return [MappedPoint(target, time_ns / NANOS, 1, value, value, value)]


async def put_otlp_metrics(
    svc: Services, ctx: RequestContext, export: Export, names: Mapping[str, str], deltas: CumulativeDeltas
) -> IngestReport:
    """Map the export's points and store those that feed an Instance metric within the accepted time window (the
    metric retention behind, two hours ahead); report the rest."""
    scope = scope_of(ctx)
    mapped, unmapped = map_points(scope, export.points, names, deltas)
    report = IngestReport(unmapped=unmapped)
    report.unmapped.extend(Unmapped(UNSUPPORTED_POINT, name) for name in export.skipped)
    now = svc.clock()
    oldest, newest = now - svc.rules.metric_retention, now + FUTURE_TOLERANCE_SECONDS
    in_window = [point for point in mapped if oldest <= point.timestamp <= newest]
    report.unmapped.extend(
        Unmapped(OUT_OF_RANGE, point.target.metric_name) for point in mapped if not oldest <= point.timestamp <= newest
    )
    await store_points(svc.store, scope, in_window, now, report, svc.rules.limits.max_resources)
    return report
