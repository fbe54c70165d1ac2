//! Reopening through `/v1`: a calendar meeting that ended before its scheduled end can
//! be reopened — a new meeting with a new call for the same occurrence — by anyone the
//! room lets in (what a host ended, only its owners); after the scheduled end it stays
//! over and the page points at the room's next meeting. Limited per client address.
//! The clock is the test's, so "before" and "after" are exact.

use crate::feed_server;
use crate::helpers::{ics, new_client, spawn_app_with_clock, Ev, TestApp};
use crate::host_controls::post;
use chrono::{DateTime, Duration, TimeZone, Utc};
use roomcal::clock::ManualClock;
use roomcal::services::host_controls::reopen::ended_meeting;
use roomcal::services::lifecycle_step::run_lifecycle_step;
use serde_json::{json, Value};
use std::sync::Arc;

/// 10:00 on a fixed day: the test's "now" when it starts.
fn ten() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2031, 3, 4, 10, 0, 0)
        .single()
        .expect("instant")
}

struct Setup {
    app: TestApp,
    clock: Arc<ManualClock>,
    _feeds: feed_server::Feeds,
    /// The occurrence 09:55–10:25 ("Planning").
    event_id: String,
    /// Its first meeting, opened by the lifecycle at 10:00.
    meeting_id: String,
}

/// Room `sync` with a calendar: "Planning" 09:55–10:25 (its meeting opened at 10:00) and
/// "Retro" at 10:40.
async fn setup(extra: &[&str]) -> Setup {
    let clock = Arc::new(ManualClock::new(ten()));
    let mut args = vec!["--allow-private-feeds", "--allow-http-feeds"];
    args.extend_from_slice(extra);
    let app = spawn_app_with_clock(&args, clock.clone()).await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room = app.room_with_feed("sync", &feeds.url("/feed/main")).await;
    let url = app.room_url("sync");
    let ev = |uid, start, minutes, summary| Ev {
        uid,
        start,
        minutes,
        summary,
        location: &url,
    };
    feeds.set(
        "main",
        ics(&[
            ev("planning", ten() - Duration::minutes(5), 30, "Planning"),
            ev("retro", ten() + Duration::minutes(40), 30, "Retro"),
        ]),
    );
    app.core.sync.sync_room(room, ten()).await.expect("sync");
    let report = run_lifecycle_step(&app.core, ten(), 100)
        .await
        .expect("step");
    assert_eq!(report.created, 1);
    let event = app
        .live_events(room, ten())
        .await
        .into_iter()
        .find(|e| e.ics_uid == "planning")
        .expect("planning");
    let meeting = app
        .core
        .store
        .meeting_for_event(event.id)
        .await
        .expect("query")
        .expect("meeting");
    Setup {
        app,
        clock,
        _feeds: feeds,
        event_id: event.id.to_string(),
        meeting_id: meeting.id.to_string(),
    }
}

/// Joins `id` as `client`: the status and the answer.
async fn join(s: &Setup, client: &reqwest::Client, id: &str) -> (u16, Value) {
    post(
        client,
        &s.app,
        &format!("/v1/rooms/sync/meetings/{id}/join"),
        json!({}),
    )
    .await
}

async fn reopen(s: &Setup, client: &reqwest::Client, id: &str) -> (u16, Value) {
    post(
        client,
        &s.app,
        &format!("/v1/rooms/sync/meetings/{id}/reopen"),
        json!({}),
    )
    .await
}

async fn end(s: &Setup, id: &str) -> u16 {
    post(
        &s.app.client,
        &s.app,
        &format!("/v1/rooms/sync/meetings/{id}/end"),
        json!({}),
    )
    .await
    .0
}

/// Announces a page in meeting `id` (`join` or `leave`) as `client`.
async fn presence(s: &Setup, client: &reqwest::Client, id: &str, event: &str) {
    let (status, body) = post(
        client,
        &s.app,
        &format!("/v1/meetings/{id}/presence"),
        json!({"participant_id": "guest-page-1", "event": event}),
    )
    .await;
    assert!((200..300).contains(&status), "{event}: {status} {body}");
}

