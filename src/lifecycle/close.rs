//! Rule 4: when an active meeting closes.
//!
//! Three clocks can close a meeting; whichever runs out first wins:
//!
//! - **grace**: nobody present and `grace_period` passed since the last participant left
//!   (`last_participant_left_at + grace_period <= now`). Anyone present stops this clock,
//!   so a participant who returns within the grace period keeps the meeting open;
//! - **calendar overrun** (calendar meetings): at `end + calendar_overrun` the meeting is
//!   force-closed even with people in it, so the room is free for the next booking; a
//!   meeting nobody ever joined closes at that same instant, with its own reason;
//! - **lifetime** (unscheduled meetings): at their `end`, which is set to
//!   `created_at + unscheduled_lifetime` when they are started, even with people in it.
//!
//! The hosts may keep a meeting open longer ("Keep open 30 minutes longer"): the hard
//! limits (overrun, lifetime) move by the meeting's `extended_minutes`; the grace clock
//! does not, so an extended meeting everyone left still closes after the grace period.
//!
//! Every boundary is inclusive: a meeting closes *at* its deadline, not a tick later, and
//! not a second before.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::model::{add, LifecycleSettings, MeetingState};

/// Why a meeting closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// A calendar meeting reached `end + calendar_overrun` with people having joined.
    CalendarOverrun,
    /// A calendar meeting reached `end + calendar_overrun` and nobody ever joined.
    NobodyJoined,
    /// An unscheduled meeting reached its `end` (`created_at + unscheduled_lifetime`).
    LifetimeOver,
    /// Everybody left and nobody came back within the grace period.
    GracePeriodOver,
}

/// The instant an active meeting will close and why, if nothing changes (nobody joins or
/// leaves, no calendar edit); `None` for a closed meeting. When two deadlines coincide the
/// hard limit (overrun, lifetime) is reported, because it holds regardless of presence.
///
/// Schedulers use this to order due work (oldest deadline first) and to know when to look
/// at a meeting again.
pub fn close_due_at(
    meeting: &MeetingState,
    settings: &LifecycleSettings,
) -> Option<(DateTime<Utc>, CloseReason)> {
    if !meeting.is_active {
        return None;
    }
    let hard = if meeting.is_calendar() {
        // Someone present counts as having joined even if the caller has not stored
        // `ever_had_participants` yet: "nobody joined" must never be said to people in the call.
        let reason = if meeting.ever_had_participants || meeting.participants_now > 0 {
            CloseReason::CalendarOverrun
        } else {
            CloseReason::NobodyJoined
        };
        (force_close_at(meeting, settings), reason)
    } else {
        (force_close_at(meeting, settings), CloseReason::LifetimeOver)
    };
    let grace = match (meeting.participants_now, meeting.last_participant_left_at) {
        (0, Some(left)) => Some((
            add(left, settings.grace_period),
            CloseReason::GracePeriodOver,
        )),
        _ => None,
    };
    match grace {
        Some(g) if g.0 < hard.0 => Some(g),
        _ => Some(hard),
    }
}

/// The instant `meeting` is closed even with people in it: `end + calendar_overrun` for a
/// calendar meeting, `end` for an unscheduled one, each moved later by the minutes its
/// hosts kept it open longer.
pub fn force_close_at(meeting: &MeetingState, settings: &LifecycleSettings) -> DateTime<Utc> {
    let scheduled = if meeting.is_calendar() {
        add(meeting.end, settings.calendar_overrun)
    } else {
        meeting.end
    };
    add(
        scheduled,
        Duration::minutes(i64::from(meeting.extended_minutes)),
    )
}

