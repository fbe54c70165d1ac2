//! The owner's calendar settings through `/v1`: who may change them, how bad values are
//! explained, and that the secret feed address never leaks.

use crate::feed_server;
use crate::helpers::{captured_logs, ics, spawn_app, spawn_app_with, Ev};
use crate::sync::{setup, two_events};
use clap::Parser;
use serde_json::{json, Value};

#[tokio::test]
async fn owners_sync_read_status_log_and_test_through_the_api() {
    let (app, feeds, _room) = setup("api-room").await;
    feeds.set("main", two_events(&app, "api-room"));
    let response = app.post("/v1/rooms/api-room/ics/sync", json!({})).await;
    assert_eq!(response.status(), 200);
    let outcome: Value = response.json().await.expect("json");
    assert_eq!(
        (outcome["status"].as_str(), outcome["created"].as_u64()),
        (Some("ok"), Some(2))
    );

    let again = app.post("/v1/rooms/api-room/ics/sync", json!({})).await;
    assert_eq!(again.status(), 429);
    assert!(again.headers().contains_key("retry-after"));

    let status: Value = app
        .get("/v1/rooms/api-room/ics/status")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status["enabled"], true);
    assert_eq!(status["upcoming_occurrences"], 2);
    assert!(status["next_sync"].is_string());
    let log: Value = app
        .get("/v1/rooms/api-room/ics/log")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(log.as_array().map(Vec::len), Some(1));

    let report: Value = app
        .post(
            "/v1/rooms/api-room/ics/test",
            json!({"url": feeds.url("/feed/main")}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (
            report["events_in_feed"].as_u64(),
            report["events_matching"].as_u64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(report["next_occurrences"][0]["title"], "Standup");
    let bad = app
        .post(
            "/v1/rooms/api-room/ics/test",
            json!({"url": feeds.url("/html")}),
        )
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn only_the_owner_reaches_calendar_settings_and_unknown_rooms_are_404() {
    let (app, feeds, room) = setup("private-room").await;
    let other = crate::helpers::new_client();
    other
        .post(app.url("/v1/auth/signup"))
        .json(
            &json!({"email": "mallory@example.com", "name": "Mallory", "password": "long enough"}),
        )
        .send()
        .await
        .expect("signup");
    let patch = other
        .patch(app.url(&format!("/v1/rooms/{room}")))
        .json(&json!({"ics_url": feeds.url("/feed/evil")}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patch.status(), 403);
    for path in ["status", "log"] {
        let r = other
            .get(app.url(&format!("/v1/rooms/private-room/ics/{path}")))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 403, "{path}");
    }
    for path in ["sync", "test"] {
        let r = other
            .post(app.url(&format!("/v1/rooms/private-room/ics/{path}")))
            .json(&json!({"url": feeds.url("/feed/main")}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403, "{path}");
    }
    let room_page: Value = other
        .get(app.url("/v1/rooms/private-room"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(!room_page.to_string().contains("/feed/main"));
    let missing = app
        .client
        .patch(app.url(&format!("/v1/rooms/{}", uuid::Uuid::new_v4())))
        .json(&json!({"ics_enabled": false}))
        .send()
        .await
        .expect("patch");
    assert_eq!(missing.status(), 404);
    assert_eq!(app.get("/v1/rooms/nowhere/ics/status").await.status(), 404);
}

#[tokio::test]
async fn invalid_calendar_settings_are_rejected_field_by_field() {
    let app = spawn_app_with(&[]).await; // guard on, http off
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "strict"})).await;
    let cases = [
        (json!({"ics_url": "not a url"}), "ics_url"),
        (
            json!({"ics_url": "http://calendar.example.com/a.ics"}),
            "ics_url",
        ),
        (
            json!({"ics_url": "ftp://calendar.example.com/a.ics"}),
            "ics_url",
        ),
        (
            json!({"ics_url": "https://169.254.169.254/latest/meta-data"}),
            "ics_url",
        ),
        (json!({"ics_url": "https://127.0.0.1/cal.ics"}), "ics_url"),
        (
            json!({"ics_url": "https://[::ffff:10.0.0.1]/cal.ics"}),
            "ics_url",
        ),
        (
            json!({"ics_fetch_interval_minutes": 7}),
            "ics_fetch_interval_minutes",
        ),
        (json!({"ics_enabled": true}), "ics_enabled"),
    ];
    for (body, field) in cases {
        let response = app
            .client
            .patch(app.url("/v1/rooms/strict"))
            .json(&body)
            .send()
            .await
            .expect("patch");
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.expect("json");
        assert!(
            error["error"]["fields"][field].is_string(),
            "{body}: {error}"
        );
    }
}

#[tokio::test]
async fn the_feed_url_is_never_shown_unmasked_nor_stored_in_plain_text() {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let secret = "private-0a1b2c3d4e5f6a7b8c9d";
    feeds.set(secret, ics(&[]));
    let webcal = feeds.url(&format!("/feed/{secret}"));
    app.room_with_feed("secretive", &webcal).await;
    let status: Value = app
        .get("/v1/rooms/secretive/ics/status")
        .await
        .json()
        .await
        .expect("json");
    let masked = status["masked_url"].as_str().expect("masked");
    assert!(
        masked.starts_with("http://127.0.0.1:") && masked.ends_with("/…"),
        "{masked}"
    );
    let sync = app
        .post("/v1/rooms/secretive/ics/sync", json!({}))
        .await
        .text()
        .await
        .expect("text");
    let log = app
        .get("/v1/rooms/secretive/ics/log")
        .await
        .text()
        .await
        .expect("text");
    let page = app.get("/room/secretive").await.text().await.expect("text");
    for text in [status.to_string(), sync, log, page] {
        assert!(!text.contains(secret), "leaked in {text}");
    }
    let mut on_disk = Vec::new();
    for file in ["roomcal.db", "roomcal.db-wal"] {
        if let Ok(bytes) = std::fs::read(app.data_dir.path().join(file)) {
            on_disk.extend(bytes);
        }
    }
    assert!(!on_disk.is_empty());
    assert!(
        !String::from_utf8_lossy(&on_disk).contains(secret),
        "stored in plain text"
    );
    assert!(!captured_logs().contains(secret), "leaked in logs");
}

#[tokio::test]
async fn webcal_addresses_are_accepted_and_stored_as_https() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    app.post("/v1/rooms", json!({"name": "icloud"})).await;
    let response = app
        .client
        .patch(app.url("/v1/rooms/icloud"))
        .json(&json!({"ics_url": "webcal://127.0.0.1:9/published/2/TOKEN", "ics_enabled": true, "ics_fetch_interval_minutes": 10}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["ics"]["masked_url"], "https://127.0.0.1:9/…");
    assert_eq!(body["ics"]["interval_minutes"], 10);
}

/// Syncs `rooms` rooms at once (as a scheduler pass and owners' "sync now" would) against
/// feeds that take 300 ms each; returns how many fetches overlapped at most.
async fn most_fetches_at_once(flags: &[&str], rooms: usize) -> usize {
    let mut args = vec!["--allow-private-feeds", "--allow-http-feeds"];
    args.extend_from_slice(flags);
    let app = spawn_app_with(&args).await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let mut ids = Vec::new();
    for i in 0..rooms {
        let name = format!("busy{i}");
        feeds.set(&name, ics(&[]));
        ids.push(
            app.room_with_feed(&name, &feeds.url(&format!("/held/{name}")))
                .await,
        );
    }
    let now = chrono::Utc::now();
    let syncs = ids.iter().map(|id| app.core.sync.sync_room(*id, now));
    for outcome in futures_util::future::join_all(syncs).await {
        assert_eq!(outcome.expect("sync").status, roomcal::sync::SyncStatus::Ok);
    }
    feeds.most_held_at_once()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_feeds_are_fetched_at_once_than_sync_concurrency_allows() {
    assert_eq!(
        most_fetches_at_once(&["--sync-concurrency", "1"], 3).await,
        1
    );
    assert!(most_fetches_at_once(&["--sync-concurrency", "3"], 3).await > 1);
}

#[tokio::test]
async fn the_sync_window_is_configurable_and_must_cover_the_upcoming_window() {
    let refused = roomcal_server::config::Cli::try_parse_from([
        "roomcal",
        "--sync-window-after",
        "10m",
        "--data-dir",
        "/nonexistent-roomcal-dir",
    ])
    .expect("arguments");
    let error = roomcal_server::state::build_core(
        &refused.serve,
        std::sync::Arc::new(roomcal::clock::SystemClock),
    )
    .await
    .err()
    .expect("a window shorter than the upcoming window is refused");
    assert!(error.to_string().contains("--sync-window-after"), "{error}");
    assert!(
        !std::path::Path::new("/nonexistent-roomcal-dir").exists(),
        "a refused configuration writes nothing: no data directory, key or database"
    );

    // A 2-hour window stores the event in an hour, not the one in three hours.
    let app = spawn_app_with(&[
        "--allow-private-feeds",
        "--allow-http-feeds",
        "--sync-window-after",
        "2h",
    ])
    .await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room = app
        .room_with_feed("window", &feeds.url("/feed/window"))
        .await;
    let now = chrono::Utc::now();
    let url = app.room_url("window");
    feeds.set(
        "window",
        ics(&[
            Ev {
                uid: "soon",
                start: now + chrono::Duration::hours(1),
                minutes: 30,
                summary: "Soon",
                location: &url,
            },
            Ev {
                uid: "later",
                start: now + chrono::Duration::hours(3),
                minutes: 30,
                summary: "Later",
                location: &url,
            },
        ]),
    );
    app.core.sync.sync_room(room, now).await.expect("sync");
    let stored: Vec<String> = app
        .live_events(room, now)
        .await
        .into_iter()
        .map(|e| e.ics_uid)
        .collect();
    assert_eq!(stored, ["soon"]);
}

#[tokio::test]
async fn a_manual_sync_waits_while_the_scheduler_is_syncing_the_room() {
    let (app, feeds, room) = setup("busy-room").await;
    feeds.set("main", two_events(&app, "busy-room"));
    let now = chrono::Utc::now();
    // This instance's scheduler has claimed the room and is mid-sync.
    let claimed = app
        .core
        .store
        .claim_due_rooms(
            now,
            app.core.sync.instance(),
            now + chrono::Duration::minutes(2),
            10,
        )
        .await
        .expect("claim");
    assert_eq!(claimed, [room]);
    let response = app.post("/v1/rooms/busy-room/ics/sync", json!({})).await;
    assert_eq!(response.status(), 429);
    let body: Value = response.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("already running"),
        "{body}"
    );
    // Once the scheduler lets go, the owner's sync runs.
    app.core
        .store
        .release_room(room, app.core.sync.instance())
        .await
        .expect("release");
    let response = app.post("/v1/rooms/busy-room/ics/sync", json!({})).await;
    assert_eq!(response.status(), 200);
}
