//! Joining, waiting, presence and closing through the API, with the lifecycle step run
//! directly at chosen instants.

use crate::feed_server;
use crate::helpers::{ics, new_client, spawn_app, Ev, TestApp};
use chrono::{Duration, Utc};
use roomcal::services::lifecycle_step::run_lifecycle_step;
use serde_json::{json, Value};

/// `POST /v1/rooms/early/meetings/{id}/join` as `client`.
async fn join(app: &TestApp, id: &str) -> reqwest::Response {
    app.post(&format!("/v1/rooms/early/meetings/{id}/join"), json!({}))
        .await
}

fn instant(value: &Value) -> chrono::DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .expect("an RFC 3339 instant")
}

#[tokio::test]
async fn one_route_joins_started_meetings_and_says_wait_for_everything_ahead() {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room = app.room_with_feed("early", &feeds.url("/feed/main")).await;
    let now = Utc::now();
    let soon = now + Duration::minutes(10);
    let url = app.room_url("early");
    let ev = |uid, start, summary| Ev {
        uid,
        start,
        minutes: 30,
        summary,
        location: &url,
    };
    feeds.set(
        "main",
        ics(&[
            ev("running", now - Duration::minutes(5), "Running"),
            ev("soon", soon, "Planning"),
            ev("later", now + Duration::hours(3), "Later"),
        ]),
    );
    app.core.sync.sync_room(room, now).await.expect("sync");

    // Before any meeting exists everything says wait, the started one included.
    let list: Value = app
        .get("/v1/rooms/early/meetings")
        .await
        .json()
        .await
        .expect("json");
    let titles: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        ["Running", "Planning"],
        "later ones only with ?later=true"
    );
    assert!(list
        .as_array()
        .expect("list")
        .iter()
        .all(|i| i["kind"] == "upcoming" && i["join"]["action"] == "wait_until"));
    let soon_id = list[1]["id"].as_str().expect("id").to_string();
    let waiting: Value = join(&app, &soon_id).await.json().await.expect("json");
    assert_eq!(waiting["status"], "waiting");
    assert_eq!(instant(&waiting["starts_at"]).timestamp(), soon.timestamp());
    assert!(
        (instant(&waiting["server_now"]) - Utc::now())
            .num_seconds()
            .abs()
            < 60
    );
    assert_eq!(waiting["page_path"], format!("/room/early/event/{soon_id}"));

    // The tick opens the started occurrence's meeting: joined by occurrence id or meeting id.
    let report = run_lifecycle_step(&app.core, now, 100).await.expect("step");
    assert_eq!(report.created, 1);
    let running_id = list[0]["id"].as_str().expect("id").to_string();
    let joined: Value = join(&app, &running_id).await.json().await.expect("json");
    assert_eq!(joined["status"], "join");
    assert!(joined["url"]
        .as_str()
        .is_some_and(|u| u.contains("roomcal-early-")));
    let meeting_id = joined["meeting_id"]
        .as_str()
        .expect("meeting id")
        .to_string();
    assert_eq!(joined["page_path"], format!("/room/early/{meeting_id}"));
    assert_eq!(join(&app, &meeting_id).await.status(), 200);
    let list: Value = app
        .get("/v1/rooms/early/meetings")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (list[0]["kind"].as_str(), list[0]["id"].as_str()),
        (Some("active"), Some(meeting_id.as_str()))
    );
    assert_eq!(list[0]["join"]["action"], "join_now");
    assert!(list[0]["running_for_seconds"]
        .as_i64()
        .is_some_and(|s| s >= 300));

    // A meeting pre-created for a start still ahead: join only on time.
    let lead = app.core.settings.lifecycle.precreate_lead;
    run_lifecycle_step(&app.core, soon - lead, 100)
        .await
        .expect("step");
    let early: Value = join(&app, &soon_id).await.json().await.expect("json");
    assert_eq!(early["status"], "waiting");
    let list: Value = app
        .get("/v1/rooms/early/meetings")
        .await
        .json()
        .await
        .expect("json");
    let opening = list
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["status"] == "opening")
        .expect("the pre-created meeting is listed as opening")
        .clone();
    assert_eq!(opening["join"]["action"], "wait_until");
    let page = app
        .get(&format!(
            "/room/early/{}",
            opening["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(
        page.status(),
        403,
        "its page shows no call before the start"
    );
    let room: Value = app.get("/v1/rooms/early").await.json().await.expect("json");
    let active = crate::helpers::active_meetings(&room);
    let listed: Vec<&str> = active
        .iter()
        .filter_map(|m| m["join"]["page_path"].as_str())
        .collect();
    assert!(
        listed.contains(&format!("/room/early/event/{soon_id}").as_str()),
        "the room lists it with its waiting page: {listed:?}"
    );

    // Unknown and malformed ids name nothing here.
    assert_eq!(
        join(&app, &uuid::Uuid::new_v4().to_string()).await.status(),
        404
    );
    assert_eq!(join(&app, "not-an-id").await.status(), 404);
    let minutes = app
        .get("/v1/rooms/early/meetings/upcoming?minutes=500")
        .await;
    assert_eq!(minutes.status(), 422);
    let body: Value = minutes.json().await.expect("json");
    assert!(body["error"]["fields"]["minutes"].is_string());
}

#[tokio::test]
async fn a_calendar_meeting_in_its_overrun_is_joinable_on_the_api_and_on_its_page() {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room = app.room_with_feed("early", &feeds.url("/feed/main")).await;
    let now = Utc::now();
    let url = app.room_url("early");
    // 35 to 5 minutes ago: over, but inside the 30-minute overrun.
    feeds.set(
        "main",
        ics(&[Ev {
            uid: "overrun",
            start: now - Duration::minutes(35),
            minutes: 30,
            summary: "Long talk",
            location: &url,
        }]),
    );
    app.core
        .sync
        .sync_room(room, now - Duration::minutes(31))
        .await
        .expect("sync");
    let report = run_lifecycle_step(&app.core, now - Duration::minutes(30), 100)
        .await
        .expect("step");
    assert_eq!(report.created, 1);
    let list: Value = app
        .get("/v1/rooms/early/meetings")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["join"]["action"], "join_now");
    let meeting_id = list[0]["id"].as_str().expect("id").to_string();
    let joined: Value = join(&app, &meeting_id).await.json().await.expect("json");
    assert_eq!(joined["status"], "join");
    let page = app.get(&format!("/room/early/{meeting_id}")).await;
    assert_eq!(page.status(), 200);
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
        crate::helpers::active_meetings(&owner)[0]["title"],
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
    assert_eq!(
        crate::helpers::active_meetings(&guest)[0]["title"],
        "Private meeting"
    );
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
