//! Rule 1: which calendar occurrences get a meeting created now.
//!
//! A meeting is created `precreate_lead` before its occurrence starts so the video room is
//! ready when the first person clicks. Each occurrence gets its own meeting, even when it
//! overlaps or directly follows another one: merging would hand one group's call to the
//! next. The one exception is an *aggregated feed*, where a room's calendar carries the same
//! real-world event twice (say once through Google and once through Cal.com) under
//! different UIDs; those copies share one meeting.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::duplicates::{duplicate_key, DuplicateKey};
use super::model::{sub, LifecycleSettings, MeetingState, Occurrence};

/// A meeting to create for one occurrence (and its aggregated-feed duplicates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrecreatePlan {
    /// The representative occurrence: the meeting's `calendar_event_id`.
    pub event_id: Uuid,
    /// The room the meeting belongs to.
    pub room_id: Uuid,
    /// The meeting's start (the occurrence's start).
    pub start: DateTime<Utc>,
    /// The meeting's end (the occurrence's end).
    pub end: DateTime<Utc>,
    /// Other occurrences that are copies of the same event from other feeds, in the same
    /// order as their `(uid, recurrence_id)`. The caller links or skips them; they must not
    /// get meetings of their own.
    pub duplicate_event_ids: Vec<Uuid>,
}

