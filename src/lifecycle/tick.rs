//! Rule 6 (part 2): everything a scheduler tick could do, as due actions.
//!
//! [`due_actions`] runs every rule over the stored occurrences and meetings and lists what
//! is due; [`plan_tick`] then keeps a bounded, fair selection of it (see [`super::fair`]).
//! The caller executes the actions (platform calls, database writes) and runs again on the
//! next tick; since every action is derived from state, a crash between ticks loses
//! nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar_change::{calendar_change, CalendarChange, DeactivateReason};
use super::close::{close_due_at, CloseReason};
use super::fair::{pick_fair, DueAction};
use super::model::{sub, LifecycleSettings, MeetingState, Occurrence};
use super::precreate::{occurrences_to_precreate, PrecreatePlan};

/// One thing a tick does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LifecycleAction {
    /// Create a meeting (and its video room) for an occurrence.
    Precreate(PrecreatePlan),
    /// Store new times on a meeting whose occurrence moved (and refresh its metadata).
    Update {
        /// The meeting.
        meeting_id: Uuid,
        /// Its new start.
        start: DateTime<Utc>,
        /// Its new end.
        end: DateTime<Utc>,
    },
    /// Close a meeting because its occurrence went away before anybody joined.
    Deactivate {
        /// The meeting.
        meeting_id: Uuid,
        /// Why.
        reason: DeactivateReason,
    },
    /// Close a meeting because one of its clocks ran out.
    Close {
        /// The meeting.
        meeting_id: Uuid,
        /// Why.
        reason: CloseReason,
    },
}

