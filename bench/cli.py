"""``python -m bench`` (``make bench``): run the benchmarks, print every figure with its ratio, save results and chart.

``--smoke`` runs everything once at tiny sizes with the Python load generator instead of wrk, to prove the benchmarks
still work (``make test`` does); its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.chart import draw, matplotlib_available
from bench.loadgen import LoadGenerator, PyLoad, Wrk
from bench.report import Figure, Pending, render
from bench.scrape import scrape_figures
from bench.suite import Bench, Options

BENCHMARKS = (
    "read",
    "latency",
    "scale",
    "peer",
    "sweep",
    "write",
    "workers",
    "delivery",
    "alarms",
    "postgres",
    "ingest",
    "scrape",
)
ON_THEIR_OWN = frozenset({"scrape"})
"""The benchmarks that start what they measure themselves, without the servers ``Bench`` starts."""
# postgres: the PostgreSQL server the postgres benchmark runs lsnotify on (`make bench` starts one)
DATABASE_URL_VARIABLE = "LSNOTIFY_TEST_DATABASE_URL"
NO_POSTGRES = Pending("postgres", f"not run: {DATABASE_URL_VARIABLE} names no PostgreSQL (`make bench` starts one)")

SMOKE = {
    "duration": 0.5,
    "rounds": 1,
    "warmup": 0.2,
    "connections": 4,
    "latency_connections": 4,
    "sweep": "1,4",
    "sweep_duration": 0.3,
    "cycle_accounts": 4,
    "scale_contact_methods": 2_000,
    "scale_accounts": 1_000,
    "delivery_messages": 50,
    "ingest_requests": 2,
    "scrape_targets": 20,
    "alarms": 600,
    "alarm_resources": 120,
    "loadgen": "python",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny sizes, Python load generator: check the benches work")
    p.add_argument("--only", default=",".join(BENCHMARKS), help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per measured run (default 5)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds per benchmark (default 3)")
    p.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per server before the rounds")
    p.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    p.add_argument("--latency-connections", type=int, default=64, help="connection pool of the open-loop run")
    p.add_argument("--sweep", default="1,2,4,8,16,32,64,128,256", help="connection counts of the chart's sweep")
    p.add_argument("--sweep-duration", type=float, default=3.0, help="seconds per sweep run (default 3)")
    p.add_argument("--cycle-accounts", type=int, default=1024, help="accounts of the Create/Delete cycle (x4 regions)")
    p.add_argument("--scale-contact-methods", type=int, default=1_000_000)
    p.add_argument("--scale-accounts", type=int, default=500_000)
    p.add_argument("--delivery-messages", type=int, default=2000, help="emails per delivery run (default 2000)")
    p.add_argument("--ingest-requests", type=int, default=60, help="PutMetricData requests of 1000 datums a run cycles")
    p.add_argument("--scrape-targets", type=int, default=1000, help="node_exporter targets of a scrape (default 1000)")
    p.add_argument("--alarms", type=int, default=100_000, help="alarms of the alarms benchmark (default 100,000)")
    p.add_argument("--alarm-resources", type=int, default=20_000, help="instances they watch (default 20,000)")
    p.add_argument("--loadgen", choices=("wrk", "python"), default="wrk", help="closed-loop load generator")
    p.add_argument("--server-cpus", default=None, help="CPUs of the servers (default 0 on a machine with 2+ CPUs)")
    p.add_argument("--load-cpus", default=None, help="CPUs of the load generator (default: the rest)")
    p.add_argument("--server-arg", action="append", default=[], help="extra flag for `lsnotify serve` (repeatable)")
    p.add_argument("--out", type=Path, default=Path("bench/results"), help="where results.json and the chart go")
    p.add_argument("--chart", type=Path, default=None, help="chart path (default OUT/throughput-p99.png)")
    return p


def _cpus(server: str | None, load: str | None) -> tuple[str | None, str | None]:
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return server, load
    server = server or str(available[0])
    taken = {int(cpu) for cpu in server.split(",") if cpu.isdigit()}
    load = load or ",".join(str(cpu) for cpu in available if cpu not in taken)
    return server, load


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.smoke:
        p.set_defaults(**SMOKE)
        args = p.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    if unknown := set(only) - set(BENCHMARKS):
        p.error(f"--only: unknown benchmark(s) {', '.join(sorted(unknown))}")
    server_cpus, load_cpus = _cpus(args.server_cpus, args.load_cpus)
    loadgen: LoadGenerator = Wrk(load_cpus) if args.loadgen == "wrk" else PyLoad(load_cpus)
    options = Options(
        duration=args.duration,
        rounds=args.rounds,
        warmup=args.warmup,
        connections=args.connections,
        latency_connections=args.latency_connections,
        sweep=tuple(int(c) for c in args.sweep.split(",")),
        sweep_duration=args.sweep_duration,
        cycle_accounts=args.cycle_accounts,
        scale_contact_methods=args.scale_contact_methods,
        scale_accounts=args.scale_accounts,
        delivery_messages=args.delivery_messages,
        ingest_requests=args.ingest_requests,
        alarms=args.alarms,
        alarm_resources=args.alarm_resources,
        server_cpus=server_cpus,
        load_cpus=load_cpus,
        server_args=tuple(args.server_arg),
    )
    machine = _machine(loadgen, options)
    print(f"lsnotify bench: {machine}", file=sys.stderr, flush=True)
    started = time.time()
    workdir = Path(tempfile.mkdtemp(prefix="lsnotify-bench-"))
    figures: list[Figure] = []
    results: dict[str, Any] = {"machine": machine, "options": options.__dict__, "started": started}
    bench = None
    series = None
    finished = False
    pending: list[Pending] = []
    try:
        if "scrape" in only:
            figures += scrape_figures(args.scrape_targets, server_cpus, load_cpus)
        if set(only) - ON_THEIR_OWN:
            bench = Bench(options, loadgen, workdir)
            read_rps = None
            if "read" in only or "latency" in only:
                comparison, read_figures = bench.read()
                read_rps = comparison.median_rps("lsnotify")
                if "read" in only:
                    figures += read_figures
            if "latency" in only and read_rps is not None:
                figures += bench.latency(read_rps)
            if "scale" in only:
                figures += bench.scale()
            if "peer" in only:
                figures += bench.peer()
            if "write" in only:
                figures += bench.write()
            if "workers" in only:
                figures += bench.workers()
            if "delivery" in only:
                figures += bench.delivery()
            if "alarms" in only:
                figures += bench.alarms()
            if "ingest" in only:
                figures += bench.ingest()
            if "postgres" in only and os.environ.get(DATABASE_URL_VARIABLE):
                figures += bench.postgres(os.environ[DATABASE_URL_VARIABLE])
            elif "postgres" in only:
                pending.append(NO_POSTGRES)
            series = bench.sweep() if "sweep" in only else None
            results.update(bench.results)
        finished = True
    finally:
        if bench is not None:
            bench.close()
        if finished:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"the servers' logs and data are kept in {workdir}", file=sys.stderr)
    results["figures"] = [figure.as_json() for figure in figures]
    results["pending"] = [item.__dict__ for item in pending]
    results["seconds"] = time.time() - started
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(render(f"lsnotify bench — {machine}", figures, pending))
    if series is not None:
        chart = args.chart or args.out / "throughput-p99.png"
        if matplotlib_available():
            print(f"chart: {draw(series, machine, loadgen.name, chart)}")
        else:
            print("chart: not drawn, matplotlib is missing (`make bench` installs the bench extra, which has it)")
    print(f"results: {args.out / 'results.json'}")
    return 0


def _machine(loadgen: LoadGenerator, options: Options) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = getattr(loadgen, "version", "")
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}; servers on CPU {options.server_cpus}, "
        f"{loadgen.name} {version} on CPU {options.load_cpus}".replace("  ", " ")
    )
