//! Table tests of [`plan_sync`]: create, update, soft-delete, restore, and the past kept.

use super::{plan_sync, to_row};
use crate::calendar::Occurrence;
use crate::domain::CalendarEvent;
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("instant")
}

fn occ(uid: &str, start_in_minutes: i64, title: &str) -> Occurrence {
    let start = now() + Duration::minutes(start_in_minutes);
    Occurrence {
        uid: uid.into(),
        recurrence_id: None,
        start,
        end: start + Duration::minutes(30),
        all_day: false,
        floating: false,
        start_date: None,
        end_date: None,
        summary: Some(title.into()),
        description: Some("https://rooms.example/room/standup".into()),
        location: None,
        url: None,
        status: Some("CONFIRMED".into()),
        sequence: Some(0),
        last_modified: None,
        class: None,
        organizer: None,
        attendees: Vec::new(),
        conference_links: Vec::new(),
        raw: format!("BEGIN:VEVENT\r\nUID:{uid}\r\nEND:VEVENT"),
    }
}

fn stored(room: Uuid, o: &Occurrence) -> CalendarEvent {
    CalendarEvent {
        id: Uuid::new_v4(),
        ..to_row(room, o, now() - Duration::hours(1))
    }
}

#[test]
fn a_new_occurrence_is_created() {
    let room = Uuid::new_v4();
    let plan = plan_sync(
        room,
        &[],
        &[occ("a", 60, "Standup")],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan.inserts.len(), 1);
    assert_eq!(plan.inserts[0].title.as_deref(), Some("Standup"));
    assert!(plan.updates.is_empty() && plan.soft_deletes.is_empty());
}

#[test]
fn an_unchanged_occurrence_is_not_rewritten() {
    let room = Uuid::new_v4();
    let o = occ("a", 60, "Standup");
    let plan = plan_sync(
        room,
        &[stored(room, &o)],
        &[o],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan, Default::default());
}

#[test]
fn a_renamed_or_moved_future_occurrence_is_updated_in_place() {
    let room = Uuid::new_v4();
    let row = stored(room, &occ("a", 60, "Standup"));
    let moved = occ("a", 90, "Standup (moved)");
    let plan = plan_sync(
        room,
        std::slice::from_ref(&row),
        &[moved],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan.updates.len(), 1);
    assert_eq!(plan.updates[0].id, row.id, "same row, updated");
    assert_eq!(plan.updates[0].start_time, now() + Duration::minutes(90));
}

#[test]
fn a_future_occurrence_gone_from_the_feed_is_soft_deleted() {
    let room = Uuid::new_v4();
    let row = stored(room, &occ("a", 60, "Standup"));
    let plan = plan_sync(
        room,
        std::slice::from_ref(&row),
        &[],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan.soft_deletes, vec![row.id]);
}

#[test]
fn a_cancelled_occurrence_is_soft_deleted() {
    let room = Uuid::new_v4();
    let row = stored(room, &occ("a", 60, "Standup"));
    let mut cancelled = occ("a", 60, "Standup");
    cancelled.status = Some("CANCELLED".into());
    let plan = plan_sync(
        room,
        std::slice::from_ref(&row),
        &[cancelled],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan.soft_deletes, vec![row.id]);
    assert!(plan.inserts.is_empty());
}

#[test]
fn an_occurrence_that_already_started_is_never_touched() {
    let room = Uuid::new_v4();
    let started = stored(room, &occ("a", -10, "Standup"));
    // Gone from the feed: kept.
    let plan = plan_sync(
        room,
        std::slice::from_ref(&started),
        &[],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan, Default::default());
    // Changed in the feed: kept as it was.
    let plan = plan_sync(
        room,
        &[started],
        &[occ("a", -10, "Renamed")],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan, Default::default());
}

#[test]
fn a_soft_deleted_occurrence_that_comes_back_is_restored() {
    let room = Uuid::new_v4();
    let o = occ("a", 60, "Standup");
    let mut row = stored(room, &o);
    row.is_deleted = true;
    let plan = plan_sync(
        room,
        std::slice::from_ref(&row),
        &[o],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan.restored, 1);
    assert_eq!(plan.updates.len(), 1);
    assert_eq!(plan.updates[0].id, row.id);
    assert!(!plan.updates[0].is_deleted);
}

#[test]
fn occurrences_beyond_the_window_are_left_alone() {
    let room = Uuid::new_v4();
    let far = stored(room, &occ("far", 60 * 48, "Later"));
    let plan = plan_sync(room, &[far], &[], now(), now() + Duration::hours(24));
    assert!(plan.soft_deletes.is_empty());
}

#[test]
fn instances_of_a_series_are_distinct_occurrences() {
    let room = Uuid::new_v4();
    let mut first = occ("series", 60, "Weekly");
    first.recurrence_id = Some(first.start);
    let mut second = occ("series", 60 * 20, "Weekly");
    second.recurrence_id = Some(second.start);
    let plan = plan_sync(
        room,
        &[],
        &[first, second],
        now(),
        now() + Duration::hours(24),
    );
    assert_eq!(plan.inserts.len(), 2);
}
