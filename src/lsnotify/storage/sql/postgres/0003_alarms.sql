-- Monitored resources, their metric data in 5-minute aggregates, alarms, and the alarms' state history (the
-- PostgreSQL dialect of sql/sqlite/0003_alarms.sql).
-- Deleting a resource deletes its metric data and alarms; deleting an alarm deletes its history (foreign keys).

-- One name per account and region, whatever the type: PutAlarm names a resource by name alone.
CREATE TABLE monitored_resources (
    account_id text NOT NULL,
    region text NOT NULL,
    name text NOT NULL,
    resource_type text NOT NULL CHECK (resource_type IN ('Instance', 'LoadBalancer', 'RelationalDatabase')),
    id text NOT NULL,
    created_at double precision NOT NULL,
    PRIMARY KEY (account_id, region, name)
);

CREATE TABLE metric_periods (
    account_id text NOT NULL,
    region text NOT NULL,
    resource_name text NOT NULL,
    metric_name text NOT NULL,
    period_start bigint NOT NULL,
    sample_count bigint NOT NULL CHECK (sample_count > 0),
    sum double precision NOT NULL,
    minimum double precision NOT NULL,
    maximum double precision NOT NULL,
    PRIMARY KEY (account_id, region, resource_name, metric_name, period_start),
    FOREIGN KEY (account_id, region, resource_name)
        REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE
);

CREATE INDEX metric_periods_by_start ON metric_periods (period_start);

-- "Up to two alarms per metric": each alarm holds slot 1 or 2 of its (resource, metric), and the UNIQUE constraint
-- makes a third impossible however many writers race, on however many nodes.
CREATE TABLE alarms (
    account_id text NOT NULL,
    region text NOT NULL,
    name text NOT NULL,
    id text NOT NULL,
    created_at double precision NOT NULL,
    resource_name text NOT NULL,
    metric_name text NOT NULL,
    slot integer NOT NULL CHECK (slot IN (1, 2)),
    comparison_operator text NOT NULL CHECK (comparison_operator IN (
        'GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold')),
    threshold double precision NOT NULL,
    evaluation_periods integer NOT NULL CHECK (evaluation_periods BETWEEN 1 AND 288),
    datapoints_to_alarm integer NOT NULL CHECK (datapoints_to_alarm BETWEEN 1 AND evaluation_periods),
    treat_missing_data text NOT NULL CHECK (treat_missing_data IN ('breaching', 'notBreaching', 'ignore', 'missing')),
    contact_protocols jsonb NOT NULL,
    notification_triggers jsonb NOT NULL,
    notification_enabled boolean NOT NULL,
    state text NOT NULL CHECK (state IN ('OK', 'ALARM', 'INSUFFICIENT_DATA')),
    state_reason text NOT NULL,
    state_changed_at double precision NOT NULL,
    revision integer NOT NULL,
    tags jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, region, name),
    UNIQUE (account_id, region, resource_name, metric_name, slot),
    FOREIGN KEY (account_id, region, resource_name)
        REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE
);

CREATE UNIQUE INDEX alarms_by_id ON alarms (account_id, region, id);

CREATE TABLE alarm_history (
    account_id text NOT NULL,
    region text NOT NULL,
    alarm_name text NOT NULL,
    alarm_id text NOT NULL,
    revision integer NOT NULL,
    changed_at double precision NOT NULL,
    old_state text NOT NULL,
    new_state text NOT NULL,
    reason text NOT NULL,
    datapoints jsonb NOT NULL,
    notified jsonb NOT NULL,
    PRIMARY KEY (account_id, region, alarm_name, revision),
    FOREIGN KEY (account_id, region, alarm_name) REFERENCES alarms (account_id, region, name) ON DELETE CASCADE
);

CREATE INDEX alarm_history_by_time ON alarm_history (changed_at);
