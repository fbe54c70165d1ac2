//! Joining, waiting, presence and closing through the API, with the lifecycle step run
//! directly at chosen instants.

use crate::feed_server;
use crate::helpers::{ics, new_client, spawn_app, Ev, TestApp};
use chrono::{Duration, Utc};
use roomcal::lifecycle_step::run_lifecycle_step;
use serde_json::{json, Value};

#[tokio::test]
async fn an_occurrence_in_the_upcoming_window_is_joined_early_then_joined_once_its_meeting_exists()
{
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room = app.room_with_feed("early", &feeds.url("/feed/main")).await;
    let start = Utc::now() + Duration::minutes(10);
    let url = app.room_url("early");
    feeds.set(
        "main",
        ics(&[
            Ev {
                uid: "soon",
                start,
                minutes: 30,
                summary: "Planning",
                location: &url,
            },
            Ev {
                uid: "later",
                start: start + Duration::hours(3),
                minutes: 30,
                summary: "Later",
                location: &url,
            },
        ]),
    );
    app.core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");

    let page: Value = app.get("/v1/rooms/early").await.json().await.expect("json");
    let upcoming = page["upcoming"].as_array().expect("upcoming");
    assert_eq!(upcoming.len(), 2);
    assert_eq!(upcoming[0]["join"]["status"], "waiting");
    assert_eq!(upcoming[1]["join"]["status"], "too_early");
    let event_id = upcoming[0]["event_id"].as_str().expect("id").to_string();
    let join_path = format!("/v1/rooms/early/events/{event_id}/join");
    let join: Value = app.get(&join_path).await.json().await.expect("json");
    assert_eq!(join["status"], "waiting");
    assert!(join["starts_at"].is_string());

    let lead = app.core.settings.lifecycle.precreate_lead;
    let report = run_lifecycle_step(&app.core, start - lead, 100)
        .await
        .expect("step");
    assert_eq!(report.created, 1);
    let join: Value = app.get(&join_path).await.json().await.expect("json");
    assert_eq!(join["status"], "join");
    let meeting_path = join["meeting_path"].as_str().expect("path").to_string();
    assert!(meeting_path.starts_with("/room/early/"));
    let page: Value = app.get("/v1/rooms/early").await.json().await.expect("json");
    assert_eq!(page["active_meetings"][0]["title"], "Planning");
    assert_eq!(page["active_meetings"][0]["page_path"], meeting_path);
}

#[tokio::test]
async fn presence_keeps_a_meeting_open_and_it_closes_after_the_grace_period_with_a_clear_message() {
    let app = spawn_app().await;
    let id = app.owner_with_meeting("huddle").await;
    let presence = format!("/v1/meetings/{id}/presence");

    let joined = app
        .post(
            &presence,
            json!({"participant_id": "page-0001", "event": "join"}),
        )
        .await;
    assert_eq!(joined.status(), 204);
    let now = Utc::now();
    run_lifecycle_step(&app.core, now, 100).await.expect("step");
    let stored = stored_meeting(&app, id.parse().expect("uuid")).await;
    assert_eq!(
        (stored.participants_now, stored.ever_had_participants),
        (1, true)
    );

    // The page's unload beacon: JSON sent as text/plain.
    let left = new_client()
        .post(app.url(&presence))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(r#"{"participant_id":"page-0001","event":"leave"}"#)
        .send()
        .await
        .expect("beacon");
    assert_eq!(left.status(), 204);
    let grace = app.core.settings.lifecycle.grace_period;
    let after_leave = Utc::now();
    assert_eq!(
        run_lifecycle_step(&app.core, after_leave + grace - Duration::seconds(2), 100)
            .await
            .expect("step")
            .closed,
        0
    );
    assert_eq!(
        run_lifecycle_step(&app.core, after_leave + grace + Duration::seconds(1), 100)
            .await
            .expect("step")
            .closed,
        1
    );

    let page = app.get(&format!("/room/huddle/{id}")).await;
    assert_eq!(page.status(), 410);
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("This meeting has ended. The owner can start a new one."));
    let late = app
        .post(
            &presence,
            json!({"participant_id": "page-0002", "event": "join"}),
        )
        .await;
    assert_eq!(late.status(), 410);
}

