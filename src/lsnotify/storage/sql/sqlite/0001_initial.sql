-- Accounts, access keys, contact methods, verification tokens, operations and the outbox.
-- Every user record's key starts with (account_id, region): the SQL form of "no query crosses a scope".

CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    created_at REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    secret_sealed TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created_at REAL NOT NULL
) WITHOUT ROWID;

CREATE INDEX access_keys_by_account ON access_keys (account_id, created_at);

-- The primary key is the "one Email and one SMS per account and region" rule.
CREATE TABLE contact_methods (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    protocol TEXT NOT NULL CHECK (protocol IN ('Email', 'SMS')),
    id TEXT NOT NULL,
    contact_endpoint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PendingVerification', 'Valid', 'Invalid')),
    created_at REAL NOT NULL,
    verification_expires_at REAL,
    tags TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, region, protocol)
) WITHOUT ROWID;

-- Only the SHA-256 of a token is kept.
CREATE TABLE verification_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    contact_method_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;

CREATE INDEX verification_tokens_by_method ON verification_tokens (account_id, region, contact_method_id);

CREATE TABLE operations (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    id TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    operation_type TEXT NOT NULL,
    status TEXT NOT NULL,
    is_terminal INTEGER NOT NULL,
    created_at REAL NOT NULL,
    status_changed_at REAL,
    operation_details TEXT,
    error_code TEXT,
    error_details TEXT,
    PRIMARY KEY (account_id, region, id)
) WITHOUT ROWID;

CREATE INDEX operations_newest ON operations (account_id, region, created_at DESC, id DESC);
CREATE INDEX operations_by_resource ON operations (account_id, region, resource_name, created_at DESC, id DESC);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    protocol TEXT NOT NULL CHECK (protocol IN ('Email', 'SMS')),
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    created_at REAL NOT NULL,
    sent_at REAL
) WITHOUT ROWID;

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
