"""SQLite SQL for the outbound limits: the counts they read, and settling a message as suppressed.

Read functions take the store's read-only connection, the write function the writer's. The rules (which window,
how many) are the callers'; these only count.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from lsnotify.domain import ClaimedMessage, Scope


def outbox_times(conn: sqlite3.Connection, scope: Scope, kind: str, since: float) -> list[float]:
    rows = conn.execute(
        "SELECT created_at FROM outbox WHERE account_id = ? AND region = ? AND kind = ? AND created_at >= ? "
        "ORDER BY created_at DESC",
        (scope.account_id, scope.region, kind, since),
    )
    return [row[0] for row in rows]


def count_sent(
    conn: sqlite3.Connection, account_id: str, protocol: str, since: float, excluding: Collection[str]
) -> int:
    sql = "SELECT count(*) FROM outbox WHERE account_id = ? AND protocol = ? AND sent_at >= ?"
    ids = list(excluding)
    if ids:
        sql += f" AND id NOT IN ({', '.join('?' * len(ids))})"
    return int(conn.execute(sql, (account_id, protocol, since, *ids)).fetchone()[0])


def record_suppressed(conn: sqlite3.Connection, claimed: ClaimedMessage, reason: str) -> bool:
    changed = conn.execute(
        "UPDATE outbox SET status = 'suppressed', last_error = ?, claimed_by = NULL "
        "WHERE id = ? AND claimed_by = ? AND status = 'pending'",
        (reason, claimed.message.id, claimed.claim),
    ).rowcount
    return bool(changed == 1)


def last_operation_at(conn: sqlite3.Connection, scope: Scope, resource_name: str, operation_type: str) -> float | None:
    row = conn.execute(
        "SELECT max(created_at) FROM operations WHERE account_id = ? AND region = ? AND resource_name = ? "
        "AND operation_type = ?",
        (scope.account_id, scope.region, resource_name, operation_type),
    ).fetchone()
    return None if row[0] is None else float(row[0])


def count_resources(conn: sqlite3.Connection, account_id: str) -> int:
    row = conn.execute("SELECT count(*) FROM monitored_resources WHERE account_id = ?", (account_id,)).fetchone()
    return int(row[0])


def count_alarms(conn: sqlite3.Connection, account_id: str) -> int:
    return int(conn.execute("SELECT count(*) FROM alarms WHERE account_id = ?", (account_id,)).fetchone()[0])
