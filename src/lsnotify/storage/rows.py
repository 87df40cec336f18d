"""The tables' column lists, and how a row becomes a record and a record the values it writes, for every dialect.

Each statement selects and inserts the columns in the order listed here, the order the domain records take their
fields, so a row converts to its record positionally; where the columns are named as the fields, a record's values
are read by those names (``fields_named``). The dialects differ only in how a JSON column travels: SQLite stores its
text, PostgreSQL's ``jsonb`` codec takes and gives Python values. Each executor carries a ``dump`` (value to column)
and a ``load`` (column to value) for that, and the converters below take them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any, Protocol

from lsnotify.domain import AccessKey, Operation, Tag
from lsnotify.domain.alarms import Alarm, AlarmStateChange, MonitoredResource
from lsnotify.domain.contacts import ContactMethod
from lsnotify.domain.outbox import CapturedMessage, OutboxMessage
from lsnotify.domain.scrape import NodeCounters, ScrapeTarget


class Row(Protocol):
    """A selected row: its columns by position (a ``sqlite3`` tuple, an ``asyncpg.Record``)."""

    def __getitem__(self, index: int, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


Dump = Callable[[Any], Any]
"""A Python value (list, dict) to what a JSON column takes."""
Load = Callable[[Any], Any]
"""What a JSON column gives back to the Python value."""

ACCESS_KEY_COLUMNS = "access_key_id, account_id, secret_sealed, status, created_at"
CONTACT_METHOD_COLUMNS = (
    "account_id, region, protocol, id, contact_endpoint, status, created_at, verification_expires_at, tags"
)
TOKEN_COLUMNS = "token_hash, account_id, region, contact_method_id, created_at, expires_at"
OPERATION_COLUMNS = (
    "id, account_id, region, resource_name, resource_type, operation_type, created_at, status, is_terminal, "
    "status_changed_at, operation_details, error_code, error_details"
)
OUTBOX_COLUMNS = (
    "id, account_id, region, protocol, destination, kind, payload, idempotency_key, created_at, status, attempts, "
    "next_attempt_at, last_error, sent_at"
)
CAPTURED_COLUMNS = "id, account_id, region, protocol, destination, subject, body, html, created_at"
RESOURCE_COLUMNS = "account_id, region, name, resource_type, id, created_at"
METRIC_POINT_COLUMNS = "series_id, resolution, period_start, sample_count, sum, minimum, maximum"
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
ALARM_COLUMNS = (
    "account_id",
    "region",
    "name",
    "id",
    "created_at",
    "slot",
    *ALARM_CONFIG_COLUMNS,
    "state",
    "state_reason",
    "state_changed_at",
    "revision",
    "tags",
)
"""The columns a new alarm is inserted with."""
ALARM_SELECT = (
    "SELECT a.account_id, a.region, a.name, a.id, a.created_at, "
    "r.name, r.resource_type, r.id, r.created_at, "
    "a.metric_name, a.comparison_operator, a.threshold, a.evaluation_periods, a.datapoints_to_alarm, "
    "a.treat_missing_data, a.contact_protocols, a.notification_triggers, a.notification_enabled, "
    "a.state, a.state_reason, a.state_changed_at, a.revision, a.tags "
    "FROM alarms a JOIN monitored_resources r "
    "ON r.account_id = a.account_id AND r.region = a.region AND r.name = a.resource_name"
)
"""An alarm joined with its monitored resource, in the order ``alarm_from_row`` reads them."""
SCRAPE_TARGET_COLUMNS = "account_id, region, resource_name, url, created_at, due_at, counters"
HISTORY_COLUMNS = (
    "account_id, region, alarm_name, alarm_id, revision, changed_at, old_state, new_state, reason, datapoints, notified"
)


def fields_named(columns: str) -> Callable[[Any], tuple[Any, ...]]:
    """A record's values for ``columns``, for a record whose fields are named as the columns."""
    getter: Callable[[Any], tuple[Any, ...]] = attrgetter(*columns.split(", "))
    return getter


_outbox_fields = fields_named(OUTBOX_COLUMNS)


# -- tags -----------------------------------------------------------------------------------------------------------


def tags_value(tags: Iterable[Tag]) -> list[list[str | None]]:
    """``tags`` as the JSON value of a ``tags`` column (before ``dump``)."""
    return [[tag.key, tag.value] for tag in tags]


