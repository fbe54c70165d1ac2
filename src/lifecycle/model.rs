//! The plain inputs every rule works on: settings, stored occurrences and meeting state.
//!
//! These mirror the database rows (`calendar_events`, `meetings`) but carry only what the
//! rules read, so the rules stay pure and can be tested with literals.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long before an occurrence's start its meeting is created by default (`--precreate-lead`).
pub const DEFAULT_PRECREATE_LEAD: Duration = Duration::minutes(1);
/// How far ahead an occurrence can be joined early by default (`--upcoming-window`).
pub const DEFAULT_UPCOMING_WINDOW: Duration = Duration::minutes(30);
/// How long a meeting stays open after the last participant left by default
/// (`--grace-period`).
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::minutes(15);
/// How long a calendar meeting may overrun its end by default (`--calendar-overrun`).
pub const DEFAULT_CALENDAR_OVERRUN: Duration = Duration::minutes(30);
/// How long an unscheduled meeting lives at most by default (`--unscheduled-lifetime`).
pub const DEFAULT_UNSCHEDULED_LIFETIME: Duration = Duration::hours(8);
/// How old a heartbeat may be by default before its participant counts as gone
/// (`--presence-timeout`).
pub const DEFAULT_PRESENCE_TIMEOUT: Duration = Duration::seconds(45);
/// How many minutes in all the hosts may keep one meeting open longer by default
/// (`--max-extend-minutes`).
pub const DEFAULT_MAX_EXTEND_MINUTES: u32 = 240;

/// Every duration the lifecycle rules use. Each one is a setting so an operator can tune it;
/// the defaults are the values from the issue.
///
/// Negative durations are not rejected, but they make little sense: a negative lead would
/// create meetings after their start, a negative grace would close meetings the moment the
/// last person leaves. Callers that read these from configuration should refuse them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleSettings {
    /// How long before an occurrence's start its meeting is created (default 1 minute), so
    /// the video room exists when the first person clicks the link.
    pub precreate_lead: Duration,
    /// How far ahead of its start an occurrence can be "joined early" (default 30 minutes):
    /// the client is told to wait instead of being turned away.
    pub upcoming_window: Duration,
    /// How long a meeting stays open after the last participant left (default 15 minutes),
    /// so a dropped connection or a coffee break does not end the call.
    pub grace_period: Duration,
    /// How long a calendar meeting may run past its scheduled end before it is force-closed
    /// (default 30 minutes), even with people still in it.
    pub calendar_overrun: Duration,
    /// How long an unscheduled meeting lives at most (default 8 hours); its `end` is set to
    /// `created_at + unscheduled_lifetime` when it is made.
    pub unscheduled_lifetime: Duration,
    /// How old a participant's last heartbeat may be before the participant counts as gone
    /// (default 45 seconds).
    pub presence_timeout: Duration,
    /// How many minutes in all a meeting's hosts may keep it open past its force-close
    /// time (default 240), in steps of "Keep open 30 minutes longer".
    pub max_extend_minutes: u32,
}

impl Default for LifecycleSettings {
    fn default() -> Self {
        Self {
            precreate_lead: DEFAULT_PRECREATE_LEAD,
            upcoming_window: DEFAULT_UPCOMING_WINDOW,
            grace_period: DEFAULT_GRACE_PERIOD,
            calendar_overrun: DEFAULT_CALENDAR_OVERRUN,
            unscheduled_lifetime: DEFAULT_UNSCHEDULED_LIFETIME,
            presence_timeout: DEFAULT_PRESENCE_TIMEOUT,
            max_extend_minutes: DEFAULT_MAX_EXTEND_MINUTES,
        }
    }
}

/// One stored occurrence of a calendar event in a room (the parts of a `calendar_events`
/// row the rules need). A recurring event contributes one occurrence per instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    /// The row's identifier; meetings link to it through `calendar_event_id`.
    pub event_id: Uuid,
    /// The room whose calendar feed it came from.
    pub room_id: Uuid,
    /// The event's UID in the feed (differs between feeds for the same real-world event).
    pub uid: String,
    /// The instance's original start for a recurring event; `None` for a single event.
    pub recurrence_id: Option<DateTime<Utc>>,
    /// The SUMMARY, if any.
    pub title: Option<String>,
    /// Start of this occurrence.
    pub start: DateTime<Utc>,
    /// End of this occurrence.
    pub end: DateTime<Utc>,
    /// All-day events are stored but never become meetings.
    pub all_day: bool,
    /// STATUS:CANCELLED in the feed.
    pub cancelled: bool,
    /// Gone from the feed (rows are soft-deleted, never removed).
    pub deleted: bool,
}

impl Occurrence {
    /// Whether this occurrence can have a meeting at all: present in the feed, not
    /// cancelled, timed, and with an end after its start. A zero-length or inverted event
    /// is treated like a reminder, not a meeting, because no call can fit in it.
    pub fn is_meeting_candidate(&self) -> bool {
        !self.deleted && !self.cancelled && !self.all_day && self.end > self.start
    }
}

