-- roomcal schema, PostgreSQL flavour. Keep in step with migrations/sqlite/0001_initial.sql.
-- Requires PostgreSQL 15+ (UNIQUE NULLS NOT DISTINCT).

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
-- Emails are stored lower-cased; the index makes uniqueness case-insensitive even if one is not.
CREATE UNIQUE INDEX users_email_ci ON users (lower(email));

CREATE TABLE sessions (
    -- SHA-256 of the cookie token: a leaked database does not leak live sessions.
    token_hash TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE rooms (
    id                         UUID PRIMARY KEY,
    name                       TEXT NOT NULL UNIQUE,
    owner_id                   UUID NOT NULL REFERENCES users (id),
    created_at                 TIMESTAMPTZ NOT NULL,
    -- Fernet token of the feed URL (it embeds secret tokens).
    ics_url                    TEXT,
    ics_enabled                BOOLEAN NOT NULL DEFAULT FALSE,
    ics_fetch_interval_minutes INTEGER NOT NULL DEFAULT 5,
    ics_last_sync              TIMESTAMPTZ,
    ics_etag                   TEXT,
    ics_last_modified          TEXT,
    ics_content_hash           TEXT,
    ics_last_outcome           JSONB
);
CREATE INDEX rooms_owner ON rooms (owner_id);

CREATE TABLE calendar_events (
    id             UUID PRIMARY KEY,
    room_id        UUID NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    ics_uid        TEXT NOT NULL,
    -- The instance's original start; NULL for a single (non-recurring) event.
    recurrence_id  TIMESTAMPTZ,
    title          TEXT,
    description    TEXT,
    start_time     TIMESTAMPTZ NOT NULL,
    end_time       TIMESTAMPTZ NOT NULL,
    all_day        BOOLEAN NOT NULL DEFAULT FALSE,
    attendees      JSONB NOT NULL DEFAULT '[]',
    organizer      JSONB,
    location       TEXT,
    status         TEXT,
    sequence       BIGINT,
    last_modified  TIMESTAMPTZ,
    privacy_class  TEXT,
    last_synced    TIMESTAMPTZ NOT NULL,
    is_deleted     BOOLEAN NOT NULL DEFAULT FALSE,
    ics_raw_data   TEXT NOT NULL DEFAULT '',
    -- One row per occurrence, single events (NULL recurrence id) included.
    CONSTRAINT calendar_events_occurrence UNIQUE NULLS NOT DISTINCT (room_id, ics_uid, recurrence_id)
);
CREATE INDEX calendar_events_room_start ON calendar_events (room_id, start_time);

CREATE TABLE meetings (
    id                       UUID PRIMARY KEY,
    room_id                  UUID NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    calendar_event_id        UUID REFERENCES calendar_events (id),
    calendar_metadata        JSONB,
    start_time               TIMESTAMPTZ NOT NULL,
    end_time                 TIMESTAMPTZ NOT NULL,
    is_active                BOOLEAN NOT NULL DEFAULT TRUE,
    platform                 TEXT NOT NULL,
    participant_url          TEXT NOT NULL,
    host_url                 TEXT,
    platform_meeting_id      TEXT,
    last_participant_left_at TIMESTAMPTZ,
    created_at               TIMESTAMPTZ NOT NULL
);
-- Exactly one meeting per calendar occurrence, whatever races happen above.
-- (No constraint on active meetings per room: several may run at once.)
CREATE UNIQUE INDEX meetings_calendar_event ON meetings (calendar_event_id)
    WHERE calendar_event_id IS NOT NULL;
CREATE INDEX meetings_room_active ON meetings (room_id, is_active);
