//! Room access and knocks on both databases: a room's access setting reads back, knocks
//! are found by id and by token hash, a decision is taken once, the per-address count
//! sees only pending knocks on active meetings, and knocks go with their meeting and room.

use crate::common::{room, t0};
use chrono::Duration;
use roomcal::domain::{CallRoom, EmailDomains, Knock, KnockState, Meeting, RoomAccess};
use roomcal::store::Store;
use std::sync::Arc;
use uuid::Uuid;

on_both_backends!(
    a_rooms_access_and_domains_read_back_as_saved,
    a_knock_is_found_by_its_id_and_by_its_meeting_and_token_hash_only,
    a_knock_is_decided_once_and_a_second_answer_changes_nothing,
    only_pending_knocks_on_active_meetings_count_against_an_address,
    knocks_go_with_their_meeting_and_their_room,
);

/// An active meeting in `room_id`, stored.
async fn meeting(store: &Arc<dyn Store>, room_id: Uuid) -> Meeting {
    let call = CallRoom {
        participant_url: "https://call.example/secret".into(),
        host_url: None,
        platform_meeting_id: None,
    };
    let meeting = Meeting::open(
        room_id,
        None,
        (t0(), t0() + Duration::hours(1)),
        "jitsi",
        call,
        t0(),
    );
    store.insert_meeting(&meeting, &[]).await.expect("meeting");
    meeting
}

/// A pending knock on `meeting` from `client_key`, stored.
async fn knock(store: &Arc<dyn Store>, meeting: &Meeting, hash: &str, client_key: &str) -> Knock {
    let knock = Knock {
        id: Uuid::new_v4(),
        room_id: meeting.room_id,
        meeting_id: meeting.id,
        name: "Grace".into(),
        token_hash: hash.into(),
        client_key: client_key.into(),
        state: KnockState::Pending,
        created_at: t0(),
        decided_at: None,
        decided_by: None,
    };
    store.insert_knock(&knock).await.expect("knock");
    knock
}

async fn a_rooms_access_and_domains_read_back_as_saved(store: Arc<dyn Store>) {
    let room_id = room(&store).await;
    let fresh = store.room_by_id(room_id).await.expect("q").expect("room");
    assert_eq!(fresh.access, RoomAccess::Open, "open by default");
    assert_eq!(fresh.access_email_domains, None);
    let domains = EmailDomains::parse("example.org, example.com").expect("ok");
    store
        .set_room_access(room_id, RoomAccess::Members, domains.as_ref())
        .await
        .expect("set");
    let saved = store.room_by_id(room_id).await.expect("q").expect("room");
    assert_eq!(saved.access, RoomAccess::Members);
    assert_eq!(saved.access_email_domains, domains);
    store
        .set_room_access(room_id, RoomAccess::Knock, None)
        .await
        .expect("set");
    let by_name = store
        .room_by_name(saved.name.as_str())
        .await
        .expect("q")
        .expect("room");
    assert_eq!(by_name.access, RoomAccess::Knock);
    assert_eq!(by_name.access_email_domains, None);
}

async fn a_knock_is_found_by_its_id_and_by_its_meeting_and_token_hash_only(store: Arc<dyn Store>) {
    let room_id = room(&store).await;
    let (one, two) = (
        meeting(&store, room_id).await,
        meeting(&store, room_id).await,
    );
    let made = knock(&store, &one, "hash-1", "10.0.0.1").await;
    assert_eq!(
        store.knock_by_id(made.id).await.expect("q"),
        Some(made.clone())
    );
    assert_eq!(
        store.knock_by_token(one.id, "hash-1").await.expect("q"),
        Some(made.clone())
    );
    assert_eq!(
        store.knock_by_token(two.id, "hash-1").await.expect("q"),
        None
    );
    assert_eq!(
        store.knock_by_token(one.id, "hash-2").await.expect("q"),
        None
    );
    let later = Knock {
        id: Uuid::new_v4(),
        token_hash: "hash-3".into(),
        created_at: t0() + Duration::seconds(5),
        ..made.clone()
    };
    store.insert_knock(&later).await.expect("insert");
    let listed = store.knocks_of_meeting(one.id).await.expect("q");
    assert_eq!(listed, vec![made, later], "oldest first");
    assert!(store.knocks_of_meeting(two.id).await.expect("q").is_empty());
}

