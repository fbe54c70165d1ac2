//! Calendar sync against a real (misbehaving) feed server on loopback.

use crate::feed_server::{self, Feeds};
use crate::helpers::{ics, spawn_app, spawn_app_with, Ev, TestApp};
use chrono::{Duration, Utc};
use roomcal::sync::SyncStatus;
use serde_json::Value;

pub(crate) async fn setup(room: &str) -> (TestApp, Feeds, uuid::Uuid) {
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

pub(crate) fn two_events(app: &TestApp, room: &str) -> String {
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