/// Everything due at `now`, unordered and unbounded.
///
/// - Pre-creations are due since `start - precreate_lead`.
/// - Closes are due since their deadline ([`close_due_at`]), evaluated on the meeting as it
///   will be after following its calendar, so a meeting whose occurrence moved later is not
///   closed on its old times.
/// - Calendar follow-ups have no deadline of their own; they are due since `now`, i.e.
///   behind overdue work of the same age in the fair order.
/// - Each meeting gets at most one action: a deactivation replaces everything else, and a
///   due close makes a time update pointless.
///
/// Only active calendar meetings are matched with occurrences (by `calendar_event_id`).
pub fn due_actions(
    occurrences: &[Occurrence],
    meetings: &[MeetingState],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> Vec<DueAction<LifecycleAction>> {
    let mut actions: Vec<DueAction<LifecycleAction>> =
        occurrences_to_precreate(occurrences, meetings, settings, now)
            .into_iter()
            .map(|plan| DueAction {
                room_id: plan.room_id,
                due_at: sub(plan.start, settings.precreate_lead),
                action: LifecycleAction::Precreate(plan),
            })
            .collect();

    let by_id: HashMap<Uuid, &Occurrence> = occurrences.iter().map(|o| (o.event_id, o)).collect();
    for meeting in meetings.iter().filter(|m| m.is_active) {
        let occurrence = meeting
            .calendar_event_id
            .and_then(|event_id| by_id.get(&event_id).copied());
        let change = calendar_change(meeting, occurrence, settings, now);
        let mut after = meeting.clone();
        match change {
            CalendarChange::Deactivate { reason } => {
                actions.push(DueAction {
                    room_id: meeting.room_id,
                    due_at: now,
                    action: LifecycleAction::Deactivate {
                        meeting_id: meeting.id,
                        reason,
                    },
                });
                continue;
            }
            CalendarChange::Update { start, end } => {
                after.start = start;
                after.end = end;
            }
            CalendarChange::Unchanged => {}
        }
        match close_due_at(&after, settings) {
            Some((due_at, reason)) if due_at <= now => actions.push(DueAction {
                room_id: meeting.room_id,
                due_at,
                action: LifecycleAction::Close {
                    meeting_id: meeting.id,
                    reason,
                },
            }),
            _ => {
                if let CalendarChange::Update { start, end } = change {
                    actions.push(DueAction {
                        room_id: meeting.room_id,
                        due_at: now,
                        action: LifecycleAction::Update {
                            meeting_id: meeting.id,
                            start,
                            end,
                        },
                    });
                }
            }
        }
    }
    actions
}

/// What one tick does at `now`: at most `max_actions` of [`due_actions`], oldest due first,
/// round-robin across rooms.
pub fn plan_tick(
    occurrences: &[Occurrence],
    meetings: &[MeetingState],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
    max_actions: usize,
) -> Vec<DueAction<LifecycleAction>> {
    pick_fair(
        due_actions(occurrences, meetings, settings, now),
        max_actions,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, event_id, id, meeting_for, occurrence, unscheduled};

    fn kinds(actions: &[DueAction<LifecycleAction>]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match &a.action {
                LifecycleAction::Precreate(p) => format!("precreate {}", p.start.format("%H:%M")),
                LifecycleAction::Update { start, .. } => {
                    format!("update to {}", start.format("%H:%M"))
                }
                LifecycleAction::Deactivate { reason, .. } => format!("deactivate {reason:?}"),
                LifecycleAction::Close { reason, .. } => format!("close {reason:?}"),
            })
            .collect()
    }

    #[test]
    fn each_rule_contributes_its_due_actions_once_per_meeting() {
        let s = LifecycleSettings::default();
        let upcoming = occurrence("upcoming", at(10, 1, 0), at(10, 30, 0));
        let cancelled_src = occurrence("cancelled", at(10, 0, 0), at(10, 30, 0));
        let cancelled = Occurrence {
            cancelled: true,
            ..cancelled_src.clone()
        };
        let moved_src = Occurrence {
            title: Some("Moved".into()),
            ..occurrence("moved", at(10, 0, 0), at(10, 30, 0))
        };
        let moved = Occurrence {
            start: at(10, 10, 0),
            end: at(10, 40, 0),
            ..moved_src.clone()
        };
        let stale_src = Occurrence {
            title: Some("Stale".into()),
            ..occurrence("stale", at(8, 0, 0), at(9, 0, 0))
        };
        let adhoc_done = MeetingState {
            ever_had_participants: true,
            last_participant_left_at: Some(at(9, 0, 0)),
            ..unscheduled(at(8, 0, 0))
        };
        let closed = MeetingState {
            is_active: false,
            id: id(1),
            ..meeting_for(&stale_src)
        };
        let got = due_actions(
            &[upcoming, cancelled, moved, stale_src.clone()],
            &[
                meeting_for(&cancelled_src),
                meeting_for(&moved_src),
                MeetingState {
                    id: id(2),
                    ..meeting_for(&stale_src)
                },
                adhoc_done,
                closed,
            ],
            &s,
            at(10, 0, 0),
        );
        assert_eq!(
            kinds(&got),
            vec![
                "precreate 10:01",
                "deactivate Cancelled",
                "update to 10:10",
                "close NobodyJoined",
                "close GracePeriodOver"
            ]
        );
        let due: Vec<DateTime<Utc>> = got.iter().map(|a| a.due_at).collect();
        assert_eq!(
            due,
            vec![
                at(10, 0, 0),
                at(10, 0, 0),
                at(10, 0, 0),
                at(9, 30, 0),
                at(9, 15, 0)
            ]
        );
    }

    #[test]
    fn a_meeting_whose_occurrence_moved_later_is_not_closed_on_its_old_times() {
        let s = LifecycleSettings::default();
        let original = occurrence("a", at(9, 0, 0), at(9, 30, 0));
        let moved = Occurrence {
            start: at(10, 30, 0),
            end: at(11, 0, 0),
            ..original.clone()
        };
        let got = due_actions(&[moved], &[meeting_for(&original)], &s, at(10, 0, 0));
        assert_eq!(kinds(&got), vec!["update to 10:30"]);
    }

    #[test]
    fn a_meeting_due_to_close_is_closed_rather_than_updated() {
        let s = LifecycleSettings::default();
        let original = occurrence("a", at(9, 0, 0), at(9, 30, 0));
        let retitled_and_nudged = Occurrence {
            start: at(9, 5, 0),
            ..original.clone()
        };
        let got = due_actions(
            &[retitled_and_nudged],
            &[meeting_for(&original)],
            &s,
            at(10, 0, 0),
        );
        assert_eq!(kinds(&got), vec!["close NobodyJoined"]);
    }

    #[test]
    fn a_tick_is_bounded_and_fair_across_rooms() {
        let s = LifecycleSettings::default();
        let mut occurrences: Vec<Occurrence> = (0..50)
            .map(|i| {
                let uid = format!("busy-{i:02}");
                Occurrence {
                    title: Some(uid.clone()),
                    ..occurrence(&uid, at(10, 0, 0), at(10, 30, 0))
                }
            })
            .collect();
        let quiet = Occurrence {
            room_id: id(0x9),
            ..occurrence("quiet", at(10, 0, 30), at(10, 30, 0))
        };
        occurrences.push(quiet);
        let got = plan_tick(&occurrences, &[], &s, at(10, 0, 0), 3);
        let ids: Vec<Uuid> = got
            .iter()
            .filter_map(|a| match &a.action {
                LifecycleAction::Precreate(p) => Some(p.event_id),
                _ => None,
            })
            .collect();
        assert_eq!(
            ids,
            vec![event_id("busy-00"), event_id("quiet"), event_id("busy-01")]
        );
    }
}
