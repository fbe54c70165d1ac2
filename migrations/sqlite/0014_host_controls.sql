-- Host controls: "Keep open longer" and reopening an ended calendar meeting.
-- Keep in step with migrations/postgres/0014_host_controls.sql.
--
-- extended_minutes: how much longer the host kept the meeting open; the force-close time
-- (end + overrun for calendar meetings, end for unscheduled ones) moves by it.
ALTER TABLE meetings ADD COLUMN extended_minutes INTEGER NOT NULL DEFAULT 0;

-- One *active* meeting per occurrence (was: one ever). A participant may reopen a calendar
-- meeting that ended before its scheduled time: a new meeting for the same occurrence,
-- next to the closed one. The lifecycle still never makes a second one by itself (it skips
-- any occurrence some meeting names); this index keeps two instances from both reopening.
DROP INDEX meetings_calendar_event;
CREATE UNIQUE INDEX meetings_calendar_event_active ON meetings (calendar_event_id)
    WHERE calendar_event_id IS NOT NULL AND is_active;
CREATE INDEX meetings_calendar_event ON meetings (calendar_event_id);
