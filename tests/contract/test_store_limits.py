"""The Store contract for what the limits count, and for suppressed outbox messages, on every backend."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from alarm_records import new_alarm
from lsnotify.domain import Operation, Scope, new_id
from lsnotify.domain.alarms import INSTANCE, MonitoredResource
from lsnotify.domain.contacts import EMAIL, SMS
from lsnotify.domain.outbox import OUTBOX_SUPPRESSED, OutboxMessage
from lsnotify.storage.base import Store

ACCOUNT = "111111111111"
SCOPE = Scope(ACCOUNT, "us-east-1")
OTHER_REGION = Scope(ACCOUNT, "eu-west-1")
OTHER_ACCOUNT = Scope("222222222222", "us-east-1")
NOW = 1_800_000_000.0
LEASE = 60.0


def message(
    at: float,
    destination: str = "ops@example.com",
    *,
    scope: Scope = SCOPE,
    kind: str = "verification",
    protocol: str = EMAIL,
) -> OutboxMessage:
    message_id = new_id()
    return OutboxMessage(
        message_id, scope.account_id, scope.region, protocol, destination, kind, {"text": "t"}, message_id, at,
        next_attempt_at=at,
    )  # fmt: skip


def operation(name: str, kind: str, at: float, scope: Scope = SCOPE) -> Operation:
    return Operation(new_id(), scope.account_id, scope.region, name, "Alarm", kind, at, status_changed_at=at)


async def send_all(store: Store, at: float) -> None:
    for claimed in await store.claim_outbox("w", at, 100, LEASE):
        await store.record_outbox_sent(claimed, at)


async def test_outbox_times_are_of_one_kind_in_one_scope_newest_first(store: Store) -> None:
    await store.enqueue_outbox(
        [
            message(NOW - 100),
            message(NOW - 10),
            message(NOW - 50),
            message(NOW - 5000),  # before ``since``
            message(NOW - 20, "someone@example.com"),  # another address, the same scope: counted
            message(NOW - 20, kind="notification"),
            message(NOW - 20, scope=OTHER_REGION),
            message(NOW - 20, scope=OTHER_ACCOUNT),
        ]
    )
    await send_all(store, NOW)  # whatever became of them, they count
    assert await store.outbox_times(SCOPE, "verification", NOW - 1000) == [NOW - 10, NOW - 20, NOW - 50, NOW - 100]
    assert await store.outbox_times(Scope(ACCOUNT, "ap-south-1"), "verification", NOW - 1000) == []


async def test_count_sent_is_per_account_and_protocol_over_every_region_since_a_time(store: Store) -> None:
    await store.enqueue_outbox([message(NOW - 7200, kind="notification")])
    await send_all(store, NOW - 7200)  # sent before the window
    mine = message(NOW - 60, kind="notification")
    await store.enqueue_outbox(
        [
            mine,
            message(NOW - 60, kind="notification", scope=OTHER_REGION),
            message(NOW - 60, kind="notification", protocol=SMS),
            message(NOW - 60, kind="notification", scope=OTHER_ACCOUNT),
        ]
    )
    await send_all(store, NOW - 30)
    await store.enqueue_outbox([message(NOW - 20, kind="notification")])  # pending: not sent, not counted
    assert await store.count_sent(ACCOUNT, EMAIL, NOW - 3600) == 2
    assert await store.count_sent(ACCOUNT, SMS, NOW - 3600) == 1
    assert await store.count_sent(OTHER_ACCOUNT.account_id, EMAIL, NOW - 3600) == 1
    assert await store.count_sent(ACCOUNT, EMAIL, NOW - 10_000) == 3
    # A worker leaves out the messages it counts itself; unknown ids change nothing.
    assert await store.count_sent(ACCOUNT, EMAIL, NOW - 3600, excluding=[mine.id, "unknown"]) == 1
    assert await store.count_sent(ACCOUNT, EMAIL, NOW - 3600, excluding=[]) == 2


async def test_a_suppressed_message_is_settled_with_its_reason_and_never_claimed_again(store: Store) -> None:
    await store.enqueue_outbox([message(NOW, kind="notification")])
    (claimed,) = await store.claim_outbox("w", NOW, 10, LEASE)
    assert await store.record_outbox_suppressed(claimed, "suppressed: over the cap")
    (stored,) = await store.list_outbox(OUTBOX_SUPPRESSED)
    assert (stored.id, stored.last_error, stored.sent_at) == (claimed.message.id, "suppressed: over the cap", None)
    assert (await store.outbox_counts())[OUTBOX_SUPPRESSED] == 1
    assert await store.claim_outbox("w", NOW + 10 * LEASE, 10, LEASE) == []  # not even after its lease
    assert await store.retry_outbox(None, NOW) == []  # not a dead letter
    assert await store.count_sent(ACCOUNT, EMAIL, NOW - 3600) == 0
    # A claim that no longer holds (here: already settled) changes nothing.
    assert not await store.record_outbox_suppressed(claimed, "again")
    stale = replace(claimed, claim="another-worker/0")
    assert not await store.record_outbox_suppressed(stale, "again")


async def test_suppressed_messages_are_pruned_with_the_sent_ones(store: Store) -> None:
    await store.enqueue_outbox([message(NOW - 100, kind="notification"), message(NOW, kind="notification")])
    for claimed in await store.claim_outbox("w", NOW, 10, LEASE):
        await store.record_outbox_suppressed(claimed, "over")
    assert await store.prune_outbox(NOW - 50) == 1
    assert [m.created_at for m in await store.list_outbox(OUTBOX_SUPPRESSED)] == [NOW]


async def test_last_operation_at_is_the_newest_of_one_type_on_one_resource(store: Store) -> None:
    assert await store.last_operation_at(SCOPE, "cpu-high", "TestAlarm") is None
    resource = MonitoredResource(ACCOUNT, SCOPE.region, "web-1", INSTANCE, new_id(), NOW)
    await store.add_resource(resource)
    alarm = await store.put_alarm(new_alarm("cpu-high", resource), operation("cpu-high", "PutAlarm", NOW - 100))
    await store.record_alarm_test(alarm, operation("cpu-high", "TestAlarm", NOW - 30), [])
    await store.record_alarm_test(alarm, operation("cpu-high", "TestAlarm", NOW - 20), [])
    await store.put_alarm(alarm, operation("cpu-high", "PutAlarm", NOW - 5))
    assert await store.last_operation_at(SCOPE, "cpu-high", "TestAlarm") == NOW - 20
    assert await store.last_operation_at(SCOPE, "cpu-high", "PutAlarm") == NOW - 5
    assert await store.last_operation_at(OTHER_REGION, "cpu-high", "TestAlarm") is None


async def test_resources_and_alarms_are_counted_per_account_over_every_region(store: Store) -> None:
    assert (await store.count_resources(ACCOUNT), await store.count_alarms(ACCOUNT)) == (0, 0)
    for scope, name in ((SCOPE, "web-1"), (SCOPE, "web-2"), (OTHER_REGION, "web-1"), (OTHER_ACCOUNT, "web-1")):
        resource = MonitoredResource(scope.account_id, scope.region, name, INSTANCE, new_id(), NOW)
        await store.add_resource(resource)
        await store.put_alarm(new_alarm(f"{name}-cpu", resource), operation(f"{name}-cpu", "PutAlarm", NOW, scope))
    assert await store.count_resources(ACCOUNT) == 3
    assert await store.count_alarms(ACCOUNT) == 3
    assert await store.count_resources(OTHER_ACCOUNT.account_id) == 1
    await store.delete_resource(SCOPE, "web-2")
    assert (await store.count_resources(ACCOUNT), await store.count_alarms(ACCOUNT)) == (2, 2)


async def test_a_paced_alarm_test_is_recorded_only_when_none_is_as_recent(store: Store) -> None:
    resource = MonitoredResource(ACCOUNT, SCOPE.region, "web-1", INSTANCE, new_id(), NOW)
    await store.add_resource(resource)
    alarm = await store.put_alarm(new_alarm("cpu-high", resource), operation("cpu-high", "PutAlarm", NOW - 100))
    first = operation("cpu-high", "TestAlarm", NOW - 30)
    assert await store.record_alarm_test_paced(alarm, first, [message(NOW - 30, kind="notification")], NOW - 90) is None
    again = operation("cpu-high", "TestAlarm", NOW)
    assert await store.record_alarm_test_paced(alarm, again, [message(NOW, kind="notification")], NOW - 60) == NOW - 30
    assert await store.get_operation(SCOPE, again.id) is None  # nothing of the refused test was stored
    assert len(await store.list_outbox()) == 1
    later = operation("cpu-high", "TestAlarm", NOW + 40)
    assert await store.record_alarm_test_paced(alarm, later, [], NOW - 20) is None
    assert await store.get_operation(SCOPE, later.id) is not None


async def test_of_concurrent_paced_alarm_tests_one_is_recorded(store: Store) -> None:
    resource = MonitoredResource(ACCOUNT, SCOPE.region, "web-1", INSTANCE, new_id(), NOW)
    await store.add_resource(resource)
    alarm = await store.put_alarm(new_alarm("cpu-high", resource), operation("cpu-high", "PutAlarm", NOW - 100))
    tests = [operation("cpu-high", "TestAlarm", NOW) for _ in range(8)]
    results = await asyncio.gather(
        *(store.record_alarm_test_paced(alarm, op, [message(NOW, kind="notification")], NOW - 60) for op in tests)
    )
    assert results.count(None) == 1 and results.count(NOW) == 7
    assert len(await store.list_outbox()) == 1
