//! Calendar sync against a real (misbehaving) feed server on loopback.

use crate::feed_server::{self, Feeds};
use crate::helpers::{captured_logs, ics, spawn_app, spawn_app_with, Ev, TestApp};
use chrono::{Duration, Utc};
use roomcal::sync::SyncStatus;
use serde_json::{json, Value};

async fn setup(room: &str) -> (TestApp, Feeds, uuid::Uuid) {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let id = app.room_with_feed(room, &feeds.url("/feed/main")).await;
    (app, feeds, id)
}

/// Points the room at another feed URL directly in the store (no address checks), with or
/// without the sync-state reset a URL change through the API makes.
async fn point_room_at(app: &TestApp, room: uuid::Uuid, url: &str, reset: bool) {
    let mut calendar = app
        .core
        .store
        .room_calendar(room)
        .await
        .expect("q")
        .expect("room");
    calendar.ics_url = Some(app.core.secrets.seal(url));
    if reset {
        calendar.reset_sync_state();
    }
    app.core
        .store
        .save_room_calendar(&calendar)
        .await
        .expect("save");
}

fn two_events(app: &TestApp, room: &str) -> String {
    let now = Utc::now();
    let url = app.room_url(room);
    ics(&[
        Ev {
            uid: "standup",
            start: now + Duration::hours(2),
            minutes: 15,
            summary: "Standup",
            location: &url,
        },
        Ev {
            uid: "retro",
            start: now + Duration::hours(5),
            minutes: 60,
            summary: "Retro",
            location: &url,
        },
        Ev {
            uid: "elsewhere",
            start: now + Duration::hours(3),
            minutes: 30,
            summary: "Other room",
            location: "https://meet.example/x",
        },
    ])
}

#[tokio::test]
async fn a_sync_stores_the_rooms_occurrences_and_ignores_other_events() {
    let (app, feeds, room) = setup("standup").await;
    feeds.set("main", two_events(&app, "standup"));
    let outcome = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    assert_eq!(outcome.status, SyncStatus::Ok, "{outcome:?}");
    assert_eq!(
        (
            outcome.events_in_feed,
            outcome.events_matching,
            outcome.created
        ),
        (3, 2, 2)
    );
    let titles: Vec<_> = app
        .live_events(room, Utc::now())
        .await
        .into_iter()
        .filter_map(|e| e.title)
        .collect();
    assert_eq!(titles, vec!["Standup", "Retro"]);
}

#[tokio::test]
async fn feed_changes_update_soft_delete_and_restore_occurrences() {
    let (app, feeds, room) = setup("team").await;
    let now = Utc::now();
    let url = app.room_url("team");
    let a = |summary| Ev {
        uid: "a",
        start: now + Duration::hours(2),
        minutes: 30,
        summary,
        location: &url,
    };
    let b = Ev {
        uid: "b",
        start: now + Duration::hours(4),
        minutes: 30,
        summary: "B",
        location: &url,
    };
    feeds.set("main", ics(&[a("A"), Ev { ..b }]));
    app.core.sync.sync_room(room, now).await.expect("sync 1");

    feeds.set("main", ics(&[a("A renamed")]));
    let outcome = app.core.sync.sync_room(room, now).await.expect("sync 2");
    assert_eq!((outcome.updated, outcome.deleted), (1, 1), "{outcome:?}");
    let live = app.live_events(room, now).await;
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].title.as_deref(), Some("A renamed"));

    feeds.set(
        "main",
        ics(&[
            a("A renamed"),
            Ev {
                uid: "b",
                start: now + Duration::hours(4),
                minutes: 30,
                summary: "B",
                location: &url,
            },
        ]),
    );
    let outcome = app.core.sync.sync_room(room, now).await.expect("sync 3");
    assert_eq!(outcome.restored, 1, "{outcome:?}");
    assert_eq!(app.live_events(room, now).await.len(), 2);
}

