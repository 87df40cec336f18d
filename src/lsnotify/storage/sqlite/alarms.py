"""The SQLite SQL of monitored resources, metric data and alarms; ``SqliteStore``'s alarm methods call these.

Write functions take the writer's connection inside its group transaction (``BEGIN IMMEDIATE``: one writer at a time
across processes), so a read-then-write inside one of them is race-free. Read functions take the read connection.
The two-alarms-per-metric limit is a UNIQUE (resource, metric, slot) constraint with slots 1 and 2 (0003_alarms.sql).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from lsnotify.domain import Operation, Scope, TaggableResource
from lsnotify.domain.alarms import (
    ALARM_RESOURCE_TYPE,
    ALARMS_PER_METRIC,
    Alarm,
    AlarmStateChange,
    MetricAggregate,
    MonitoredResource,
)
from lsnotify.domain.outbox import OutboxMessage
from lsnotify.storage.alarm_rows import ALARM_CONFIG_COLUMNS, alarm_config_values, alarm_from_row, state_change_from_row
from lsnotify.storage.base import AlarmLimitExceeded, RecordNotFound, ResourceExists, ResourceTypeMismatch
from lsnotify.storage.columns import ALARM_SELECT, HISTORY_COLUMNS, RESOURCE_COLUMNS
from lsnotify.storage.sqlite.store import _insert_operation, _insert_outbox, _json_text, _tags_json

# -- rows <-> records ---------------------------------------------------------------------------------------------


def _resource(row: Sequence[Any]) -> MonitoredResource:
    return MonitoredResource(*row)


def _alarm(row: Sequence[Any]) -> Alarm:
    return alarm_from_row(row, orjson.loads)


def _history(row: Sequence[Any]) -> AlarmStateChange:
    return state_change_from_row(row, orjson.loads)


def _select_resource(conn: sqlite3.Connection, account_id: str, region: str, name: str) -> MonitoredResource | None:
    row = conn.execute(
        f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources WHERE account_id = ? AND region = ? AND name = ?",
        (account_id, region, name),
    ).fetchone()
    return _resource(row) if row else None


def _select_alarm(conn: sqlite3.Connection, account_id: str, region: str, name: str) -> Alarm | None:
    sql = f"{ALARM_SELECT} WHERE a.account_id = ? AND a.region = ? AND a.name = ?"
    row = conn.execute(sql, (account_id, region, name)).fetchone()
    return _alarm(row) if row else None


# -- monitored resources and metric data --------------------------------------------------------------------------


def add_resource(conn: sqlite3.Connection, resource: MonitoredResource) -> None:
    existing = _select_resource(conn, resource.account_id, resource.region, resource.name)
    if existing is not None:
        raise ResourceExists(existing)
    _insert_resource(conn, resource)


def _insert_resource(conn: sqlite3.Connection, resource: MonitoredResource) -> None:
    conn.execute(
        f"INSERT INTO monitored_resources ({RESOURCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        (resource.account_id, resource.region, resource.name, resource.resource_type, resource.id, resource.created_at),
    )


def get_resource(conn: sqlite3.Connection, scope: Scope, name: str) -> MonitoredResource | None:
    return _select_resource(conn, scope.account_id, scope.region, name)


def list_resources(conn: sqlite3.Connection, scope: Scope | None) -> list[MonitoredResource]:
    if scope is None:
        rows = conn.execute(f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources ORDER BY account_id, region, name")
    else:
        rows = conn.execute(
            f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources WHERE account_id = ? AND region = ? ORDER BY name",
            (scope.account_id, scope.region),
        )
    return [_resource(row) for row in rows]


def delete_resource(conn: sqlite3.Connection, scope: Scope, name: str) -> int:
    key = (scope.account_id, scope.region, name)
    (alarms,) = conn.execute(
        "SELECT count(*) FROM alarms WHERE account_id = ? AND region = ? AND resource_name = ?", key
    ).fetchone()
    deleted = conn.execute("DELETE FROM monitored_resources WHERE account_id = ? AND region = ? AND name = ?", key)
    if deleted.rowcount == 0:
        raise RecordNotFound(name)
    return int(alarms)


def put_metric_data(
    conn: sqlite3.Connection, resource: MonitoredResource, metric_name: str, aggregates: Sequence[MetricAggregate]
) -> MonitoredResource:
    stored = _select_resource(conn, resource.account_id, resource.region, resource.name)
    if stored is None:
        _insert_resource(conn, resource)
        stored = resource
    elif stored.resource_type != resource.resource_type:
        raise ResourceTypeMismatch(stored)
    conn.executemany(
        "INSERT INTO metric_periods (account_id, region, resource_name, metric_name, period_start, sample_count, sum, "
        "minimum, maximum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account_id, region, resource_name, metric_name, period_start) DO UPDATE SET "
        "sample_count = sample_count + excluded.sample_count, sum = sum + excluded.sum, "
        "minimum = min(minimum, excluded.minimum), maximum = max(maximum, excluded.maximum)",
        [(stored.account_id, stored.region, stored.name, metric_name, *_figures(a)) for a in aggregates],
    )
    return stored


def _figures(a: MetricAggregate) -> tuple[int, int, float, float, float]:
    return (a.period_start, a.sample_count, a.sum, a.minimum, a.maximum)


def get_metric_data(
    conn: sqlite3.Connection, scope: Scope, resource_name: str, metric_name: str, first: int, last: int
) -> list[MetricAggregate]:
    rows = conn.execute(
        "SELECT period_start, sample_count, sum, minimum, maximum FROM metric_periods "
        "WHERE account_id = ? AND region = ? AND resource_name = ? AND metric_name = ? "
        "AND period_start BETWEEN ? AND ? ORDER BY period_start",
        (scope.account_id, scope.region, resource_name, metric_name, first, last),
    )
    return [MetricAggregate(*row) for row in rows]


def prune_metric_data(conn: sqlite3.Connection, before: float) -> int:
    periods = conn.execute("DELETE FROM metric_periods WHERE period_start < ?", (before,)).rowcount
    history = conn.execute("DELETE FROM alarm_history WHERE changed_at < ?", (before,)).rowcount
    return int(periods + history)


# -- alarms ---------------------------------------------------------------------------------------------------------


def _free_slot(conn: sqlite3.Connection, alarm: Alarm) -> int:
    """A free slot of the alarm's (resource, metric), or ``AlarmLimitExceeded`` naming the alarms holding them."""
    holders = conn.execute(
        "SELECT slot, name FROM alarms WHERE account_id = ? AND region = ? AND resource_name = ? AND metric_name = ? "
        "ORDER BY name",
        (alarm.account_id, alarm.region, alarm.resource.name, alarm.metric_name),
    ).fetchall()
    free = set(range(1, ALARMS_PER_METRIC + 1)) - {slot for slot, _ in holders}
    if not free:
        raise AlarmLimitExceeded([name for _, name in holders])
    return min(free)


