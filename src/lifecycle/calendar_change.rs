//! Rule 2: how a meeting follows edits to its calendar occurrence.
//!
//! Before anybody has joined, the meeting is just a reservation and mirrors the calendar
//! fully: moved times move it, a cancelled or removed occurrence deactivates it. Once people
//! have been in the call, the calendar must not pull it out from under them: times still
//! follow, but a cancellation, a deletion or an edit that would end it on the spot does not
//! close it; the presence and time rules of [`super::close`] do that.
//!
//! Metadata (title, attendees, ...) is not compared here: the caller always refreshes it
//! from the occurrence, whatever this rule answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{add, LifecycleSettings, MeetingState, Occurrence};

/// Why a meeting is deactivated because of its calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeactivateReason {
    /// The occurrence's STATUS became CANCELLED.
    Cancelled,
    /// The occurrence disappeared from the feed (soft-deleted row).
    Deleted,
    /// The caller found no stored occurrence for the meeting's `calendar_event_id`.
    Missing,
    /// The occurrence became all-day (or lost its duration), which never has a call.
    NoLongerTimed,
}

/// What to do with a meeting after its occurrence was (re)read from the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CalendarChange {
    /// Times are as stored (or the meeting does not follow a calendar); refresh metadata only.
    Unchanged,
    /// Store these times on the meeting (and refresh metadata).
    Update {
        /// The new start.
        start: DateTime<Utc>,
        /// The new end.
        end: DateTime<Utc>,
    },
    /// Close the meeting: its occurrence is gone and nobody has used it.
    Deactivate {
        /// Why.
        reason: DeactivateReason,
    },
}

