"""`python -m bench --smoke`: every benchmark runs once at tiny sizes, so `make bench` keeps working.

Nothing here is timed: the smoke run's numbers mean nothing on a shared machine. What it proves is that each
benchmark starts its servers, signs requests that lsnotify accepts (any non-2xx answer fails the run), and reports
every figure with its ratio.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.alone  # its load generators lose connections when other tests share the CPUs
def test_every_benchmark_runs_and_reports_its_figures(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    results = json.loads((out / "results.json").read_text())
    figures = {figure["key"]: figure for figure in results["figures"]}
    expected = ["read", "latency_p50", "latency_p99", "scale_read", "scale_rss", "scale_db", "peer", "write_tag"]
    # postgres: lsnotify on PostgreSQL beside SQLite, when there is a PostgreSQL server to run it on
    with_postgres = bool(os.environ.get("LSNOTIFY_TEST_DATABASE_URL"))
    postgres = ["postgres_read", "postgres_write"] if with_postgres else []
    expected += ["scale_cold", "scale_writes", "workers_read", "workers_read_1", "workers_write", "workers_write_1"]
    expected += ["alarms_tick", "alarms_rss"]
    others = ["write_cycle", "delivery", "ingest", "scrape", "scrape_cpu"]
    assert sorted(figures) == sorted([*expected, *others, *postgres])
    for key in postgres:
        assert figures[key]["base_name"] == "SQLite" and figures[key]["base"] > 0 and figures[key]["ratio"] > 0
    if not with_postgres:
        assert "postgres: not run" in done.stdout
    for figure in results["figures"]:
        assert figure["value"] > 0, figure
    assert figures["ingest"]["unit"] == "datums/s"
    for key in ("read", "write_tag", "write_cycle", "peer", "scale_read", "scale_cold", "scale_writes", "ingest"):
        assert figures[key]["base"] > 0 and figures[key]["ratio"] > 0, figures[key]
    for key in ("workers_read", "workers_read_1", "workers_write", "workers_write_1"):
        assert figures[key]["base"] > 0 and figures[key]["ratio"] > 0, figures[key]
    assert figures["workers_read"]["base_name"] == "floor-2p" and figures["workers_read_1"]["base_name"] == "floor"
    assert results["scale_seeded"] == 2_000
    # the steady writes beside the read ran, and none failed (the run would have stopped)
    assert results["scale_writes"] and all(rate > 0 for rate in results["scale_writes"])
    # alarms: every alarm of the tick changed state, and the tick's process reported its peak RSS
    assert results["alarms"]["alarms"] == results["alarms"]["changes"] == 600
    assert figures["alarms_tick"]["unit"] == "s" and figures["alarms_rss"]["value"] > 0

    # Every measured run of every target completed requests, and none failed (the run would have stopped).
    labels = ["read", "write TagResource", "write Create/Delete cycle", "peer", "scale", "ingest PutMetricData"]
    labels += ["read, 1 and 2 processes", "write TagResource, 1 and 2 processes"]
    labels += ["postgres read", "postgres write TagResource"] if with_postgres else []
    for label in labels:
        for target, runs in results[label].items():
            assert runs and all(run["requests"] > 0 and run["non_2xx"] == 0 for run in runs), (label, target)
    sweep = results["sweep"]
    assert sweep["connections"] == [1, 4]
    assert all(point["rps"] > 0 for name in ("floor", "lsnotify") for point in sweep[name])

    # delivery: the worker drained every message (bench.outbox_drain fails otherwise) beside the bare sender
    delivery = figures["delivery"]
    assert delivery["unit"] == "messages/s" and delivery["base_name"] == "bare SMTP sender" and delivery["base"] > 0
    assert len(results["delivery"]["drain"]) == len(results["delivery"]["sender"]) == 1
    for figure in results["figures"]:
        assert figure["name"] in done.stdout
