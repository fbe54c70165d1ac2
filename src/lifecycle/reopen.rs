//! Rule 7: whether an ended calendar meeting can be reopened by someone opening its link.
//!
//! A calendar meeting can close before its occurrence's scheduled end: everybody left and
//! the grace period ran out, or a host ended it. People who come back while the
//! occurrence is still on (`now < end`) may reopen it: a *new* meeting, with a new call,
//! for the same occurrence. Once the scheduled end has passed it stays over.
//!
//! The lifecycle never reopens by itself (see [`super::precreate`]: an occurrence any
//! meeting names gets no other); only a person asking does. A meeting a host ended is
//! reopened only by one of the room's hosts: "End meeting now" must not be undone by a
//! guest a second later.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::close::close_decision;
use super::model::{LifecycleSettings, MeetingState, Occurrence};

/// What the page of an ended meeting offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum ReopenAnswer {
    /// Reopen: make a new meeting for the occurrence, with these times.
    Reopen {
        /// The occurrence the new meeting is for.
        event_id: Uuid,
        /// Its start.
        start: DateTime<Utc>,
        /// Its scheduled end.
        end: DateTime<Utc>,
    },
    /// A meeting of this occurrence is open already (this one, or one reopened by
    /// someone else): go there instead of making another.
    Open {
        /// The open meeting.
        meeting_id: Uuid,
    },
    /// The occurrence's scheduled time is over: "This meeting has ended".
    Over,
    /// A host ended it and the asker is not a host.
    EndedByHost,
    /// Not a calendar meeting (an unscheduled one is started anew instead), or its
    /// occurrence was cancelled or removed.
    NotReopenable,
}

