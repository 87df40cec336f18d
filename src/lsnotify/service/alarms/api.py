"""Alarms: PutAlarm, GetAlarms, DeleteAlarm and TestAlarm (docs/lightsail-behavior.md, "Alarms").

PutAlarm creates or completely overwrites an alarm: omitted optional fields take their defaults again
(``datapointsToAlarm`` = ``evaluationPeriods``, ``treatMissingData`` = missing, ``notificationTriggers`` = [ALARM],
``notificationEnabled`` = true, no ``contactProtocols``); an update keeps the state and ignores ``tags`` (tags apply
on create; TagResource changes them later). The monitored resource must be registered, the metric must be one of its
type's, and a (resource, metric) has at most two alarms, which the database enforces. GetAlarms sorts by name, 100 a
page. TestAlarm notifies as if the alarm entered the given state, without changing it. Every change records an
``Operation``; state changes themselves come from the evaluator (``service/alarms/evaluator.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from lsnotify.context import RequestContext
from lsnotify.domain import new_id
from lsnotify.domain.alarms import (
    ALARM,
    ALARM_RESOURCE_TYPE,
    ALARMS_PER_METRIC,
    INSUFFICIENT_DATA,
    MAX_EVALUATION_PERIODS,
    Alarm,
)
from lsnotify.domain.metrics import PERIOD_SECONDS
from lsnotify.errors import InvalidInputException, NotFoundException, shown
from lsnotify.messages.alarms import AlarmNotice
from lsnotify.service import Services, paging, scope_of
from lsnotify.service.alarms.metrics import metric_info
from lsnotify.service.alarms.notices import notification_messages, should_notify
from lsnotify.service.limits import alarm_test_refusal, check_alarm_room, check_test_alarm_allowed, tested_since
from lsnotify.service.operations import new_operation, operations_result
from lsnotify.service.tags import parse_tags, tags_to_wire
from lsnotify.storage.base import AlarmLimitExceeded, RecordNotFound

log = logging.getLogger("lsnotify.alarms")

PAGE_SIZE = 100
CREATED_REASON = "Unchecked: the alarm was just created and has not been evaluated yet."


def alarm_to_wire(alarm: Alarm) -> dict[str, Any]:
    info = metric_info(alarm.resource.resource_type, alarm.metric_name)
    return {
        "name": alarm.name,
        "arn": alarm.arn,
        "createdAt": alarm.created_at,
        "location": {"availabilityZone": "all", "regionName": alarm.region},
        "resourceType": ALARM_RESOURCE_TYPE,
        "supportCode": f"{alarm.account_id}/{alarm.id}",
        "monitoredResourceInfo": {
            "arn": alarm.resource.arn,
            "name": alarm.resource.name,
            "resourceType": alarm.resource.resource_type,
        },
        "comparisonOperator": alarm.comparison_operator,
        "evaluationPeriods": alarm.evaluation_periods,
        "period": PERIOD_SECONDS,
        "threshold": alarm.threshold,
        "datapointsToAlarm": alarm.datapoints_to_alarm,
        "treatMissingData": alarm.treat_missing_data,
        "statistic": info.statistic,
        "metricName": alarm.metric_name,
        "state": alarm.state,
        "unit": info.unit,
        "contactProtocols": list(alarm.contact_protocols),
        "notificationTriggers": list(alarm.notification_triggers),
        "notificationEnabled": alarm.notification_enabled,
        "tags": tags_to_wire(alarm.tags),
    }


def _given(params: dict[str, Any], name: str, default: Any) -> Any:
    """The member's value, or ``default`` when it is absent or JSON null (which counts as absent)."""
    value = params.get(name)
    return default if value is None else value


