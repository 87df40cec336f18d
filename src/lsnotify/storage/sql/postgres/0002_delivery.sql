-- Delivery: leases on outbox claims, rounds of retries, and the dev inbox's captured messages
-- (the PostgreSQL dialect of sql/sqlite/0002_delivery.sql).

-- The worker holding a message. While it does, next_attempt_at is the end of its lease: a message whose worker
-- died is due again once the lease runs out.
ALTER TABLE outbox ADD COLUMN claimed_by text;

-- When the current round of attempts began (NULL: at created_at); an operator's retry starts a new round.
ALTER TABLE outbox ADD COLUMN queued_at double precision;

CREATE TABLE captured_messages (
    id text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    protocol text NOT NULL CHECK (protocol IN ('Email', 'SMS')),
    destination text NOT NULL,
    subject text,
    body text NOT NULL,
    html text,
    created_at double precision NOT NULL
);

CREATE INDEX captured_messages_by_time ON captured_messages (created_at, id);
