-- Limits: a 'suppressed' outbox status (a message over its account's hourly cap, kept but never sent) and the
-- indexes the limits count with.

-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with the wider one (the documented
-- "make other kinds of table schema changes" procedure; nothing references outbox).
CREATE TABLE outbox_new (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    protocol TEXT NOT NULL CHECK (protocol IN ('Email', 'SMS')),
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead', 'suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    created_at REAL NOT NULL,
    sent_at REAL,
    claimed_by TEXT,
    queued_at REAL
) WITHOUT ROWID;

INSERT INTO outbox_new (
    id, account_id, region, protocol, destination, kind, payload, idempotency_key, status, attempts,
    next_attempt_at, last_error, created_at, sent_at, claimed_by, queued_at
)
SELECT id, account_id, region, protocol, destination, kind, payload, idempotency_key, status, attempts,
    next_attempt_at, last_error, created_at, sent_at, claimed_by, queued_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- The verification emails queued in one scope lately (the resend limit).
CREATE INDEX outbox_by_kind ON outbox (account_id, region, kind, created_at);
-- The messages an account was sent per protocol lately (the hourly caps); sent_at is set only once sent.
CREATE INDEX outbox_sent_by_account ON outbox (account_id, protocol, sent_at);
