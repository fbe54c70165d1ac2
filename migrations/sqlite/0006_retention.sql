-- Retention: indexes for the lifecycle tick's purges (closed meetings, ended occurrences,
-- expired sessions) and for keeping each account's newest sessions.
-- Keep in step with migrations/postgres/0006_retention.sql.
CREATE INDEX meetings_closed ON meetings (closed_at) WHERE NOT is_active;
CREATE INDEX calendar_events_end ON calendar_events (end_time);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user_created ON sessions (user_id, created_at);
