"""The chart of the concurrency sweep: throughput and p99 latency against connections, lsnotify beside the floor.

matplotlib comes with the ``bench`` extra (``make bench`` installs it), not with ``make install``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def draw(series: dict[str, Any], title: str, loadgen: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    connections = series["connections"]
    fig, (throughput, latency) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)
    styles = {"floor": {"color": "#888888", "marker": "s"}, "lsnotify": {"color": "#1f6fb4", "marker": "o"}}
    for name, style in styles.items():
        points = series[name]
        throughput.plot(connections, [p["rps"] for p in points], label=name, **style)
        latency.plot(connections, [p["p99_ms"] for p in points], label=name, **style)
    for axis, ylabel in ((throughput, "requests per second"), (latency, "p99 latency (ms)")):
        axis.set_xscale("log", base=2)
        axis.set_xticks(connections, [str(c) for c in connections])
        axis.set_xlabel(f"concurrent connections ({loadgen}, closed loop)")
        axis.set_ylabel(ylabel)
        axis.grid(True, alpha=0.3)
        axis.legend()
    throughput.set_ylim(bottom=0)
    latency.set_yscale("log")
    throughput.set_title("GetContactMethods throughput")
    latency.set_title("GetContactMethods p99 latency")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