/// Whether `occ` is due for pre-creation at `now`: a meeting candidate whose lead time has
/// come (`now >= start - lead`, inclusive so the meeting exists exactly at lead time) and
/// that has not ended (`now < end`; an ended occurrence never gets a late meeting).
pub fn is_due_for_precreation(
    occ: &Occurrence,
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> bool {
    occ.is_meeting_candidate() && now >= sub(occ.start, settings.precreate_lead) && now < occ.end
}

/// The meetings to create at `now`, one per due occurrence or duplicate group without a
/// meeting, ordered by start, then the representative's UID (then recurrence id and event
/// id, so the order is total).
///
/// An occurrence (group) counts as having a meeting when any meeting — active or closed —
/// links to one of its event ids: a meeting that already closed (everyone left, or it was
/// closed by hand) must not come back by itself; the owner can start a new one.
///
/// Duplicates are grouped among the *due* occurrences only, so a cancelled copy in one feed
/// does not join the live copy in the other. There is one exception, so a room never gets
/// two calls for one event: while an *active* meeting links to any copy (even one that was
/// since cancelled, deleted or made all-day — a meeting people are in stays open, see
/// [`calendar_change`](mod@super::calendar_change)), its live copies get no meeting of their own. Once that
/// meeting closes, the live copy gets a fresh one on the next tick.
///
/// The representative is the copy with the smallest `(uid, recurrence_id, event_id)`,
/// which is stable across ticks as long as the copies are.
pub fn occurrences_to_precreate(
    occurrences: &[Occurrence],
    meetings: &[MeetingState],
    settings: &LifecycleSettings,
    now: DateTime<Utc>,
) -> Vec<PrecreatePlan> {
    let linked: HashSet<Uuid> = meetings
        .iter()
        .filter_map(|m| m.calendar_event_id)
        .collect();
    let active: HashSet<Uuid> = meetings
        .iter()
        .filter(|m| m.is_active)
        .filter_map(|m| m.calendar_event_id)
        .collect();
    let held: HashSet<DuplicateKey> = occurrences
        .iter()
        .filter(|o| active.contains(&o.event_id))
        .map(duplicate_key)
        .collect();

    let mut groups: BTreeMap<DuplicateKey, Vec<&Occurrence>> = BTreeMap::new();
    for occ in occurrences
        .iter()
        .filter(|o| is_due_for_precreation(o, settings, now))
    {
        groups.entry(duplicate_key(occ)).or_default().push(occ);
    }

    let mut plans: Vec<(PlanOrder, PrecreatePlan)> = Vec::new();
    for (key, mut members) in groups {
        if held.contains(&key) || members.iter().any(|o| linked.contains(&o.event_id)) {
            continue;
        }
        members.sort_by(|a, b| representative_order(a).cmp(&representative_order(b)));
        // The same row can appear twice if the caller concatenated lists; it is still one
        // occurrence, not a duplicate of itself.
        members.dedup_by_key(|o| o.event_id);
        let Some((rep, rest)) = members.split_first() else {
            continue;
        };
        let order = (rep.start, rep.uid.clone(), rep.recurrence_id, rep.event_id);
        plans.push((
            order,
            PrecreatePlan {
                event_id: rep.event_id,
                room_id: rep.room_id,
                start: rep.start,
                end: rep.end,
                duplicate_event_ids: rest.iter().map(|o| o.event_id).collect(),
            },
        ));
    }
    plans.sort_by(|a, b| a.0.cmp(&b.0));
    plans.into_iter().map(|(_, plan)| plan).collect()
}

type PlanOrder = (DateTime<Utc>, String, Option<DateTime<Utc>>, Uuid);

fn representative_order(o: &Occurrence) -> (&str, Option<DateTime<Utc>>, Uuid) {
    (o.uid.as_str(), o.recurrence_id, o.event_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::testkit::{at, event_id, id, meeting_for, occurrence, plan};

    #[test]
    fn a_meeting_is_precreated_exactly_at_lead_time_and_not_a_second_before() {
        let s = LifecycleSettings::default();
        let occ = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let planned = vec![plan("a", at(10, 0, 0), at(10, 30, 0), &[])];
        let cases: [(&str, DateTime<Utc>, Vec<PrecreatePlan>); 6] = [
            ("a second before lead time", at(9, 58, 59), vec![]),
            ("exactly at lead time", at(9, 59, 0), planned.clone()),
            ("at the start", at(10, 0, 0), planned.clone()),
            ("late, mid-meeting", at(10, 20, 0), planned.clone()),
            ("a second before the end", at(10, 29, 59), planned.clone()),
            ("exactly at the end", at(10, 30, 0), vec![]),
        ];
        for (name, now, expected) in cases {
            assert_eq!(
                occurrences_to_precreate(std::slice::from_ref(&occ), &[], &s, now),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn cancelled_deleted_all_day_and_empty_occurrences_are_never_precreated() {
        let s = LifecycleSettings::default();
        let base = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let cases = [
            (
                "cancelled",
                Occurrence {
                    cancelled: true,
                    ..base.clone()
                },
            ),
            (
                "deleted",
                Occurrence {
                    deleted: true,
                    ..base.clone()
                },
            ),
            (
                "all day",
                Occurrence {
                    all_day: true,
                    ..base.clone()
                },
            ),
            (
                "zero length",
                Occurrence {
                    end: base.start,
                    ..base.clone()
                },
            ),
        ];
        for (name, occ) in cases {
            assert_eq!(
                occurrences_to_precreate(&[occ], &[], &s, at(10, 0, 0)),
                vec![],
                "{name}"
            );
        }
    }

    #[test]
    fn an_occurrence_that_already_has_a_meeting_is_not_precreated_again() {
        let s = LifecycleSettings::default();
        let occ = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let active = meeting_for(&occ);
        let closed = MeetingState {
            is_active: false,
            ..meeting_for(&occ)
        };
        let unrelated = MeetingState {
            calendar_event_id: Some(id(99)),
            ..meeting_for(&occ)
        };
        let cases = [
            ("active meeting", vec![active], vec![]),
            ("closed meeting", vec![closed], vec![]),
            (
                "meeting of another event",
                vec![unrelated],
                vec![plan("a", at(10, 0, 0), at(10, 30, 0), &[])],
            ),
        ];
        for (name, meetings, expected) in cases {
            assert_eq!(
                occurrences_to_precreate(std::slice::from_ref(&occ), &meetings, &s, at(10, 0, 0)),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn back_to_back_and_overlapping_occurrences_get_separate_meetings_in_start_order() {
        let s = LifecycleSettings::default();
        let first = occurrence("first", at(10, 0, 0), at(10, 30, 0));
        let second = occurrence("second", at(10, 30, 0), at(11, 0, 0));
        let overlapping = Occurrence {
            title: Some("Review".into()),
            ..occurrence("overlap", at(10, 15, 0), at(10, 45, 0))
        };
        let got = occurrences_to_precreate(
            &[second.clone(), overlapping.clone(), first.clone()],
            &[],
            &s,
            at(10, 29, 0),
        );
        assert_eq!(
            got,
            vec![
                plan("first", at(10, 0, 0), at(10, 30, 0), &[]),
                plan("overlap", at(10, 15, 0), at(10, 45, 0), &[]),
                plan("second", at(10, 30, 0), at(11, 0, 0), &[]),
            ]
        );
        // The first meeting existing does not stop the second one at its own lead time.
        let got = occurrences_to_precreate(
            &[first.clone(), second],
            &[meeting_for(&first)],
            &s,
            at(10, 29, 0),
        );
        assert_eq!(got, vec![plan("second", at(10, 30, 0), at(11, 0, 0), &[])]);
    }

    #[test]
    fn occurrences_starting_together_are_ordered_by_uid() {
        let s = LifecycleSettings::default();
        let b = Occurrence {
            title: Some("B".into()),
            ..occurrence("b", at(10, 0, 0), at(10, 30, 0))
        };
        let a = Occurrence {
            title: Some("A".into()),
            ..occurrence("a", at(10, 0, 0), at(11, 0, 0))
        };
        let got = occurrences_to_precreate(&[b, a], &[], &s, at(10, 0, 0));
        let uids: Vec<Uuid> = got.iter().map(|p| p.event_id).collect();
        assert_eq!(uids, vec![event_id("a"), event_id("b")]);
    }

    #[test]
    fn aggregated_duplicates_get_one_meeting_with_the_smallest_uid_as_representative() {
        let s = LifecycleSettings::default();
        let google = occurrence("google-123", at(10, 0, 0), at(10, 30, 0));
        let calcom = Occurrence {
            title: Some("  Standup ".into()),
            ..occurrence("calcom-9", at(10, 0, 0), at(10, 30, 0))
        };
        let third = occurrence("zz-outlook", at(10, 0, 0), at(10, 30, 0));
        let expected = vec![plan(
            "calcom-9",
            at(10, 0, 0),
            at(10, 30, 0),
            &["google-123", "zz-outlook"],
        )];
        for input in [
            vec![google.clone(), calcom.clone(), third.clone()],
            vec![third.clone(), google.clone(), calcom.clone()],
        ] {
            assert_eq!(
                occurrences_to_precreate(&input, &[], &s, at(9, 59, 0)),
                expected
            );
        }
    }

    #[test]
    fn a_duplicate_group_with_a_meeting_on_any_copy_gets_no_second_meeting() {
        let s = LifecycleSettings::default();
        let google = occurrence("google-123", at(10, 0, 0), at(10, 30, 0));
        let calcom = occurrence("calcom-9", at(10, 0, 0), at(10, 30, 0));
        for linked in [&google, &calcom] {
            let got = occurrences_to_precreate(
                &[google.clone(), calcom.clone()],
                &[meeting_for(linked)],
                &s,
                at(10, 0, 0),
            );
            assert_eq!(got, vec![], "linked to {}", linked.uid);
        }
    }

    #[test]
    fn a_cancelled_copy_does_not_take_the_live_copy_down_with_it() {
        let s = LifecycleSettings::default();
        let live = occurrence("google-123", at(10, 0, 0), at(10, 30, 0));
        let cancelled = Occurrence {
            cancelled: true,
            ..occurrence("calcom-9", at(10, 0, 0), at(10, 30, 0))
        };
        let got = occurrences_to_precreate(&[live, cancelled], &[], &s, at(10, 0, 0));
        assert_eq!(
            got,
            vec![plan("google-123", at(10, 0, 0), at(10, 30, 0), &[])]
        );
    }

    #[test]
    fn a_live_copy_gets_no_second_meeting_while_the_cancelled_copy_s_meeting_is_still_active() {
        let s = LifecycleSettings::default();
        let live = occurrence("zz-google", at(10, 0, 0), at(10, 30, 0));
        let cancelled = Occurrence {
            cancelled: true,
            ..occurrence("calcom-9", at(10, 0, 0), at(10, 30, 0))
        };
        let held = MeetingState {
            ever_had_participants: true,
            participants_now: 2,
            ..meeting_for(&cancelled)
        };
        let closed = MeetingState {
            is_active: false,
            ..held.clone()
        };
        let fresh = vec![plan("zz-google", at(10, 0, 0), at(10, 30, 0), &[])];
        let cases = [
            ("meeting still active", held, vec![]),
            ("meeting closed", closed, fresh),
        ];
        for (name, meeting, expected) in cases {
            let got = occurrences_to_precreate(
                &[live.clone(), cancelled.clone()],
                &[meeting],
                &s,
                at(10, 5, 0),
            );
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn untitled_copies_at_the_same_time_are_merged_and_a_repeated_row_is_not_its_own_duplicate() {
        let s = LifecycleSettings::default();
        let a = Occurrence {
            title: None,
            ..occurrence("a", at(10, 0, 0), at(10, 30, 0))
        };
        let b = Occurrence {
            title: Some("   ".into()),
            ..occurrence("b", at(10, 0, 0), at(10, 30, 0))
        };
        let got = occurrences_to_precreate(&[a.clone(), b, a], &[], &s, at(10, 0, 0));
        assert_eq!(got, vec![plan("a", at(10, 0, 0), at(10, 30, 0), &["b"])]);
    }

    #[test]
    fn an_occurrence_moved_after_precreation_is_not_precreated_again() {
        let s = LifecycleSettings::default();
        let original = occurrence("a", at(10, 0, 0), at(10, 30, 0));
        let meeting = meeting_for(&original);
        let moved = Occurrence {
            start: at(10, 15, 0),
            end: at(10, 45, 0),
            ..original
        };
        assert_eq!(
            occurrences_to_precreate(&[moved], &[meeting], &s, at(10, 14, 0)),
            vec![]
        );
    }
}
