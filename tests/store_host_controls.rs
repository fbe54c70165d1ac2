//! Host controls' part of the store contract, on both databases: an occurrence has at
//! most one *active* meeting but may keep closed ones beside it (a reopened meeting),
//! the meeting of an occurrence is its active one, else its latest; extending adds
//! minutes up to a limit in one statement; "ended by host" reads back.

use chrono::Duration;
use roomcal::domain::{ClosedBecause, Meeting};
use roomcal::store::{Store, StoreError};
use std::sync::Arc;
use uuid::Uuid;

use crate::common::{event, room, t0};

on_both_backends!(
    an_occurrence_has_one_active_meeting_and_may_keep_closed_ones_beside_it,
    extending_a_meeting_adds_minutes_up_to_the_limit_and_never_past_it,
    a_meeting_ended_by_its_host_says_so,
);

/// An active meeting of occurrence `event_id` in `room_id`, made at `at`.
fn meeting_of(room_id: Uuid, event_id: Option<Uuid>, at: chrono::DateTime<chrono::Utc>) -> Meeting {
    let call = roomcal::domain::CallRoom {
        participant_url: format!("https://meet.example/{}", Uuid::new_v4()),
        host_url: None,
        platform_meeting_id: None,
    };
    Meeting::open(
        room_id,
        event_id,
        (t0(), t0() + Duration::hours(1)),
        "jitsi",
        call,
        at,
    )
}

async fn an_occurrence_has_one_active_meeting_and_may_keep_closed_ones_beside_it(
    store: Arc<dyn Store>,
) {
    let room_id = room(&store).await;
    let occ = event(room_id, "uid-1", t0(), 60);
    store.insert_calendar_event(&occ).await.unwrap();
    let first = meeting_of(room_id, Some(occ.id), t0());
    store.insert_meeting(&first, &[]).await.unwrap();
    assert_eq!(
        store.meeting_for_event(occ.id).await.unwrap().map(|m| m.id),
        Some(first.id)
    );
    let early = store
        .insert_meeting(&meeting_of(room_id, Some(occ.id), t0()), &[])
        .await;
    assert!(
        matches!(early, Err(StoreError::Conflict(_))),
        "two active meetings for one occurrence: {early:?}"
    );

    let closed_at = t0() + Duration::minutes(20);
    assert!(store
        .close_meeting(first.id, closed_at, ClosedBecause::Host, &[])
        .await
        .unwrap());
    // Reopened: a second meeting for the same occurrence, beside the closed one.
    let reopened = meeting_of(room_id, Some(occ.id), closed_at + Duration::minutes(1));
    store.insert_meeting(&reopened, &[]).await.unwrap();
    assert_eq!(
        store.meeting_for_event(occ.id).await.unwrap().map(|m| m.id),
        Some(reopened.id),
        "the active one is the occurrence's meeting"
    );
    let third = store
        .insert_meeting(
            &meeting_of(room_id, Some(occ.id), closed_at + Duration::minutes(2)),
            &[],
        )
        .await;
    assert!(matches!(third, Err(StoreError::Conflict(_))), "{third:?}");

    assert!(store
        .close_meeting(
            reopened.id,
            closed_at + Duration::minutes(5),
            ClosedBecause::Host,
            &[]
        )
        .await
        .unwrap());
    assert_eq!(
        store.meeting_for_event(occ.id).await.unwrap().map(|m| m.id),
        Some(reopened.id),
        "with none active, the latest closed one"
    );
    // The lifecycle still sees both closed meetings (so it never makes a third by itself).
    let seen: Vec<Uuid> = store
        .lifecycle_meetings(t0() + Duration::minutes(1), t0() + Duration::minutes(30))
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.calendar_event_id == Some(occ.id))
        .map(|m| m.id)
        .collect();
    assert_eq!(seen.len(), 2, "{seen:?}");
    // Unscheduled meetings were never limited by the index.
    for _ in 0..2 {
        store
            .insert_meeting(&meeting_of(room_id, None, t0()), &[])
            .await
            .unwrap();
    }
}

async fn extending_a_meeting_adds_minutes_up_to_the_limit_and_never_past_it(store: Arc<dyn Store>) {
    let room_id = room(&store).await;
    let m = meeting_of(room_id, None, t0());
    store.insert_meeting(&m, &[]).await.unwrap();
    assert_eq!(
        store.extend_meeting(m.id, 0, 30, 90, &[]).await.unwrap(),
        Some(30)
    );
    assert_eq!(
        store.extend_meeting(m.id, 30, 30, 90, &[]).await.unwrap(),
        Some(60)
    );
    assert_eq!(
        store.extend_meeting(m.id, 60, 45, 90, &[]).await.unwrap(),
        None,
        "60 + 45 passes 90"
    );
    assert_eq!(
        store.extend_meeting(m.id, 30, 30, 90, &[]).await.unwrap(),
        None,
        "another host took it from 30 to 60 already: read it again"
    );
    assert_eq!(
        store.extend_meeting(m.id, 60, 30, 90, &[]).await.unwrap(),
        Some(90)
    );
    assert_eq!(
        store.extend_meeting(m.id, 90, 1, 90, &[]).await.unwrap(),
        None
    );
    let stored = store.meeting_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(stored.extended_minutes, 90);
    // Kept when the lifecycle saves the meeting's presence and times.
    store.save_meeting_state(&stored, &[]).await.unwrap();
    assert_eq!(
        store
            .meeting_by_id(m.id)
            .await
            .unwrap()
            .unwrap()
            .extended_minutes,
        90
    );

    let other = meeting_of(room_id, None, t0());
    store.insert_meeting(&other, &[]).await.unwrap();
    store
        .close_meeting(other.id, t0(), ClosedBecause::Host, &[])
        .await
        .unwrap();
    assert_eq!(
        store
            .extend_meeting(other.id, 0, 30, 240, &[])
            .await
            .unwrap(),
        None,
        "a closed meeting is not kept open"
    );
    assert_eq!(
        store
            .extend_meeting(Uuid::new_v4(), 0, 30, 240, &[])
            .await
            .unwrap(),
        None
    );
}

async fn a_meeting_ended_by_its_host_says_so(store: Arc<dyn Store>) {
    let room_id = room(&store).await;
    let m = meeting_of(room_id, None, t0());
    store.insert_meeting(&m, &[]).await.unwrap();
    let at = t0() + Duration::minutes(3);
    assert!(store
        .close_meeting(m.id, at, ClosedBecause::Host, &[])
        .await
        .unwrap());
    assert!(
        !store
            .close_meeting(m.id, at, ClosedBecause::Host, &[])
            .await
            .unwrap(),
        "closed once"
    );
    let stored = store.meeting_by_id(m.id).await.unwrap().unwrap();
    assert!(!stored.is_active);
    assert_eq!(stored.close_reason, Some(ClosedBecause::Host));
    assert_eq!(stored.closed_at, Some(at));
}
