//! Rule 5: what someone opening a meeting link is told.
//!
//! A link points either at a meeting or, before pre-creation, at a calendar occurrence.
//! People may open it early: within `upcoming_window` before the start the client is told
//! to wait (and polls until the meeting exists); further ahead it is told it is too early.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::close::close_decision;
use super::model::{sub, LifecycleSettings, MeetingState, Occurrence};

/// Shown for a closed meeting: its call is over, and only the room's owner may start a new
/// one (a closed meeting never reopens by itself).
pub const MEETING_ENDED_MESSAGE: &str = "This meeting has ended. The owner can start a new one.";

/// Shown for a cancelled or removed occurrence.
pub const MEETING_CANCELLED_MESSAGE: &str = "This meeting was cancelled.";

/// Shown for an all-day calendar entry, which never gets a call.
pub const NO_CALL_MESSAGE: &str = "This calendar entry has no call.";

/// What a join request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinTarget<'a> {
    /// An existing meeting, active or closed.
    Meeting(&'a MeetingState),
    /// A calendar occurrence that has no meeting yet.
    Occurrence(&'a Occurrence),
}

/// The answer to a join request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum JoinAnswer {
    /// Go in.
    Join {
        /// The meeting to join.
        meeting_id: Uuid,
    },
    /// Early, or the meeting is being created: wait and try again (the client polls).
    Waiting {
        /// When the occurrence starts (may be in the past when pre-creation is behind).
        starts_at: DateTime<Utc>,
    },
    /// Further ahead than the upcoming window: come back later.
    TooEarly {
        /// When the occurrence starts.
        starts_at: DateTime<Utc>,
    },
    /// The meeting is over.
    Ended {
        /// [`MEETING_ENDED_MESSAGE`].
        message: String,
    },
    /// There is no call to join: the occurrence was cancelled, removed or is all-day.
    Unavailable {
        /// [`MEETING_CANCELLED_MESSAGE`] or [`NO_CALL_MESSAGE`].
        message: String,
    },
}

/// What to tell someone who opens `target` at `now`.
///
/// - A meeting: `Join` while it is active and not due to close; `Ended` once closed — and
///   also once its close is due but the closing tick has not run yet, so nobody is let into
///   a call that is about to be torn down.
/// - An occurrence without a meeting: `Unavailable` if cancelled, deleted or all-day;
///   `Ended` once it ended (`now >= end`); `Waiting` from `start - upcoming_window`
///   (inclusive) until its end, which covers a started occurrence whose meeting the
///   scheduler has not created yet; `TooEarly` before that.
pub fn join_decision(
    target: JoinTarget<'_>,
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> JoinAnswer {
    match target {
        JoinTarget::Meeting(m) => {
            if m.is_active && close_decision(m, settings, now).is_none() {
                JoinAnswer::Join { meeting_id: m.id }
            } else {
                ended()
            }
        }
        JoinTarget::Occurrence(o) => {
            if o.deleted || o.cancelled {
                JoinAnswer::Unavailable {
                    message: MEETING_CANCELLED_MESSAGE.to_string(),
                }
            } else if o.all_day || o.end <= o.start {
                JoinAnswer::Unavailable {
                    message: NO_CALL_MESSAGE.to_string(),
                }
            } else if now >= o.end {
                ended()
            } else if now >= sub(o.start, settings.upcoming_window) {
                JoinAnswer::Waiting { starts_at: o.start }
            } else {
                JoinAnswer::TooEarly { starts_at: o.start }
            }
        }
    }
}

fn ended() -> JoinAnswer {
    JoinAnswer::Ended {
        message: MEETING_ENDED_MESSAGE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, meeting_for, occurrence};

    #[test]
    fn an_occurrence_without_a_meeting_answers_by_how_far_ahead_it_is() {
        let s = LifecycleSettings::default();
        let occ = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let waiting = JoinAnswer::Waiting {
            starts_at: at(10, 0, 0),
        };
        let too_early = JoinAnswer::TooEarly {
            starts_at: at(10, 0, 0),
        };
        let cases = [
            ("hours ahead", at(7, 0, 0), too_early.clone()),
            ("a second before the window", at(9, 29, 59), too_early),
            ("exactly at the window", at(9, 30, 0), waiting.clone()),
            ("just before the start", at(9, 59, 59), waiting.clone()),
            (
                "started, meeting not created yet",
                at(10, 5, 0),
                waiting.clone(),
            ),
            ("a second before the end", at(10, 29, 59), waiting),
            ("exactly at the end", at(10, 30, 0), ended()),
        ];
        for (name, now, expected) in cases {
            assert_eq!(
                join_decision(JoinTarget::Occurrence(&occ), &s, now),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn cancelled_removed_and_all_day_occurrences_have_nothing_to_join() {
        let s = LifecycleSettings::default();
        let base = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let cancelled = JoinAnswer::Unavailable {
            message: MEETING_CANCELLED_MESSAGE.into(),
        };
        let cases = [
            (
                "cancelled",
                Occurrence {
                    cancelled: true,
                    ..base.clone()
                },
                cancelled.clone(),
            ),
            (
                "deleted",
                Occurrence {
                    deleted: true,
                    ..base.clone()
                },
                cancelled,
            ),
            (
                "all day",
                Occurrence {
                    all_day: true,
                    ..base.clone()
                },
                JoinAnswer::Unavailable {
                    message: NO_CALL_MESSAGE.into(),
                },
            ),
        ];
        for (name, occ, expected) in cases {
            assert_eq!(
                join_decision(JoinTarget::Occurrence(&occ), &s, at(9, 45, 0)),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn an_active_meeting_is_joined_and_a_closed_one_has_ended() {
        let s = LifecycleSettings::default();
        let active = meeting_for(&occurrence("a", at(10, 0, 0), at(10, 30, 0)));
        let closed = MeetingState {
            is_active: false,
            ..active.clone()
        };
        let join = JoinAnswer::Join {
            meeting_id: active.id,
        };
        let cases = [
            (
                "active, before its start (pre-created)",
                active.clone(),
                at(9, 59, 0),
                join.clone(),
            ),
            ("active, running over", active.clone(), at(10, 59, 59), join),
            (
                "active but its close is due",
                active.clone(),
                at(11, 0, 0),
                ended(),
            ),
            ("closed", closed.clone(), at(10, 10, 0), ended()),
            ("closed, before its start", closed, at(9, 0, 0), ended()),
        ];
        for (name, meeting, now, expected) in cases {
            assert_eq!(
                join_decision(JoinTarget::Meeting(&meeting), &s, now),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn the_ended_message_tells_people_the_owner_can_start_a_new_one() {
        assert_eq!(
            serde_json::to_value(ended()).unwrap(),
            serde_json::json!({
                "status": "ended",
                "message": "This meeting has ended. The owner can start a new one."
            })
        );
    }
}