#[tokio::test]
async fn an_occurrence_that_already_started_is_kept_when_the_feed_drops_it() {
    let (app, feeds, room) = setup("ongoing").await;
    let now = Utc::now();
    let url = app.room_url("ongoing");
    feeds.set(
        "main",
        ics(&[Ev {
            uid: "now",
            start: now - Duration::minutes(10),
            minutes: 60,
            summary: "Running",
            location: &url,
        }]),
    );
    app.core.sync.sync_room(room, now).await.expect("sync 1");
    feeds.set("main", ics(&[]));
    let outcome = app.core.sync.sync_room(room, now).await.expect("sync 2");
    assert_eq!(outcome.deleted, 0);
    assert_eq!(app.live_events(room, now).await.len(), 1);
}

#[tokio::test]
async fn a_valid_empty_calendar_soft_deletes_future_occurrences() {
    let (app, feeds, room) = setup("emptied").await;
    feeds.set("main", two_events(&app, "emptied"));
    app.core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync 1");
    feeds.set("main", ics(&[]));
    let outcome = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync 2");
    assert_eq!((outcome.status, outcome.deleted), (SyncStatus::Ok, 2));
    assert!(app.live_events(room, Utc::now()).await.is_empty());
}

#[tokio::test]
async fn every_kind_of_failed_fetch_keeps_all_stored_occurrences_and_says_why() {
    let (app, feeds, room) = setup("robust").await;
    feeds.set("main", two_events(&app, "robust"));
    app.core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("first sync");
    let cases = [
        ("/status/404", "404"),
        ("/status/500", "failed (500)"),
        ("/status/503", "failed (503)"),
        ("/slow", "within 2 s"),
        ("/drip", "within 2 s"),
        ("/loop", "redirected more than 5 times"),
        ("/html", "HTML"),
        ("/huge", "limit"),
        ("/gzip-bomb", "limit"),
        ("/not-modified", "304"),
        ("/feed/missing", "404"),
    ];
    for (path, expected) in cases {
        point_room_at(&app, room, &feeds.url(path), true).await;
        let outcome = app
            .core
            .sync
            .sync_room(room, Utc::now())
            .await
            .expect("sync");
        assert_eq!(outcome.status, SyncStatus::Failed, "{path}: {outcome:?}");
        let error = outcome.error.unwrap_or_default();
        assert!(error.contains(expected), "{path}: {error}");
        assert_eq!(
            app.live_events(room, Utc::now()).await.len(),
            2,
            "{path} lost events"
        );
    }
    let status: Value = app
        .get("/v1/rooms/robust/ics/status")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        status["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("404")),
        "{status}"
    );
}

#[tokio::test]
async fn a_redirect_to_a_loopback_address_is_refused_when_the_guard_is_on() {
    // The feed server listens on 127.0.0.2, allowlisted; 127.0.0.1 and localhost are not.
    let app = spawn_app_with(&["--allow-http-feeds", "--feed-allowlist", "127.0.0.2/32"]).await;
    let feeds = feed_server::start_on("127.0.0.2").await;
    let room = app
        .room_with_feed("guarded", &feeds.url("/feed/main"))
        .await;
    feeds.set("main", two_events(&app, "guarded"));
    let ok = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    assert_eq!(ok.status, SyncStatus::Ok, "{ok:?}");
    for path in ["/redirect-to-loopback", "/redirect-to-localhost"] {
        point_room_at(&app, room, &feeds.url(path), false).await;
        let outcome = app
            .core
            .sync
            .sync_room(room, Utc::now())
            .await
            .expect("sync");
        assert_eq!(outcome.status, SyncStatus::Failed, "{path}");
        assert!(
            outcome
                .error
                .unwrap_or_default()
                .contains("private or local"),
            "{path}"
        );
        assert_eq!(app.live_events(room, Utc::now()).await.len(), 2);
    }
    // The refused hop was never requested: the only hits on /feed/main came via 127.0.0.2.
    assert_eq!(feeds.hits("/feed/main"), 1);
}