def tags_from(value: Iterable[Sequence[Any]]) -> tuple[Tag, ...]:
    """The tags of a loaded ``tags`` column."""
    return tuple(Tag(key, tag_value) for key, tag_value in value)


# -- identity, contact methods, verification ------------------------------------------------------------------------


def access_key_from_row(row: Row) -> AccessKey:
    return AccessKey(*row)


access_key_values = fields_named(ACCESS_KEY_COLUMNS)


def contact_method_from_row(row: Row, load: Load) -> ContactMethod:
    account_id, region, protocol, id_, endpoint, status, created_at, expires_at, tags = row
    return ContactMethod(
        account_id, region, protocol, endpoint, status, id_, created_at, tags_from(load(tags)), expires_at
    )


def contact_method_values(cm: ContactMethod, dump: Dump) -> tuple[Any, ...]:
    return (
        cm.account_id,
        cm.region,
        cm.protocol,
        cm.id,
        cm.contact_endpoint,
        cm.status,
        cm.created_at,
        cm.verification_expires_at,
        dump(tags_value(cm.tags)),
    )


token_values = fields_named(TOKEN_COLUMNS)


# -- operations and the outbox --------------------------------------------------------------------------------------


def operation_from_row(row: Row) -> Operation:
    values = list(row)
    values[8] = bool(values[8])  # is_terminal: SQLite keeps 0 or 1
    return Operation(*values)


operation_values = fields_named(OPERATION_COLUMNS)


def outbox_from_row(row: Row, load: Load) -> OutboxMessage:
    values = list(row)
    values[6] = load(values[6])
    return OutboxMessage(*values)


def outbox_values(m: OutboxMessage, dump: Dump) -> tuple[Any, ...]:
    values = list(_outbox_fields(m))
    values[6] = dump(dict(m.payload))
    return tuple(values)


def captured_from_row(row: Row) -> CapturedMessage:
    return CapturedMessage(*row)


captured_values = fields_named(CAPTURED_COLUMNS)


# -- monitored resources and alarms ---------------------------------------------------------------------------------


def resource_from_row(row: Row) -> MonitoredResource:
    return MonitoredResource(*row)


resource_values = fields_named(RESOURCE_COLUMNS)


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


def alarm_values(alarm: Alarm, slot: int, dump: Dump) -> tuple[Any, ...]:
    """A new ``alarm`` holding ``slot``, in the order of ``ALARM_COLUMNS``."""
    return (
        *(alarm.account_id, alarm.region, alarm.name, alarm.id, alarm.created_at, slot),
        *alarm_config_values(alarm, dump),
        *(alarm.state, alarm.state_reason, alarm.state_changed_at, alarm.revision, dump(tags_value(alarm.tags))),
    )


def alarm_from_row(row: Row, load: Load) -> Alarm:
    """An ``ALARM_SELECT`` row: the alarm's columns in field order, its resource's after its creation time."""
    values = list(row)
    account_id, region = values[0], values[1]
    values[5:9] = [MonitoredResource(account_id, region, *values[5:9])]
    values[12] = tuple(load(values[12]))  # contact_protocols
    values[13] = tuple(load(values[13]))  # notification_triggers
    values[14] = bool(values[14])  # notification_enabled: SQLite keeps 0 or 1
    values[19] = tags_from(load(values[19]))
    return Alarm(*values)


def state_change_values(change: AlarmStateChange, dump: Dump) -> tuple[Any, ...]:
    """``change`` in the order of ``HISTORY_COLUMNS``."""
    return (
        *(change.account_id, change.region, change.alarm_name, change.alarm_id, change.revision),
        *(change.changed_at, change.old_state, change.new_state, change.reason),
        dump([list(point) for point in change.datapoints]),
        dump([list(pair) for pair in change.notified]),
    )


def state_change_from_row(row: Row, load: Load) -> AlarmStateChange:
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


# -- scrape targets -------------------------------------------------------------------------------------------------


def scrape_target_from_row(row: Row, load: Load) -> ScrapeTarget:
    """A ``SCRAPE_TARGET_COLUMNS`` row."""
    account_id, region, resource_name, url, created_at, due_at, counters = row
    return ScrapeTarget(
        account_id,
        region,
        resource_name,
        url,
        created_at,
        due_at,
        None if counters is None else NodeCounters.from_json(load(counters)),
    )


def counters_value(counters: NodeCounters | None, dump: Dump) -> Any:
    """``counters`` as the ``counters`` column takes them (None stays NULL)."""
    return None if counters is None else dump(counters.as_json())
