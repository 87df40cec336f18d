-- Delivery: leases on outbox claims, rounds of retries, and the dev inbox's captured messages.

-- The worker holding a message. While it does, next_attempt_at is the end of its lease: a message whose worker
-- died is due again once the lease runs out.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

-- When the current round of attempts began (NULL: at created_at); an operator's retry starts a new round.
ALTER TABLE outbox ADD COLUMN queued_at REAL;

CREATE TABLE captured_messages (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    protocol TEXT NOT NULL CHECK (protocol IN ('Email', 'SMS')),
    destination TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    html TEXT,
    created_at REAL NOT NULL
) WITHOUT ROWID;

CREATE INDEX captured_messages_by_time ON captured_messages (created_at, id);
