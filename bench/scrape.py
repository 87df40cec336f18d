"""A scrape of N node_exporter targets: how long the scraper takes to fetch, parse, record and store them all.

The targets are N paths of one local HTTP server (an asyncio stand-in for N exporters, in its own process on the load
generator's CPUs) that serves a real node_exporter's page — Debian's ``prometheus-node-exporter`` with its default
collectors, captured once, or a synthetic page of the same shape when it is not installed — and, from its second
request of a path on, the same page with the CPU and network counters moved on, so that the measured round derives
every metric. The scraper runs here on a durable SQLite store: round one takes each target's baseline (two status
checks stored), round two is the steady state (five datapoints and the counters stored per target).

``python -m bench.scrape --targets N [--concurrency C] [--exporter-cpus CPUS]`` prints one JSON line of figures
(``make bench`` runs it as the ``scrape`` benchmark; ``--serve PORT PAGE`` is the stand-in server itself).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.loadgen import pinned
from bench.report import Figure
from bench.servers import free_port
from lsnotify.config import load_settings
from lsnotify.domain import Scope, new_id
from lsnotify.domain.alarms import INSTANCE, MonitoredResource
from lsnotify.service.alarms.node_exporter import CPU_SECONDS, RECEIVE_BYTES, TRANSMIT_BYTES
from lsnotify.service.alarms.scraper import Scraper
from lsnotify.storage.factory import open_store

SCOPE = Scope("111111111111", "us-east-1")
INTERVAL = 60.0
"""The default scrape interval: a scrape of every target must fit in it."""
EXPORTER = "/usr/bin/prometheus-node-exporter"
_COUNTER = re.compile(rf"^((?:{CPU_SECONDS}|{RECEIVE_BYTES}|{TRANSMIT_BYTES})\{{[^}}]*\}}) (\S+)$", re.M)


def wait_for(url: str, timeout: float = 15.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bytes(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def exporter_page() -> tuple[bytes, str]:
    """A real node_exporter's page (default collectors) and where it came from; a synthetic one without it."""
    if Path(EXPORTER).exists():
        port = free_port()
        process = subprocess.Popen(
            [EXPORTER, f"--web.listen-address=127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            return wait_for(f"http://127.0.0.1:{port}/metrics"), "prometheus-node-exporter, default collectors"
        finally:
            process.kill()
            process.wait()
    lines = [f"# TYPE {CPU_SECONDS} counter"]
    modes = ("idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user")
    lines += [f'{CPU_SECONDS}{{cpu="{cpu}",mode="{mode}"}} 1000' for cpu in range(2) for mode in modes]
    for name in (RECEIVE_BYTES, TRANSMIT_BYTES):
        lines += [f'{name}{{device="{device}"}} 1e9' for device in ("eth0", "lo")]
    lines += [f'node_filler_metric{{n="{n}"}} {n}' for n in range(1500)]
    return ("\n".join(lines) + "\n").encode(), "synthetic page (prometheus-node-exporter is not installed)"


def moved_on(page: bytes) -> bytes:
    """``page`` with every CPU and network counter grown, as a later scrape would find it."""
    return _COUNTER.sub(lambda m: f"{m.group(1)} {float(m.group(2)) * 1.001 + 1:.6g}", page.decode()).encode()


def scrape_figures(targets: int, server_cpus: str | None, load_cpus: str | None) -> list[Figure]:
    """Run this module (on the servers' CPUs, its stand-in exporters on the load generator's) and report its round
    in the steady state: targets scraped per second, and the scraper's CPU time per target."""
    command = [sys.executable, "-m", "bench.scrape", "--targets", str(targets)]
    command += ["--exporter-cpus", load_cpus] if load_cpus else []
    done = subprocess.run(pinned(server_cpus, command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.scrape failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.splitlines()[-1])
    print(f"  scrape: {json.dumps(result)}", file=sys.stderr, flush=True)
    seconds = result["steady_seconds"]
    return [
        Figure(
            key="scrape",
            name=f"scrape: {targets} node_exporter targets, all metrics derived and stored",
            value=targets / seconds,
            unit="targets/s",
            target=f"all {targets} within the {INTERVAL:g} s interval",
            met=seconds < INTERVAL,
        ),
        Figure(
            key="scrape_cpu",
            name="scrape: the scraper's CPU time per target",
            value=result["steady_cpu_seconds"] / targets * 1000,
            unit="ms",
        ),
    ]


# -- the stand-in exporters ----------------------------------------------------------------------------------------


async def serve(port: int, first: bytes) -> None:
    """Answer every GET with ``first`` the first time its path is asked for, and ``moved_on(first)`` after."""
    later = moved_on(first)
    seen: set[bytes] = set()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                body = later if path in seen else first
                seen.add(path)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n")
                writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", port, backlog=1024)
    await server.serve_forever()


# -- the measurement -----------------------------------------------------------------------------------------------


async def measure(targets: int, concurrency: int, base_url: str, data_dir: str) -> dict[str, float]:
    async with open_store(load_settings({"data_dir": data_dir})) as store:
        now = time.time()

        async def watched(n: int) -> None:
            name = f"host-{n:05d}"
            await store.add_resource(MonitoredResource(SCOPE.account_id, SCOPE.region, name, INSTANCE, new_id(), now))
            await store.set_scrape_target(SCOPE, name, f"{base_url}/{name}/metrics", now)

        await asyncio.gather(*(watched(n) for n in range(targets)))
        scraper = Scraper(store, time.time, interval=INTERVAL, timeout=10, concurrency=concurrency, name="bench")
        figures: dict[str, float] = {}
        for round_name, at in (("baseline", now), ("steady", now + INTERVAL)):
            cpu, started = time.process_time(), time.perf_counter()
            scraped = await scraper.run_once(at)
            figures[f"{round_name}_seconds"] = time.perf_counter() - started
            figures[f"{round_name}_cpu_seconds"] = time.process_time() - cpu
            assert scraped == targets, f"{round_name}: scraped {scraped} of {targets}"
        await scraper.stop()
        cpu_points = await store.get_metric_data(SCOPE, "host-00000", "CPUUtilization", 0, 2**40)
        assert sum(p.sample_count for p in cpu_points) == 1, "the steady round derived no CPUUtilization"
        return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scrape", description=__doc__.splitlines()[0])
    p.add_argument("--targets", type=int, default=1000, help="node_exporter targets (default 1000)")
    p.add_argument("--concurrency", type=int, default=32, help="scrapes at once (the scrape_concurrency setting)")
    p.add_argument("--exporter-cpus", default=None, help="CPUs of the stand-in exporters' process")
    p.add_argument("--serve", nargs=2, metavar=("PORT", "PAGE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve:
        asyncio.run(serve(int(args.serve[0]), Path(args.serve[1]).read_bytes()))
        return 0
    with tempfile.TemporaryDirectory(prefix="lsnotify-bench-scrape-") as tmp:
        page, source = exporter_page()
        (Path(tmp) / "page.txt").write_bytes(page)
        port = free_port()
        command = [sys.executable, "-m", "bench.scrape", "--serve", str(port), str(Path(tmp) / "page.txt")]
        server = subprocess.Popen(pinned(args.exporter_cpus, command))
        try:
            wait_for(f"http://127.0.0.1:{port}/probe/metrics")
            figures = asyncio.run(measure(args.targets, args.concurrency, f"http://127.0.0.1:{port}", tmp + "/store"))
        finally:
            server.kill()
            server.wait()
    result = {"targets": args.targets, "concurrency": args.concurrency, "page_bytes": len(page), "page": source}
    print(json.dumps({**result, **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
