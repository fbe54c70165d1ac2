//! Fixtures shared by the rule tests: a fixed clock and compact builders.

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use super::model::{MeetingState, Occurrence};
use super::precreate::PrecreatePlan;

/// The fixed test day, 2026-03-02, at `h:m:s` UTC.
pub(crate) fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, s).unwrap()
}

/// A stable id derived from a small number, so expected values can be written literally.
pub(crate) fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The room most tests use.
pub(crate) fn room() -> Uuid {
    id(0x7200)
}

/// A stable event id derived from a UID, so tests can refer to events by UID.
pub(crate) fn event_id(uid: &str) -> Uuid {
    let mut n: u128 = 0xE000;
    for b in uid.bytes() {
        n = n.wrapping_mul(257).wrapping_add(u128::from(b));
    }
    Uuid::from_u128(n)
}

/// A timed, confirmed occurrence titled "Standup" in [`room`].
pub(crate) fn occurrence(uid: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Occurrence {
    Occurrence {
        event_id: event_id(uid),
        room_id: room(),
        uid: uid.to_string(),
        recurrence_id: None,
        title: Some("Standup".to_string()),
        start,
        end,
        all_day: false,
        cancelled: false,
        deleted: false,
    }
}

/// A fresh, active calendar meeting for `occ`, created at its lead time, nobody joined yet.
pub(crate) fn meeting_for(occ: &Occurrence) -> MeetingState {
    MeetingState {
        id: id(0x4d00 + u128::from(occ.event_id.as_u128() as u16)),
        room_id: occ.room_id,
        calendar_event_id: Some(occ.event_id),
        start: occ.start,
        end: occ.end,
        is_active: true,
        created_at: occ.start - chrono::Duration::minutes(1),
        ever_had_participants: false,
        participants_now: 0,
        last_participant_left_at: None,
        extended_minutes: 0,
    }
}

/// A fresh, active unscheduled meeting started at `created_at` with the default lifetime.
pub(crate) fn unscheduled(created_at: DateTime<Utc>) -> MeetingState {
    MeetingState {
        id: id(0x5500),
        room_id: room(),
        calendar_event_id: None,
        start: created_at,
        end: created_at + chrono::Duration::hours(8),
        is_active: true,
        created_at,
        ever_had_participants: false,
        participants_now: 0,
        last_participant_left_at: None,
        extended_minutes: 0,
    }
}

/// The plan expected for occurrence `uid` (built with [`occurrence`]) with copies `dups`.
pub(crate) fn plan(
    uid: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    dups: &[&str],
) -> PrecreatePlan {
    PrecreatePlan {
        event_id: event_id(uid),
        room_id: room(),
        start,
        end,
        duplicate_event_ids: dups.iter().map(|d| event_id(d)).collect(),
    }
}

/// A 10:00–10:30 calendar meeting: force-closed at 11:00 by default.
pub(crate) fn calendar() -> MeetingState {
    meeting_for(&occurrence("a", at(10, 0, 0), at(10, 30, 0)))
}

/// `m` with `n` people in it.
pub(crate) fn present(m: MeetingState, n: u32) -> MeetingState {
    MeetingState {
        ever_had_participants: true,
        participants_now: n,
        last_participant_left_at: None,
        ..m
    }
}

/// `m` after its last person left at `left`.
pub(crate) fn emptied(m: MeetingState, left: DateTime<Utc>) -> MeetingState {
    MeetingState {
        ever_had_participants: true,
        participants_now: 0,
        last_participant_left_at: Some(left),
        ..m
    }
}

/// Checks each named case's close decision under the default settings.
pub(crate) fn check(
    cases: &[(
        &str,
        MeetingState,
        DateTime<Utc>,
        Option<super::close::CloseReason>,
    )],
) {
    let s = super::model::LifecycleSettings::default();
    for (name, meeting, now, expected) in cases {
        assert_eq!(
            super::close::close_decision(meeting, &s, *now),
            *expected,
            "{name}"
        );
    }
}
