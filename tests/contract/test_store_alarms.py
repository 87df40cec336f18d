"""The Store contract for monitored resources, metric data and alarms, tested through the interface alone."""

from __future__ import annotations

import asyncio

import pytest

from alarm_records import new_alarm
from lsnotify.domain import Operation, Scope, Tag, new_id
from lsnotify.domain.alarms import (
    ALARM,
    INSTANCE,
    INSUFFICIENT_DATA,
    LOAD_BALANCER,
    OK,
    Alarm,
    AlarmStateChange,
    MetricAggregate,
    MonitoredResource,
)
from lsnotify.domain.contacts import EMAIL, SMS, VALID, ContactMethod
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.storage.base import (
    AlarmLimitExceeded,
    RecordNotFound,
    ResourceExists,
    ResourceTypeMismatch,
    Store,
)
from taggable import resolved

SCOPE = Scope("111111111111", "us-east-1")
NOW = 1_800_000_000.0
P0 = 1_800_000_000 - 1_800_000_000 % 300


def resource(name: str = "web-1", kind: str = INSTANCE, scope: Scope = SCOPE) -> MonitoredResource:
    return MonitoredResource(scope.account_id, scope.region, name, kind, new_id(), NOW)


def alarm(name: str, on: MonitoredResource, metric: str = "CPUUtilization", **changes: object) -> Alarm:
    return new_alarm(name, on, metric_name=metric, state_reason="created", **changes)


def op(name: str, kind: str = "PutAlarm", scope: Scope = SCOPE) -> Operation:
    return Operation(new_id(), scope.account_id, scope.region, name, "Alarm", kind, NOW, status_changed_at=NOW)


def change_of(stored: Alarm, new_state: str, at: float = NOW + 60) -> AlarmStateChange:
    return AlarmStateChange(
        stored.account_id,
        stored.region,
        stored.name,
        stored.id,
        stored.revision + 1,
        at,
        stored.state,
        new_state,
        f"to {new_state}",
        ((P0, 91.5), (P0 + 300, None)),
        ((EMAIL, "ops@example.com"),),
    )


def notification(stored: Alarm, key: str) -> OutboxMessage:
    return OutboxMessage(
        new_id(), stored.account_id, stored.region, EMAIL, "ops@example.com", "notification", {"subject": key}, key, NOW
    )


async def stored_alarm(store: Store, name: str = "cpu-high", on: MonitoredResource | None = None) -> Alarm:
    on = on or resource()
    if await store.get_resource(SCOPE, on.name) is None:
        await store.add_resource(on)
    return await store.put_alarm(alarm(name, on), op(name))


# -- resources and metric data --------------------------------------------------------------------------------------


async def test_a_resource_is_added_with_its_operation_or_neither(store: Store) -> None:
    web = resource()
    created = Operation(new_id(), SCOPE.account_id, SCOPE.region, "web-1", INSTANCE, "CreateInstance", NOW)
    await store.add_resource(web, created)
    assert await store.get_resource(SCOPE, "web-1") == web
    assert await store.list_operations(SCOPE, limit=10, resource_name="web-1") == [created]
    refused = Operation(new_id(), SCOPE.account_id, SCOPE.region, "web-1", LOAD_BALANCER, "CreateLoadBalancer", NOW)
    with pytest.raises(ResourceExists):
        await store.add_resource(resource(kind=LOAD_BALANCER), refused)
    assert await store.get_operation(SCOPE, refused.id) is None
    assert await store.list_operations(SCOPE, limit=10) == [created]


async def test_resources_are_unique_by_name_within_a_scope(store: Store) -> None:
    web = resource()
    await store.add_resource(web)
    assert await store.get_resource(SCOPE, "web-1") == web
    with pytest.raises(ResourceExists) as raised:
        await store.add_resource(resource(kind=LOAD_BALANCER))
    assert raised.value.existing == web
    other_scope = Scope("222222222222", "us-east-1")
    elsewhere = resource(scope=other_scope)
    await store.add_resource(elsewhere)
    lb = resource("lb-1", LOAD_BALANCER)
    await store.add_resource(lb)
    assert await store.list_resources(SCOPE) == [lb, web]
    assert await store.list_resources(other_scope) == [elsewhere]
    assert await store.get_resource(other_scope, "lb-1") is None
    everything = await store.list_resources()
    assert [(r.account_id, r.name) for r in everything] == [
        ("111111111111", "lb-1"),
        ("111111111111", "web-1"),
        ("222222222222", "web-1"),
    ]