def _distinct(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _missing_alarm(ctx: RequestContext, name: str) -> NotFoundException:
    return NotFoundException(f"alarmName: no alarm named {shown(name)} in {ctx.region}.")


async def put_alarm(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name, resource_name, metric = params["alarmName"], params["monitoredResourceName"], params["metricName"]
    periods = params["evaluationPeriods"]
    if not 1 <= periods <= MAX_EVALUATION_PERIODS:
        raise InvalidInputException(
            f"evaluationPeriods: must be 1 to {MAX_EVALUATION_PERIODS} (periods of 5 minutes, up to 24 hours); "
            f"got {periods}."
        )
    to_alarm = _given(params, "datapointsToAlarm", periods)
    if not 1 <= to_alarm <= periods:
        raise InvalidInputException(f"datapointsToAlarm: must be 1 to evaluationPeriods ({periods}); got {to_alarm}.")
    triggers = _distinct(params.get("notificationTriggers") or [ALARM])
    if ALARM not in triggers:
        raise InvalidInputException(
            "notificationTriggers: must include ALARM when given; OK and INSUFFICIENT_DATA may be added to it."
        )
    tags = parse_tags(params.get("tags"))
    scope = scope_of(ctx)
    resource = await svc.store.get_resource(scope, resource_name)
    missing_resource = NotFoundException(
        f"monitoredResourceName: no monitored resource named {shown(resource_name)} in {ctx.region}; register it "
        "with `lsnotify resources add` or by sending it a metric datapoint."
    )
    if resource is None:
        raise missing_resource
    metric_info(resource.resource_type, metric)
    if await svc.store.get_alarm(scope, name) is None:  # an update adds no alarm
        await check_alarm_room(svc.store, svc.rules.limits.max_alarms, ctx.account_id)
    now = svc.clock()
    alarm = Alarm(
        account_id=ctx.account_id,
        region=ctx.region,
        name=name,
        id=new_id(),
        created_at=now,
        resource=resource,
        metric_name=metric,
        comparison_operator=params["comparisonOperator"],
        threshold=float(params["threshold"]),
        evaluation_periods=periods,
        datapoints_to_alarm=to_alarm,
        treat_missing_data=_given(params, "treatMissingData", "missing"),
        contact_protocols=_distinct(params.get("contactProtocols") or []),
        notification_triggers=triggers,
        notification_enabled=_given(params, "notificationEnabled", True),
        state=INSUFFICIENT_DATA,
        state_reason=CREATED_REASON,
        state_changed_at=now,
        tags=tags,
    )
    op = new_operation(ctx, name, ALARM_RESOURCE_TYPE, "PutAlarm", now, details=resource_name)
    try:
        await svc.store.put_alarm(alarm, op)
    except RecordNotFound:
        raise missing_resource from None
    except AlarmLimitExceeded as exc:
        raise InvalidInputException(
            f"metricName: {metric} of {shown(resource_name)} already has {ALARMS_PER_METRIC} alarms "
            f"({', '.join(exc.existing)}); a metric can have at most {ALARMS_PER_METRIC}. Delete one, or update it "
            "with PutAlarm under its name."
        ) from None
    return operations_result(op)


async def get_alarms(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name, resource_name, token = params.get("alarmName"), params.get("monitoredResourceName"), params.get("pageToken")
    scope = scope_of(ctx)
    if name is not None:
        alarm = await svc.store.get_alarm(scope, name)
        if alarm is None:
            raise _missing_alarm(ctx, name)
        matches = resource_name is None or alarm.resource.name == resource_name
        return {"alarms": [alarm_to_wire(alarm)] if matches else []}
    after = paging.decode_page_token(token, str)[0] if token else None
    alarms = await svc.store.list_alarms(scope, limit=PAGE_SIZE + 1, resource_name=resource_name, after=after)
    result: dict[str, Any] = {"alarms": [alarm_to_wire(alarm) for alarm in alarms[:PAGE_SIZE]]}
    if len(alarms) > PAGE_SIZE:
        result["nextPageToken"] = paging.encode_page_token(alarms[PAGE_SIZE - 1].name)
    return result


async def delete_alarm(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["alarmName"]
    op = new_operation(ctx, name, ALARM_RESOURCE_TYPE, "DeleteAlarm", svc.clock())
    try:
        await svc.store.delete_alarm(scope_of(ctx), name, op)
    except RecordNotFound:
        raise _missing_alarm(ctx, name) from None
    return operations_result(op)


async def test_alarm(svc: Services, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    name, state = params["alarmName"], params["state"]
    scope = scope_of(ctx)
    alarm = await svc.store.get_alarm(scope, name)
    if alarm is None:
        raise _missing_alarm(ctx, name)
    now = svc.clock()
    await check_test_alarm_allowed(svc.store, svc.rules.limits, scope, name, "TestAlarm", now)
    op = new_operation(ctx, name, ALARM_RESOURCE_TYPE, "TestAlarm", now, details=state)
    messages = []
    if should_notify(alarm, state):
        info = metric_info(alarm.resource.resource_type, alarm.metric_name)
        reason = f"TestAlarm: a test of the {state} notification, requested through the Lightsail API."
        notice = AlarmNotice(alarm, alarm.state, state, reason, now, (), info.statistic, info.unit, test=True)
        methods = await svc.store.list_contact_methods(scope, alarm.contact_protocols)
        messages = notification_messages(notice, methods, now, f"alarm-test-{op.id}")
    else:
        log.info(
            "TestAlarm %s (account %s, %s) of %s notifies nobody: notifications %s, triggers %s, protocols %s",
            name, ctx.account_id, ctx.region, state, "on" if alarm.notification_enabled else "off",
            ",".join(alarm.notification_triggers), ",".join(alarm.contact_protocols) or "none",
        )  # fmt: skip
    try:
        last_test = await svc.store.record_alarm_test_paced(alarm, op, messages, tested_since(now, svc.rules.limits))
    except RecordNotFound:
        raise _missing_alarm(ctx, name) from None
    if last_test is not None:  # another call tested it meanwhile
        raise alarm_test_refusal(name, last_test, now, svc.rules.limits)
    return operations_result(op)