/// Compares a meeting with the current state of its occurrence (`None` when the caller
/// found none) and says how the meeting must follow.
///
/// - Unscheduled and already closed meetings never change (`Unchanged`).
/// - Before anyone joined: a cancelled, deleted, missing or no-longer-timed occurrence
///   deactivates the meeting; moved times update it, wherever they moved (even far ahead:
///   the video room already exists and the meeting closes at its new `end + overrun` if
///   nobody comes).
/// - After people joined: the same edits give `Unchanged` instead of `Deactivate`, and moved
///   times update the meeting, except that the end is kept when the new end would force-
///   close the call immediately (`new_end + calendar_overrun <= now`): the calendar may
///   shorten a running call, but not end it on the spot.
///
/// The caller passes the occurrence the meeting links to; this rule does not check
/// `occurrence.event_id` so a caller re-linking aggregated copies stays free to do so.
pub fn calendar_change(
    meeting: &MeetingState,
    occurrence: Option<&Occurrence>,
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> CalendarChange {
    if !meeting.is_active || !meeting.is_calendar() {
        return CalendarChange::Unchanged;
    }
    let gone = match occurrence {
        None => Some(DeactivateReason::Missing),
        Some(o) if o.deleted => Some(DeactivateReason::Deleted),
        Some(o) if o.cancelled => Some(DeactivateReason::Cancelled),
        Some(o) if o.all_day || o.end <= o.start => Some(DeactivateReason::NoLongerTimed),
        Some(_) => None,
    };
    if let Some(reason) = gone {
        return if meeting.ever_had_participants {
            CalendarChange::Unchanged
        } else {
            CalendarChange::Deactivate { reason }
        };
    }
    let Some(occ) = occurrence else {
        return CalendarChange::Unchanged;
    };
    let mut end = occ.end;
    if meeting.ever_had_participants && add(end, settings.calendar_overrun) <= now {
        end = meeting.end;
    }
    if occ.start == meeting.start && end == meeting.end {
        CalendarChange::Unchanged
    } else {
        CalendarChange::Update {
            start: occ.start,
            end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, meeting_for, occurrence, unscheduled};

    fn joined(m: MeetingState) -> MeetingState {
        MeetingState {
            ever_had_participants: true,
            participants_now: 2,
            ..m
        }
    }

    #[test]
    fn a_meeting_nobody_joined_follows_its_occurrence_entirely() {
        let s = LifecycleSettings::default();
        let occ = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let m = meeting_for(&occ);
        let now = at(9, 59, 30);
        let cases: [(&str, Option<Occurrence>, CalendarChange); 9] = [
            ("same times", Some(occ.clone()), CalendarChange::Unchanged),
            (
                "renamed only",
                Some(Occurrence {
                    title: Some("Retro".into()),
                    ..occ.clone()
                }),
                CalendarChange::Unchanged,
            ),
            (
                "moved later",
                Some(Occurrence {
                    start: at(10, 15, 0),
                    end: at(10, 45, 0),
                    ..occ.clone()
                }),
                CalendarChange::Update {
                    start: at(10, 15, 0),
                    end: at(10, 45, 0),
                },
            ),
            (
                "moved to tomorrow-ish",
                Some(Occurrence {
                    start: at(23, 0, 0),
                    end: at(23, 30, 0),
                    ..occ.clone()
                }),
                CalendarChange::Update {
                    start: at(23, 0, 0),
                    end: at(23, 30, 0),
                },
            ),
            (
                "extended",
                Some(Occurrence {
                    end: at(11, 0, 0),
                    ..occ.clone()
                }),
                CalendarChange::Update {
                    start: at(10, 0, 0),
                    end: at(11, 0, 0),
                },
            ),
            (
                "cancelled",
                Some(Occurrence {
                    cancelled: true,
                    ..occ.clone()
                }),
                CalendarChange::Deactivate {
                    reason: DeactivateReason::Cancelled,
                },
            ),
            (
                "deleted",
                Some(Occurrence {
                    deleted: true,
                    ..occ.clone()
                }),
                CalendarChange::Deactivate {
                    reason: DeactivateReason::Deleted,
                },
            ),
            (
                "missing",
                None,
                CalendarChange::Deactivate {
                    reason: DeactivateReason::Missing,
                },
            ),
            (
                "became all day",
                Some(Occurrence {
                    all_day: true,
                    ..occ.clone()
                }),
                CalendarChange::Deactivate {
                    reason: DeactivateReason::NoLongerTimed,
                },
            ),
        ];
        for (name, o, expected) in cases {
            assert_eq!(calendar_change(&m, o.as_ref(), &s, now), expected, "{name}");
        }
    }

    #[test]
    fn a_meeting_people_have_joined_is_never_closed_by_the_calendar() {
        let s = LifecycleSettings::default();
        let occ = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let m = joined(meeting_for(&occ));
        let now = at(10, 20, 0);
        let cases: [(&str, Option<Occurrence>, CalendarChange); 7] = [
            (
                "cancelled",
                Some(Occurrence {
                    cancelled: true,
                    ..occ.clone()
                }),
                CalendarChange::Unchanged,
            ),
            (
                "deleted",
                Some(Occurrence {
                    deleted: true,
                    ..occ.clone()
                }),
                CalendarChange::Unchanged,
            ),
            ("missing", None, CalendarChange::Unchanged),
            (
                "became all day",
                Some(Occurrence {
                    all_day: true,
                    ..occ.clone()
                }),
                CalendarChange::Unchanged,
            ),
            (
                "extended",
                Some(Occurrence {
                    end: at(11, 0, 0),
                    ..occ.clone()
                }),
                CalendarChange::Update {
                    start: at(10, 0, 0),
                    end: at(11, 0, 0),
                },
            ),
            (
                "shortened but not past the overrun",
                Some(Occurrence {
                    end: at(10, 5, 0),
                    ..occ.clone()
                }),
                CalendarChange::Update {
                    start: at(10, 0, 0),
                    end: at(10, 5, 0),
                },
            ),
            (
                "shortened so far it would close on the spot: end kept",
                Some(Occurrence {
                    start: at(9, 0, 0),
                    end: at(9, 50, 0),
                    ..occ.clone()
                }),
                CalendarChange::Update {
                    start: at(9, 0, 0),
                    end: at(10, 30, 0),
                },
            ),
        ];
        for (name, o, expected) in cases {
            assert_eq!(calendar_change(&m, o.as_ref(), &s, now), expected, "{name}");
        }
    }

    #[test]
    fn a_joined_meeting_shortened_to_exactly_the_overrun_keeps_its_end() {
        let s = LifecycleSettings::default();
        let occ = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let m = joined(meeting_for(&occ));
        // 09:50 + 30 min overrun == now: that would close it on this very tick.
        let shortened = Occurrence {
            end: at(9, 50, 0),
            start: at(9, 0, 0),
            ..occ.clone()
        };
        assert_eq!(
            calendar_change(&m, Some(&shortened), &s, at(10, 20, 0)),
            CalendarChange::Update {
                start: at(9, 0, 0),
                end: at(10, 30, 0)
            }
        );
        // One second later it would still be open for a second: the calendar wins.
        let shortened = Occurrence {
            end: at(9, 50, 1),
            ..shortened
        };
        assert_eq!(
            calendar_change(&m, Some(&shortened), &s, at(10, 20, 0)),
            CalendarChange::Update {
                start: at(9, 0, 0),
                end: at(9, 50, 1)
            }
        );
    }

    #[test]
    fn closed_and_unscheduled_meetings_ignore_the_calendar() {
        let s = LifecycleSettings::default();
        let occ = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let closed = MeetingState {
            is_active: false,
            ..meeting_for(&occ)
        };
        let moved = Occurrence {
            start: at(11, 0, 0),
            end: at(11, 30, 0),
            ..occ.clone()
        };
        assert_eq!(
            calendar_change(&closed, Some(&moved), &s, at(10, 0, 0)),
            CalendarChange::Unchanged
        );
        assert_eq!(
            calendar_change(&closed, None, &s, at(10, 0, 0)),
            CalendarChange::Unchanged
        );
        let adhoc = unscheduled(at(9, 0, 0));
        assert_eq!(
            calendar_change(&adhoc, None, &s, at(10, 0, 0)),
            CalendarChange::Unchanged
        );
        assert_eq!(
            calendar_change(&adhoc, Some(&moved), &s, at(10, 0, 0)),
            CalendarChange::Unchanged
        );
    }
}
