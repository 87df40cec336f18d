"""Every SQL statement the stores run, written once with ``?`` placeholders and rendered for each dialect at import.

SQLite takes the text as written; PostgreSQL (asyncpg) numbers the placeholders ``$1``, ``$2``, … and adds the row
lock a statement asks for (``FOR UPDATE``, ``FOR SHARE``, ``SKIP LOCKED``): SQLite has no row locks and needs none,
since its one writer runs each transaction alone. A statement whose spelling differs between the dialects while
meaning the same (an upsert's ``least``) gives both spellings. Statements built at call time from optional filters
go through ``query_of``, which renders each distinct text once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from lsnotify.storage.rows import (
    ACCESS_KEY_COLUMNS,
    ALARM_COLUMNS,
    ALARM_CONFIG_COLUMNS,
    ALARM_SELECT,
    CAPTURED_COLUMNS,
    CONTACT_METHOD_COLUMNS,
    HISTORY_COLUMNS,
    METRIC_POINT_COLUMNS,
    OPERATION_COLUMNS,
    OUTBOX_COLUMNS,
    RESOURCE_COLUMNS,
    SCRAPE_TARGET_COLUMNS,
    TOKEN_COLUMNS,
)

LOCK = "{lock}"
"""Where in a statement its PostgreSQL row lock goes, after a space, when not at the end."""


@dataclass(frozen=True, slots=True)
class Query:
    """One statement in each dialect's spelling."""

    sqlite: str
    postgres: str


def numbered(text: str) -> str:
    """``text`` with each ``?`` outside a string literal replaced by ``$1``, ``$2``, … in order."""
    parts, number, quoted = [], 0, False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == "?" and not quoted:
            number += 1
            parts.append(f"${number}")
        else:
            parts.append(char)
    return "".join(parts)


def query(text: str, *, lock: str = "", postgres: str | None = None) -> Query:
    """``text`` for both dialects; PostgreSQL's with ``lock`` at ``LOCK`` (or at the end), or spelled ``postgres``."""
    pg = _locked(postgres if postgres is not None else text).replace(f" {LOCK}", f" {lock}" if lock else "")
    return Query(_locked(text).replace(f" {LOCK}", ""), numbered(pg))


def _locked(text: str) -> str:
    return text if LOCK in text else f"{text} {LOCK}"


@functools.lru_cache(maxsize=512)
def query_of(text: str) -> Query:
    """A statement assembled at call time (optional filters, a list of ids), rendered once per distinct text."""
    return query(text)


