"""The column lists of the tables, in the order the domain records take their fields: the same in every dialect.

Each store selects and inserts in this order, so a row converts to its record positionally (``Operation(*row)``),
and a record to the values it inserts with the functions below. The dialects differ only in how a JSON column is
written: SQLite takes its text, PostgreSQL the Python value for ``jsonb``; each store passes ``dump`` accordingly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsnotify.domain import Operation
from lsnotify.domain.outbox import OutboxMessage

Dump = Callable[[Any], Any]

CONTACT_METHOD_COLUMNS = (
    "account_id, region, protocol, id, contact_endpoint, status, created_at, verification_expires_at, tags"
)
OPERATION_COLUMNS = (
    "id, account_id, region, resource_name, resource_type, operation_type, created_at, status, is_terminal, "
    "status_changed_at, operation_details, error_code, error_details"
)
OUTBOX_COLUMNS = (
    "id, account_id, region, protocol, destination, kind, payload, idempotency_key, created_at, status, attempts, "
    "next_attempt_at, last_error, sent_at"
)


def operation_values(op: Operation) -> tuple[Any, ...]:
    """``op`` in the order of ``OPERATION_COLUMNS``."""
    return (
        op.id,
        op.account_id,
        op.region,
        op.resource_name,
        op.resource_type,
        op.operation_type,
        op.created_at,
        op.status,
        op.is_terminal,
        op.status_changed_at,
        op.operation_details,
        op.error_code,
        op.error_details,
    )


def outbox_values(m: OutboxMessage, dump: Dump) -> tuple[Any, ...]:
    """``m`` in the order of ``OUTBOX_COLUMNS``, its payload through ``dump``."""
    return (
        m.id,
        m.account_id,
        m.region,
        m.protocol,
        m.destination,
        m.kind,
        dump(dict(m.payload)),
        m.idempotency_key,
        m.created_at,
        m.status,
        m.attempts,
        m.next_attempt_at,
        m.last_error,
        m.sent_at,
    )


ACCESS_KEY_COLUMNS = "access_key_id, account_id, secret_sealed, status, created_at"
CAPTURED_COLUMNS = "id, account_id, region, protocol, destination, subject, body, html, created_at"

# -- alarms (issue 4)
RESOURCE_COLUMNS = "account_id, region, name, resource_type, id, created_at"
ALARM_SELECT = (
    "SELECT a.account_id, a.region, a.name, a.id, a.created_at, "
    "r.name, r.resource_type, r.id, r.created_at, "
    "a.metric_name, a.comparison_operator, a.threshold, a.evaluation_periods, a.datapoints_to_alarm, "
    "a.treat_missing_data, a.contact_protocols, a.notification_triggers, a.notification_enabled, "
    "a.state, a.state_reason, a.state_changed_at, a.revision, a.tags "
    "FROM alarms a JOIN monitored_resources r "
    "ON r.account_id = a.account_id AND r.region = a.region AND r.name = a.resource_name"
)
"""An alarm joined with its monitored resource, in the order the stores' row converters read them."""
HISTORY_COLUMNS = (
    "account_id, region, alarm_name, alarm_id, revision, changed_at, old_state, new_state, reason, datapoints, notified"
)
