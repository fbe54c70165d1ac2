//! The store contract: every test runs against SQLite and against PostgreSQL.

use chrono::{Duration, Utc};
use roomcal::domain::{CalendarEvent, DisplayName, Email, Meeting, PresenceRecord, RoomName};
use roomcal::lifecycle::PrivacyClass;
use roomcal::secret::Secret;
use roomcal::store::{NewRoom, NewUser, Store, StoreError};
use std::sync::Arc;
use uuid::Uuid;

use crate::common::{room_of as room, t0, user};

on_both_backends!(
    a_user_can_be_found_by_email_in_any_case,
    two_users_cannot_share_an_email_whatever_its_case,
    a_session_finds_its_user_until_it_expires,
    a_deleted_session_no_longer_signs_anyone_in,
    a_room_name_is_unique,
    rooms_are_listed_for_their_owner_only,
    several_meetings_can_be_active_in_one_room,
    a_calendar_occurrence_gets_at_most_one_meeting,
    the_database_answers_pings,
    a_stored_occurrence_reads_back_unchanged_and_is_unique_per_instance,
    due_rooms_are_claimed_by_one_instance_at_a_time,
    a_worker_lease_has_one_holder_until_it_expires,
    a_sync_result_never_overwrites_the_owners_settings,
    a_meetings_presence_lists_its_own_pages_with_their_latest_signal,
    occurrences_with_a_running_meeting_are_never_cut_by_the_lifecycle_limit,
);

fn meeting(room_id: Uuid, start: chrono::DateTime<Utc>) -> Meeting {
    Meeting {
        id: Uuid::new_v4(),
        room_id,
        calendar_event_id: None,
        calendar_metadata: None,
        start_time: start,
        end_time: start + Duration::hours(1),
        is_active: true,
        platform: "jitsi".into(),
        participant_url: format!("https://meet.example/{}", Uuid::new_v4()),
        host_url: None,
        platform_meeting_id: None,
        last_participant_left_at: None,
        created_at: start,
        ever_had_participants: false,
        participants_now: 0,
        closed_at: None,
        close_reason: None,
        started_by: None,
        extended_minutes: 0,
    }
}

async fn a_user_can_be_found_by_email_in_any_case(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let found = store
        .user_credentials_by_email("ADA@Example.com")
        .await
        .expect("query")
        .expect("found");
    assert_eq!(found.id, ada.id);
    assert_eq!(store.user_by_id(ada.id).await.expect("query"), Some(ada));
}

async fn two_users_cannot_share_an_email_whatever_its_case(store: Arc<dyn Store>) {
    user(&store, "ada@example.com").await;
    let second = store
        .insert_user(&NewUser {
            id: Uuid::new_v4(),
            email: Email::parse("ADA@example.com").expect("email"),
            display_name: DisplayName::parse("Other").expect("name"),
            password_hash: "x".into(),
            created_at: t0(),
        })
        .await;
    assert!(
        matches!(second, Err(StoreError::Conflict("email"))),
        "{second:?}"
    );
}

async fn a_session_finds_its_user_until_it_expires(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let expires = t0() + Duration::days(1);
    store
        .insert_session("hash-1", ada.id, t0(), expires, 50)
        .await
        .expect("insert session");
    let before = store
        .user_by_session("hash-1", expires - Duration::seconds(1))
        .await
        .expect("query");
    assert_eq!(before.map(|(u, _)| u.id), Some(ada.id));
    let at_expiry = store
        .user_by_session("hash-1", expires)
        .await
        .expect("query");
    assert_eq!(at_expiry, None);
    assert_eq!(
        store.user_by_session("other", t0()).await.expect("query"),
        None
    );
}

async fn a_deleted_session_no_longer_signs_anyone_in(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    store
        .insert_session("hash-2", ada.id, t0(), t0() + Duration::days(1), 50)
        .await
        .expect("insert session");
    store.delete_session("hash-2").await.expect("delete");
    assert_eq!(
        store.user_by_session("hash-2", t0()).await.expect("query"),
        None
    );
}

