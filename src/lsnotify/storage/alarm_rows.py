"""Alarm and state-change rows (``columns.ALARM_SELECT``, ``columns.HISTORY_COLUMNS``) as records, in every dialect.

The dialects differ only in how a JSON column arrives: SQLite gives its text, PostgreSQL its decoded ``jsonb``. Each
store passes ``load``, which turns that into Python values (``orjson.loads``, or nothing to do), and for writing an
alarm's configuration ``dump`` (``columns.Dump``), which does the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lsnotify.domain import Tag
from lsnotify.domain.alarms import Alarm, AlarmStateChange, MonitoredResource
from lsnotify.storage.columns import Dump

Load = Callable[[Any], Any]

ALARM_CONFIG_COLUMNS = (
    "resource_name",
    "metric_name",
    "comparison_operator",
    "threshold",
    "evaluation_periods",
    "datapoints_to_alarm",
    "treat_missing_data",
    "contact_protocols",
    "notification_triggers",
    "notification_enabled",
)
"""The columns PutAlarm writes, on create and on update."""


def alarm_config_values(alarm: Alarm, dump: Dump) -> tuple[Any, ...]:
    """``alarm``'s configuration in the order of ``ALARM_CONFIG_COLUMNS``, its lists through ``dump``."""
    return (
        alarm.resource.name,
        alarm.metric_name,
        alarm.comparison_operator,
        alarm.threshold,
        alarm.evaluation_periods,
        alarm.datapoints_to_alarm,
        alarm.treat_missing_data,
        dump(list(alarm.contact_protocols)),
        dump(list(alarm.notification_triggers)),
        alarm.notification_enabled,
    )


def alarm_from_row(row: Iterable[Any], load: Load) -> Alarm:
    (account_id, region, name, id_, created_at, r_name, r_type, r_id, r_created_at, *config) = row
    (metric, operator, threshold, periods, to_alarm, treat, protocols, triggers, enabled, *status) = config
    state, reason, changed_at, revision, tags = status
    return Alarm(
        account_id=account_id,
        region=region,
        name=name,
        id=id_,
        created_at=created_at,
        resource=MonitoredResource(account_id, region, r_name, r_type, r_id, r_created_at),
        metric_name=metric,
        comparison_operator=operator,
        threshold=threshold,
        evaluation_periods=periods,
        datapoints_to_alarm=to_alarm,
        treat_missing_data=treat,
        contact_protocols=tuple(load(protocols)),
        notification_triggers=tuple(load(triggers)),
        notification_enabled=bool(enabled),
        state=state,
        state_reason=reason,
        state_changed_at=changed_at,
        revision=revision,
        tags=tuple(Tag(key, value) for key, value in load(tags)),
    )


def state_change_from_row(row: Iterable[Any], load: Load) -> AlarmStateChange:
    *head, datapoints, notified = row
    account_id, region, alarm_name, alarm_id, revision, changed_at, old_state, new_state, reason = head
    return AlarmStateChange(
        account_id,
        region,
        alarm_name,
        alarm_id,
        revision,
        changed_at,
        old_state,
        new_state,
        reason,
        tuple((start, value) for start, value in load(datapoints)),
        tuple((protocol, destination) for protocol, destination in load(notified)),
    )
