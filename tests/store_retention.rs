//! Retention on both databases: sessions beyond the per-account cap and expired ones,
//! closed meetings and ended occurrences older than the retention are deleted; younger
//! and live rows, and rows the product still needs, stay. `now` is injected throughout.

use crate::common::{event, room, t0, test_core};
use chrono::{DateTime, Duration, Utc};
use roomcal::domain::{CalendarEvent, DisplayName, Email, Meeting, PresenceRecord};
use roomcal::services::accounts::MAX_SESSIONS_PER_ACCOUNT;
use roomcal::services::retention::{purge_expired, Purged};
use roomcal::store::{NewUser, Store};
use std::sync::Arc;
use uuid::Uuid;

on_both_backends!(
    a_sign_in_beyond_the_cap_signs_out_the_oldest_sessions_of_that_account_only,
    a_new_session_is_kept_even_when_every_session_was_made_at_the_same_instant,
    expired_sessions_are_pruned_in_batches_and_live_ones_stay,
    meetings_closed_before_the_retention_go_with_their_presence_and_the_rest_stay,
    occurrences_ended_before_the_retention_go_unless_a_meeting_names_them,
    the_purge_keeps_what_the_sync_still_reads_whatever_the_retention,
);

async fn account(store: &Arc<dyn Store>) -> Uuid {
    store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse(&format!("{}@example.com", Uuid::new_v4())).expect("email"),
            display_name: DisplayName::parse("Ada").expect("name"),
            password_hash: "x".into(),
            created_at: t0(),
        })
        .await
        .expect("user")
        .id
}

async fn signed_in(store: &Arc<dyn Store>, hash: &str, at: DateTime<Utc>) -> bool {
    store
        .user_by_session(hash, at)
        .await
        .expect("query")
        .is_some()
}

async fn a_sign_in_beyond_the_cap_signs_out_the_oldest_sessions_of_that_account_only(
    store: Arc<dyn Store>,
) {
    let (ada, bob) = (account(&store).await, account(&store).await);
    let cap = MAX_SESSIONS_PER_ACCOUNT;
    let expires = t0() + Duration::days(30);
    store
        .insert_session("bob", bob, t0(), expires, cap)
        .await
        .expect("bob");
    for i in 0..=cap {
        let at = t0() + Duration::seconds(i64::from(i));
        store
            .insert_session(&format!("ada-{i}"), ada, at, expires, cap)
            .await
            .expect("session");
    }
    let now = t0() + Duration::hours(1);
    assert!(!signed_in(&store, "ada-0", now).await, "the oldest is out");
    for i in 1..=cap {
        assert!(signed_in(&store, &format!("ada-{i}"), now).await, "ada-{i}");
    }
    assert!(
        signed_in(&store, "bob", now).await,
        "another account keeps its own"
    );
}

async fn a_new_session_is_kept_even_when_every_session_was_made_at_the_same_instant(
    store: Arc<dyn Store>,
) {
    let ada = account(&store).await;
    let expires = t0() + Duration::days(30);
    for i in 0..4 {
        store
            .insert_session(&format!("s-{i}"), ada, t0(), expires, 2)
            .await
            .expect("session");
        assert!(signed_in(&store, &format!("s-{i}"), t0()).await, "s-{i}");
    }
    let mut live = 0;
    for i in 0..4 {
        live += usize::from(signed_in(&store, &format!("s-{i}"), t0()).await);
    }
    assert_eq!(live, 2);
}

async fn expired_sessions_are_pruned_in_batches_and_live_ones_stay(store: Arc<dyn Store>) {
    let ada = account(&store).await;
    for i in 0..3 {
        store
            .insert_session(
                &format!("old-{i}"),
                ada,
                t0(),
                t0() + Duration::hours(1),
                50,
            )
            .await
            .expect("expiring");
    }
    store
        .insert_session("live", ada, t0(), t0() + Duration::days(30), 50)
        .await
        .expect("live");
    let now = t0() + Duration::hours(2);
    assert_eq!(
        store.prune_expired_sessions(now, 2).await.expect("prune"),
        2
    );
    assert_eq!(
        store.prune_expired_sessions(now, 2).await.expect("prune"),
        1
    );
    assert_eq!(
        store.prune_expired_sessions(now, 2).await.expect("prune"),
        0
    );
    assert!(signed_in(&store, "live", now).await);
}

fn meeting(room_id: Uuid, event: Option<Uuid>, closed: Option<DateTime<Utc>>) -> Meeting {
    let start = closed.unwrap_or(t0()) - Duration::hours(1);
    Meeting {
        id: Uuid::new_v4(),
        room_id,
        calendar_event_id: event,
        calendar_metadata: None,
        start_time: start,
        end_time: start + Duration::hours(1),
        is_active: closed.is_none(),
        platform: "jitsi".into(),
        participant_url: format!("https://meet.example/{}", Uuid::new_v4()),
        host_url: None,
        platform_meeting_id: None,
        last_participant_left_at: None,
        created_at: start,
        ever_had_participants: false,
        participants_now: 0,
        closed_at: closed,
        close_reason: None,
        started_by: None,
        extended_minutes: 0,
    }
}

async fn exists(store: &Arc<dyn Store>, m: &Meeting) -> bool {
    store.meeting_by_id(m.id).await.expect("query").is_some()
}