async fn a_room_name_is_unique(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let first = room(&store, ada.id, "standup").await;
    let again = store
        .insert_room(&NewRoom {
            id: Uuid::new_v4(),
            name: RoomName::parse("standup").expect("name"),
            owner_id: ada.id,
            created_at: t0(),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let found = store
        .room_by_name("standup")
        .await
        .expect("query")
        .expect("found");
    assert_eq!(found, first);
    assert_eq!(
        found.ics_fetch_interval_minutes, 5,
        "default fetch interval"
    );
    assert!(!found.ics_enabled, "calendar sync is off by default");
    assert_eq!(
        store.room_by_id(first.id).await.expect("query"),
        Some(first)
    );
}

async fn rooms_are_listed_for_their_owner_only(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let bob = user(&store, "bob@example.com").await;
    room(&store, ada.id, "zeta").await;
    room(&store, ada.id, "alpha").await;
    room(&store, bob.id, "bobs-room").await;
    let names: Vec<String> = store
        .rooms_owned_by(ada.id)
        .await
        .expect("query")
        .into_iter()
        .map(|r| r.name.to_string())
        .collect();
    assert_eq!(names, vec!["alpha", "zeta"]);
    assert_eq!(store.count_rooms_owned_by(ada.id).await.expect("count"), 2);
    assert_eq!(store.count_rooms_owned_by(bob.id).await.expect("count"), 1);
}

async fn several_meetings_can_be_active_in_one_room(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let r = room(&store, ada.id, "standup").await;
    let later = meeting(r.id, t0() + Duration::minutes(30));
    let earlier = meeting(r.id, t0());
    let mut closed = meeting(r.id, t0() - Duration::hours(2));
    closed.is_active = false;
    for m in [&later, &earlier, &closed] {
        store.insert_meeting(m, &[]).await.expect("insert meeting");
    }
    let active = store.active_meetings_in_room(r.id).await.expect("query");
    assert_eq!(
        active.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![earlier.id, later.id]
    );
    assert_eq!(
        store.meeting_by_id(earlier.id).await.expect("query"),
        Some(earlier)
    );
}

async fn a_calendar_occurrence_gets_at_most_one_meeting(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let r = room(&store, ada.id, "standup").await;
    let event = calendar_event(r.id, "uid-1", None);
    let event_id = event.id;
    store
        .insert_calendar_event(&event)
        .await
        .expect("insert event");
    let mut first = meeting(r.id, t0());
    first.calendar_event_id = Some(event_id);
    store
        .insert_meeting(&first, &[])
        .await
        .expect("first meeting");
    let mut second = meeting(r.id, t0());
    second.calendar_event_id = Some(event_id);
    let again = store.insert_meeting(&second, &[]).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

async fn the_database_answers_pings(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
}

fn calendar_event(
    room_id: Uuid,
    uid: &str,
    recurrence_id: Option<chrono::DateTime<Utc>>,
) -> CalendarEvent {
    CalendarEvent {
        id: Uuid::new_v4(),
        room_id,
        ics_uid: uid.into(),
        recurrence_id,
        title: Some("Standup".into()),
        description: Some("https://rooms.example/room/standup".into()),
        start_time: t0(),
        end_time: t0() + Duration::minutes(15),
        all_day: false,
        attendees: sqlx::types::Json(
            serde_json::json!([{"email": "ada@example.com", "partstat": "ACCEPTED"}]),
        ),
        organizer: Some(sqlx::types::Json(
            serde_json::json!({"email": "bob@example.com"}),
        )),
        location: None,
        status: Some("CONFIRMED".into()),
        sequence: Some(2),
        last_modified: Some(t0() - Duration::days(1)),
        privacy_class: Some(PrivacyClass::Private),
        last_synced: t0(),
        is_deleted: false,
        ics_raw_data: "BEGIN:VEVENT\r\nUID:uid-1\r\nEND:VEVENT".into(),
        conference_links: sqlx::types::Json(serde_json::json!(["https://meet.example/abc"])),
    }
}

async fn a_stored_occurrence_reads_back_unchanged_and_is_unique_per_instance(
    store: Arc<dyn Store>,
) {
    let ada = user(&store, "ada@example.com").await;
    let r = room(&store, ada.id, "standup").await;
    let single = calendar_event(r.id, "uid-1", None);
    store.insert_calendar_event(&single).await.expect("insert");
    assert_eq!(
        store.calendar_event_by_id(single.id).await.expect("query"),
        Some(single)
    );
    // A second single event with the same UID is the same occurrence: refused.
    let dup = store
        .insert_calendar_event(&calendar_event(r.id, "uid-1", None))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    // Instances of a series differ by recurrence id.
    for day in 0..2 {
        let instance = calendar_event(r.id, "series", Some(t0() + Duration::days(day)));
        store
            .insert_calendar_event(&instance)
            .await
            .expect("instance");
    }
    let dup = store
        .insert_calendar_event(&calendar_event(r.id, "series", Some(t0())))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
}

async fn due_rooms_are_claimed_by_one_instance_at_a_time(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let mut ids = Vec::new();
    for name in ["one", "two", "three"] {
        let r = room(&store, ada.id, name).await;
        let mut calendar = store.room_calendar(r.id).await.expect("q").expect("room");
        calendar.ics_url = Some("sealed".into());
        calendar.ics_enabled = true;
        store.save_room_calendar(&calendar).await.expect("save");
        ids.push(r.id);
    }
    let lease = t0() + Duration::minutes(2);
    let a = store
        .claim_due_rooms(t0(), "a", lease, 2)
        .await
        .expect("claim a");
    let b = store
        .claim_due_rooms(t0(), "b", lease, 10)
        .await
        .expect("claim b");
    assert_eq!((a.len(), b.len()), (2, 1));
    assert!(a.iter().all(|id| !b.contains(id)), "disjoint claims");
    assert!(store
        .claim_due_rooms(t0(), "c", lease, 10)
        .await
        .expect("c")
        .is_empty());
    assert!(!store
        .claim_room(a[0], t0(), "c", lease)
        .await
        .expect("manual"));
    store.release_room(a[0], "a").await.expect("release");
    assert!(store
        .claim_room(a[0], t0(), "c", lease)
        .await
        .expect("manual"));
    let after = lease + Duration::seconds(1);
    assert_eq!(
        store
            .claim_due_rooms(after, "d", after + Duration::minutes(2), 10)
            .await
            .expect("d")
            .len(),
        3
    );
}

async fn a_worker_lease_has_one_holder_until_it_expires(store: Arc<dyn Store>) {
    let until = t0() + Duration::seconds(30);
    assert!(store
        .claim_worker_lease("lifecycle", "a", t0(), until)
        .await
        .expect("a"));
    assert!(!store
        .claim_worker_lease("lifecycle", "b", t0(), until)
        .await
        .expect("b"));
    assert!(store
        .claim_worker_lease(
            "lifecycle",
            "a",
            t0() + Duration::seconds(10),
            until + Duration::seconds(10)
        )
        .await
        .expect("renew"));
    let later = until + Duration::seconds(11);
    assert!(store
        .claim_worker_lease("lifecycle", "b", later, later + Duration::seconds(30))
        .await
        .expect("take over"));
}

async fn a_sync_result_never_overwrites_the_owners_settings(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let r = room(&store, ada.id, "standup").await;
    // What the sync read when it started…
    let mut stale = store.room_calendar(r.id).await.expect("q").expect("room");
    stale.ics_url = Some("old-token".into());
    stale.ics_enabled = true;
    store.save_room_calendar(&stale).await.expect("save");
    // …then the owner changes the settings while the fetch runs.
    let mut owner = stale.clone();
    owner.ics_url = Some("new-token".into());
    owner.ics_fetch_interval_minutes = 30;
    owner.ics_enabled = false;
    store.save_room_calendar(&owner).await.expect("save");
    stale.ics_etag = Some("\"v1\"".into());
    stale.ics_last_sync = Some(t0());
    store
        .apply_sync(
            &roomcal::sync::SyncPlan::default(),
            &stale,
            t0(),
            &serde_json::json!({"status": "ok"}),
            &[],
        )
        .await
        .expect("apply");
    let after = store.room_calendar(r.id).await.expect("q").expect("room");
    assert_eq!(
        after.ics_url.as_ref().map(Secret::expose),
        Some("new-token")
    );
    assert_eq!(
        (after.ics_enabled, after.ics_fetch_interval_minutes),
        (false, 30)
    );
    assert_eq!(after.ics_etag.as_deref(), Some("\"v1\""));
    assert_eq!(after.ics_last_sync, Some(t0()));
    assert_eq!(store.sync_log(r.id, 50).await.expect("log").len(), 1);
}

async fn a_meetings_presence_lists_its_own_pages_with_their_latest_signal(store: Arc<dyn Store>) {
    let ada = user(&store, "ada@example.com").await;
    let r = room(&store, ada.id, "standup").await;
    let (here, elsewhere) = (meeting(r.id, t0()), meeting(r.id, t0()));
    for m in [&here, &elsewhere] {
        store.insert_meeting(m, &[]).await.expect("insert meeting");
    }
    let page = |meeting_id, participant: &str, name: &str, seen, left| PresenceRecord {
        meeting_id,
        participant_id: participant.into(),
        display_name: name.into(),
        user_id: (name == "Ada").then_some(ada.id),
        last_seen_at: seen,
        left_at: left,
    };
    let later = t0() + Duration::seconds(15);
    for record in [
        page(here.id, "page-zed-1", "Zed", t0(), None),
        page(here.id, "page-ada-1", "Ada", t0(), None),
        page(here.id, "page-ada-1", "Ada", later, None),
        page(here.id, "page-zed-1", "Zed", later, Some(later)),
        page(elsewhere.id, "page-other", "Other", t0(), None),
    ] {
        store
            .record_presence(&record, record.last_seen_at, &[])
            .await
            .expect("record presence");
    }
    let listed = store.presence_of_meeting(here.id).await.expect("presence");
    assert_eq!(
        listed,
        vec![
            page(here.id, "page-ada-1", "Ada", later, None),
            page(here.id, "page-zed-1", "Zed", later, Some(later)),
        ]
    );
}

async fn occurrences_with_a_running_meeting_are_never_cut_by_the_lifecycle_limit(
    store: Arc<dyn Store>,
) {
    let ada = user(&store, "ada@example.com").await;
    let r = room(&store, ada.id, "standup").await;
    // An occurrence starting first, without a meeting yet; one that started later and
    // has a running meeting.
    let waiting = calendar_event(r.id, "waiting", None);
    let mut running = calendar_event(r.id, "running", None);
    running.start_time = t0() + Duration::minutes(5);
    running.end_time = t0() + Duration::minutes(50);
    for e in [&waiting, &running] {
        store.insert_calendar_event(e).await.expect("insert event");
    }
    let mut meeting = meeting(r.id, running.start_time);
    meeting.calendar_event_id = Some(running.id);
    store
        .insert_meeting(&meeting, &[])
        .await
        .expect("insert meeting");

    let now = t0() + Duration::minutes(6);
    let horizon = now + Duration::minutes(30);
    let first = store
        .lifecycle_events(horizon, now, 1)
        .await
        .expect("lifecycle events");
    assert_eq!(first.iter().map(|e| e.id).collect::<Vec<_>>(), [running.id]);
    let both = store
        .lifecycle_events(horizon, now, 10)
        .await
        .expect("lifecycle events");
    assert_eq!(
        both.iter().map(|e| e.id).collect::<Vec<_>>(),
        [running.id, waiting.id]
    );
}
