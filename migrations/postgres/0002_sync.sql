-- ICS sync bookkeeping. Keep in step with migrations/sqlite/0002_sync.sql.

-- When the last sync attempt started (successful or not): the interval counts from here,
-- so a failing feed is retried at its interval, not in a tight loop.
ALTER TABLE rooms ADD COLUMN ics_last_attempt TIMESTAMPTZ;
-- Random offset (seconds) added to each room's interval so rooms do not all fire at once.
ALTER TABLE rooms ADD COLUMN ics_jitter_seconds INTEGER NOT NULL DEFAULT 0;
-- Lease: the instance syncing this room and until when (several instances share the work).
ALTER TABLE rooms ADD COLUMN ics_lease_owner TEXT;
ALTER TABLE rooms ADD COLUMN ics_lease_until TIMESTAMPTZ;

-- The last attempts per room, newest first (trimmed to 50 per room on insert).
CREATE TABLE ics_sync_log (
    id          UUID PRIMARY KEY,
    room_id     UUID NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    started_at  TIMESTAMPTZ NOT NULL,
    outcome     JSONB NOT NULL
);
CREATE INDEX ics_sync_log_room ON ics_sync_log (room_id, started_at);
-- When the scheduler should sync the room next (last attempt + interval + jitter); NULL = now.
ALTER TABLE rooms ADD COLUMN ics_next_sync_at TIMESTAMPTZ;
CREATE INDEX rooms_ics_due ON rooms (ics_enabled, ics_next_sync_at);
