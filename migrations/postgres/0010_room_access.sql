-- Room access: who may enter a room's calls. `open` (anyone with the link, as before),
-- `members` (signed-in accounts, optionally only of the listed email domains), `knock`
-- (a guest asks, the room's owners admit or decline). Knocks keep only the SHA-256 of the
-- guest's token, and the client address key the per-address cap counts under.
-- Keep in step with migrations/sqlite/0010_room_access.sql.
ALTER TABLE rooms ADD COLUMN access TEXT NOT NULL DEFAULT 'open';
-- Comma-separated, lower-cased domains (`example.org,example.com`); NULL: any domain.
ALTER TABLE rooms ADD COLUMN access_email_domains TEXT;

CREATE TABLE knocks (
    id          UUID PRIMARY KEY NOT NULL,
    room_id     UUID NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    meeting_id  UUID NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    client_key  TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    created_at  TIMESTAMPTZ NOT NULL,
    decided_at  TIMESTAMPTZ,
    decided_by  UUID REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX knocks_meeting ON knocks (meeting_id, created_at);
CREATE INDEX knocks_client ON knocks (client_key, state);
