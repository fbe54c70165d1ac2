-- Meeting lifecycle: presence, closing, pre-creation errors, worker leases.
-- Keep in step with migrations/postgres/0003_lifecycle.sql.

-- Whether anyone has ever been present (a meeting people used is not closed by the calendar).
ALTER TABLE meetings ADD COLUMN ever_had_participants INTEGER NOT NULL DEFAULT 0;
-- Participants present at the last lifecycle tick.
ALTER TABLE meetings ADD COLUMN participants_now INTEGER NOT NULL DEFAULT 0;
-- When and why it closed.
ALTER TABLE meetings ADD COLUMN closed_at TEXT;
ALTER TABLE meetings ADD COLUMN close_reason TEXT;

-- The video platform's error when pre-creating this occurrence's meeting (retried each tick).
ALTER TABLE calendar_events ADD COLUMN meeting_error TEXT;
-- Video-call links found in the event (conference properties, location, description).
ALTER TABLE calendar_events ADD COLUMN conference_links TEXT NOT NULL DEFAULT '[]';
CREATE INDEX calendar_events_start ON calendar_events (start_time);

-- Presence announced by meeting pages: join, heartbeats, leave.
CREATE TABLE meeting_participants (
    meeting_id     BLOB NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    user_id        BLOB,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    left_at        TEXT,
    PRIMARY KEY (meeting_id, participant_id)
);

-- Named leases for work one instance does at a time (the lifecycle tick).
CREATE TABLE worker_leases (
    name  TEXT PRIMARY KEY NOT NULL,
    owner TEXT NOT NULL,
    until TEXT NOT NULL
);
