-- Abuse limits: who started an unscheduled meeting (they get it back instead of a new
-- one), and an index for pruning the presence of people who left or went stale.
-- Keep in step with migrations/sqlite/0004_limits.sql.
ALTER TABLE meetings ADD COLUMN started_by UUID;
CREATE INDEX meeting_participants_last_seen ON meeting_participants (last_seen_at);