/// What `ended`'s page offers at `now`. `occurrence` is the meeting's occurrence (`None`
/// when it is gone), `open` the active meeting of that occurrence if there is one,
/// `ended_by_host` whether a host closed `ended`, `asker_hosts` whether the one asking is
/// one of the room's owners.
pub fn reopen_decision(
    ended: &MeetingState,
    occurrence: Option<&Occurrence>,
    open: Option<&MeetingState>,
    (ended_by_host, asker_hosts): (bool, bool),
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> ReopenAnswer {
    let still_open = |m: &MeetingState| m.is_active && close_decision(m, settings, now).is_none();
    if still_open(ended) {
        return ReopenAnswer::Open {
            meeting_id: ended.id,
        };
    }
    let Some(occ) = occurrence.filter(|o| Some(o.event_id) == ended.calendar_event_id) else {
        return ReopenAnswer::NotReopenable;
    };
    if !occ.is_meeting_candidate() {
        return ReopenAnswer::NotReopenable;
    }
    if now >= occ.end {
        return ReopenAnswer::Over;
    }
    if let Some(open) = open.filter(|m| m.calendar_event_id == ended.calendar_event_id) {
        if still_open(open) {
            return ReopenAnswer::Open {
                meeting_id: open.id,
            };
        }
    }
    if ended_by_host && !asker_hosts {
        return ReopenAnswer::EndedByHost;
    }
    ReopenAnswer::Reopen {
        event_id: occ.event_id,
        start: occ.start,
        end: occ.end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, meeting_for, occurrence, unscheduled};

    /// 10:00–11:00; its meeting closed at 10:20 (everybody left).
    fn setup() -> (Occurrence, MeetingState) {
        let occ = occurrence("a", at(10, 0, 0), at(11, 0, 0));
        let closed = MeetingState {
            is_active: false,
            ever_had_participants: true,
            ..meeting_for(&occ)
        };
        (occ, closed)
    }

    fn decide(
        ended: &MeetingState,
        occ: Option<&Occurrence>,
        open: Option<&MeetingState>,
        flags: (bool, bool),
        now: DateTime<Utc>,
    ) -> ReopenAnswer {
        reopen_decision(ended, occ, open, flags, &LifecycleSettings::default(), now)
    }

    #[test]
    fn an_ended_meeting_reopens_while_its_scheduled_time_has_not_passed() {
        let (occ, closed) = setup();
        let reopen = ReopenAnswer::Reopen {
            event_id: occ.event_id,
            start: occ.start,
            end: occ.end,
        };
        assert_eq!(
            decide(&closed, Some(&occ), None, (false, false), at(10, 30, 0)),
            reopen
        );
        assert_eq!(
            decide(&closed, Some(&occ), None, (false, false), at(10, 59, 59)),
            reopen,
            "a second before the scheduled end"
        );
    }

    #[test]
    fn after_the_scheduled_end_the_meeting_stays_over() {
        let (occ, closed) = setup();
        for now in [at(11, 0, 0), at(11, 20, 0), at(15, 0, 0)] {
            assert_eq!(
                decide(&closed, Some(&occ), None, (false, true), now),
                ReopenAnswer::Over,
                "{now}"
            );
        }
    }

    #[test]
    fn a_meeting_reopened_already_is_joined_not_made_twice() {
        let (occ, closed) = setup();
        let reopened = MeetingState {
            id: Uuid::from_u128(0x77),
            created_at: at(10, 30, 0),
            ..meeting_for(&occ)
        };
        assert_eq!(
            decide(
                &closed,
                Some(&occ),
                Some(&reopened),
                (false, false),
                at(10, 31, 0)
            ),
            ReopenAnswer::Open {
                meeting_id: reopened.id
            }
        );
    }

    #[test]
    fn an_open_meeting_is_simply_open() {
        let (occ, _) = setup();
        let open = meeting_for(&occ);
        assert_eq!(
            decide(&open, Some(&occ), None, (false, false), at(10, 30, 0)),
            ReopenAnswer::Open {
                meeting_id: open.id
            }
        );
    }

    #[test]
    fn only_a_host_reopens_what_a_host_ended() {
        let (occ, closed) = setup();
        assert_eq!(
            decide(&closed, Some(&occ), None, (true, false), at(10, 30, 0)),
            ReopenAnswer::EndedByHost
        );
        assert!(matches!(
            decide(&closed, Some(&occ), None, (true, true), at(10, 30, 0)),
            ReopenAnswer::Reopen { .. }
        ));
    }

    #[test]
    fn unscheduled_and_cancelled_meetings_are_not_reopened() {
        let (occ, closed) = setup();
        let done = MeetingState {
            is_active: false,
            ..unscheduled(at(9, 0, 0))
        };
        assert_eq!(
            decide(&done, None, None, (false, false), at(9, 30, 0)),
            ReopenAnswer::NotReopenable
        );
        let cancelled = Occurrence {
            cancelled: true,
            ..occ.clone()
        };
        assert_eq!(
            decide(
                &closed,
                Some(&cancelled),
                None,
                (false, false),
                at(10, 30, 0)
            ),
            ReopenAnswer::NotReopenable
        );
        assert_eq!(
            decide(&closed, None, None, (false, false), at(10, 30, 0)),
            ReopenAnswer::NotReopenable,
            "the occurrence is gone"
        );
    }

    #[test]
    fn the_lifecycle_never_reopens_by_itself_and_runs_a_reopened_meeting_like_any_other() {
        use crate::lifecycle::{due_actions, CloseReason, LifecycleAction};
        let (occ, closed) = setup();
        let s = LifecycleSettings::default();
        for now in [at(10, 30, 0), at(10, 59, 59)] {
            assert!(
                due_actions(
                    std::slice::from_ref(&occ),
                    std::slice::from_ref(&closed),
                    &s,
                    now
                )
                .is_empty(),
                "a closed meeting gets no second one by itself ({now})"
            );
        }
        let reopened = MeetingState {
            id: Uuid::from_u128(0x77),
            created_at: at(10, 30, 0),
            ..meeting_for(&occ)
        };
        let both = [closed, reopened.clone()];
        assert!(due_actions(std::slice::from_ref(&occ), &both, &s, at(11, 29, 59)).is_empty());
        let due = due_actions(std::slice::from_ref(&occ), &both, &s, at(11, 30, 0));
        assert_eq!(due.len(), 1, "{due:?}");
        assert_eq!(
            due[0].action,
            LifecycleAction::Close {
                meeting_id: reopened.id,
                reason: CloseReason::NobodyJoined
            },
            "the reopened one closes at end + overrun, like any calendar meeting"
        );
    }
}
