"""Alarm and state-change rows (``columns.ALARM_SELECT``, ``columns.HISTORY_COLUMNS``) as records, in every dialect.

The dialects differ only in how a JSON column arrives: SQLite gives its text, PostgreSQL its decoded ``jsonb``. Each
store passes ``load``, which turns that into Python values (``orjson.loads``, or nothing to do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lsnotify.domain import Tag
from lsnotify.domain_alarms import Alarm, AlarmStateChange, MonitoredResource

Load = Callable[[Any], Any]


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