/// Whether `meeting` must close at `now`, and why; `None` keeps it open.
pub fn close_decision(
    meeting: &MeetingState,
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> Option<CloseReason> {
    close_due_at(meeting, settings)
        .filter(|(due, _)| *due <= now)
        .map(|(_, reason)| reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, calendar, check, emptied, present, unscheduled};

    #[test]
    fn a_meeting_closes_exactly_when_the_grace_period_after_the_last_departure_ends() {
        let left = at(10, 10, 0);
        check(&[
            (
                "right after leaving",
                emptied(calendar(), left),
                at(10, 10, 0),
                None,
            ),
            (
                "a second before the grace ends",
                emptied(calendar(), left),
                at(10, 24, 59),
                None,
            ),
            (
                "exactly at left + grace",
                emptied(calendar(), left),
                at(10, 25, 0),
                Some(CloseReason::GracePeriodOver),
            ),
            (
                "after the grace",
                emptied(calendar(), left),
                at(10, 40, 0),
                Some(CloseReason::GracePeriodOver),
            ),
        ]);
    }

    #[test]
    fn a_participant_who_rejoins_within_the_grace_period_keeps_the_meeting_open() {
        let rejoined_clean = present(calendar(), 1);
        // Even if a caller forgot to clear the left time, presence wins over the grace clock.
        let rejoined_stale = MeetingState {
            last_participant_left_at: Some(at(10, 10, 0)),
            ..present(calendar(), 1)
        };
        check(&[
            (
                "rejoined a second before the grace ended, checked at the deadline",
                rejoined_clean.clone(),
                at(10, 25, 0),
                None,
            ),
            (
                "rejoined, checked long after",
                rejoined_clean,
                at(10, 50, 0),
                None,
            ),
            (
                "rejoined with a stale left time",
                rejoined_stale,
                at(10, 25, 0),
                None,
            ),
        ]);
    }

    #[test]
    fn calendar_meetings_are_force_closed_at_end_plus_overrun_even_with_people_in_them() {
        check(&[
            (
                "a second before",
                present(calendar(), 3),
                at(10, 59, 59),
                None,
            ),
            (
                "exactly at end + overrun",
                present(calendar(), 3),
                at(11, 0, 0),
                Some(CloseReason::CalendarOverrun),
            ),
            (
                "long after",
                present(calendar(), 3),
                at(13, 0, 0),
                Some(CloseReason::CalendarOverrun),
            ),
            (
                "people left, grace not over yet at the overrun",
                emptied(calendar(), at(10, 50, 0)),
                at(11, 0, 0),
                Some(CloseReason::CalendarOverrun),
            ),
        ]);
    }

    #[test]
    fn a_calendar_meeting_nobody_joined_closes_at_end_plus_overrun() {
        check(&[
            ("at the scheduled end", calendar(), at(10, 30, 0), None),
            (
                "a second before end + overrun",
                calendar(),
                at(10, 59, 59),
                None,
            ),
            (
                "exactly at end + overrun",
                calendar(),
                at(11, 0, 0),
                Some(CloseReason::NobodyJoined),
            ),
        ]);
    }

    #[test]
    fn unscheduled_meetings_close_at_their_lifetime_or_after_the_grace_period() {
        let started = at(9, 0, 0);
        check(&[
            (
                "nobody joined yet, hours later",
                unscheduled(started),
                at(16, 59, 59),
                None,
            ),
            (
                "nobody joined, lifetime over",
                unscheduled(started),
                at(17, 0, 0),
                Some(CloseReason::LifetimeOver),
            ),
            (
                "people still in at the lifetime",
                present(unscheduled(started), 2),
                at(17, 0, 0),
                Some(CloseReason::LifetimeOver),
            ),
            (
                "people in, before the lifetime",
                present(unscheduled(started), 2),
                at(16, 0, 0),
                None,
            ),
            (
                "came and went, grace running",
                emptied(unscheduled(started), at(9, 30, 0)),
                at(9, 44, 59),
                None,
            ),
            (
                "came and went, grace over",
                emptied(unscheduled(started), at(9, 30, 0)),
                at(9, 45, 0),
                Some(CloseReason::GracePeriodOver),
            ),
            (
                "left late, lifetime first",
                emptied(unscheduled(started), at(16, 50, 0)),
                at(17, 0, 0),
                Some(CloseReason::LifetimeOver),
            ),
        ]);
    }

    #[test]
    fn closed_meetings_never_close_again() {
        let closed = MeetingState {
            is_active: false,
            ..emptied(calendar(), at(10, 0, 0))
        };
        check(&[("closed", closed.clone(), at(12, 0, 0), None)]);
        assert_eq!(close_due_at(&closed, &LifecycleSettings::default()), None);
    }

    #[test]
    fn the_due_instant_is_the_earliest_deadline_with_hard_limits_winning_ties() {
        let s = LifecycleSettings::default();
        let cases = [
            (
                "nobody joined",
                calendar(),
                (at(11, 0, 0), CloseReason::NobodyJoined),
            ),
            (
                "people in",
                present(calendar(), 1),
                (at(11, 0, 0), CloseReason::CalendarOverrun),
            ),
            (
                "grace first",
                emptied(calendar(), at(10, 0, 0)),
                (at(10, 15, 0), CloseReason::GracePeriodOver),
            ),
            (
                "tie",
                emptied(calendar(), at(10, 45, 0)),
                (at(11, 0, 0), CloseReason::CalendarOverrun),
            ),
            (
                "unscheduled",
                unscheduled(at(9, 0, 0)),
                (at(17, 0, 0), CloseReason::LifetimeOver),
            ),
            (
                "present but flag not stored yet",
                MeetingState {
                    participants_now: 1,
                    ..calendar()
                },
                (at(11, 0, 0), CloseReason::CalendarOverrun),
            ),
        ];
        for (name, m, expected) in cases {
            assert_eq!(close_due_at(&m, &s), Some(expected), "{name}");
        }
    }

    #[test]
    fn settings_change_the_deadlines() {
        let s = LifecycleSettings {
            grace_period: chrono::Duration::minutes(5),
            calendar_overrun: chrono::Duration::zero(),
            ..LifecycleSettings::default()
        };
        assert_eq!(
            close_decision(&emptied(calendar(), at(10, 0, 0)), &s, at(10, 5, 0)),
            Some(CloseReason::GracePeriodOver)
        );
        assert_eq!(
            close_decision(&present(calendar(), 1), &s, at(10, 30, 0)),
            Some(CloseReason::CalendarOverrun)
        );
        assert_eq!(
            close_decision(&present(calendar(), 1), &s, at(10, 29, 59)),
            None
        );
    }
}
