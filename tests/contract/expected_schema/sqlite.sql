-- index access_keys_by_account
CREATE INDEX access_keys_by_account ON access_keys (account_id, created_at);

-- index alarm_history_by_time
CREATE INDEX alarm_history_by_time ON alarm_history (changed_at);

-- index alarms_by_id
CREATE UNIQUE INDEX alarms_by_id ON alarms (account_id, region, id);

-- index captured_messages_by_time
CREATE INDEX captured_messages_by_time ON captured_messages (created_at, id);

-- index operations_by_resource
CREATE INDEX operations_by_resource ON operations (account_id, region, resource_name, created_at DESC, id DESC);

-- index operations_newest
CREATE INDEX operations_newest ON operations (account_id, region, created_at DESC, id DESC);

-- index outbox_by_kind
CREATE INDEX outbox_by_kind ON outbox (account_id, region, kind, created_at);

-- index outbox_due
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- index outbox_sent_by_account
CREATE INDEX outbox_sent_by_account ON outbox (account_id, protocol, sent_at);

-- index scrape_targets_by_due
CREATE INDEX scrape_targets_by_due ON scrape_targets (due_at);

-- index verification_tokens_by_method
CREATE INDEX verification_tokens_by_method ON verification_tokens (account_id, region, contact_method_id);

-- table access_keys
CREATE TABLE access_keys ( access_key_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), secret_sealed TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')), created_at REAL NOT NULL ) WITHOUT ROWID;

-- table accounts
CREATE TABLE accounts ( account_id TEXT PRIMARY KEY, created_at REAL NOT NULL ) WITHOUT ROWID;

-- table alarm_history
CREATE TABLE alarm_history ( account_id TEXT NOT NULL, region TEXT NOT NULL, alarm_name TEXT NOT NULL, alarm_id TEXT NOT NULL, revision INTEGER NOT NULL, changed_at REAL NOT NULL, old_state TEXT NOT NULL, new_state TEXT NOT NULL, reason TEXT NOT NULL, datapoints TEXT NOT NULL, notified TEXT NOT NULL, PRIMARY KEY (account_id, region, alarm_name, revision), FOREIGN KEY (account_id, region, alarm_name) REFERENCES alarms (account_id, region, name) ON DELETE CASCADE ) WITHOUT ROWID;

-- table alarms
CREATE TABLE alarms ( account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, created_at REAL NOT NULL, resource_name TEXT NOT NULL, metric_name TEXT NOT NULL, slot INTEGER NOT NULL CHECK (slot IN (1, 2)), comparison_operator TEXT NOT NULL CHECK (comparison_operator IN ( 'GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold')), threshold REAL NOT NULL, evaluation_periods INTEGER NOT NULL CHECK (evaluation_periods BETWEEN 1 AND 288), datapoints_to_alarm INTEGER NOT NULL CHECK (datapoints_to_alarm BETWEEN 1 AND evaluation_periods), treat_missing_data TEXT NOT NULL CHECK (treat_missing_data IN ('breaching', 'notBreaching', 'ignore', 'missing')), contact_protocols TEXT NOT NULL, notification_triggers TEXT NOT NULL, notification_enabled INTEGER NOT NULL, state TEXT NOT NULL CHECK (state IN ('OK', 'ALARM', 'INSUFFICIENT_DATA')), state_reason TEXT NOT NULL, state_changed_at REAL NOT NULL, revision INTEGER NOT NULL, tags TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (account_id, region, name), UNIQUE (account_id, region, resource_name, metric_name, slot), FOREIGN KEY (account_id, region, resource_name) REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE ) WITHOUT ROWID;

-- table captured_messages
CREATE TABLE captured_messages ( id TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, protocol TEXT NOT NULL CHECK (protocol IN ('Email', 'SMS')), destination TEXT NOT NULL, subject TEXT, body TEXT NOT NULL, html TEXT, created_at REAL NOT NULL ) WITHOUT ROWID;

-- table commit_count
CREATE TABLE commit_count ( id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL );

-- table contact_methods
CREATE TABLE contact_methods ( account_id TEXT NOT NULL, region TEXT NOT NULL, protocol TEXT NOT NULL CHECK (protocol IN ('Email', 'SMS')), id TEXT NOT NULL, contact_endpoint TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('PendingVerification', 'Valid', 'Invalid')), created_at REAL NOT NULL, verification_expires_at REAL, tags TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (account_id, region, protocol) ) WITHOUT ROWID;

-- table metric_points
CREATE TABLE metric_points ( series_id INTEGER NOT NULL, resolution INTEGER NOT NULL CHECK (resolution IN (60, 300, 3600)), period_start INTEGER NOT NULL, sample_count INTEGER NOT NULL CHECK (sample_count > 0), sum REAL NOT NULL, minimum REAL NOT NULL, maximum REAL NOT NULL, PRIMARY KEY (series_id, resolution, period_start) ) WITHOUT ROWID;

-- table metric_series
CREATE TABLE metric_series ( id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, resource_name TEXT NOT NULL, metric_name TEXT NOT NULL, UNIQUE (account_id, region, resource_name, metric_name), FOREIGN KEY (account_id, region, resource_name) REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE );

-- table monitored_resources
CREATE TABLE monitored_resources ( account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, resource_type TEXT NOT NULL CHECK (resource_type IN ('Instance', 'LoadBalancer', 'RelationalDatabase')), id TEXT NOT NULL, created_at REAL NOT NULL, PRIMARY KEY (account_id, region, name) ) WITHOUT ROWID;

-- table operations
CREATE TABLE operations ( account_id TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, resource_name TEXT NOT NULL, resource_type TEXT NOT NULL, operation_type TEXT NOT NULL, status TEXT NOT NULL, is_terminal INTEGER NOT NULL, created_at REAL NOT NULL, status_changed_at REAL, operation_details TEXT, error_code TEXT, error_details TEXT, PRIMARY KEY (account_id, region, id) ) WITHOUT ROWID;

-- table outbox
CREATE TABLE "outbox" ( id TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, protocol TEXT NOT NULL CHECK (protocol IN ('Email', 'SMS')), destination TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead', 'suppressed')), attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL, last_error TEXT, created_at REAL NOT NULL, sent_at REAL, claimed_by TEXT, queued_at REAL ) WITHOUT ROWID;

-- table schema_migrations
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL);

-- table scrape_targets
CREATE TABLE scrape_targets ( account_id TEXT NOT NULL, region TEXT NOT NULL, resource_name TEXT NOT NULL, url TEXT NOT NULL, created_at REAL NOT NULL, due_at REAL NOT NULL, claimed_by TEXT, counters TEXT, PRIMARY KEY (account_id, region, resource_name), FOREIGN KEY (account_id, region, resource_name) REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE ) WITHOUT ROWID;

-- table verification_tokens
CREATE TABLE verification_tokens ( token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, contact_method_id TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL ) WITHOUT ROWID;

