-- Scrape targets: the node_exporter an Instance is watched through, with its schedule, its lease and the counters of
-- its last successful scrape (the next scrape's metrics are differences from them, whichever process makes it).
-- Deleting the monitored resource deletes its target (foreign key).

-- due_at: when the target is next due; a claim moves it to the end of the lease, a recorded scrape to the next
-- scrape. claimed_by: the token of the scraper holding the lease.
CREATE TABLE scrape_targets (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at REAL NOT NULL,
    due_at REAL NOT NULL,
    claimed_by TEXT,
    counters TEXT,
    PRIMARY KEY (account_id, region, resource_name),
    FOREIGN KEY (account_id, region, resource_name)
        REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX scrape_targets_by_due ON scrape_targets (due_at);
