-- roomcal schema, SQLite flavour. Keep in step with migrations/postgres/0001_initial.sql.
-- UUIDs are 16-byte BLOBs (sqlx's encoding), instants are RFC 3339 TEXT in UTC, JSON is TEXT.

CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
-- Emails are stored lower-cased; the index makes uniqueness case-insensitive even if one is not.
CREATE UNIQUE INDEX users_email_ci ON users (lower(email));

CREATE TABLE sessions (
    -- SHA-256 of the cookie token: a leaked database does not leak live sessions.
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE rooms (
    id                         BLOB PRIMARY KEY NOT NULL,
    name                       TEXT NOT NULL UNIQUE,
    owner_id                   BLOB NOT NULL REFERENCES users (id),
    created_at                 TEXT NOT NULL,
    -- Fernet token of the feed URL (it embeds secret tokens).
    ics_url                    TEXT,
    ics_enabled                INTEGER NOT NULL DEFAULT 0,
    ics_fetch_interval_minutes INTEGER NOT NULL DEFAULT 5,
    ics_last_sync              TEXT,
    ics_etag                   TEXT,
    ics_last_modified          TEXT,
    ics_content_hash           TEXT,
    ics_last_outcome           TEXT
);
CREATE INDEX rooms_owner ON rooms (owner_id);

CREATE TABLE calendar_events (
    id             BLOB PRIMARY KEY NOT NULL,
    room_id        BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    ics_uid        TEXT NOT NULL,
    -- The instance's original start; NULL for a single (non-recurring) event.
    recurrence_id  TEXT,
    title          TEXT,
    description    TEXT,
    start_time     TEXT NOT NULL,
    end_time       TEXT NOT NULL,
    all_day        INTEGER NOT NULL DEFAULT 0,
    attendees      TEXT NOT NULL DEFAULT '[]',
    organizer      TEXT,
    location       TEXT,
    status         TEXT,
    sequence       INTEGER,
    last_modified  TEXT,
    privacy_class  TEXT,
    last_synced    TEXT NOT NULL,
    is_deleted     INTEGER NOT NULL DEFAULT 0,
    ics_raw_data   TEXT NOT NULL DEFAULT ''
);
-- One row per occurrence; COALESCE because NULLs are distinct in a plain unique index.
CREATE UNIQUE INDEX calendar_events_occurrence
    ON calendar_events (room_id, ics_uid, COALESCE(recurrence_id, ''));
CREATE INDEX calendar_events_room_start ON calendar_events (room_id, start_time);

CREATE TABLE meetings (
    id                       BLOB PRIMARY KEY NOT NULL,
    room_id                  BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    calendar_event_id        BLOB REFERENCES calendar_events (id),
    calendar_metadata        TEXT,
    start_time               TEXT NOT NULL,
    end_time                 TEXT NOT NULL,
    is_active                INTEGER NOT NULL DEFAULT 1,
    platform                 TEXT NOT NULL,
    participant_url          TEXT NOT NULL,
    host_url                 TEXT,
    platform_meeting_id      TEXT,
    last_participant_left_at TEXT,
    created_at               TEXT NOT NULL
);
-- Exactly one meeting per calendar occurrence, whatever races happen above.
-- (No constraint on active meetings per room: several may run at once.)
CREATE UNIQUE INDEX meetings_calendar_event ON meetings (calendar_event_id)
    WHERE calendar_event_id IS NOT NULL;
CREATE INDEX meetings_room_active ON meetings (room_id, is_active);
