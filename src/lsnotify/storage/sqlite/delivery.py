"""SQLite SQL for delivery: claiming outbox messages under a lease, recording results, dead letters, the dev inbox.

Write functions take the writer's connection and run inside its ``BEGIN IMMEDIATE`` group transaction, so a claim
(select the due rows, then mark them) is atomic even when several processes share the database file: SQLite's write
lock admits one writer at a time. Read functions take the store's read-only connection. ``SqliteStore`` wraps each
in a one-line method.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Collection, Sequence
from typing import Any

from lsnotify.domain import (
    EMAIL,
    OUTBOX_STATES,
    CapturedMessage,
    ClaimedMessage,
    ContactMethod,
    OutboxMessage,
)
from lsnotify.storage.base import MessageFilter
from lsnotify.storage.columns import CAPTURED_COLUMNS, OUTBOX_COLUMNS
from lsnotify.storage.sqlite.store import (
    _contact_method,
    _insert_outbox,
    _outbox_message,
    _select_contact_method,
)

# -- the outbox (writer) ------------------------------------------------------------------------------------------


def enqueue(conn: sqlite3.Connection, messages: Sequence[OutboxMessage]) -> None:
    _insert_outbox(conn, messages)


def claim(conn: sqlite3.Connection, worker: str, now: float, limit: int, lease_seconds: float) -> list[ClaimedMessage]:
    token = f"{worker}/{secrets.token_hex(8)}"
    rows = conn.execute(
        f"UPDATE outbox SET claimed_by = ?, attempts = attempts + 1, next_attempt_at = ? "
        f"WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
        f"ORDER BY next_attempt_at, id LIMIT ?) "
        f"RETURNING {OUTBOX_COLUMNS}, COALESCE(queued_at, created_at)",
        (token, now + lease_seconds, now, limit),
    ).fetchall()
    claimed = [ClaimedMessage(_outbox_message(row[:-1]), token, row[-1]) for row in rows]
    claimed.sort(key=lambda c: (c.message.created_at, c.message.id))
    return claimed


def record_sent(conn: sqlite3.Connection, claimed: ClaimedMessage, now: float) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, claimed_by = NULL, last_error = NULL "
        "WHERE id = ? AND status = 'pending'",
        (now, claimed.message.id),
    )


def record_failure(conn: sqlite3.Connection, claimed: ClaimedMessage, error: str, retry_at: float | None) -> bool:
    if retry_at is None:
        sql = "UPDATE outbox SET status = 'dead', last_error = ?, claimed_by = NULL WHERE id = ? AND claimed_by = ?"
        params: tuple[Any, ...] = (error, claimed.message.id, claimed.claim)
    else:
        sql = (
            "UPDATE outbox SET next_attempt_at = ?, last_error = ?, claimed_by = NULL "
            "WHERE id = ? AND claimed_by = ? AND status = 'pending'"
        )
        params = (retry_at, error, claimed.message.id, claimed.claim)
    return conn.execute(sql, params).rowcount == 1


def retry(conn: sqlite3.Connection, message_ids: Collection[str] | None, now: float) -> list[str]:
    sql = (
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, queued_at = ?, claimed_by = NULL "
        "WHERE status = 'dead'"
    )
    params: list[Any] = [now, now]
    if message_ids is not None:
        ids = list(message_ids)
        if not ids:
            return []
        sql += f" AND id IN ({', '.join('?' * len(ids))})"
        params.extend(ids)
    return sorted(row[0] for row in conn.execute(sql + " RETURNING id", params))


def prune(conn: sqlite3.Connection, sent_before: float) -> int:
    return conn.execute(
        "DELETE FROM outbox WHERE (status = 'sent' AND sent_at < ?) OR (status = 'suppressed' AND created_at < ?)",
        (sent_before, sent_before),
    ).rowcount


# -- the outbox (reader) ------------------------------------------------------------------------------------------


def anything_due(conn: sqlite3.Connection, now: float) -> bool:
    """A cheap look before claiming, so that an idle worker's polls never take the write lock."""
    row = conn.execute(
        "SELECT 1 FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1", (now,)
    ).fetchone()
    return row is not None


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    found = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    return {status: int(found.get(status, 0)) for status in OUTBOX_STATES}


# -- the dev inbox ------------------------------------------------------------------------------------------------


def capture(conn: sqlite3.Connection, m: CapturedMessage) -> None:
    conn.execute(
        f"INSERT INTO captured_messages ({CAPTURED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        (m.id, m.account_id, m.region, m.protocol, m.destination, m.subject, m.body, m.html, m.created_at),
    )


def _where(where: MessageFilter) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for column, value in (
        ("protocol", where.protocol),
        ("destination", where.destination),
        ("account_id", where.account_id),
        ("region", where.region),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def list_captured(
    conn: sqlite3.Connection, where: MessageFilter, limit: int, newest_first: bool
) -> list[CapturedMessage]:
    clause, params = _where(where)
    order = "created_at DESC, id DESC" if newest_first else "created_at, id"
    rows = conn.execute(
        f"SELECT {CAPTURED_COLUMNS} FROM captured_messages{clause} ORDER BY {order} LIMIT ?", [*params, limit]
    )
    return [CapturedMessage(*row) for row in rows]


def delete_captured(conn: sqlite3.Connection, where: MessageFilter) -> int:
    clause, params = _where(where)
    return conn.execute(f"DELETE FROM captured_messages{clause}", params).rowcount


# -- verification -------------------------------------------------------------------------------------------------


def peek_verification(conn: sqlite3.Connection, token_hash: str, now: float) -> ContactMethod | None:
    token = conn.execute(
        "SELECT account_id, region, contact_method_id FROM verification_tokens WHERE token_hash = ? AND expires_at > ?",
        (token_hash, now),
    ).fetchone()
    if token is None:
        return None
    row = _select_contact_method(conn, token[0], token[1], EMAIL)
    if row is None or row[3] != token[2]:
        return None
    return _contact_method(row)
