"""node_exporter counters to Lightsail instance metrics: parsing the exposition text, CPU busy share, network bytes
without loopback, counter resets, and what a scrape that failed or came first gives."""

from __future__ import annotations

import pytest

from lsnotify.domain.scrape import NodeCounters
from lsnotify.service.alarms.node_exporter import NotNodeMetrics, derive, failed, increase, parse_counters

MODES = ("idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user")


def exposition(cpu: dict[str, tuple[float, ...]], rx: dict[str, float], tx: dict[str, float]) -> str:
    """A node_exporter's text: per CPU, its seconds in each of ``MODES`` in order."""
    lines = [
        "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
        "# TYPE node_cpu_seconds_total counter",
    ]
    for number, seconds in cpu.items():
        for mode, value in zip(MODES, seconds, strict=True):
            lines.append(f'node_cpu_seconds_total{{cpu="{number}",mode="{mode}"}} {value}')
    for name, values in (("receive", rx), ("transmit", tx)):
        lines += [f"# TYPE node_network_{name}_bytes_total counter"]
        lines += [f'node_network_{name}_bytes_total{{device="{d}"}} {v:e}' for d, v in values.items()]
    lines += ["# TYPE node_load1 gauge", "node_load1 0.42", ""]
    return "\n".join(lines)


def test_parsing_sums_the_cpus_and_leaves_out_idle_iowait_steal_and_loopback() -> None:
    text = exposition(
        {"0": (100, 10, 1, 2, 3, 4, 20, 60), "1": (50, 0, 0, 0, 0, 0, 10, 40)},
        {"eth0": 2.5e9, "lo": 7e6, "eth1": 10},
        {"eth0": 4.8e6, "lo": 7e6},
    )
    counters = parse_counters(text, at=1000.0)
    assert counters.at == 1000.0
    assert counters.cpu_total == 200 + 100
    assert counters.cpu_busy == (1 + 2 + 3 + 20 + 60) + (10 + 40)
    assert counters.received == {"eth0": 2.5e9, "eth1": 10}
    assert counters.transmitted == {"eth0": 4.8e6}


@pytest.mark.parametrize(
    "text",
    [
        "<html><body>Not Found</body></html>",
        "node_cpu_seconds_total{cpu=0 mode=idle} nope",
        "# TYPE node_load1 gauge\nnode_load1 0.5\n",  # a Prometheus text, but no CPU counters
        "",
    ],
)
def test_what_is_not_a_node_exporters_metrics_is_refused(text: str) -> None:
    with pytest.raises(NotNodeMetrics):
        parse_counters(text, at=0.0)


def counters(at: float, busy: float, total: float, rx: float = 0.0, tx: float = 0.0, **devices: float) -> NodeCounters:
    return NodeCounters(at, busy, total, {"eth0": rx, **devices}, {"eth0": tx})


def values(points: list[tuple[str, float]]) -> dict[str, float]:
    named = dict(points)
    assert len(named) == len(points), "a metric given twice"
    return named


def test_two_scrapes_give_the_busy_share_and_the_bytes_between_them() -> None:
    before = counters(1000.0, busy=500.0, total=2000.0, rx=1_000, tx=300)
    after = counters(1060.0, busy=530.0, total=2120.0, rx=61_000, tx=1_500)  # 2 CPUs × 60 s, 30 s busy
    assert values(derive(before, after)) == {
        "StatusCheckFailed": 0.0,
        "StatusCheckFailed_Instance": 0.0,
        "CPUUtilization": 25.0,
        "NetworkIn": 60_000.0,
        "NetworkOut": 1_200.0,
    }


def test_the_first_scrape_gives_only_the_status_checks() -> None:
    assert values(derive(None, counters(1000.0, 1, 2))) == {"StatusCheckFailed": 0.0, "StatusCheckFailed_Instance": 0.0}


def test_a_scrape_not_after_the_previous_one_takes_no_differences() -> None:
    same = counters(1000.0, 1, 2)
    assert set(values(derive(same, same))) == {"StatusCheckFailed", "StatusCheckFailed_Instance"}


def test_a_scrape_long_after_the_previous_one_only_takes_a_new_baseline() -> None:
    before = counters(1000.0, busy=500.0, total=2000.0, rx=1_000)
    long_after = counters(1000.0 + 3601, busy=1000.0, total=9202.0, rx=9e9)
    assert set(values(derive(before, long_after, max_gap=3600))) == {"StatusCheckFailed", "StatusCheckFailed_Instance"}
    assert values(derive(before, long_after, max_gap=3601))["NetworkIn"] == 9e9 - 1_000


def test_a_failed_scrape_fails_both_status_checks() -> None:
    assert values(failed()) == {"StatusCheckFailed": 1.0, "StatusCheckFailed_Instance": 1.0}


def test_a_restart_counts_the_new_values_from_zero() -> None:
    assert increase(1_000.0, 1_500.0) == 500.0
    assert increase(1_000.0, 200.0) == 200.0  # restarted from zero, then 200
    before = counters(1000.0, busy=900_000.0, total=1_000_000.0, rx=5e9, tx=4e9)
    rebooted = counters(1060.0, busy=15.0, total=100.0, rx=2_000, tx=700)  # up for 50 s on 2 CPUs
    assert values(derive(before, rebooted)) == {
        "StatusCheckFailed": 0.0,
        "StatusCheckFailed_Instance": 0.0,
        "CPUUtilization": 15.0,
        "NetworkIn": 2_000.0,
        "NetworkOut": 700.0,
    }


def test_each_device_resets_on_its_own_and_a_new_device_only_sets_its_baseline() -> None:
    before = counters(1000.0, 0, 10, rx=1_000, eth1=5_000)
    after = counters(1060.0, 6, 20, rx=3_000, eth1=40, wg0=123_456)  # eth1 was recreated, wg0 is new
    assert values(derive(before, after))["NetworkIn"] == 2_000 + 40
    assert values(derive(before, after))["CPUUtilization"] == 60.0


def test_the_counters_survive_their_json_form() -> None:
    original = counters(1000.5, 1.25, 2.5, rx=3e9, tx=7, eth1=1)
    assert NodeCounters.from_json(original.as_json()) == original
