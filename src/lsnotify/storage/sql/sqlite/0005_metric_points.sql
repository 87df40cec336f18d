-- Metric data at three resolutions: 1-minute, 5-minute and 1-hour points (count, sum, minimum, maximum), each kept
-- for its own retention. Every datapoint is added to one point of each resolution in the transaction that stores
-- it, so a late datapoint lands everywhere at once and downsampling is no more than dropping old points.
-- A series (a resource's metric) is named once in metric_series; its points refer to it by a small integer, so that
-- a point costs a few dozen bytes and its upsert a short key. Points have no foreign key to their series: checking
-- one on every upsert halved ingestion on SQLite; deleting a resource deletes its points explicitly instead
-- (storage/alarms.py, delete_resource). The 5-minute periods of 0003 become 5-minute points, and their sums 1-hour
-- points.

CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    metric_name TEXT NOT NULL,
    UNIQUE (account_id, region, resource_name, metric_name),
    FOREIGN KEY (account_id, region, resource_name)
        REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE
);

CREATE TABLE metric_points (
    series_id INTEGER NOT NULL,
    resolution INTEGER NOT NULL CHECK (resolution IN (60, 300, 3600)),
    period_start INTEGER NOT NULL,
    sample_count INTEGER NOT NULL CHECK (sample_count > 0),
    sum REAL NOT NULL,
    minimum REAL NOT NULL,
    maximum REAL NOT NULL,
    PRIMARY KEY (series_id, resolution, period_start)
) WITHOUT ROWID;

INSERT INTO metric_series (account_id, region, resource_name, metric_name)
SELECT DISTINCT account_id, region, resource_name, metric_name FROM metric_periods;

INSERT INTO metric_points
SELECT s.id, 300, p.period_start, p.sample_count, p.sum, p.minimum, p.maximum
FROM metric_periods p JOIN metric_series s USING (account_id, region, resource_name, metric_name);

INSERT INTO metric_points
SELECT s.id, 3600, p.period_start / 3600 * 3600, sum(p.sample_count), sum(p.sum), min(p.minimum), max(p.maximum)
FROM metric_periods p JOIN metric_series s USING (account_id, region, resource_name, metric_name)
GROUP BY s.id, p.period_start / 3600;

DROP TABLE metric_periods;
