-- Scrape targets: the node_exporter an Instance is watched through, with its schedule, its lease and the counters of
-- its last successful scrape (the PostgreSQL dialect of sql/sqlite/0006_scrape_targets.sql).
-- Deleting the monitored resource deletes its target (foreign key).

-- due_at: when the target is next due; a claim moves it to the end of the lease, a recorded scrape to the next
-- scrape. claimed_by: the token of the scraper holding the lease.
CREATE TABLE scrape_targets (
    account_id text NOT NULL,
    region text NOT NULL,
    resource_name text NOT NULL,
    url text NOT NULL,
    created_at double precision NOT NULL,
    due_at double precision NOT NULL,
    claimed_by text,
    counters jsonb,
    PRIMARY KEY (account_id, region, resource_name),
    FOREIGN KEY (account_id, region, resource_name)
        REFERENCES monitored_resources (account_id, region, name) ON DELETE CASCADE
);

CREATE INDEX scrape_targets_by_due ON scrape_targets (due_at);
