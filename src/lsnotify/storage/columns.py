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