/// The parts of a `meetings` row (plus live presence counters) the rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingState {
    /// The meeting's identifier.
    pub id: Uuid,
    /// The room it happens in.
    pub room_id: Uuid,
    /// The occurrence it was made for; `None` for an unscheduled meeting.
    pub calendar_event_id: Option<Uuid>,
    /// Scheduled start (for unscheduled meetings: when it was started).
    pub start: DateTime<Utc>,
    /// Scheduled end. For calendar meetings the occurrence's end (force-closed
    /// `calendar_overrun` later); for unscheduled ones the hard close time,
    /// `created_at + unscheduled_lifetime`.
    pub end: DateTime<Utc>,
    /// Whether people can still join.
    pub is_active: bool,
    /// When the row was made.
    pub created_at: DateTime<Utc>,
    /// Whether anybody has ever been present in the call.
    pub ever_had_participants: bool,
    /// How many participants are present right now (see [`super::presence`]).
    pub participants_now: u32,
    /// When the last participant's presence ended, while nobody is present; `None` while
    /// someone is present or before anybody came.
    pub last_participant_left_at: Option<DateTime<Utc>>,
    /// Minutes its hosts kept it open longer ("Keep open 30 minutes longer"): the hard
    /// close time (overrun, lifetime) moves by this much; the grace clock does not.
    pub extended_minutes: u32,
}

impl MeetingState {
    /// Whether this meeting was made from a calendar occurrence.
    pub fn is_calendar(&self) -> bool {
        self.calendar_event_id.is_some()
    }
}

/// The end an unscheduled meeting started at `now` gets: `now + unscheduled_lifetime`.
pub fn unscheduled_meeting_end(settings: &LifecycleSettings, now: DateTime<Utc>) -> DateTime<Utc> {
    add(now, settings.unscheduled_lifetime)
}

/// `t + d`, saturating at the ends of chrono's range: the `+` operator panics on overflow
/// and a misconfigured duration must not bring the scheduler down.
pub(crate) fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    match t.checked_add_signed(d) {
        Some(v) => v,
        None if d > Duration::zero() => DateTime::<Utc>::MAX_UTC,
        None => DateTime::<Utc>::MIN_UTC,
    }
}

/// `t - d`, saturating like [`add`].
pub(crate) fn sub(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    match t.checked_sub_signed(d) {
        Some(v) => v,
        None if d > Duration::zero() => DateTime::<Utc>::MIN_UTC,
        None => DateTime::<Utc>::MAX_UTC,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, occurrence};

    #[test]
    fn the_defaults_are_the_values_from_the_issue() {
        let s = LifecycleSettings::default();
        assert_eq!(s.precreate_lead, Duration::minutes(1));
        assert_eq!(s.upcoming_window, Duration::minutes(30));
        assert_eq!(s.grace_period, Duration::minutes(15));
        assert_eq!(s.calendar_overrun, Duration::minutes(30));
        assert_eq!(s.unscheduled_lifetime, Duration::hours(8));
        assert_eq!(s.presence_timeout, Duration::seconds(45));
    }

    #[test]
    fn an_unscheduled_meeting_ends_after_its_lifetime() {
        let s = LifecycleSettings::default();
        assert_eq!(unscheduled_meeting_end(&s, at(9, 0, 0)), at(17, 0, 0));
    }

    #[test]
    fn date_arithmetic_saturates_instead_of_panicking() {
        let huge = Duration::MAX;
        assert_eq!(add(at(9, 0, 0), huge), DateTime::<Utc>::MAX_UTC);
        assert_eq!(sub(at(9, 0, 0), huge), DateTime::<Utc>::MIN_UTC);
        assert_eq!(add(at(9, 0, 0), -huge), DateTime::<Utc>::MIN_UTC);
        assert_eq!(sub(at(9, 0, 0), -huge), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn only_present_timed_confirmed_occurrences_with_a_duration_are_candidates() {
        let base = occurrence("a", at(10, 0, 0), at(11, 0, 0));
        let cases = [
            ("plain", base.clone(), true),
            (
                "deleted",
                Occurrence {
                    deleted: true,
                    ..base.clone()
                },
                false,
            ),
            (
                "cancelled",
                Occurrence {
                    cancelled: true,
                    ..base.clone()
                },
                false,
            ),
            (
                "all day",
                Occurrence {
                    all_day: true,
                    ..base.clone()
                },
                false,
            ),
            (
                "zero length",
                Occurrence {
                    end: base.start,
                    ..base.clone()
                },
                false,
            ),
            (
                "inverted",
                Occurrence {
                    end: at(9, 0, 0),
                    ..base.clone()
                },
                false,
            ),
        ];
        for (name, occ, expected) in cases {
            assert_eq!(occ.is_meeting_candidate(), expected, "{name}");
        }
    }
}