def put_alarm(conn: sqlite3.Connection, alarm: Alarm, operation: Operation) -> Alarm:
    resource = _select_resource(conn, alarm.account_id, alarm.region, alarm.resource.name)
    if resource is None or resource.resource_type != alarm.resource.resource_type:
        raise RecordNotFound(alarm.resource.name)
    existing = _select_alarm(conn, alarm.account_id, alarm.region, alarm.name)
    key = (alarm.account_id, alarm.region, alarm.name)
    if existing is None:
        columns = ("account_id", "region", "name", "id", "created_at", "slot", *ALARM_CONFIG_COLUMNS, "state",
                   "state_reason", "state_changed_at", "revision", "tags")  # fmt: skip
        conn.execute(
            f"INSERT INTO alarms ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            (
                *(*key, alarm.id, alarm.created_at, _free_slot(conn, alarm), *alarm_config_values(alarm, _json_text)),
                *(alarm.state, alarm.state_reason, alarm.state_changed_at, alarm.revision, _tags_json(alarm.tags)),
            ),
        )
    else:
        same_pair = (existing.resource.name, existing.metric_name) == (alarm.resource.name, alarm.metric_name)
        slot_sql, slot_args = ("", ()) if same_pair else (", slot = ?", (_free_slot(conn, alarm),))
        assignments = ", ".join(f"{column} = ?" for column in ALARM_CONFIG_COLUMNS)
        conn.execute(
            f"UPDATE alarms SET {assignments}{slot_sql}, revision = revision + 1 "
            "WHERE account_id = ? AND region = ? AND name = ?",
            (*alarm_config_values(alarm, _json_text), *slot_args, *key),
        )
    _insert_operation(conn, operation)
    stored = _select_alarm(conn, *key)
    assert stored is not None
    return stored


