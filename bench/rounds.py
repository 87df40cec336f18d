"""Interleaved rounds: every target under the same load, round after round, so machine noise hits all alike.

A round runs each target once, back to back, with requests signed just before the round; the order alternates
(A B, then B A, …) so that a drift in the machine's speed favours neither side. A ratio is the median over rounds of
the per-round ratios, each taken between runs seconds apart.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.loadgen import LoadGenerator, RunResult, Target

# A round's requests per target name, signed right before the round (the argument is the round; -1 is the warm-up).
Signer = Callable[[int], dict[str, list[bytes]]]


@dataclass
class Comparison:
    """The runs of several targets under one load."""

    label: str
    runs: dict[str, list[RunResult]] = field(default_factory=dict)

    def median_rps(self, name: str) -> float:
        return statistics.median(run.rps for run in self.runs[name])

    def median_latency(self, name: str, percentile: str) -> float:
        return statistics.median(run.latency_ms[percentile] for run in self.runs[name])

    def ratio(self, name: str, base: str) -> float:
        """Median over rounds of (``name``'s throughput / ``base``'s) in the same round."""
        pairs = zip(self.runs[name], self.runs[base], strict=True)
        return statistics.median(a.rps / b.rps if b.rps else 0.0 for a, b in pairs)

    def failures(self) -> dict[str, int]:
        return {name: sum(run.failures for run in runs) for name, runs in self.runs.items()}

    def as_json(self) -> dict[str, object]:
        return {name: [{"rps": run.rps, **run.__dict__} for run in runs] for name, runs in self.runs.items()}


def interleave(
    label: str,
    loadgen: LoadGenerator,
    targets: Sequence[Target],
    signer: Signer,
    *,
    connections: int,
    duration: float,
    rounds: int,
    warmup: float,
) -> Comparison:
    comparison = Comparison(label, {target.name: [] for target in targets})
    if warmup > 0:
        requests = signer(-1)
        for target in targets:
            loadgen.run(target, requests[target.name], connections, warmup)
    for index in range(rounds):
        requests = signer(index)
        order = list(targets) if index % 2 == 0 else list(reversed(targets))
        for target in order:
            result = loadgen.run(target, requests[target.name], connections, duration)
            comparison.runs[target.name].append(result)
            _progress(label, index, target, result)
    return comparison


def _progress(label: str, index: int, target: Target, result: RunResult) -> None:
    failures = f", {result.failures} failed" if result.failures else ""
    print(
        f"  {label} round {index + 1}: {target.name:<12} {result.rps:>10,.0f} req/s"
        f"  p50 {result.latency_ms['p50']:.2f} ms  p99 {result.latency_ms['p99']:.2f} ms{failures}",
        file=sys.stderr,
        flush=True,
    )
