"""Alarms at scale: one alarm-evaluator tick over many alarms on SQLite, with every alarm changing state.

``python -m bench.alarm_evaluation seed DATA_DIR --alarms N --resources R`` fills a new store: ``R`` instances spread
over accounts of 20 instances each (one region), each account with a Valid Email contact method, and ``N`` alarms
spread evenly over the instances (on their metrics in turn), every one with a datapoint in its range.
``python -m bench.alarm_evaluation tick DATA_DIR`` then runs one tick of the evaluator as ``serve`` runs it, in a
process of its own: each alarm goes INSUFFICIENT_DATA -> OK, and each change is committed durably with its history
entry and one rendered email in the outbox. It prints one JSON line: the tick's seconds (and the CPU seconds of its
process, its writer thread included), its changes and the process's peak RSS. ``make bench`` runs both
(``--only alarms``); ``python -m bench.alarm_evaluation quick --alarms N --resources R`` runs both in a temporary
directory and prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from pathlib import Path

from bench.loadgen import pinned
from lsnotify.config import load_settings
from lsnotify.domain import Operation, Scope, new_id
from lsnotify.domain.alarms import Alarm, MonitoredResource
from lsnotify.domain.contacts import EMAIL, VALID, ContactMethod
from lsnotify.service.alarms.evaluator import AlarmEvaluator
from lsnotify.service.alarms.metrics import aggregate
from lsnotify.storage.base import Store
from lsnotify.storage.factory import open_store

REGION = "us-east-1"
INSTANCES_PER_ACCOUNT = 20
METRICS = ["CPUUtilization", "BurstCapacityPercentage", "BurstCapacityTime", "DiskTotalReadTime"]
METRICS += ["DiskTotalWriteTime", "DiskQueueLength"]
CONCURRENT_WRITES = 2000
"""Writes in flight while seeding: enough to fill the writer's group commits."""


def operation(scope: Scope, name: str, kind: str, now: float) -> Operation:
    return Operation(new_id(), scope.account_id, scope.region, name, "Alarm", kind, now)


def alarm(scope: Scope, name: str, on: MonitoredResource, metric: str, now: float) -> Alarm:
    return Alarm(
        scope.account_id, scope.region, name, new_id(), now, on, metric, "GreaterThanOrEqualToThreshold", 80.0, 1, 1,
        "missing", (EMAIL,), ("ALARM", "OK"), True, state_changed_at=now,
    )  # fmt: skip


async def _in_chunks(writes: Sequence[Awaitable[object]]) -> None:
    for start in range(0, len(writes), CONCURRENT_WRITES):
        await asyncio.gather(*writes[start : start + CONCURRENT_WRITES])


async def seed(store: Store, alarms: int, resources: int, now: float) -> int:
    """The store described in the module docstring; the number of alarms."""
    instances: list[tuple[Scope, MonitoredResource]] = []
    for index in range(resources):
        scope = Scope(f"{200_000_000_000 + index // INSTANCES_PER_ACCOUNT:012d}", REGION)
        if index % INSTANCES_PER_ACCOUNT == 0:
            email = ContactMethod(
                scope.account_id, REGION, EMAIL, f"ops-{scope.account_id}@example.com", VALID, new_id(), now
            )
            await store.create_contact_method(email, operation(scope, f"Email-{REGION}", "CreateContactMethod", now))
        instances.append(
            (scope, MonitoredResource(scope.account_id, REGION, f"host-{index}", "Instance", new_id(), now))
        )
    await _in_chunks([store.add_resource(instance) for _, instance in instances])
    per_instance = -(-alarms // resources)
    metrics = [METRICS[i % len(METRICS)] for i in range(min(per_instance, len(METRICS)))]
    await _in_chunks(
        [
            store.put_metric_data(instance, metric, aggregate([(now, 10.0)]))
            for _, instance in instances
            for metric in metrics
        ]
    )
    puts = []
    for number in range(alarms):
        scope, instance = instances[number % resources]
        metric = METRICS[(number // resources) % len(METRICS)]
        name = f"{instance.name}-{metric}-{number // resources // len(METRICS)}"
        puts.append(store.put_alarm(alarm(scope, name, instance, metric, now), operation(scope, name, "PutAlarm", now)))
    await _in_chunks(puts)
    return len(puts)


async def _seed(data_dir: Path, alarms: int, resources: int) -> dict[str, float]:
    started = time.perf_counter()
    async with open_store(load_settings({"data_dir": str(data_dir)})) as store:
        count = await seed(store, alarms, resources, time.time())
    return {"alarms": count, "resources": resources, "seed_seconds": time.perf_counter() - started}


async def _tick(data_dir: Path) -> dict[str, float]:
    async with open_store(load_settings({"data_dir": str(data_dir)}), migrate=False) as store:
        evaluator = AlarmEvaluator(store, time.time, interval=300.0, retention=14 * 86400.0)
        cpu, started = time.process_time(), time.perf_counter()
        changed = await evaluator.run_once(time.time())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "cpu_seconds": cpu, "changes": changed, "peak_rss_bytes": peak}


def run(data_dir: Path, alarms: int, resources: int, cpus: str | None = None) -> dict[str, float]:
    """Seed, then tick in a process of its own (so that its peak RSS is the tick's), on ``cpus``; both results."""
    seeded = _child(None, "seed", data_dir, "--alarms", str(alarms), "--resources", str(resources))
    return {**seeded, **_child(cpus, "tick", data_dir)}


def _child(cpus: str | None, command: str, data_dir: Path, *args: str) -> dict[str, float]:
    done = subprocess.run(
        pinned(cpus, [sys.executable, "-m", "bench.alarm_evaluation", command, str(data_dir), *args]),
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.alarm_evaluation {command} failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("seed", "tick", "quick"))
    parser.add_argument("data_dir", nargs="?", type=Path)
    parser.add_argument("--alarms", type=int, default=1200)
    parser.add_argument("--resources", type=int, default=240)
    args = parser.parse_args()
    if args.command == "quick":
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run(Path(tmp), args.alarms, args.resources)))
        return
    if args.data_dir is None:
        parser.error(f"{args.command} needs DATA_DIR")
    if args.command == "seed":
        result = asyncio.run(_seed(args.data_dir, args.alarms, args.resources))
    else:
        result = asyncio.run(_tick(args.data_dir))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
