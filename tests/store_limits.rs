//! The shared limits' part of the store contract, on both databases: windowed counters
//! every instance counts in, and scope locks two instances on one PostgreSQL take turns
//! for.

use chrono::{Duration, TimeZone, Utc};
use roomcal::store::{self, Store};
use std::sync::Arc;
use uuid::Uuid;

on_both_backends!(
    a_windows_count_is_one_row_counted_up_given_back_and_forgotten,
    ended_windows_are_pruned_and_current_ones_kept,
);

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid instant")
}

async fn a_windows_count_is_one_row_counted_up_given_back_and_forgotten(store: Arc<dyn Store>) {
    let end = t0() + Duration::minutes(15);
    for expected in 1..=3 {
        let count = store
            .count_event("login/ada", t0(), end)
            .await
            .expect("count");
        assert_eq!(count, expected);
    }
    store
        .uncount_event("login/ada", t0())
        .await
        .expect("uncount");
    assert_eq!(
        store
            .count_event("login/ada", t0(), end)
            .await
            .expect("count"),
        3
    );
    assert_eq!(
        store
            .count_event("login/bob", t0(), end)
            .await
            .expect("count"),
        1,
        "another key has its own count"
    );
    assert_eq!(
        store
            .count_event("login/ada", end, end + Duration::minutes(15))
            .await
            .expect("count"),
        1,
        "the next window starts from nothing"
    );
    store.forget_events("login/ada").await.expect("forget");
    assert_eq!(
        store
            .count_event("login/ada", t0(), end)
            .await
            .expect("count"),
        1
    );
    assert_eq!(
        store
            .count_event("login/bob", t0(), end)
            .await
            .expect("count"),
        2
    );
}

async fn ended_windows_are_pruned_and_current_ones_kept(store: Arc<dyn Store>) {
    let end = t0() + Duration::minutes(1);
    store.count_event("old", t0(), end).await.expect("count");
    store
        .count_event("current", end, end + Duration::minutes(1))
        .await
        .expect("count");
    assert_eq!(store.prune_event_windows(end).await.expect("prune"), 1);
    assert_eq!(
        store
            .count_event("current", end, end + Duration::minutes(1))
            .await
            .expect("count"),
        2
    );
    assert_eq!(store.count_event("old", t0(), end).await.expect("count"), 1);
}

#[tokio::test]
async fn two_instances_on_one_postgresql_take_turns_for_a_scope() {
    let Some(url) = crate::common::postgres_database_url().await else {
        return;
    };
    let first: Arc<dyn Store> = store::open(&url).await.expect("open");
    first.migrate().await.expect("migrate");
    let second: Arc<dyn Store> = store::open(&url).await.expect("open");
    let room = Uuid::new_v4();
    let wait = std::time::Duration::from_millis(300);
    let held = first.lock_scope(room, wait).await.expect("lock");
    assert!(held.is_some(), "a free scope is had at once");
    assert!(
        second.lock_scope(room, wait).await.expect("lock").is_none(),
        "the other instance waits, then is told it is busy"
    );
    assert!(
        second
            .lock_scope(Uuid::new_v4(), wait)
            .await
            .expect("lock")
            .is_some(),
        "other scopes are not held up"
    );
    drop(held);
    assert!(
        second
            .lock_scope(room, std::time::Duration::from_secs(5))
            .await
            .expect("lock")
            .is_some(),
        "released when its holder drops it"
    );
}
