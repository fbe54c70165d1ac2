-- Sessions as their owner lists them: the device each signed in with (its User-Agent)
-- and when it was last used (marked at most every few minutes).
-- Keep in step with migrations/sqlite/0009_session_devices.sql.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN last_used_at TIMESTAMPTZ;