async fn a_knock_is_decided_once_and_a_second_answer_changes_nothing(store: Arc<dyn Store>) {
    let room_id = room(&store).await;
    let m = meeting(&store, room_id).await;
    let made = knock(&store, &m, "hash-1", "10.0.0.1").await;
    let owner = store
        .room_by_id(room_id)
        .await
        .expect("q")
        .expect("room")
        .owner_id;
    let at = t0() + Duration::minutes(1);
    assert!(store
        .decide_knock(made.id, KnockState::Admitted, at, owner)
        .await
        .expect("decide"));
    assert!(!store
        .decide_knock(
            made.id,
            KnockState::Declined,
            at + Duration::minutes(1),
            owner
        )
        .await
        .expect("decide"));
    let decided = store.knock_by_id(made.id).await.expect("q").expect("knock");
    assert_eq!(decided.state, KnockState::Admitted);
    assert_eq!(decided.decided_at, Some(at));
    assert_eq!(decided.decided_by, Some(owner));
}

async fn only_pending_knocks_on_active_meetings_count_against_an_address(store: Arc<dyn Store>) {
    let room_id = room(&store).await;
    let (open, closing) = (
        meeting(&store, room_id).await,
        meeting(&store, room_id).await,
    );
    knock(&store, &open, "a", "10.0.0.1").await;
    let decided = knock(&store, &open, "b", "10.0.0.1").await;
    knock(&store, &closing, "c", "10.0.0.1").await;
    knock(&store, &open, "d", "10.0.0.2").await;
    assert_eq!(
        store
            .count_pending_knocks_from("10.0.0.1")
            .await
            .expect("q"),
        3
    );
    let owner = store
        .room_by_id(room_id)
        .await
        .expect("q")
        .expect("room")
        .owner_id;
    store
        .decide_knock(decided.id, KnockState::Declined, t0(), owner)
        .await
        .expect("decide");
    let reason =
        roomcal::domain::ClosedBecause::Rule(roomcal::lifecycle::CloseReason::LifetimeOver);
    store
        .close_meeting(closing.id, t0(), reason, &[])
        .await
        .expect("close");
    assert_eq!(
        store
            .count_pending_knocks_from("10.0.0.1")
            .await
            .expect("q"),
        1
    );
    assert_eq!(
        store
            .count_pending_knocks_from("10.0.0.2")
            .await
            .expect("q"),
        1
    );
    assert_eq!(
        store
            .count_pending_knocks_from("10.0.0.3")
            .await
            .expect("q"),
        0
    );
}

async fn knocks_go_with_their_meeting_and_their_room(store: Arc<dyn Store>) {
    let room_id = room(&store).await;
    let m = meeting(&store, room_id).await;
    let made = knock(&store, &m, "hash-1", "10.0.0.1").await;
    let reason =
        roomcal::domain::ClosedBecause::Rule(roomcal::lifecycle::CloseReason::LifetimeOver);
    store
        .close_meeting(m.id, t0(), reason, &[])
        .await
        .expect("close");
    let purged = store
        .purge_meetings_closed_before(t0() + Duration::days(1), 100)
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    assert_eq!(
        store.knock_by_id(made.id).await.expect("q"),
        None,
        "with its meeting"
    );
    let other = meeting(&store, room_id).await;
    let second = knock(&store, &other, "hash-2", "10.0.0.1").await;
    store.delete_room(room_id).await.expect("delete");
    assert_eq!(
        store.knock_by_id(second.id).await.expect("q"),
        None,
        "with its room"
    );
}