def given(*filters: tuple[str, Any]) -> tuple[list[str], list[Any]]:
    """The clauses of the optional filters whose value is given (not None), and their parameters in order.

    A filter is a clause with ``?`` and its value; a tuple value fills as many ``?``.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for clause, value in filters:
        if value is not None:
            clauses.append(clause)
            params.extend(value if isinstance(value, tuple) else (value,))
    return clauses, params


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


# -- migrations (the table itself is each dialect's own) ------------------------------------------------------------

APPLIED_MIGRATIONS = query("SELECT version FROM schema_migrations")
RECORD_MIGRATION = query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")

# -- identity -------------------------------------------------------------------------------------------------------

INSERT_ACCOUNT = query("INSERT INTO accounts (account_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
INSERT_ACCESS_KEY = query(f"INSERT INTO access_keys ({ACCESS_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?)")
GET_ACCESS_KEY = query(f"SELECT {ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = ?")
LIST_ACCESS_KEYS = query(f"SELECT {ACCESS_KEY_COLUMNS} FROM access_keys ORDER BY created_at, access_key_id")
LIST_ACCOUNT_ACCESS_KEYS = query(
    f"SELECT {ACCESS_KEY_COLUMNS} FROM access_keys WHERE account_id = ? ORDER BY created_at, access_key_id"
)
SET_ACCESS_KEY_STATUS = query("UPDATE access_keys SET status = ? WHERE access_key_id = ?")
DELETE_ACCESS_KEY = query("DELETE FROM access_keys WHERE access_key_id = ?")

# -- contact methods and verification -------------------------------------------------------------------------------

_CONTACT_METHOD_KEY = "account_id = ? AND region = ? AND protocol = ?"
INSERT_CONTACT_METHOD = query(
    f"INSERT INTO contact_methods ({CONTACT_METHOD_COLUMNS}) VALUES ({placeholders(9)}) "
    "ON CONFLICT DO NOTHING RETURNING id"
)
SELECT_CONTACT_METHOD = query(f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE {_CONTACT_METHOD_KEY}")
LOCK_CONTACT_METHOD = query(
    f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE {_CONTACT_METHOD_KEY}", lock="FOR UPDATE"
)
COUNT_COMMIT = query("UPDATE commit_count SET n = n + 1 WHERE id = 1 RETURNING n")
COMMITS_COUNTED = query("SELECT n FROM commit_count WHERE id = 1")
LIST_CONTACT_METHODS = query(
    f"SELECT {CONTACT_METHOD_COLUMNS} FROM contact_methods WHERE account_id = ? AND region = ? ORDER BY protocol"
)
DELETE_CONTACT_METHOD = query(
    f"DELETE FROM contact_methods WHERE {_CONTACT_METHOD_KEY} RETURNING {CONTACT_METHOD_COLUMNS}"
)
RESTART_VERIFICATION = query(
    "UPDATE contact_methods SET status = 'PendingVerification', verification_expires_at = ? "
    f"WHERE {_CONTACT_METHOD_KEY} RETURNING {CONTACT_METHOD_COLUMNS}"
)
CONFIRM_VERIFICATION = query(
    "UPDATE contact_methods SET status = 'Valid', verification_expires_at = NULL "
    f"WHERE {_CONTACT_METHOD_KEY} AND id = ? RETURNING {CONTACT_METHOD_COLUMNS}"
)
INSERT_TOKEN = query(f"INSERT INTO verification_tokens ({TOKEN_COLUMNS}) VALUES ({placeholders(6)})")
# The row lock makes two clicks on one link take turns: the second finds the token spent.
LOCK_TOKEN = query(
    "SELECT account_id, region, contact_method_id, expires_at FROM verification_tokens WHERE token_hash = ?",
    lock="FOR UPDATE",
)
PEEK_TOKEN = query(
    "SELECT account_id, region, contact_method_id FROM verification_tokens WHERE token_hash = ? AND expires_at > ?"
)
DROP_TOKENS = query("DELETE FROM verification_tokens WHERE account_id = ? AND region = ? AND contact_method_id = ?")

# -- tags: (select the tags to change, write them), keyed by scope and id, per taggable resource type ---------------

TAGGABLE_CONTACT_METHOD = query(f"SELECT id, tags FROM contact_methods WHERE {_CONTACT_METHOD_KEY}", lock="FOR UPDATE")
TAGGABLE_ALARM = query(
    "SELECT id, tags FROM alarms WHERE account_id = ? AND region = ? AND name = ?", lock="FOR UPDATE"
)
SET_TAGS = {
    "ContactMethod": query("UPDATE contact_methods SET tags = ? WHERE account_id = ? AND region = ? AND id = ?"),
    "Alarm": query("UPDATE alarms SET tags = ? WHERE account_id = ? AND region = ? AND id = ?"),
}

# -- operations -----------------------------------------------------------------------------------------------------

INSERT_OPERATION = query(f"INSERT INTO operations ({OPERATION_COLUMNS}) VALUES ({placeholders(13)})")
GET_OPERATION = query(f"SELECT {OPERATION_COLUMNS} FROM operations WHERE account_id = ? AND region = ? AND id = ?")
LIST_OPERATIONS = f"SELECT {OPERATION_COLUMNS} FROM operations WHERE account_id = ? AND region = ?"
"""The head of ListOperations' statement, which its optional filters complete."""

# -- the outbox and the dev inbox -----------------------------------------------------------------------------------