#[tokio::test]
async fn malformed_presence_announcements_are_rejected_with_a_reason() {
    let app = spawn_app().await;
    let id = app.owner_with_meeting("checks").await;
    let presence = format!("/v1/meetings/{id}/presence");
    let bad_event = app
        .post(
            &presence,
            json!({"participant_id": "page-0001", "event": "dance"}),
        )
        .await;
    assert_eq!(bad_event.status(), 422);
    let bad_id = app
        .post(&presence, json!({"participant_id": "x", "event": "join"}))
        .await;
    assert_eq!(bad_id.status(), 422);
    let garbage = app
        .client
        .post(app.url(&presence))
        .body("not json")
        .send()
        .await
        .expect("post");
    assert_eq!(garbage.status(), 400);
    let unknown = app
        .post(
            "/v1/meetings/00000000-0000-4000-8000-000000000000/presence",
            json!({"participant_id": "page-0001", "event": "join"}),
        )
        .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn non_owners_see_a_private_event_as_busy_without_its_details() {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room = app
        .room_with_feed("discreet", &feeds.url("/feed/main"))
        .await;
    let start = (Utc::now() + Duration::minutes(5)).format("%Y%m%dT%H%M%SZ");
    let end = (Utc::now() + Duration::minutes(35)).format("%Y%m%dT%H%M%SZ");
    let url = app.room_url("discreet");
    feeds.set("main", format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:secret\r\nDTSTART:{start}\r\nDTEND:{end}\r\n\
         SUMMARY:Acquisition of Initech\r\nDESCRIPTION:Join at {url}\r\nCLASS:PRIVATE\r\n\
         ATTENDEE;CN=Bill:mailto:bill@initech.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ));
    app.core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    run_lifecycle_step(&app.core, Utc::now() + Duration::minutes(4), 100)
        .await
        .expect("step");

    let owner: Value = app
        .get("/v1/rooms/discreet")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        owner["active_meetings"][0]["title"],
        "Acquisition of Initech"
    );
    let guest = new_client()
        .get(app.url("/v1/rooms/discreet"))
        .send()
        .await
        .expect("get");
    let guest_text = guest.text().await.expect("text");
    assert!(!guest_text.contains("Initech"), "{guest_text}");
    assert!(!guest_text.contains("bill@"), "{guest_text}");
    let guest: Value = serde_json::from_str(&guest_text).expect("json");
    assert_eq!(guest["active_meetings"][0]["title"], "Busy");
    let page = new_client()
        .get(app.url("/room/discreet"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(!page.contains("Initech"));
}

/// The meeting as stored now.
async fn stored_meeting(app: &TestApp, id: uuid::Uuid) -> roomcal::domain::Meeting {
    app.core
        .store
        .meeting_by_id(id)
        .await
        .expect("query")
        .expect("meeting")
}

fn whereby_signature(secret: &str, body: &str) -> String {
    use hmac::{Hmac, Mac};
    let t = Utc::now().timestamp();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

#[tokio::test]
async fn signed_whereby_webhooks_count_as_presence_and_unsigned_ones_are_refused() {
    let app = crate::helpers::spawn_app_with(&["--whereby-webhook-secret", "hook-secret"]).await;
    let id: uuid::Uuid = app
        .owner_with_meeting("hooked")
        .await
        .parse()
        .expect("uuid");
    let stored = stored_meeting(&app, id).await;
    let platform_id = stored.platform_meeting_id.expect("platform id");
    let body = json!({
        "type": "room.client.joined",
        "data": {"meetingId": platform_id, "participantId": "p-42", "displayName": "Grace"}
    })
    .to_string();

    let forged = new_client()
        .post(app.url("/v1/webhooks/whereby"))
        .header(
            "whereby-signature",
            whereby_signature("wrong-secret", &body),
        )
        .body(body.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), 401);
    let signed = new_client()
        .post(app.url("/v1/webhooks/whereby"))
        .header("whereby-signature", whereby_signature("hook-secret", &body))
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(signed.status(), 204);
    run_lifecycle_step(&app.core, Utc::now(), 100)
        .await
        .expect("step");
    let stored = stored_meeting(&app, id).await;
    assert_eq!(
        (stored.participants_now, stored.ever_had_participants),
        (1, true)
    );
}
