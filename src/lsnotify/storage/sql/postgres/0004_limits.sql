-- Limits: a 'suppressed' outbox status (a message over its account's hourly cap, kept but never sent) and the
-- indexes the limits count with.

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'dead', 'suppressed'));

-- The verification emails queued in one scope lately (the resend limit).
CREATE INDEX outbox_by_kind ON outbox (account_id, region, kind, created_at);
-- The messages an account was sent per protocol lately (the hourly caps); sent_at is set only once sent.
CREATE INDEX outbox_sent_by_account ON outbox (account_id, protocol, sent_at);
