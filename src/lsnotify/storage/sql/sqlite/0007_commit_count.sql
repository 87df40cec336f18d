-- How many write transactions lsnotify has committed to this database. Each SQLite group commit counts itself, so
-- a process that sees the database change can tell whether every commit since it last looked was its own (then it
-- keeps what it has cached of the rest) or not. The PostgreSQL store keeps no such cache and never counts here;
-- the table is there so that both dialects have the same schema versions.
CREATE TABLE commit_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO commit_count (id, n) VALUES (1, 0);