async def test_metric_data_registers_the_resource_and_aggregates_by_period(store: Store) -> None:
    web = resource()
    stored = await store.put_metric_data(web, "CPUUtilization", [MetricAggregate(P0, 2, 30.0, 10.0, 20.0)])
    assert stored == web and await store.get_resource(SCOPE, "web-1") == web
    again = await store.put_metric_data(
        resource(),  # a new id for the same name: the registered resource wins
        "CPUUtilization",
        [MetricAggregate(P0, 1, 50.0, 50.0, 50.0), MetricAggregate(P0 + 300, 1, 5.0, 5.0, 5.0)],
    )
    assert again == web
    periods = await store.get_metric_data(SCOPE, "web-1", "CPUUtilization", P0, P0 + 300)
    assert periods == [MetricAggregate(P0, 3, 80.0, 10.0, 50.0), MetricAggregate(P0 + 300, 1, 5.0, 5.0, 5.0)]
    assert await store.get_metric_data(SCOPE, "web-1", "CPUUtilization", P0 + 300, P0 + 900) == periods[1:]
    assert await store.get_metric_data(SCOPE, "web-1", "NetworkIn", P0, P0 + 300) == []
    assert await store.get_metric_data(Scope("999999999999", "us-east-1"), "web-1", "CPUUtilization", P0, P0) == []


async def test_metric_data_for_a_resource_of_another_type_stores_nothing(store: Store) -> None:
    web = resource()
    await store.add_resource(web)
    with pytest.raises(ResourceTypeMismatch) as raised:
        await store.put_metric_data(resource(kind=LOAD_BALANCER), "RequestCount", [MetricAggregate(P0, 1, 1, 1, 1)])
    assert raised.value.existing == web
    assert await store.get_metric_data(SCOPE, "web-1", "RequestCount", P0, P0) == []


async def test_prune_drops_old_periods_and_old_state_changes(store: Store) -> None:
    web = resource()
    await store.put_metric_data(web, "CPUUtilization", [MetricAggregate(P0 + i * 300, 1, i, i, i) for i in range(4)])
    stored = await stored_alarm(store, on=web)
    assert await store.record_alarm_state(stored, change_of(stored, OK, at=P0 + 100))
    pruned = await store.prune_metric_data({300: P0 + 600}, P0 + 600)
    assert pruned == 3  # two 5-minute periods and one state change
    left = await store.get_metric_data(SCOPE, "web-1", "CPUUtilization", P0, P0 + 900)
    assert [p.period_start for p in left] == [P0 + 600, P0 + 900]
    assert await store.list_alarm_history(SCOPE, "cpu-high") == []


async def test_deleting_a_resource_deletes_its_alarms_and_data(store: Store) -> None:
    web, db = resource(), resource("db-1", "RelationalDatabase")
    await store.put_metric_data(web, "CPUUtilization", [MetricAggregate(P0, 1, 1, 1, 1)])
    await store.add_resource(db)
    first = await stored_alarm(store, "a1", web)
    await stored_alarm(store, "a2", web)
    await stored_alarm(store, "on-db", db)
    await store.record_alarm_state(first, change_of(first, OK))
    assert await store.delete_resource(SCOPE, "web-1") == 2
    assert await store.get_resource(SCOPE, "web-1") is None
    assert [a.name for a in await store.list_alarms(SCOPE, limit=10)] == ["on-db"]
    assert await store.list_alarm_history(SCOPE, "a1") == []
    # A new resource of that name starts afresh.
    await store.add_resource(resource())
    assert await store.get_metric_data(SCOPE, "web-1", "CPUUtilization", P0, P0) == []
    with pytest.raises(RecordNotFound):
        await store.delete_resource(SCOPE, "web-1-never")


# -- alarms -----------------------------------------------------------------------------------------------------


async def test_put_alarm_creates_then_overwrites_keeping_identity_state_and_tags(store: Store) -> None:
    web = resource()
    await store.add_resource(web)
    created_op = op("cpu-high")
    created = await store.put_alarm(alarm("cpu-high", web, tags=(Tag("team", "ops"),)), created_op)
    assert created.state == INSUFFICIENT_DATA and created.revision == 0 and created.tags == (Tag("team", "ops"),)
    assert created.resource == web
    assert await store.get_alarm(SCOPE, "cpu-high") == created
    assert await store.get_operation(SCOPE, created_op.id) == created_op

    await store.record_alarm_state(created, change_of(created, ALARM))
    update = alarm(
        "cpu-high",
        web,
        threshold=95.0,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        contact_protocols=(),
        notification_triggers=(ALARM,),
        notification_enabled=False,
        treat_missing_data="breaching",
        tags=(Tag("ignored"),),
        created_at=NOW + 500,
    )
    updated = await store.put_alarm(update, op("cpu-high"))
    assert (updated.id, updated.created_at, updated.tags) == (created.id, created.created_at, created.tags)
    assert updated.state == ALARM and updated.revision == 2
    assert (updated.threshold, updated.evaluation_periods, updated.datapoints_to_alarm) == (95.0, 1, 1)
    assert updated.contact_protocols == () and updated.notification_triggers == (ALARM,)
    assert updated.notification_enabled is False and updated.treat_missing_data == "breaching"


