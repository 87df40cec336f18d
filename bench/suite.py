"""The benchmarks: read, latency, scale, peer, write, workers, delivery, alarms, and the sweep the chart is drawn from.

``Bench`` owns the running servers and the keys: lsnotify on a small store (16 accounts × 4 regions, each scope with
an Email and an SMS contact method), the floor (``bench.floor``), and, for their benchmarks, moto's server and a
second lsnotify on a store seeded with a million contact methods. Each benchmark loads lsnotify and its baseline with
the same load generator, concurrency and pre-signed requests, in interleaved rounds (``bench.rounds``).
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import alarm_evaluation, fixtures, ingest
from bench.fixtures import REGIONS, Scope
from bench.loadgen import LoadGenerator, PyLoad, RunResult, Target, pinned
from bench.presign import Call, sign
from bench.report import Figure
from bench.rounds import Comparison, interleave
from bench.servers import ROOT, Server, floor_server, lsnotify_server, moto_server, request, smtp_sink
from lsnotify.domain.contacts import SMS
from lsnotify.storage.factory import SQLITE_FILE

READ_ACCOUNTS = 16
DELIVERY_TARGET = 300
"""Messages per second the outbox worker must deliver: an absolute target, its floor shown beside it."""
MB = 1024 * 1024
COLD_SCOPES = 20_000
"""Scopes of the cold read, drawn afresh each round: twice what the store's contact-method cache holds, so that
every read misses it."""
WRITE_RATE = 200.0
"""TagResource calls a second of the steady write load beside the read (open loop, on the scopes read)."""
WORKERS = 2
ALARMS_TARGET_SECONDS = 30.0


@dataclass(frozen=True)
class Options:
    duration: float
    rounds: int
    warmup: float
    connections: int
    latency_connections: int
    sweep: tuple[int, ...]
    sweep_duration: float
    cycle_accounts: int
    scale_contact_methods: int
    scale_accounts: int
    delivery_messages: int
    ingest_requests: int
    alarms: int
    alarm_resources: int
    server_cpus: str | None
    load_cpus: str | None
    server_args: tuple[str, ...]


class Bench:
    def __init__(self, options: Options, loadgen: LoadGenerator, workdir: Path) -> None:
        self.options = options
        self.loadgen = loadgen
        self.workdir = workdir
        self.servers: list[Server] = []
        self.results: dict[str, Any] = {}
        data_dir = workdir / "lsnotify"
        cycle_total = options.cycle_accounts * (options.rounds + 1)
        ids = [fixtures.account_id(i) for i in range(READ_ACCOUNTS + 1 + cycle_total)]
        keys = fixtures.issue_keys(data_dir, ids)
        self.read_scopes = fixtures.scopes(keys[:READ_ACCOUNTS])
        self.probe = Scope(keys[READ_ACCOUNTS], REGIONS[0])
        cycle_keys = keys[READ_ACCOUNTS + 1 :]
        self.cycle_sets = [
            fixtures.scopes(cycle_keys[i : i + options.cycle_accounts])
            for i in range(0, cycle_total, options.cycle_accounts)
        ]
        self.data_dir = data_dir
        self.lsnotify = self._start(
            lsnotify_server(data_dir, workdir / "logs", options.server_cpus, options.server_args)
        )
        self._expect_ok(self.lsnotify, fixtures.create_calls(self.read_scopes))
        responses = self._sample_responses()
        self.responses_file = workdir / "floor-responses.json"
        self.responses_file.write_text(json.dumps(responses))
        self.floor = self._start(floor_server(self.responses_file, workdir / "logs", options.server_cpus))

    # -- plumbing ---------------------------------------------------------------------------------------------------
    def _start(self, server: Server) -> Server:
        self.servers.append(server)
        return server.start()

    def close(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    def _signed(self, server: Server, calls: list[Call]) -> list[bytes]:
        return sign("lightsail", server.target.url, calls)

    def _expect_ok(self, server: Server, calls: list[Call]) -> list[bytes]:
        bodies = []
        for raw in self._signed(server, calls):
            status, body = request(server.target, raw)
            if status != 200:
                raise RuntimeError(f"{server.name} answered {status} while setting up: {body[:500]!r}")
            bodies.append(body)
        return bodies

    def _sample_responses(self) -> dict[str, str]:
        """One real lsnotify response per operation benchmarked: the floor answers each with the same bytes."""
        scope = self.read_scopes[0]
        probe = [self.probe]
        samples = {
            "GetContactMethods": fixtures.read_calls([scope]),
            "TagResource": fixtures.tag_calls([scope]),
            "CreateContactMethod": fixtures.create_calls(probe, (SMS,)),
            "DeleteContactMethod": fixtures.delete_calls(probe),
        }
        out = {}
        for operation, calls in samples.items():
            (body,) = self._expect_ok(self.lsnotify, calls)
            out[f"Lightsail_20161128.{operation}"] = body.decode()
        out[""] = out["Lightsail_20161128.GetContactMethods"]
        (put,) = sign("cloudwatch", self.lsnotify.target.url, ingest.put_metric_data_calls(self.probe, time.time(), 1))
        status, body = request(self.lsnotify.target, put)
        if status != 200:
            raise RuntimeError(f"lsnotify answered {status} to PutMetricData while setting up: {body[:500]!r}")
        out[ingest.CLOUDWATCH_TARGET] = body.decode()
        return out

    def _compare(
        self,
        label: str,
        targets: list[Target],
        signer: Callable[[int], dict[str, list[bytes]]],
        loadgen: LoadGenerator | None = None,
        connections: int | None = None,
        duration: float | None = None,
        rounds: int | None = None,
    ) -> Comparison:
        o = self.options
        print(f"{label}:", file=sys.stderr, flush=True)
        comparison = interleave(
            label,
            loadgen or self.loadgen,
            targets,
            signer,
            connections=connections or o.connections,
            duration=duration or o.duration,
            rounds=rounds or o.rounds,
            warmup=o.warmup,
        )
        self.results[label] = comparison.as_json()
        failures = {name: count for name, count in comparison.failures().items() if count}
        if failures:
            raise RuntimeError(f"{label}: requests failed ({failures}); see the logs in {self.workdir / 'logs'}")
        return comparison

    def _same_requests(
        self, calls: Callable[[int], list[Call]], *others: Server
    ) -> Callable[[int], dict[str, list[bytes]]]:
        """A signer giving lsnotify's requests to lsnotify and, byte for byte, to each of ``others``."""

        def signer(index: int) -> dict[str, list[bytes]]:
            raw = self._signed(self.lsnotify, calls(index))
            return {"lsnotify": raw, **{server.name: raw for server in others}}

        return signer

    # -- the benchmarks ---------------------------------------------------------------------------------------------
    def read(self) -> tuple[Comparison, list[Figure]]:
        calls = fixtures.read_calls(self.read_scopes)
        c = self._compare(
            "read", [self.floor.target, self.lsnotify.target], self._same_requests(lambda _: calls, self.floor)
        )
        name = f"read GetContactMethods, {READ_ACCOUNTS} accounts x {len(REGIONS)} regions"
        return c, [_throughput("read", name, c, "lsnotify", "floor", 0.50, must=0.40)]

    def latency(self, max_rps: float) -> list[Figure]:
        rate = max_rps / 2
        load = PyLoad(self.options.load_cpus, rate)
        calls = fixtures.read_calls(self.read_scopes)
        c = self._compare(
            f"latency at {rate:,.0f} req/s",
            [self.floor.target, self.lsnotify.target],
            self._same_requests(lambda _: calls, self.floor),
            loadgen=load,
            connections=self.options.latency_connections,
        )
        self.results["latency_rate"] = rate
        figures = []
        for name, limit in (("p50", None), ("p99", 5.0)):
            value = c.median_latency("lsnotify", name)
            figures.append(
                Figure(
                    key=f"latency_{name}",
                    name=f"read latency {name} at half load ({rate:,.0f} req/s, open loop)",
                    value=value,
                    unit="ms",
                    base=c.median_latency("floor", name),
                    base_name="floor",
                    target=f"<= {limit:g} ms" if limit else "",
                    met=value <= limit if limit else None,
                )
            )
        return figures

    def write(self) -> list[Figure]:
        targets = [self.floor.target, self.lsnotify.target]
        tags = fixtures.tag_calls(self.read_scopes)
        c = self._compare("write TagResource", targets, self._same_requests(lambda _: tags, self.floor))

        def cycle(index: int) -> list[Call]:
            scopes = self.cycle_sets[index + 1]  # -1, the warm-up, takes the first set
            return fixtures.create_calls(scopes, (SMS,)) + fixtures.delete_calls(scopes)

        cyc = self._compare("write Create/Delete cycle", targets, self._same_requests(cycle, self.floor))
        scopes = self.options.cycle_accounts * len(REGIONS)
        return [
            _throughput("write_tag", "write TagResource, durable", c, "lsnotify", "floor", 0.20, must=0.15),
            _throughput(
                "write_cycle",
                f"write Create/DeleteContactMethod over {scopes} scopes, durable",
                cyc,
                "lsnotify",
                "floor",
                0.20,
                must=0.15,
            ),
        ]

    def ingest(self) -> list[Figure]:
        """Datums per second through CloudWatch PutMetricData, 1000 datums a request, each request one durable
        transaction; the floor's request rate for the same bytes (times 1000) beside it."""
        scope = self.read_scopes[0]
        count = self.options.ingest_requests

        def signer(_: int) -> dict[str, list[bytes]]:
            raw = sign("cloudwatch", self.lsnotify.target.url, ingest.put_metric_data_calls(scope, time.time(), count))
            return {"lsnotify": raw, "floor": raw}

        c = self._compare(
            "ingest PutMetricData",
            [self.floor.target, self.lsnotify.target],
            signer,
            connections=min(self.options.connections, 16),
        )
        datums = c.median_rps("lsnotify") * ingest.DATUMS_PER_REQUEST
        return [
            Figure(
                key="ingest",
                name=f"ingest: CloudWatch PutMetricData, {ingest.DATUMS_PER_REQUEST} datums a request, durable",
                value=datums,
                unit="datums/s",
                base=c.median_rps("floor") * ingest.DATUMS_PER_REQUEST,
                base_name="floor",
                ratio=c.ratio("lsnotify", "floor"),
                target=f">= {ingest.TARGET:,} datums/s (must >= {ingest.DEFECT:,})",
                met=datums >= ingest.TARGET,
                must_met=datums >= ingest.DEFECT,
            )
        ]

    def peer(self) -> list[Figure]:
        moto = self._start(moto_server(self.workdir / "logs", self.options.server_cpus))
        try:
            parameter = "/lsnotify/bench/contact-endpoint"
            put = [
                Call(
                    self.read_scopes[0].key,
                    region,
                    "PutParameter",
                    {"Name": parameter, "Value": "bench@example.com", "Type": "String", "Overwrite": True},
                )
                for region in REGIONS
            ]
            for raw in sign("ssm", moto.target.url, put):
                status, body = request(moto.target, raw)
                if status != 200:
                    raise RuntimeError(f"moto answered {status} to PutParameter: {body[:300]!r}")
            gets = [Call(s.key, s.region, "GetParameter", {"Name": parameter}) for s in self.read_scopes]
            reads = fixtures.read_calls(self.read_scopes)

            def signer(_: int) -> dict[str, list[bytes]]:
                return {"moto": sign("ssm", moto.target.url, gets), "lsnotify": self._signed(self.lsnotify, reads)}

            c = self._compare("peer", [moto.target, self.lsnotify.target], signer)
        finally:
            moto.stop()
        return [_throughput("peer", "peer: read vs moto server ssm GetParameter", c, "lsnotify", "moto", 20.0)]

    def scale(self) -> list[Figure]:
        o = self.options
        data_dir = self.workdir / "lsnotify-scale"
        keys = fixtures.issue_keys(data_dir, [scope.key.account_id for scope in self.read_scopes[:: len(REGIONS)]])
        scopes = fixtures.scopes(keys)
        print(
            f"scale: seeding {o.scale_contact_methods:,} contact methods over {o.scale_accounts:,} accounts",
            file=sys.stderr,
            flush=True,
        )
        seeded = fixtures.seed_bulk(data_dir, o.scale_contact_methods, o.scale_accounts, scopes)
        big = self._start(lsnotify_server(data_dir, self.workdir / "logs", o.server_cpus, o.server_args, "lsnotify-1M"))
        try:
            empty_calls = fixtures.read_calls(self.read_scopes)
            big_calls = fixtures.read_calls(scopes)
            cold = Target(f"{big.name} cold", big.target.host, big.target.port)
            busy = Target(f"{big.name} +writes", big.target.host, big.target.port)
            rng = random.Random(1)
            first_seeded = len(keys) + 1

            def signer(_: int) -> dict[str, list[bytes]]:
                drawn = fixtures.seeded_scopes(COLD_SCOPES, first_seeded, o.scale_accounts, rng)
                hot = self._signed(big, big_calls)
                return {
                    "lsnotify": self._signed(self.lsnotify, empty_calls),
                    big.name: hot,
                    cold.name: self._signed(big, fixtures.read_calls(drawn)),
                    busy.name: hot,
                }

            writes = SteadyWrites(
                self.loadgen,
                PyLoad(o.load_cpus, WRITE_RATE),
                busy.name,
                lambda: self._signed(big, fixtures.tag_calls(scopes)),
            )
            c = self._compare("scale", [self.lsnotify.target, big.target, cold, busy], signer, loadgen=writes)
            self.results["scale_writes"] = writes.rates
            rss_big, rss_empty = big.rss_bytes() / MB, self.lsnotify.rss_bytes() / MB
        finally:
            big.stop()
        size = sum(path.stat().st_size for path in data_dir.glob(SQLITE_FILE + "*")) / MB
        self.results["scale_seeded"] = seeded
        shutil.rmtree(data_dir, ignore_errors=True)
        cold_scopes = min(COLD_SCOPES, o.scale_accounts - len(keys))
        return [
            _throughput("scale_read", f"scale: read with {seeded:,} contact methods", c, big.name, "lsnotify", 0.90),
            _throughput(
                "scale_cold",
                f"scale: read over {cold_scopes:,} scopes drawn at random (cold)",
                c,
                cold.name,
                big.name,
                0.80,
            ),
            _throughput(
                "scale_writes",
                f"scale: read beside {WRITE_RATE:,.0f} TagResource/s on the scopes read",
                c,
                busy.name,
                big.name,
                0.80,
            ),
            Figure(
                key="scale_rss",
                name=f"scale: server RSS with {seeded:,} contact methods",
                value=rss_big,
                unit="MB",
                base=rss_empty,
                base_name="empty store",
                target="<= 150 MB",
                met=rss_big <= 150,
            ),
            Figure(
                key="scale_db", name=f"scale: database on disk with {seeded:,} contact methods", value=size, unit="MB"
            ),
        ]

    def workers(self) -> list[Figure]:
        """The read and the durable write with ``WORKERS`` server processes (``serve --workers``) beside the floor with
        as many, in the same interleaved rounds as the one-process lsnotify and floor. The many-process servers run
        on every CPU (the load generator's too: on two cores, wrk shares the second with them); the one-process
        servers stay on the servers' CPU."""
        o = self.options
        cpus = ",".join(cpu for cpu in (o.server_cpus, o.load_cpus) if cpu) or None
        logs = self.workdir / "logs"
        many = self._start(
            lsnotify_server(
                self.data_dir, logs, cpus, (*o.server_args, "--workers", str(WORKERS)), f"lsnotify-{WORKERS}p"
            )
        )
        floor_many = self._start(floor_server(self.responses_file, logs, cpus, WORKERS, f"floor-{WORKERS}p"))
        try:
            targets = [self.floor.target, floor_many.target, self.lsnotify.target, many.target]
            reads = fixtures.read_calls(self.read_scopes)
            tags = fixtures.tag_calls(self.read_scopes)
            read = self._compare(
                f"read, 1 and {WORKERS} processes",
                targets,
                self._same_requests(lambda _: reads, self.floor, floor_many, many),
            )
            write = self._compare(
                f"write TagResource, 1 and {WORKERS} processes",
                targets,
                self._same_requests(lambda _: tags, self.floor, floor_many, many),
            )
        finally:
            many.stop()
            floor_many.stop()
        p, one = f"{WORKERS} processes", "1 process (same rounds)"
        return [
            _throughput("workers_read", f"read GetContactMethods, {p}", read, many.name, floor_many.name, 0.50),
            _throughput("workers_read_1", f"read GetContactMethods, {one}", read, "lsnotify", "floor", 0.50),
            _throughput("workers_write", f"write TagResource, durable, {p}", write, many.name, floor_many.name, 0.20),
            _throughput("workers_write_1", f"write TagResource, durable, {one}", write, "lsnotify", "floor", 0.20),
        ]

    def alarms(self) -> list[Figure]:
        """``bench.alarm_evaluation``: one evaluator tick over ``alarms`` alarms on ``alarm_resources`` instances,
        each alarm changing state; the tick runs in a process of its own on the servers' CPU."""
        o = self.options
        print(f"alarms: seeding {o.alarms:,} alarms over {o.alarm_resources:,} instances", file=sys.stderr, flush=True)
        data_dir = self.workdir / "alarms"
        result = alarm_evaluation.run(data_dir, o.alarms, o.alarm_resources, o.server_cpus)
        shutil.rmtree(data_dir, ignore_errors=True)
        self.results["alarms"] = result
        print(f"  alarms: {json.dumps(result)}", file=sys.stderr, flush=True)
        seconds = result["seconds"]
        what = f"{int(result['alarms']):,} alarms over {o.alarm_resources:,} instances, every one changing state"
        return [
            Figure(
                key="alarms_tick",
                name=f"alarms: one evaluator tick, {what}",
                value=seconds,
                unit="s",
                base=result["cpu_seconds"],
                base_name="CPU seconds",
                target=f"< {ALARMS_TARGET_SECONDS:g} s",
                met=seconds < ALARMS_TARGET_SECONDS,
            ),
            Figure(
                key="alarms_rss",
                name="alarms: the evaluating process's peak RSS",
                value=result["peak_rss_bytes"] / MB,
                unit="MB",
            ),
        ]

    def postgres(self, server_url: str) -> list[Figure]:
        """postgres: the read and the write benchmark again, lsnotify on SQLite beside lsnotify on a new
        database of the PostgreSQL server ``server_url``, interleaved in the same rounds, the same calls for each."""
        with fixtures.fresh_database(server_url) as database_url:
            return self._postgres(database_url)

    def _postgres(self, database_url: str) -> list[Figure]:
        o = self.options
        data_dir = self.workdir / "lsnotify-pg"
        ids = [scope.key.account_id for scope in self.read_scopes[:: len(REGIONS)]]
        pg_scopes = fixtures.scopes(fixtures.issue_keys(data_dir, ids, database_url))
        extra = (*o.server_args, "--database-url", database_url)
        pg = self._start(lsnotify_server(data_dir, self.workdir / "logs", o.server_cpus, extra, "lsnotify-pg"))
        try:
            self._expect_ok(pg, fixtures.create_calls(pg_scopes))

            def signer(calls: Callable[[list[Scope]], list[Call]]) -> Callable[[int], dict[str, list[bytes]]]:
                return lambda _: {
                    "lsnotify": self._signed(self.lsnotify, calls(self.read_scopes)),
                    pg.name: self._signed(pg, calls(pg_scopes)),
                }

            targets = [self.lsnotify.target, pg.target]
            read = self._compare("postgres read", targets, signer(fixtures.read_calls))
            write = self._compare("postgres write TagResource", targets, signer(fixtures.tag_calls))
        finally:
            pg.stop()
        return [
            _beside_sqlite("postgres_read", "PostgreSQL: read GetContactMethods", read, pg.name),
            _beside_sqlite("postgres_write", "PostgreSQL: write TagResource, durable", write, pg.name),
        ]

    def delivery(self) -> list[Figure]:
        """The outbox worker's drain rate beside the bare SMTP sender's (``bench.outbox_drain``), in interleaved
        rounds into one aiosmtpd sink on the load generator's CPUs; the worker and the sender on the servers'."""
        o = self.options
        sink = self._start(smtp_sink(self.workdir / "logs", o.load_cpus))
        rates: dict[str, list[float]] = {"drain": [], "sender": []}
        try:
            for index in range(o.rounds):
                for mode in ("drain", "sender") if index % 2 == 0 else ("sender", "drain"):
                    command = [sys.executable, "-m", "bench.outbox_drain", "--port", str(sink.port), "--mode", mode]
                    command += ["--messages", str(o.delivery_messages)]
                    done = subprocess.run(
                        pinned(o.server_cpus, command), cwd=ROOT, capture_output=True, text=True, check=False
                    )
                    if done.returncode != 0:
                        raise RuntimeError(f"bench.outbox_drain --mode {mode} failed: {done.stderr[-2000:]}")
                    result = json.loads(done.stdout.splitlines()[-1])
                    rates[mode].append(result["rate"])
                    print(
                        f"  delivery round {index + 1}: {mode:<12} {result['rate']:>10,.0f} messages/s"
                        f"  ({result['messages']} in {result['seconds']:.2f} s, CPU {result['cpu_seconds']:.2f} s)",
                        file=sys.stderr,
                        flush=True,
                    )
        finally:
            sink.stop()
        self.results["delivery"] = rates
        drain = statistics.median(rates["drain"])
        ratio = statistics.median(d / s for d, s in zip(rates["drain"], rates["sender"], strict=True))
        return [
            Figure(
                key="delivery",
                name="delivery: outbox drain into aiosmtpd",
                value=drain,
                unit="messages/s",
                base=statistics.median(rates["sender"]),
                base_name="bare SMTP sender",
                ratio=ratio,
                target=f">= {DELIVERY_TARGET} messages/s",
                met=drain >= DELIVERY_TARGET,
            )
        ]

    def sweep(self) -> dict[str, Any]:
        """Throughput and p99 against concurrency, one interleaved round per level: the chart's data."""
        calls = fixtures.read_calls(self.read_scopes)
        signer = self._same_requests(lambda _: calls, self.floor)
        series: dict[str, Any] = {"connections": list(self.options.sweep), "floor": [], "lsnotify": []}
        for connections in self.options.sweep:
            c = self._compare(
                f"sweep c={connections}",
                [self.floor.target, self.lsnotify.target],
                signer,
                connections=connections,
                duration=self.options.sweep_duration,
                rounds=1,
            )
            for name in ("floor", "lsnotify"):
                run = c.runs[name][0]
                series[name].append({"rps": run.rps, "p99_ms": run.latency_ms["p99"]})
        self.results["sweep"] = series
        return series


