"""The evaluator's tick against a real SQLite store: state changes, their notifications, and who gets none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from alarm_records import new_alarm
from lsnotify.config import load_settings
from lsnotify.domain import Operation, Scope, new_id
from lsnotify.domain.alarms import ALARM, INSUFFICIENT_DATA, OK, Alarm, MonitoredResource
from lsnotify.domain.contacts import EMAIL, PENDING_VERIFICATION, SMS, VALID, ContactMethod
from lsnotify.domain.metrics import HOUR, MINUTE, MetricRetention
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.service.alarms.evaluator import AlarmEvaluator
from lsnotify.service.alarms.metrics import aggregate
from lsnotify.storage.base import Store
from lsnotify.storage.factory import open_store

SCOPE = Scope("111111111111", "us-east-1")
NOW = 1_800_000_000.0 - 1_800_000_000.0 % 300 + 10  # 10 s into a period
RETENTION = 14 * 86400.0
WEB = MonitoredResource(SCOPE.account_id, SCOPE.region, "web-1", "Instance", "r-1", NOW)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(load_settings({"data_dir": str(tmp_path)})) as store:
        await store.add_resource(WEB)
        yield store


def op(name: str, kind: str = "PutAlarm") -> Operation:
    return Operation(new_id(), SCOPE.account_id, SCOPE.region, name, "Alarm", kind, NOW)


async def add_contact(store: Store, protocol: str, status: str = VALID) -> None:
    endpoint = "ops@example.com" if protocol == EMAIL else "+14255550100"
    cm = ContactMethod(SCOPE.account_id, SCOPE.region, protocol, endpoint, status, new_id(), NOW)
    await store.create_contact_method(cm, op(f"{protocol}-us-east-1", "CreateContactMethod"))


async def put_alarm(store: Store, name: str = "cpu-high", **changes: object) -> Alarm:
    defaults: dict[str, object] = {"evaluation_periods": 1, "datapoints_to_alarm": 1, "contact_protocols": (EMAIL, SMS)}
    return await store.put_alarm(new_alarm(name, WEB, **{**defaults, **changes}), op(name))


async def cpu(store: Store, value: float, at: float = NOW) -> None:
    await store.put_metric_data(WEB, "CPUUtilization", aggregate([(at, value)]))


def evaluator(store: Store) -> AlarmEvaluator:
    return AlarmEvaluator(store, lambda: NOW, interval=1.0, retention=RETENTION)


async def outbox(store: Store) -> list[OutboxMessage]:
    """The outbox in the order written, Email before SMS within one change."""
    return sorted(await store.list_outbox(), key=lambda m: (m.created_at, m.protocol))


async def state_of(store: Store, name: str = "cpu-high") -> str:
    alarm = await store.get_alarm(SCOPE, name)
    assert alarm is not None
    return alarm.state


async def test_breach_then_recovery_notifies_each_change_once(store: Store) -> None:
    await add_contact(store, EMAIL)
    await add_contact(store, SMS)
    alarm = await put_alarm(store)
    await cpu(store, 95.0)
    tick = evaluator(store)
    assert await tick.run_once(NOW) == 1
    assert await state_of(store) == ALARM
    messages = await outbox(store)
    assert [(m.kind, m.protocol, m.idempotency_key) for m in messages] == [
        ("notification", EMAIL, f"alarm-{alarm.id}-1-Email"),
        ("notification", SMS, f"alarm-{alarm.id}-1-SMS"),
    ]
    assert messages[0].payload["subject"] == 'ALARM: "cpu-high" in US East (N. Virginia)'
    assert "95 >= 80 (INSUFFICIENT_DATA->ALARM)" in messages[1].payload["text"]

    assert await tick.run_once(NOW + 1) == 0  # no change, nothing more to say
    assert len(await store.list_outbox()) == 2

    await cpu(store, 10.0, NOW + 300)
    assert await tick.run_once(NOW + 300) == 1
    assert await state_of(store) == OK
    ok_messages = (await outbox(store))[2:]
    assert [m.payload.get("subject") for m in ok_messages] == ['OK: "cpu-high" in US East (N. Virginia)', None]
    assert "10 >= 80 (ALARM->OK)" in ok_messages[1].payload["text"]
    history = await store.list_alarm_history(SCOPE, "cpu-high")
    assert [(c.old_state, c.new_state) for c in history] == [(ALARM, OK), (INSUFFICIENT_DATA, ALARM)]
    assert history[1].reason.startswith("Threshold crossed: 1 of the last 1 datapoints [95]")
    assert history[1].notified == ((EMAIL, "ops@example.com"), (SMS, "+14255550100"))


async def test_missing_data_per_treatment(store: Store) -> None:
    await put_alarm(store, "missing")
    await put_alarm(store, "breaching", treat_missing_data="breaching", metric_name="NetworkIn")
    await put_alarm(store, "not-breaching", treat_missing_data="notBreaching", metric_name="NetworkOut")
    assert await evaluator(store).run_once(NOW) == 2
    assert [await state_of(store, n) for n in ("missing", "breaching", "not-breaching")] == [
        INSUFFICIENT_DATA,
        ALARM,
        OK,
    ]


@pytest.mark.parametrize(
    ("changes", "email_status", "sms", "value"),
    [
        ({"notification_enabled": False}, VALID, True, 95.0),  # notifications off
        ({"notification_triggers": (ALARM,)}, VALID, True, 10.0),  # to OK, and OK is no trigger
        ({}, PENDING_VERIFICATION, False, 95.0),  # an unverified email; SMS deleted (never created)
        ({"contact_protocols": ()}, VALID, True, 95.0),  # no protocol chosen
    ],
)
async def test_changes_that_notify_nobody(
    store: Store, changes: dict[str, object], email_status: str, sms: bool, value: float
) -> None:
    await add_contact(store, EMAIL, email_status)
    if sms:
        await add_contact(store, SMS)
    await put_alarm(store, **changes)
    await cpu(store, value)
    assert await evaluator(store).run_once(NOW) == 1
    assert await state_of(store) == (ALARM if value > 80 else OK)
    assert await store.list_outbox() == []
    assert (await store.list_alarm_history(SCOPE, "cpu-high"))[0].notified == ()


async def test_a_stale_read_records_nothing(store: Store) -> None:
    await add_contact(store, EMAIL)
    stale = await put_alarm(store)
    await put_alarm(store, threshold=99.0)  # the configuration changed after the evaluator read the alarm
    await cpu(store, 95.0)
    assert await evaluator(store).evaluate_alarm(stale, NOW) is False
    assert await state_of(store) == INSUFFICIENT_DATA and await store.list_outbox() == []


async def test_two_evaluators_record_each_change_once(store: Store) -> None:
    await add_contact(store, EMAIL)
    metrics = ["CPUUtilization", "NetworkIn", "NetworkOut", "StatusCheckFailed", "DiskReadOps", "DiskWriteOps"]
    for i, metric in enumerate(metrics * 2):
        await put_alarm(store, f"alarm-{i:02d}", metric_name=metric, contact_protocols=(EMAIL,))
        await store.put_metric_data(WEB, metric, aggregate([(NOW, 95.0)]))
    first, second = evaluator(store), evaluator(store)
    changed = await asyncio.gather(first.run_once(NOW), second.run_once(NOW), first.run_once(NOW))
    assert sum(changed) == 12
    keys = [m.idempotency_key for m in await store.list_outbox()]
    assert len(keys) == 12 == len(set(keys))


async def test_old_data_is_pruned(store: Store) -> None:
    kept = MetricRetention()
    await cpu(store, 50.0, NOW - kept.five_minutes - 600)
    await cpu(store, 55.0, NOW - kept.minute - 600)
    await cpu(store, 60.0, NOW - 600)
    await evaluator(store).run_once(NOW)
    left = await store.get_metric_data(SCOPE, "web-1", "CPUUtilization", 0, int(NOW))
    assert [p.sum for p in left] == [55.0, 60.0]
    minutes = await store.get_metric_data(SCOPE, "web-1", "CPUUtilization", 0, int(NOW), MINUTE)
    assert [p.sum for p in minutes] == [60.0]
    hours = await store.get_metric_data(SCOPE, "web-1", "CPUUtilization", 0, int(NOW), HOUR)
    assert [p.sum for p in hours] == [50.0, 55.0, 60.0]


async def test_the_loop_ticks_until_stopped(store: Store) -> None:
    await put_alarm(store)
    await cpu(store, 95.0)
    loop = evaluator(store)
    loop.start()
    try:
        for _ in range(500):
            if await state_of(store) == ALARM:
                break
            await asyncio.sleep(0.02)
    finally:
        await loop.stop(timeout=10)
    assert await state_of(store) == ALARM