async def test_put_alarm_needs_its_resource_with_that_type(store: Store) -> None:
    lost = op("cpu-high")
    with pytest.raises(RecordNotFound):
        await store.put_alarm(alarm("cpu-high", resource()), lost)
    await store.add_resource(resource(kind=LOAD_BALANCER))
    with pytest.raises(RecordNotFound):
        await store.put_alarm(alarm("cpu-high", resource()), lost)
    assert await store.get_alarm(SCOPE, "cpu-high") is None
    assert await store.get_operation(SCOPE, lost.id) is None


async def test_two_alarms_per_metric_and_an_update_does_not_count(store: Store) -> None:
    web = resource()
    await store.add_resource(web)
    await store.put_alarm(alarm("b-second", web), op("b-second"))
    await store.put_alarm(alarm("a-first", web), op("a-first"))
    refused = op("c-third")
    with pytest.raises(AlarmLimitExceeded) as raised:
        await store.put_alarm(alarm("c-third", web), refused)
    assert raised.value.existing == ("a-first", "b-second")
    assert await store.get_alarm(SCOPE, "c-third") is None
    assert await store.get_operation(SCOPE, refused.id) is None

    await store.put_alarm(alarm("a-first", web, threshold=1.0), op("a-first"))  # an update: still two
    await store.put_alarm(alarm("c-third", web, metric="NetworkIn"), op("c-third"))  # another metric: fine
    with pytest.raises(AlarmLimitExceeded):  # moving it onto the full metric is refused, and it stays where it was
        await store.put_alarm(alarm("c-third", web), op("c-third"))
    assert (await store.get_alarm(SCOPE, "c-third")).metric_name == "NetworkIn"  # type: ignore[union-attr]
    await store.put_alarm(alarm("a-first", web, metric="NetworkOut"), op("a-first"))  # moving away frees a slot
    await store.put_alarm(alarm("c-third", web), op("c-third"))
    names = {a.name: a.metric_name for a in await store.list_alarms(SCOPE, limit=10)}
    assert names == {"a-first": "NetworkOut", "b-second": "CPUUtilization", "c-third": "CPUUtilization"}


async def test_concurrent_creates_on_one_metric_leave_exactly_two(store: Store) -> None:
    web = resource()
    await store.add_resource(web)
    results = await asyncio.gather(
        *(store.put_alarm(alarm(f"alarm-{i:02d}", web), op(f"alarm-{i:02d}")) for i in range(12)),
        return_exceptions=True,
    )
    assert sum(isinstance(result, Alarm) for result in results) == 2
    assert all(isinstance(r, Alarm | AlarmLimitExceeded) for r in results)
    assert len(await store.list_alarms(SCOPE, limit=100)) == 2