INSERT_OUTBOX = query(f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES ({placeholders(14)})")
LIST_OUTBOX = query(f"SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY created_at, id LIMIT ?")
LIST_OUTBOX_IN_STATUS = query(f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = ? ORDER BY created_at, id LIMIT ?")
ANYTHING_DUE = query("SELECT 1 FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1")
# Each worker locks the due rows it selects and skips those another is locking: no message is claimed twice.
CLAIM_OUTBOX = query(
    "UPDATE outbox SET claimed_by = ?, attempts = attempts + 1, next_attempt_at = ? "
    "WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
    f"ORDER BY next_attempt_at, id LIMIT ? {LOCK}) "
    f"RETURNING {OUTBOX_COLUMNS}, COALESCE(queued_at, created_at)",
    lock="FOR UPDATE SKIP LOCKED",
)
RECORD_SENT = query(
    "UPDATE outbox SET status = 'sent', sent_at = ?, claimed_by = NULL, last_error = NULL "
    "WHERE id = ? AND status = 'pending'"
)
RECORD_DEAD = query(
    "UPDATE outbox SET status = 'dead', last_error = ?, claimed_by = NULL WHERE id = ? AND claimed_by = ?"
)
RECORD_RETRY_AT = query(
    "UPDATE outbox SET next_attempt_at = ?, last_error = ?, claimed_by = NULL "
    "WHERE id = ? AND claimed_by = ? AND status = 'pending'"
)
REQUEUE_DEAD = (
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, queued_at = ?, claimed_by = NULL "
    "WHERE status = 'dead'"
)
"""The head of the statement that puts dead letters back in the queue, which a list of ids may narrow."""
# A suppressed message was never sent: it goes once as old by when it was queued.
PRUNE_OUTBOX = query(
    "DELETE FROM outbox WHERE (status = 'sent' AND sent_at < ?) OR (status = 'suppressed' AND created_at < ?)"
)
OUTBOX_COUNTS = query("SELECT status, count(*) FROM outbox GROUP BY status")
INSERT_CAPTURED = query(
    f"INSERT INTO captured_messages ({CAPTURED_COLUMNS}) VALUES ({placeholders(9)}) ON CONFLICT (id) DO NOTHING"
)
LIST_CAPTURED = f"SELECT {CAPTURED_COLUMNS} FROM captured_messages"
DELETE_CAPTURED = "DELETE FROM captured_messages"

# -- monitored resources and metric data ----------------------------------------------------------------------------

INSERT_RESOURCE = query(
    f"INSERT INTO monitored_resources ({RESOURCE_COLUMNS}) VALUES ({placeholders(6)}) "
    "ON CONFLICT DO NOTHING RETURNING 1"
)
_SELECT_RESOURCE = (
    f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources WHERE account_id = ? AND region = ? AND name = ?"
)
SELECT_RESOURCE = query(_SELECT_RESOURCE)
# KEY SHARE: a concurrent delete of the resource waits until the periods being written are in (then deletes them).
KEY_SHARE_RESOURCE = query(_SELECT_RESOURCE, lock="FOR KEY SHARE")
LIST_ALL_RESOURCES = query(f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources ORDER BY account_id, region, name")
LIST_RESOURCES = query(
    f"SELECT {RESOURCE_COLUMNS} FROM monitored_resources WHERE account_id = ? AND region = ? ORDER BY name"
)
COUNT_RESOURCE_ALARMS = query("SELECT count(*) FROM alarms WHERE account_id = ? AND region = ? AND resource_name = ?")
DELETE_RESOURCE = query("DELETE FROM monitored_resources WHERE account_id = ? AND region = ? AND name = ?")
# FOR UPDATE: waits for the writers holding KEY SHARE to commit their points, and holds off new ones, so that the
# points deleted next are all the resource has.
LOCK_RESOURCE = query(_SELECT_RESOURCE, lock="FOR UPDATE")
DELETE_RESOURCE_POINTS = query(
    "DELETE FROM metric_points WHERE series_id IN (SELECT id FROM metric_series WHERE account_id = ? AND region = ? "
    "AND resource_name = ?)"
)
_SERIES_KEY = "account_id = ? AND region = ? AND resource_name = ?"
SERIES_OF_RESOURCE = query(f"SELECT metric_name, id FROM metric_series WHERE {_SERIES_KEY}")
INSERT_SERIES = query(
    "INSERT INTO metric_series (account_id, region, resource_name, metric_name) VALUES (?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING RETURNING id"
)
SELECT_SERIES = query(f"SELECT id FROM metric_series WHERE {_SERIES_KEY} AND metric_name = ?")
_ADD_POINT = (
    f"INSERT INTO metric_points ({METRIC_POINT_COLUMNS}) VALUES ({placeholders(7)}) "
    "ON CONFLICT (series_id, resolution, period_start) DO UPDATE SET "
    "sample_count = metric_points.sample_count + excluded.sample_count, sum = metric_points.sum + excluded.sum, "
)
# Adds to the point: counts and sums add up, minimum and maximum widen, atomically whoever else adds to it.
ADD_METRIC_POINT = query(
    _ADD_POINT + "minimum = min(metric_points.minimum, excluded.minimum), "
    "maximum = max(metric_points.maximum, excluded.maximum)",
    postgres=_ADD_POINT + "minimum = least(metric_points.minimum, excluded.minimum), "
    "maximum = greatest(metric_points.maximum, excluded.maximum)",
)
GET_METRIC_POINTS = query(
    "SELECT p.period_start, p.sample_count, p.sum, p.minimum, p.maximum "
    "FROM metric_series s JOIN metric_points p ON p.series_id = s.id "
    "WHERE s.account_id = ? AND s.region = ? AND s.resource_name = ? AND s.metric_name = ? AND p.resolution = ? "
    "AND p.period_start BETWEEN ? AND ? ORDER BY p.period_start"
)
# Series by series, so that each delete is a range of the points' primary key: no index on age to keep up to date.
PRUNE_METRIC_POINTS = query(
    "DELETE FROM metric_points WHERE series_id IN (SELECT id FROM metric_series) AND resolution = ? "
    "AND period_start < ?"
)
PRUNE_ALARM_HISTORY = query("DELETE FROM alarm_history WHERE changed_at < ?")

# -- alarms ---------------------------------------------------------------------------------------------------------

SELECT_ALARM = query(f"{ALARM_SELECT} WHERE a.account_id = ? AND a.region = ? AND a.name = ?")
LIST_ALARMS = f"{ALARM_SELECT} WHERE a.account_id = ? AND a.region = ?"
"""The head of GetAlarms' statement, which its optional filters complete."""
ALARMS_TO_EVALUATE = query(f"{ALARM_SELECT} ORDER BY a.account_id, a.region, a.name LIMIT ?")
ALARMS_TO_EVALUATE_AFTER = query(
    f"{ALARM_SELECT} WHERE (a.account_id, a.region, a.name) > (?, ?, ?) ORDER BY a.account_id, a.region, a.name LIMIT ?"
)
SLOT_HOLDERS = query(
    "SELECT slot, name FROM alarms WHERE account_id = ? AND region = ? AND resource_name = ? AND metric_name = ? "
    "ORDER BY name"
)
INSERT_ALARM = query(f"INSERT INTO alarms ({', '.join(ALARM_COLUMNS)}) VALUES ({placeholders(len(ALARM_COLUMNS))})")
_CONFIGURE = ", ".join(f"{column} = ?" for column in ALARM_CONFIG_COLUMNS)
_ALARM_KEY = "WHERE account_id = ? AND region = ? AND name = ?"
CONFIGURE_ALARM = query(f"UPDATE alarms SET {_CONFIGURE}, revision = revision + 1 {_ALARM_KEY}")
CONFIGURE_ALARM_IN_SLOT = query(f"UPDATE alarms SET {_CONFIGURE}, slot = ?, revision = revision + 1 {_ALARM_KEY}")
DELETE_ALARM = query(f"DELETE FROM alarms {_ALARM_KEY}")
# A compare-and-set on the revision: of several evaluators recording a change, exactly one finds it unchanged.
SET_ALARM_STATE = query(
    "UPDATE alarms SET state = ?, state_reason = ?, state_changed_at = ?, revision = ? "
    "WHERE account_id = ? AND region = ? AND name = ? AND id = ? AND revision = ?"
)
INSERT_HISTORY = query(f"INSERT INTO alarm_history ({HISTORY_COLUMNS}) VALUES ({placeholders(11)})")
# SHARE: the alarm cannot be deleted before a test's operation and notifications commit.
SHARE_ALARM = query("SELECT 1 FROM alarms WHERE account_id = ? AND region = ? AND id = ?", lock="FOR SHARE")
LIST_ALARM_HISTORY = query(
    f"SELECT {HISTORY_COLUMNS} FROM alarm_history WHERE account_id = ? AND region = ? AND alarm_name = ? "
    "ORDER BY revision DESC LIMIT ?"
)

# -- the outbound limits: what they count, and settling a message as suppressed -------------------------------------

OUTBOX_TIMES = query(
    "SELECT created_at FROM outbox WHERE account_id = ? AND region = ? AND kind = ? AND created_at >= ? "
    "ORDER BY created_at DESC"
)
COUNT_SENT = "SELECT count(*) FROM outbox WHERE account_id = ? AND protocol = ? AND sent_at >= ?"
"""The head of the count of an account's sent messages, which a list of ids to leave out may narrow."""
RECORD_SUPPRESSED = query(
    "UPDATE outbox SET status = 'suppressed', last_error = ?, claimed_by = NULL "
    "WHERE id = ? AND claimed_by = ? AND status = 'pending'"
)
LAST_OPERATION_AT = query(
    "SELECT max(created_at) FROM operations "
    "WHERE account_id = ? AND region = ? AND resource_name = ? AND operation_type = ?"
)
# UPDATE: paced alarm tests of one alarm take turns, on any node; each sees the test the one before recorded.
LOCK_ALARM = query("SELECT 1 FROM alarms WHERE account_id = ? AND region = ? AND id = ?", lock="FOR UPDATE")
COUNT_ACCOUNT_RESOURCES = query("SELECT count(*) FROM monitored_resources WHERE account_id = ?")
COUNT_ACCOUNT_ALARMS = query("SELECT count(*) FROM alarms WHERE account_id = ?")
# -- scrape targets -------------------------------------------------------------------------------------------------

_TARGET_KEY = "account_id = ? AND region = ? AND resource_name = ?"
# A new URL starts a new series: due at once, no counters to take differences from; the same URL keeps both.
SET_SCRAPE_TARGET = query(
    f"INSERT INTO scrape_targets ({SCRAPE_TARGET_COLUMNS}) VALUES ({placeholders(7)}) "
    "ON CONFLICT (account_id, region, resource_name) DO UPDATE SET "
    "due_at = CASE WHEN scrape_targets.url = excluded.url THEN scrape_targets.due_at ELSE excluded.due_at END, "
    "counters = CASE WHEN scrape_targets.url = excluded.url THEN scrape_targets.counters END, "
    "claimed_by = CASE WHEN scrape_targets.url = excluded.url THEN scrape_targets.claimed_by END, "
    f"url = excluded.url RETURNING {SCRAPE_TARGET_COLUMNS}"
)
DELETE_SCRAPE_TARGET = query(f"DELETE FROM scrape_targets WHERE {_TARGET_KEY}")
LIST_ALL_SCRAPE_TARGETS = query(
    f"SELECT {SCRAPE_TARGET_COLUMNS} FROM scrape_targets ORDER BY account_id, region, resource_name"
)
LIST_SCRAPE_TARGETS = query(
    f"SELECT {SCRAPE_TARGET_COLUMNS} FROM scrape_targets WHERE account_id = ? AND region = ? ORDER BY resource_name"
)
# As the outbox's claim: each scraper locks the due rows it selects and skips those another is locking, so no target
# is scraped by two at once; the lease (due_at moved on) makes a dead scraper's targets due again.
CLAIM_SCRAPE_TARGETS = query(
    "UPDATE scrape_targets SET claimed_by = ?, due_at = ? "
    "WHERE (account_id, region, resource_name) IN (SELECT account_id, region, resource_name FROM scrape_targets "
    f"WHERE due_at <= ? ORDER BY due_at, account_id, region, resource_name LIMIT ? {LOCK}) "
    f"RETURNING {SCRAPE_TARGET_COLUMNS}",
    lock="FOR UPDATE SKIP LOCKED",
)
RECORD_SCRAPE = query(
    "UPDATE scrape_targets SET counters = COALESCE(?, counters), due_at = ?, claimed_by = NULL "
    f"WHERE {_TARGET_KEY} AND claimed_by = ?"
)
