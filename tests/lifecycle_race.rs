//! Several instances running the lifecycle over one PostgreSQL database, 1,000 occurrences:
//! never two meetings for one occurrence, whether the lease keeps them apart or they race.

use crate::common::{event, room, t0};
use async_trait::async_trait;
use chrono::Duration;
use roomcal::platform::{CallRequest, CallRoom, PlatformError, VideoPlatform};
use roomcal::services::lifecycle_step::{run_lifecycle_step, run_lifecycle_work};
use roomcal::store::Store;
use roomcal::Core;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// 1,000 occurrences starting a minute after `t0`, 50 ms apart, in a new room.
async fn thousand_occurrences(store: &Arc<dyn Store>) -> Uuid {
    let room_id = room(store).await;
    let start = t0() + Duration::minutes(1);
    for i in 0..1000 {
        // Distinct titles: these are not aggregated duplicates of each other.
        let e = event(
            room_id,
            &format!("occ-{i}"),
            start + Duration::milliseconds(i * 50),
            30,
        );
        store.insert_calendar_event(&e).await.expect("event");
    }
    room_id
}

/// Asserts the room has exactly one active meeting per occurrence.
async fn assert_one_meeting_per_occurrence(store: &Arc<dyn Store>, room_id: Uuid) {
    let meetings = store
        .active_meetings_in_room(room_id)
        .await
        .expect("meetings");
    let mut linked: Vec<Uuid> = meetings
        .iter()
        .filter_map(|m| m.calendar_event_id)
        .collect();
    assert_eq!(linked.len(), 1000, "one meeting per occurrence");
    linked.sort();
    linked.dedup();
    assert_eq!(linked.len(), 1000, "never two for one occurrence");
}

#[tokio::test]
async fn two_lifecycle_loops_on_one_postgres_create_exactly_one_meeting_per_occurrence() {
    let Some(store) = crate::common::postgres_store().await else {
        return;
    };
    let room_id = thousand_occurrences(&store).await;
    // Two instances (their own syncers, so their own lease names) over one database.
    let a = crate::common::test_core(store.clone());
    let b = crate::common::test_core(store.clone());
    let run = |core: Core| async move {
        let mut now = t0();
        // Lease hand-overs make some steps skip; enough steps for all the work.
        for _ in 0..200 {
            run_lifecycle_step(&core, now, 100).await.expect("step");
            now += Duration::seconds(10);
        }
    };
    tokio::join!(run(a), run(b));
    assert_one_meeting_per_occurrence(&store, room_id).await;
}

/// A video platform that counts the calls it creates and ends (Jitsi underneath).
struct CountingPlatform {
    /// Calls created.
    created: AtomicUsize,
    /// Calls ended.
    ended: AtomicUsize,
}

#[async_trait]
impl VideoPlatform for CountingPlatform {
    fn name(&self) -> &'static str {
        "jitsi"
    }

    async fn create_call(&self, request: &CallRequest) -> Result<CallRoom, PlatformError> {
        self.created.fetch_add(1, Ordering::SeqCst);
        roomcal::platform::JitsiPlatform::new("http://127.0.0.1:9/call")
            .create_call(request)
            .await
    }

    async fn end_call(&self, _call: &CallRoom) -> Result<(), PlatformError> {
        self.ended.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_racing_without_the_lease_still_create_one_meeting_per_occurrence() {
    let Some(store) = crate::common::postgres_store().await else {
        return;
    };
    let room_id = thousand_occurrences(&store).await;
    let platform = Arc::new(CountingPlatform {
        created: AtomicUsize::new(0),
        ended: AtomicUsize::new(0),
    });
    let instance = || Core {
        platform: platform.clone(),
        ..crate::common::test_core(store.clone())
    };
    // Both instances work every tick at the same instants, as if the lease had expired
    // under a slow tick: each sees the same occurrences due and tries to create them.
    let run = |core: Core| async move {
        let mut now = t0();
        for _ in 0..40 {
            run_lifecycle_work(&core, now, 100).await.expect("work");
            now += Duration::seconds(10);
        }
    };
    let (a, b) = tokio::join!(tokio::spawn(run(instance())), tokio::spawn(run(instance())));
    a.expect("instance a");
    b.expect("instance b");
    assert_one_meeting_per_occurrence(&store, room_id).await;
    // Every call made by the loser of a race was ended again.
    let created = platform.created.load(Ordering::SeqCst);
    let ended = platform.ended.load(Ordering::SeqCst);
    assert!(
        ended > 0,
        "the instances never raced, so this proves nothing"
    );
    assert_eq!(created - ended, 1000, "created {created}, ended {ended}");
}
