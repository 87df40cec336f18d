-- Monitored resources, their metric data in 5-minute aggregates, alarms, and the alarms' state history.
-- Deleting a resource deletes its metric data and alarms; deleting an alarm deletes its history (foreign keys).

-- One name per account and region, whatever the type: PutAlarm names a resource by name alone.
CREATE TABLE monitored_resources (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    resource_type TEXT NOT NULL CHECK (resource_type IN ('Instance', 'LoadBalancer', 'RelationalDatabase')),
    id TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (account_id, region, name)
) WITHOUT ROWID;

CREATE TABLE metric_periods (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    metric_name TEXT NOT NULL,
    period_start INTEGER NOT NULL,
    sample_count INTEGER NOT NULL CHECK (sample_count > 0),
    sum REAL NOT NULL,
    minimum REAL NOT NULL,
    maximum REAL NOT NULL,
    PRIMARY KEY (account_id, region, resource_name, metric_name, period_start),
    FOREIGN KEY (account_id, region, resource_name)
        REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX metric_periods_by_start ON metric_periods (period_start);

-- "Up to two alarms per metric": each alarm holds slot 1 or 2 of its (resource, metric), and the UNIQUE constraint
-- makes a third impossible however many writers race.
CREATE TABLE alarms (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    id TEXT NOT NULL,
    created_at REAL NOT NULL,
    resource_name TEXT NOT NULL,
    metric_name TEXT NOT NULL,
    slot INTEGER NOT NULL CHECK (slot IN (1, 2)),
    comparison_operator TEXT NOT NULL CHECK (comparison_operator IN (
        'GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold')),
    threshold REAL NOT NULL,
    evaluation_periods INTEGER NOT NULL CHECK (evaluation_periods BETWEEN 1 AND 288),
    datapoints_to_alarm INTEGER NOT NULL CHECK (datapoints_to_alarm BETWEEN 1 AND evaluation_periods),
    treat_missing_data TEXT NOT NULL CHECK (treat_missing_data IN ('breaching', 'notBreaching', 'ignore', 'missing')),
    contact_protocols TEXT NOT NULL,
    notification_triggers TEXT NOT NULL,
    notification_enabled INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('OK', 'ALARM', 'INSUFFICIENT_DATA')),
    state_reason TEXT NOT NULL,
    state_changed_at REAL NOT NULL,
    revision INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, region, name),
    UNIQUE (account_id, region, resource_name, metric_name, slot),
    FOREIGN KEY (account_id, region, resource_name)
        REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE UNIQUE INDEX alarms_by_id ON alarms (account_id, region, id);

CREATE TABLE alarm_history (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    alarm_name TEXT NOT NULL,
    alarm_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    changed_at REAL NOT NULL,
    old_state TEXT NOT NULL,
    new_state TEXT NOT NULL,
    reason TEXT NOT NULL,
    datapoints TEXT NOT NULL,
    notified TEXT NOT NULL,
    PRIMARY KEY (account_id, region, alarm_name, revision),
    FOREIGN KEY (account_id, region, alarm_name) REFERENCES alarms (account_id, region, name) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX alarm_history_by_time ON alarm_history (changed_at);
