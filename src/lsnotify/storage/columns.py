"""The column lists of the tables, in the order the domain records take their fields: the same in every dialect.

Each store selects and inserts in this order, so a row converts to its record positionally (``Operation(*row)``).
"""

from __future__ import annotations

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
