-- Accounts, access keys, contact methods, verification tokens, operations and the outbox (the PostgreSQL dialect of
-- sql/sqlite/0001_initial.sql: the same tables, keys and rules, in PostgreSQL's types).
-- Every user record's key starts with (account_id, region): the SQL form of "no query crosses a scope".
-- Timestamps are epoch seconds in double precision, exactly the floats the domain uses.

CREATE TABLE accounts (
    account_id text PRIMARY KEY,
    created_at double precision NOT NULL
);

CREATE TABLE access_keys (
    access_key_id text PRIMARY KEY,
    account_id text NOT NULL REFERENCES accounts (account_id),
    secret_sealed text NOT NULL,
    status text NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created_at double precision NOT NULL
);

CREATE INDEX access_keys_by_account ON access_keys (account_id, created_at);

-- The primary key is the "one Email and one SMS per account and region" rule, enforced for every node at once.
CREATE TABLE contact_methods (
    account_id text NOT NULL,
    region text NOT NULL,
    protocol text NOT NULL CHECK (protocol IN ('Email', 'SMS')),
    id text NOT NULL,
    contact_endpoint text NOT NULL,
    status text NOT NULL CHECK (status IN ('PendingVerification', 'Valid', 'Invalid')),
    created_at double precision NOT NULL,
    verification_expires_at double precision,
    tags jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, region, protocol)
);

-- Only the SHA-256 of a token is kept.
CREATE TABLE verification_tokens (
    token_hash text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    contact_method_id text NOT NULL,
    created_at double precision NOT NULL,
    expires_at double precision NOT NULL
);

CREATE INDEX verification_tokens_by_method ON verification_tokens (account_id, region, contact_method_id);

CREATE TABLE operations (
    account_id text NOT NULL,
    region text NOT NULL,
    id text NOT NULL,
    resource_name text NOT NULL,
    resource_type text NOT NULL,
    operation_type text NOT NULL,
    status text NOT NULL,
    is_terminal boolean NOT NULL,
    created_at double precision NOT NULL,
    status_changed_at double precision,
    operation_details text,
    error_code text,
    error_details text,
    PRIMARY KEY (account_id, region, id)
);

CREATE INDEX operations_newest ON operations (account_id, region, created_at DESC, id DESC);
CREATE INDEX operations_by_resource ON operations (account_id, region, resource_name, created_at DESC, id DESC);

CREATE TABLE outbox (
    id text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    protocol text NOT NULL CHECK (protocol IN ('Email', 'SMS')),
    destination text NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    idempotency_key text NOT NULL UNIQUE,
    status text NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at double precision NOT NULL,
    last_error text,
    created_at double precision NOT NULL,
    sent_at double precision
);

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
