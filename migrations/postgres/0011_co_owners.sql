-- Co-owners: other accounts that see what a room's owner sees and change its settings.
-- Only the owner (rooms.owner_id) deletes the room or changes this list. Deleting the room
-- or the account removes the row. Keep in step with migrations/sqlite/0011_co_owners.sql.
CREATE TABLE room_co_owners (
    room_id  UUID NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_co_owners_user ON room_co_owners (user_id);