async def test_list_alarms_by_name_in_pages_and_by_resource(store: Store) -> None:
    web, lb = resource(), resource("lb-1", LOAD_BALANCER)
    await store.add_resource(web)
    await store.add_resource(lb)
    names = [f"alarm-{i:02d}" for i in range(7)]
    for i, name in enumerate(reversed(names)):
        metrics = ("RequestCount", "HealthyHostCount", "UnhealthyHostCount", "HTTPCode_LB_4XX_Count")
        on, metric = (lb, metrics[i // 2]) if i % 3 else (web, ("CPUUtilization", "NetworkIn", "NetworkOut")[i // 3])
        await store.put_alarm(alarm(name, on, metric), op(name))
    seen, after = [], None
    while page := await store.list_alarms(SCOPE, limit=3, after=after):
        seen.extend(a.name for a in page)
        after = page[-1].name
    assert seen == names
    on_web = await store.list_alarms(SCOPE, limit=10, resource_name="web-1")
    assert [a.name for a in on_web] == sorted(a.name for a in on_web) and len(on_web) == 3
    assert all(a.resource == web for a in on_web)
    assert await store.list_alarms(SCOPE, limit=10, resource_name="nothing") == []
    assert await store.list_alarms(Scope("222222222222", "us-east-1"), limit=10) == []


async def test_delete_alarm_with_its_history(store: Store) -> None:
    stored = await stored_alarm(store)
    await store.record_alarm_state(stored, change_of(stored, OK))
    delete_op = op("cpu-high", "DeleteAlarm")
    assert (await store.delete_alarm(SCOPE, "cpu-high", delete_op)).id == stored.id
    assert await store.get_alarm(SCOPE, "cpu-high") is None
    assert await store.get_operation(SCOPE, delete_op.id) == delete_op
    with pytest.raises(RecordNotFound):
        await store.delete_alarm(SCOPE, "cpu-high", op("cpu-high", "DeleteAlarm"))
    again = await stored_alarm(store)
    assert again.id != stored.id and await store.list_alarm_history(SCOPE, "cpu-high") == []


async def test_alarms_to_evaluate_span_every_scope_in_key_order(store: Store) -> None:
    scopes = [Scope(a, r) for a in ("333333333333", "444444444444") for r in ("eu-west-1", "us-east-1")]
    for scope in scopes:
        on = resource(scope=scope)
        await store.add_resource(on)
        for name in ("b", "a"):
            await store.put_alarm(alarm(f"{name}-alarm", on), op(f"{name}-alarm", scope=scope))
    keys, after = [], None
    while page := await store.list_alarms_to_evaluate(limit=3, after=after):
        keys.extend((a.account_id, a.region, a.name) for a in page)
        after = keys[-1]
    assert keys == sorted((s.account_id, s.region, n) for s in scopes for n in ("a-alarm", "b-alarm"))


async def test_record_alarm_state_is_a_compare_and_set_with_its_outbox(store: Store) -> None:
    stored = await stored_alarm(store)
    change = change_of(stored, ALARM)
    assert await store.record_alarm_state(stored, change, [notification(stored, "k1")])
    now_stored = await store.get_alarm(SCOPE, "cpu-high")
    assert now_stored is not None
    assert (now_stored.state, now_stored.revision, now_stored.state_reason) == (ALARM, 1, "to ALARM")
    assert now_stored.state_changed_at == change.changed_at
    assert await store.list_alarm_history(SCOPE, "cpu-high") == [change]
    # The same (now stale) read cannot record a second change, nor enqueue anything.
    assert not await store.record_alarm_state(stored, change_of(stored, OK), [notification(stored, "k2")])
    assert [m.idempotency_key for m in await store.list_outbox()] == ["k1"]
    # Nor can a read taken before a configuration update.
    await store.put_alarm(alarm("cpu-high", stored.resource), op("cpu-high"))
    assert not await store.record_alarm_state(now_stored, change_of(now_stored, OK))
    assert len(await store.list_alarm_history(SCOPE, "cpu-high")) == 1


async def test_concurrent_evaluations_of_one_revision_record_one_change(store: Store) -> None:
    stored = await stored_alarm(store)
    attempts = [
        store.record_alarm_state(stored, change_of(stored, ALARM), [notification(stored, f"k{i}")]) for i in range(20)
    ]
    results = await asyncio.gather(*attempts)
    assert results.count(True) == 1
    assert len(await store.list_outbox()) == 1
    assert len(await store.list_alarm_history(SCOPE, "cpu-high")) == 1


async def test_record_alarm_test_leaves_the_alarm_alone(store: Store) -> None:
    stored = await stored_alarm(store)
    test_op = op("cpu-high", "TestAlarm")
    await store.record_alarm_test(stored, test_op, [notification(stored, "test-1")])
    assert await store.get_alarm(SCOPE, "cpu-high") == stored
    assert await store.get_operation(SCOPE, test_op.id) == test_op
    assert [m.idempotency_key for m in await store.list_outbox()] == ["test-1"]
    await store.delete_alarm(SCOPE, "cpu-high", op("cpu-high", "DeleteAlarm"))
    late = op("cpu-high", "TestAlarm")
    with pytest.raises(RecordNotFound):
        await store.record_alarm_test(stored, late, [notification(stored, "test-2")])
    assert await store.get_operation(SCOPE, late.id) is None
    assert len(await store.list_outbox()) == 1


async def test_alarms_are_taggable_by_name(store: Store) -> None:
    stored = await stored_alarm(store, "Email-us-east-1")  # a contact method's name, but there is no such method
    found = await resolved(store, SCOPE, "Email-us-east-1")
    assert found is not None and (found.resource_type, found.arn) == ("Alarm", stored.arn)
    await store.tag_resource(SCOPE, stored.name, [Tag("team", "sre")], lambda _: op(stored.name, "TagResource"), 50)
    await store.record_alarm_state(stored, change_of(stored, OK))  # a state change keeps the tags
    assert (await store.get_alarm(SCOPE, stored.name)).tags == (Tag("team", "sre"),)  # type: ignore[union-attr]
    await store.untag_resource(SCOPE, stored.name, ["team"], lambda _: op(stored.name, "UntagResource"))
    assert (await store.get_alarm(SCOPE, stored.name)).tags == ()  # type: ignore[union-attr]
    cm = ContactMethod(SCOPE.account_id, SCOPE.region, SMS, "+14255550100", VALID, new_id(), NOW)
    await store.create_contact_method(cm, op("SMS-us-east-1", "CreateContactMethod"))
    assert (await resolved(store, SCOPE, "SMS-us-east-1")).resource_type == "ContactMethod"  # type: ignore[union-attr]
