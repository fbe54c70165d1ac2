-- ICS out: the secret key of the owner's own room feed (/room/<name>/calendar.ics?key=…),
-- encrypted at rest like the calendar address; reset from the settings page.
-- Keep in step with migrations/sqlite/0005_feed_key.sql.
ALTER TABLE rooms ADD COLUMN feed_key TEXT;