async fn meetings_closed_before_the_retention_go_with_their_presence_and_the_rest_stay(
    store: Arc<dyn Store>,
) {
    let r = room(&store).await;
    let now = t0();
    let retention = Duration::days(90);
    let old = now - Duration::days(100);
    // An occurrence long over, and one still to come (it was moved after its meeting closed).
    let over = event(r, "over", old - Duration::hours(1), 60);
    let coming = event(r, "coming", now + Duration::days(1), 60);
    for e in [&over, &coming] {
        store.insert_calendar_event(e).await.expect("event");
    }
    let gone_unscheduled = meeting(r, None, Some(old));
    let gone_scheduled = meeting(r, Some(over.id), Some(old));
    let young = meeting(r, None, Some(now - Duration::days(10)));
    let active_for_long = Meeting {
        start_time: old,
        created_at: old,
        ..meeting(r, None, None)
    };
    let blocks_its_occurrence = meeting(r, Some(coming.id), Some(old));
    let all = [
        &gone_unscheduled,
        &gone_scheduled,
        &young,
        &active_for_long,
        &blocks_its_occurrence,
    ];
    for m in all {
        store.insert_meeting(m, &[]).await.expect("meeting");
    }
    let page = PresenceRecord {
        meeting_id: gone_unscheduled.id,
        participant_id: "page-1".into(),
        display_name: "Ada".into(),
        user_id: None,
        last_seen_at: old,
        left_at: Some(old),
    };
    store
        .record_presence(&page, old, &[])
        .await
        .expect("presence");

    let before = now - retention;
    assert_eq!(
        store
            .purge_meetings_closed_before(before, 1)
            .await
            .expect("purge"),
        1,
        "one batch of one"
    );
    assert_eq!(
        store
            .purge_meetings_closed_before(before, 100)
            .await
            .expect("purge"),
        1
    );
    assert!(!exists(&store, &gone_unscheduled).await);
    assert!(!exists(&store, &gone_scheduled).await);
    assert!(exists(&store, &young).await, "closed 10 days ago");
    assert!(exists(&store, &active_for_long).await, "still open");
    assert!(
        exists(&store, &blocks_its_occurrence).await,
        "its occurrence is ahead"
    );
    let presence = store
        .presence_of_meeting(gone_unscheduled.id)
        .await
        .expect("presence");
    assert_eq!(presence, vec![]);
}

async fn occurrences_ended_before_the_retention_go_unless_a_meeting_names_them(
    store: Arc<dyn Store>,
) {
    let r = room(&store).await;
    let now = t0();
    let old = now - Duration::days(100);
    let ended = event(r, "ended", old, 60);
    let deleted = soft_deleted(event(r, "deleted", old, 60));
    let named = event(r, "named", old, 60);
    let young = event(r, "young", now - Duration::days(10), 60);
    let ahead = soft_deleted(event(r, "ahead", now + Duration::days(3), 60));
    for e in [&ended, &deleted, &named, &young, &ahead] {
        store.insert_calendar_event(e).await.expect("event");
    }
    // A meeting still open on an occurrence long over (its overrun is the lifecycle's call).
    store
        .insert_meeting(&meeting(r, Some(named.id), None), &[])
        .await
        .expect("meeting");

    let before = now - Duration::days(90);
    assert_eq!(
        store
            .purge_occurrences_ended_before(before, 100)
            .await
            .expect("purge"),
        2
    );
    let kept = |e: &CalendarEvent| {
        let (store, id) = (store.clone(), e.id);
        async move {
            store
                .calendar_event_by_id(id)
                .await
                .expect("query")
                .is_some()
        }
    };
    assert!(!kept(&ended).await);
    assert!(!kept(&deleted).await);
    assert!(kept(&named).await, "a meeting names it");
    assert!(kept(&young).await, "ended 10 days ago");
    assert!(kept(&ahead).await, "deleted but still ahead");
}

/// The occurrence, soft-deleted (gone from its feed).
fn soft_deleted(e: CalendarEvent) -> CalendarEvent {
    CalendarEvent {
        is_deleted: true,
        ..e
    }
}

async fn the_purge_keeps_what_the_sync_still_reads_whatever_the_retention(store: Arc<dyn Store>) {
    let mut core = test_core(store.clone());
    core.settings.retention = Duration::days(1);
    let r = room(&store).await;
    let now = t0();
    // Ended three days ago: past the retention, but the sync still compares it (a week
    // before its window), so it stays; ended ten days ago, it goes.
    let recent = event(r, "recent", now - Duration::days(3), 60);
    let past = event(r, "past", now - Duration::days(10), 60);
    for e in [&recent, &past] {
        store.insert_calendar_event(e).await.expect("event");
    }
    let closed = meeting(r, None, Some(now - Duration::days(2)));
    store.insert_meeting(&closed, &[]).await.expect("meeting");
    let ada = account(&store).await;
    store
        .insert_session(
            "expired",
            ada,
            now - Duration::days(31),
            now - Duration::days(1),
            50,
        )
        .await
        .expect("session");

    let purged = purge_expired(&core, now, 100).await.expect("purge");
    assert_eq!(
        purged,
        Purged {
            meetings: 1,
            occurrences: 1,
            sessions: 1,
            limit_windows: 0,
            webhook_deliveries: 0,
        }
    );
    assert!(store
        .calendar_event_by_id(recent.id)
        .await
        .expect("query")
        .is_some());
    assert_eq!(
        purge_expired(&core, now, 100).await.expect("again"),
        Purged::default()
    );
}