def get_alarm(conn: sqlite3.Connection, scope: Scope, name: str) -> Alarm | None:
    return _select_alarm(conn, scope.account_id, scope.region, name)


def list_alarms(
    conn: sqlite3.Connection, scope: Scope, limit: int, resource_name: str | None, after: str | None
) -> list[Alarm]:
    sql = f"{ALARM_SELECT} WHERE a.account_id = ? AND a.region = ?"
    params: list[Any] = [scope.account_id, scope.region]
    if resource_name is not None:
        sql += " AND a.resource_name = ?"
        params.append(resource_name)
    if after is not None:
        sql += " AND a.name > ?"
        params.append(after)
    params.append(limit)
    return [_alarm(row) for row in conn.execute(sql + " ORDER BY a.name LIMIT ?", params)]


def delete_alarm(conn: sqlite3.Connection, scope: Scope, name: str, operation: Operation) -> Alarm:
    alarm = _select_alarm(conn, scope.account_id, scope.region, name)
    if alarm is None:
        raise RecordNotFound(name)
    key = (scope.account_id, scope.region, name)
    conn.execute("DELETE FROM alarms WHERE account_id = ? AND region = ? AND name = ?", key)
    _insert_operation(conn, operation)
    return alarm


def list_alarms_to_evaluate(conn: sqlite3.Connection, limit: int, after: tuple[str, str, str] | None) -> list[Alarm]:
    sql, params = ALARM_SELECT, list[Any]() if after is None else list[Any](after)
    if after is not None:
        sql += " WHERE (a.account_id, a.region, a.name) > (?, ?, ?)"
    params.append(limit)
    return [_alarm(row) for row in conn.execute(sql + " ORDER BY a.account_id, a.region, a.name LIMIT ?", params)]


def record_alarm_state(
    conn: sqlite3.Connection, alarm: Alarm, change: AlarmStateChange, outbox: Sequence[OutboxMessage]
) -> bool:
    if change.revision != alarm.revision + 1:
        raise ValueError(f"a change of revision {alarm.revision} must have revision {alarm.revision + 1}")
    updated = conn.execute(
        "UPDATE alarms SET state = ?, state_reason = ?, state_changed_at = ?, revision = ? "
        "WHERE account_id = ? AND region = ? AND name = ? AND id = ? AND revision = ?",
        (
            *(change.new_state, change.reason, change.changed_at, change.revision),
            *(alarm.account_id, alarm.region, alarm.name, alarm.id, alarm.revision),
        ),
    ).rowcount
    if updated == 0:
        return False
    conn.execute(
        f"INSERT INTO alarm_history ({HISTORY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *(change.account_id, change.region, change.alarm_name, change.alarm_id, change.revision),
            *(change.changed_at, change.old_state, change.new_state, change.reason),
            _json_text(list(change.datapoints)),
            _json_text(list(change.notified)),
        ),
    )
    _insert_outbox(conn, outbox)
    return True


def record_alarm_test(
    conn: sqlite3.Connection, alarm: Alarm, operation: Operation, outbox: Sequence[OutboxMessage]
) -> None:
    key = (alarm.account_id, alarm.region, alarm.id)
    found = conn.execute("SELECT 1 FROM alarms WHERE account_id = ? AND region = ? AND id = ?", key).fetchone()
    if found is None:
        raise RecordNotFound(alarm.name)
    _insert_operation(conn, operation)
    _insert_outbox(conn, outbox)


def list_alarm_history(conn: sqlite3.Connection, scope: Scope, alarm_name: str, limit: int) -> list[AlarmStateChange]:
    rows = conn.execute(
        f"SELECT {HISTORY_COLUMNS} FROM alarm_history WHERE account_id = ? AND region = ? AND alarm_name = ? "
        "ORDER BY revision DESC LIMIT ?",
        (scope.account_id, scope.region, alarm_name, limit),
    )
    return [_history(row) for row in rows]


def find_taggable_alarm(conn: sqlite3.Connection, scope: Scope, name: str) -> TaggableResource | None:
    alarm = _select_alarm(conn, scope.account_id, scope.region, name)
    if alarm is None:
        return None
    return TaggableResource(ALARM_RESOURCE_TYPE, alarm.id, alarm.name, alarm.arn, alarm.tags)
