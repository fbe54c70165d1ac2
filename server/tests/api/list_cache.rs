//! The short memo of rooms' meeting lists (`--list-cache`): guests polling a room share one
//! read, the owner is always read fresh, and nothing of the owner's view reaches a guest.

use crate::helpers::{new_client, spawn_app_with};
use serde_json::{json, Value};

/// The room's list as an anonymous visitor gets it.
async fn guest_list(app: &crate::helpers::TestApp, room: &str) -> Value {
    new_client()
        .get(app.url(&format!("/v1/rooms/{room}/meetings")))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json")
}

/// A guest's meeting page announces itself in meeting `id`.
async fn guest_joins(app: &crate::helpers::TestApp, id: &str) {
    let joined = new_client()
        .post(app.url(&format!("/v1/meetings/{id}/presence")))
        .json(&json!({"participant_id": "page-0001", "event": "join"}))
        .send()
        .await
        .expect("join");
    assert_eq!(joined.status(), 204);
}

#[tokio::test]
async fn guests_share_a_remembered_list_while_the_owner_always_sees_the_room_as_it_is() {
    // An hour-long memo, so "still remembered" does not depend on how fast this runs.
    let app = spawn_app_with(&[
        "--allow-private-feeds",
        "--allow-http-feeds",
        "--list-cache",
        "1h",
    ])
    .await;
    let id = app.owner_with_meeting("huddle").await;
    let before = guest_list(&app, "huddle").await;
    assert_eq!(before[0]["participants_now"], 0);

    // Someone is written into the room behind the services' back: no change is announced,
    // so nothing tells the memo to forget.
    let now = chrono::Utc::now();
    let record = roomcal::domain::PresenceRecord {
        meeting_id: id.parse().expect("uuid"),
        participant_id: "quiet-page-1".into(),
        display_name: "Quiet".into(),
        user_id: None,
        last_seen_at: now,
        left_at: None,
    };
    app.core
        .store
        .record_presence(&record, now, &[])
        .await
        .expect("presence");

    // Guests get the list read before; the owner sees the person now, by name.
    assert_eq!(guest_list(&app, "huddle").await, before);
    let owners: Value = app
        .get("/v1/rooms/huddle/meetings")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(owners[0]["participants_now"], 1);
    assert!(owners[0]["owner"]["present"].is_array(), "{owners}");
    // …and reading the owner's view did not put it where guests are served from.
    let after = guest_list(&app, "huddle").await;
    assert!(after[0].get("owner").is_none(), "{after}");
}

#[tokio::test]
async fn a_join_announced_to_live_pages_is_what_guests_read_next_even_with_the_memo_on() {
    let app = spawn_app_with(&[
        "--allow-private-feeds",
        "--allow-http-feeds",
        "--list-cache",
        "1h",
    ])
    .await;
    let id = app.owner_with_meeting("huddle").await;
    assert_eq!(guest_list(&app, "huddle").await[0]["participants_now"], 0);
    guest_joins(&app, &id).await;
    assert_eq!(guest_list(&app, "huddle").await[0]["participants_now"], 1);
}

#[tokio::test]
async fn with_the_memo_off_a_guest_sees_a_join_at_once() {
    let app = spawn_app_with(&[
        "--allow-private-feeds",
        "--allow-http-feeds",
        "--list-cache",
        "0s",
    ])
    .await;
    let id = app.owner_with_meeting("huddle").await;
    assert_eq!(guest_list(&app, "huddle").await[0]["participants_now"], 0);
    guest_joins(&app, &id).await;
    assert_eq!(guest_list(&app, "huddle").await[0]["participants_now"], 1);
}
