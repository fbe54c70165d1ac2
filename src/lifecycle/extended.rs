//! The close rule with host extensions ("Keep open 30 minutes longer"), checked with
//! literal instants: the force-close moves by the extension, the grace clock does not.

use super::close::{force_close_at, CloseReason};
use super::model::{LifecycleSettings, MeetingState};
use super::testkit::{at, calendar, check, emptied, present, unscheduled};

fn extended(m: MeetingState, minutes: u32) -> MeetingState {
    MeetingState {
        extended_minutes: minutes,
        ..m
    }
}

#[test]
fn keeping_a_calendar_meeting_open_longer_moves_its_force_close_by_as_much() {
    // 10:00–10:30, force-closed at 11:00; kept open 30 minutes longer twice: 12:00.
    check(&[
        (
            "extended once, at the old deadline",
            extended(present(calendar(), 2), 30),
            at(11, 0, 0),
            None,
        ),
        (
            "extended once, a second before the new deadline",
            extended(present(calendar(), 2), 30),
            at(11, 29, 59),
            None,
        ),
        (
            "extended once, at the new deadline",
            extended(present(calendar(), 2), 30),
            at(11, 30, 0),
            Some(CloseReason::CalendarOverrun),
        ),
        (
            "extended twice, still open at 11:59:59",
            extended(present(calendar(), 2), 60),
            at(11, 59, 59),
            None,
        ),
        (
            "extended twice, closed at 12:00",
            extended(present(calendar(), 2), 60),
            at(12, 0, 0),
            Some(CloseReason::CalendarOverrun),
        ),
    ]);
    let s = LifecycleSettings::default();
    assert_eq!(force_close_at(&extended(calendar(), 60), &s), at(12, 0, 0));
}

#[test]
fn keeping_an_unscheduled_meeting_open_longer_moves_its_lifetime() {
    let m = extended(present(unscheduled(at(9, 0, 0)), 1), 30);
    check(&[
        ("at the old lifetime", m.clone(), at(17, 0, 0), None),
        (
            "at the moved lifetime",
            m,
            at(17, 30, 0),
            Some(CloseReason::LifetimeOver),
        ),
    ]);
}

#[test]
fn an_extended_meeting_everyone_left_still_closes_after_the_grace_period() {
    check(&[(
        "left at 10:40, kept open an hour longer",
        extended(emptied(calendar(), at(10, 40, 0)), 60),
        at(10, 55, 0),
        Some(CloseReason::GracePeriodOver),
    )]);
}