#[tokio::test]
async fn a_gzip_body_without_the_header_and_a_latin1_body_are_still_read() {
    let (app, feeds, room) = setup("lenient").await;
    feeds.set("main", two_events(&app, "lenient"));
    for path in ["/gzip-no-header/main", "/latin1"] {
        point_room_at(&app, room, &feeds.url(path), false).await;
        let outcome = app
            .core
            .sync
            .sync_room(room, Utc::now())
            .await
            .expect("sync");
        assert_ne!(outcome.status, SyncStatus::Failed, "{path}: {outcome:?}");
        assert_eq!(outcome.events_matching, 2, "{path}");
    }
    let titles: Vec<_> = app
        .live_events(room, Utc::now())
        .await
        .into_iter()
        .filter_map(|e| e.title)
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Caf\u{e9}")),
        "{titles:?}"
    );
}

#[tokio::test]
async fn an_unchanged_feed_is_answered_with_304_and_reprocessed_from_the_cache() {
    let (app, feeds, room) = setup("cached").await;
    feeds.set("main", two_events(&app, "cached"));
    app.core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync 1");
    let second = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync 2");
    assert_eq!(
        (second.status, second.http_status),
        (SyncStatus::Unchanged, Some(304))
    );
    assert_eq!(
        (second.events_matching, second.created, second.deleted),
        (2, 0, 0)
    );
}

#[tokio::test]
async fn concurrent_syncs_of_one_room_never_duplicate_occurrences() {
    let (app, feeds, room) = setup("racy").await;
    feeds.set("main", two_events(&app, "racy"));
    let now = Utc::now();
    let (a, b) = tokio::join!(
        app.core.sync.sync_room(room, now),
        app.core.sync.sync_room(room, now)
    );
    a.expect("a");
    b.expect("b");
    assert_eq!(app.live_events(room, now).await.len(), 2);
}

#[tokio::test]
async fn each_room_is_synced_on_its_own_interval() {
    let app = spawn_app().await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    feeds.set("fast", ics(&[]));
    feeds.set("slow", ics(&[]));
    let fast = app
        .room_with_feed("fast-room", &feeds.url("/feed/fast"))
        .await;
    let slow = app
        .room_with_feed("slow-room", &feeds.url("/feed/slow"))
        .await;
    for (room, minutes) in [(fast, 1), (slow, 10)] {
        let mut c = app
            .core
            .store
            .room_calendar(room)
            .await
            .expect("q")
            .expect("room");
        c.ics_fetch_interval_minutes = minutes;
        app.core.store.save_room_calendar(&c).await.expect("save");
    }
    let t0 = Utc::now();
    assert_eq!(app.core.sync.run_due(t0, 100).await.expect("tick"), 2);
    assert_eq!(
        app.core
            .sync
            .run_due(t0 + Duration::seconds(30), 100)
            .await
            .expect("tick"),
        0
    );
    assert_eq!(
        app.core
            .sync
            .run_due(t0 + Duration::seconds(90), 100)
            .await
            .expect("tick"),
        1
    );
    assert_eq!((feeds.hits("/feed/fast"), feeds.hits("/feed/slow")), (2, 1));
    assert_eq!(
        app.core
            .sync
            .run_due(t0 + Duration::minutes(11), 100)
            .await
            .expect("tick"),
        2
    );
    assert_eq!(feeds.hits("/feed/slow"), 2);
}

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

#[tokio::test]
async fn a_truncated_feed_keeps_its_complete_events_and_removes_nothing() {
    let (app, feeds, room) = setup("truncated").await;
    feeds.set("main", two_events(&app, "truncated"));
    app.core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync 1");
    // Cut the body inside the second matching event: the first stays complete.
    let full = two_events(&app, "truncated");
    let cut = full.find("UID:retro").expect("retro");
    feeds.set("main", full[..cut + 5].to_string());
    let outcome = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync 2");
    assert_ne!(outcome.status, SyncStatus::Failed, "{outcome:?}");
    assert_eq!(outcome.deleted, 0);
    assert!(
        outcome.warnings.iter().any(|w| w.contains("abruptly")),
        "{outcome:?}"
    );
    assert_eq!(app.live_events(room, Utc::now()).await.len(), 2);
}
