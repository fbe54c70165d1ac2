-- Shared limits: one windowed counter per key (a limit's name and whom it counts) and
-- window, counted by every instance with one upsert; windows are pruned once they end.
-- Keep in step with migrations/postgres/0007_shared_limits.sql.
CREATE TABLE rate_counters (
    key          TEXT NOT NULL,
    window_start TEXT        NOT NULL,
    expires_at   TEXT        NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_expires ON rate_counters (expires_at);