#[tokio::test]
async fn a_meeting_everyone_left_is_reopened_with_a_new_call_while_its_time_is_on() {
    let s = setup(&[]).await;
    let guest = new_client();
    let (status, first) = join(&s, &guest, &s.meeting_id).await;
    assert_eq!(status, 200, "{first}");
    let first_call = first["url"].as_str().expect("call").to_string();

    // Reopening an open meeting just gives it back.
    let (status, same) = reopen(&s, &guest, &s.meeting_id).await;
    assert_eq!(
        (status, same["is_new"].as_bool()),
        (200, Some(false)),
        "{same}"
    );
    assert_eq!(same["meeting_id"], s.meeting_id.as_str());

    // The guest comes and goes; after the grace period the meeting closes at 10:17.
    s.clock.set(ten() + Duration::minutes(1));
    presence(&s, &guest, &s.meeting_id, "join").await;
    s.clock.set(ten() + Duration::minutes(2));
    presence(&s, &guest, &s.meeting_id, "leave").await;
    let closed = run_lifecycle_step(&s.app.core, ten() + Duration::minutes(17), 100)
        .await
        .expect("step");
    assert_eq!(closed.closed, 1);
    s.clock.set(ten() + Duration::minutes(18));
    assert_eq!(join(&s, &guest, &s.meeting_id).await.0, 410);

    // 10:18, the occurrence runs until 10:25: the guest reopens it, with a new call.
    let (status, reopened) = reopen(&s, &guest, &s.meeting_id).await;
    assert_eq!(status, 201, "{reopened}");
    assert_eq!(reopened["is_new"], true);
    let new_id = reopened["meeting_id"].as_str().expect("id").to_string();
    assert_ne!(new_id, s.meeting_id);
    assert_eq!(reopened["page_path"], format!("/room/sync/{new_id}"));
    let (status, joined) = join(&s, &guest, &new_id).await;
    assert_eq!(status, 200, "{joined}");
    let new_call = joined["url"].as_str().expect("call");
    assert_ne!(new_call, first_call, "a new call on the platform");
    // The occurrence's link and the old meeting's reopen lead to the reopened one.
    let (_, by_event) = join(&s, &guest, &s.event_id).await;
    assert_eq!(by_event["meeting_id"], new_id.as_str());
    let (status, again) = reopen(&s, &new_client(), &s.meeting_id).await;
    assert_eq!(
        (status, again["meeting_id"].as_str()),
        (200, Some(new_id.as_str()))
    );

    // The lifecycle makes no meeting of its own for the occurrence, and keeps this one.
    let tick = run_lifecycle_step(&s.app.core, ten() + Duration::minutes(19), 100)
        .await
        .expect("step");
    assert_eq!((tick.created, tick.closed), (0, 0));
    let board: Value = guest
        .get(s.app.url("/v1/rooms/sync/meetings"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let active: Vec<&str> = board
        .as_array()
        .expect("list")
        .iter()
        .filter(|m| m["kind"] == "active")
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(active, [new_id.as_str()], "{board}");
}

#[tokio::test]
async fn after_its_scheduled_end_a_meeting_stays_over_and_the_page_points_at_the_next() {
    let s = setup(&[]).await;
    s.clock.set(ten() + Duration::minutes(26));
    assert_eq!(end(&s, &s.meeting_id).await, 200);
    let (status, body) = reopen(&s, &s.app.client, &s.meeting_id).await;
    assert_eq!(status, 410, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("This meeting has ended") && m.contains("scheduled time")));
    // The page says it ended; what it offers is the room's next meeting, no reopening.
    let page = new_client()
        .get(s.app.url(&format!("/room/sync/{}", s.meeting_id)))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 410);
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("This meeting has ended"));
    let offer = ended_meeting(
        &s.app.core,
        None,
        None,
        "sync",
        s.meeting_id.parse().expect("id"),
    )
    .await
    .expect("ended page");
    assert!(!offer.can_reopen);
    assert_eq!(offer.next.map(|n| n.title), Some("Retro".to_string()));
    // A second before the end, the same meeting could have been reopened.
    s.clock
        .set(ten() + Duration::minutes(25) - Duration::seconds(1));
    let offer = ended_meeting(
        &s.app.core,
        None,
        None,
        "sync",
        s.meeting_id.parse().expect("id"),
    )
    .await
    .expect("ended page");
    assert!(!offer.can_reopen, "a host ended it: guests cannot");
}

#[tokio::test]
async fn only_the_rooms_owners_reopen_what_a_host_ended_and_the_room_must_let_one_in() {
    let s = setup(&[]).await;
    s.clock.set(ten() + Duration::minutes(5));
    assert_eq!(end(&s, &s.meeting_id).await, 200);
    let guest = new_client();
    let (status, body) = reopen(&s, &guest, &s.meeting_id).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("The host ended this meeting")));
    let offer = ended_meeting(
        &s.app.core,
        None,
        None,
        "sync",
        s.meeting_id.parse().expect("id"),
    )
    .await
    .expect("ended page");
    assert!(!offer.can_reopen);
    let (status, body) = reopen(&s, &s.app.client, &s.meeting_id).await;
    assert_eq!(status, 201, "the owner reopens: {body}");

    // A members room: an anonymous visitor is asked to sign in, not let reopen.
    let reopened = body["meeting_id"].as_str().expect("id").to_string();
    let room: Value = s
        .app
        .get("/v1/rooms/sync")
        .await
        .json()
        .await
        .expect("room");
    let room_id = room["id"].as_str().expect("id");
    let patched = s
        .app
        .client
        .patch(s.app.url(&format!("/v1/rooms/{room_id}")))
        .json(&json!({"access": "members"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    // The owner comes and goes; the grace period closes the reopened meeting.
    let guest_left = new_client();
    presence(&s, &s.app.client, &reopened, "join").await;
    presence(&s, &s.app.client, &reopened, "leave").await;
    run_lifecycle_step(&s.app.core, ten() + Duration::minutes(21), 100)
        .await
        .expect("step");
    s.clock.set(ten() + Duration::minutes(21));
    let (status, body) = reopen(&s, &guest_left, &reopened).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "sign_in_required");
}

#[tokio::test]
async fn reopening_is_limited_per_client_address() {
    let s = setup(&["--reopens-per-hour", "1"]).await;
    s.clock.set(ten() + Duration::minutes(3));
    assert_eq!(end(&s, &s.meeting_id).await, 200);
    let (status, first) = reopen(&s, &s.app.client, &s.meeting_id).await;
    assert_eq!(status, 201, "{first}");
    let reopened = first["meeting_id"].as_str().expect("id").to_string();
    assert_eq!(end(&s, &reopened).await, 200);
    let response = s
        .app
        .client
        .post(
            s.app
                .url(&format!("/v1/rooms/sync/meetings/{reopened}/reopen")),
        )
        .send()
        .await
        .expect("reopen");
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_some());
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("too many meetings were reopened from your address")));
    // No call was made for the refused one: the occurrence has no open meeting.
    let event = s.event_id.parse().expect("uuid");
    let open = s.app.core.store.meeting_for_event(event).await.expect("q");
    assert!(open.is_some_and(|m| !m.is_active));
}
