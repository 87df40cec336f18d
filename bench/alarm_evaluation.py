"""How long one alarm-evaluator tick takes on SQLite: quiet (nothing changes) and with every alarm changing state.

Standalone (not yet part of ``make bench``): ``python bench/alarm_evaluation.py [ALARMS]`` (default 1200). Every
alarm has data in its range; in the first tick each one goes INSUFFICIENT_DATA -> OK and queues one email (rendered
text and HTML), in the second nothing changes. Prints seconds per tick and per alarm.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time

from lsnotify.config import load_settings
from lsnotify.domain import Operation, Scope, new_id
from lsnotify.domain.alarms import Alarm, MonitoredResource
from lsnotify.domain.contacts import EMAIL, VALID, ContactMethod
from lsnotify.service.alarms.evaluator import AlarmEvaluator
from lsnotify.service.alarms.metrics import aggregate
from lsnotify.storage.base import Store
from lsnotify.storage.factory import open_store

SCOPE = Scope("111111111111", "us-east-1")
METRICS = ["CPUUtilization", "BurstCapacityPercentage", "BurstCapacityTime", "DiskTotalReadTime"]
METRICS += ["DiskTotalWriteTime", "DiskQueueLength"]


def operation(name: str, kind: str, now: float) -> Operation:
    return Operation(new_id(), SCOPE.account_id, SCOPE.region, name, "Alarm", kind, now)


def alarm(name: str, on: MonitoredResource, metric: str, now: float) -> Alarm:
    return Alarm(
        SCOPE.account_id, SCOPE.region, name, new_id(), now, on, metric, "GreaterThanOrEqualToThreshold", 80.0, 1, 1,
        "missing", (EMAIL,), ("ALARM", "OK"), True, state_changed_at=now,
    )  # fmt: skip


async def seed(store: Store, count: int, now: float) -> int:
    """One Email contact method and ``count`` alarms (two per metric of each instance), each with data; how many."""
    email = ContactMethod(SCOPE.account_id, SCOPE.region, EMAIL, "ops@example.com", VALID, new_id(), now)
    await store.create_contact_method(email, operation("Email-us-east-1", "CreateContactMethod", now))
    puts = []
    for host in range(max(1, count // (2 * len(METRICS)))):
        resource = MonitoredResource(SCOPE.account_id, SCOPE.region, f"host-{host}", "Instance", new_id(), now)
        await store.add_resource(resource)
        for metric in METRICS:
            await store.put_metric_data(resource, metric, aggregate([(now, 10.0)]))
            for level in (1, 2):
                name = f"host-{host}-{metric}-{level}"
                puts.append(store.put_alarm(alarm(name, resource, metric, now), operation(name, "PutAlarm", now)))
    await asyncio.gather(*puts)
    return len(puts)


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with open_store(load_settings({"data_dir": tmp})) as store:
            now = time.time()
            alarms = await seed(store, count, now)
            evaluator = AlarmEvaluator(store, time.time, interval=1.0, retention=14 * 86400.0)
            for what in ("every alarm changing", "quiet"):
                started = time.perf_counter()
                changed = await evaluator.run_once(now)
                took = time.perf_counter() - started
                per_alarm = took / alarms * 1e6
                print(f"{alarms} alarms, {what}: {took:.2f} s a tick, {per_alarm:.0f} µs an alarm, {changed} changes")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1200))