_BASE_NAMES = {"lsnotify": "empty store"}


class SteadyWrites:
    """A load generator that runs a steady, open-loop write load beside each run of one target (``subject``).

    The writes are signed afresh for each run; any failed write fails the benchmark, like a failed read."""

    def __init__(self, loadgen: LoadGenerator, writes: PyLoad, subject: str, signed: Callable[[], list[bytes]]) -> None:
        self.name = loadgen.name
        self._loadgen = loadgen
        self._writes = writes
        self._subject = subject
        self._signed = signed
        self.rates: list[float] = []

    def run(self, target: Target, requests: list[bytes], connections: int, duration: float) -> RunResult:
        if target.name != self._subject:
            return self._loadgen.run(target, requests, connections, duration)
        signed = self._signed()
        written: list[RunResult] = []
        thread = threading.Thread(target=lambda: written.append(self._writes.run(target, signed, 8, duration + 1)))
        thread.start()
        try:
            return self._loadgen.run(target, requests, connections, duration)
        finally:
            thread.join()
            if not written or written[0].failures:
                raise RuntimeError(f"the steady writes beside {target.name} failed: {written}")
            self.rates.append(written[0].rps)


def _throughput(
    key: str, name: str, c: Comparison, subject: str, base: str, minimum: float, must: float | None = None
) -> Figure:
    """``subject``'s median throughput beside ``base``'s, and the median per-round ratio against ``minimum``."""
    ratio = c.ratio(subject, base)
    target = f">= {minimum:g}x" if minimum >= 1 else f">= {minimum:.2f}"
    if must is not None:
        target += f" (must >= {must:.2f})"
    return Figure(
        key=key,
        name=name,
        value=c.median_rps(subject),
        unit="req/s",
        base=c.median_rps(base),
        base_name=_BASE_NAMES.get(base, base),
        ratio=ratio,
        target=target,
        met=ratio >= minimum,
        must_met=ratio >= must if must is not None else None,
    )


def _beside_sqlite(key: str, name: str, c: Comparison, subject: str) -> Figure:
    """postgres: ``subject``'s median throughput beside lsnotify's on SQLite; no target, a measurement."""
    return Figure(
        key=key,
        name=name,
        value=c.median_rps(subject),
        unit="req/s",
        base=c.median_rps("lsnotify"),
        base_name="SQLite",
        ratio=c.ratio(subject, "lsnotify"),
    )
