//! Hostile and broken feeds cost a bounded amount of work, off the async workers: the rest
//! of the service keeps answering while they are read, a series over its budget is
//! skipped by name, a feed over its budget fails and changes nothing stored, and a rule
//! with a misspelt part is not expanded forever.

use crate::feed_server::{self, Feeds};
use crate::helpers::{ics, new_client, spawn_app_with, Ev, TestApp};
use chrono::{Duration, Utc};
use roomcal::sync::SyncStatus;
use serde_json::{json, Value};
use std::time::Instant;

/// The rule from the abuse report: it never matches (there is no 30 February), and its
/// COUNT makes the iterator walk from DTSTART.
const NEVER: &str = "RRULE:FREQ=HOURLY;COUNT=1000000;BYMONTH=2;BYMONTHDAY=30";

/// A VEVENT (CRLF lines) with `extra` lines, starting at `dtstart` (UTC, basic format).
fn vevent(uid: &str, summary: &str, dtstart: &str, location: &str, extra: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{dtstart}\r\nDURATION:PT30M\r\nSUMMARY:{summary}\r\nLOCATION:{location}\r\n{extra}END:VEVENT\r\n"
    )
}

fn calendar(events: &[String]) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roomcal tests//EN\r\n{}END:VCALENDAR\r\n",
        events.concat()
    )
}

/// 2,000 series with the never-matching rule, all in room `room`.
fn hostile_feed(app: &TestApp, room: &str) -> String {
    let url = app.room_url(room);
    let events: Vec<String> = (0..2000)
        .map(|i| {
            vevent(
                &format!("never-{i}"),
                "Never",
                "20200101T090000Z",
                &url,
                &format!("{NEVER}\r\n"),
            )
        })
        .collect();
    calendar(&events)
}

fn basic(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// An app whose budgets are small enough for a debug build to hit them quickly.
async fn app() -> (TestApp, Feeds) {
    let app = spawn_app_with(&[
        "--allow-private-feeds",
        "--allow-http-feeds",
        "--feed-series-steps",
        "100000",
        "--feed-steps",
        "2000000",
    ])
    .await;
    (app, feed_server::start_on("127.0.0.1").await)
}

#[tokio::test]
async fn health_checks_and_other_rooms_syncs_answer_while_four_hostile_feeds_are_tested() {
    let (app, feeds) = app().await;
    app.room_with_feed("victim", &feeds.url("/feed/hostile"))
        .await;
    feeds.set("hostile", hostile_feed(&app, "victim"));
    // Someone else's room with an ordinary calendar.
    let other = new_client();
    let start = Utc::now() + Duration::hours(2);
    let url = app.room_url("bystander");
    feeds.set(
        "ordinary",
        ics(&[Ev {
            uid: "standup",
            start,
            minutes: 15,
            summary: "Standup",
            location: &url,
        }]),
    );
    app.room_with_feed_by(&other, "bystander", &feeds.url("/feed/ordinary"))
        .await;

    let tests: Vec<_> = (0..4)
        .map(|_| {
            let client = app.client.clone();
            let url = app.url("/v1/rooms/victim/ics/test");
            let body = json!({"url": feeds.url("/feed/hostile")});
            tokio::spawn(async move { client.post(url).json(&body).send().await })
        })
        .collect();
    // While they run: the bystander's manual sync, and /healthz every 50 ms (probed at
    // least once before looking whether the tests are done, so the probes overlap them).
    let sync_started = Instant::now();
    let sync = tokio::spawn({
        let url = app.url("/v1/rooms/bystander/ics/sync");
        async move {
            let response = other.post(url).json(&json!({})).send().await;
            (response, sync_started.elapsed())
        }
    });
    let mut slowest = std::time::Duration::ZERO;
    let mut probes = 0;
    let mut tests_running_at_a_probe = false;
    loop {
        let running = !tests.iter().all(|t| t.is_finished());
        let asked = Instant::now();
        assert_eq!(app.get("/healthz").await.status(), 200);
        slowest = slowest.max(asked.elapsed());
        probes += 1;
        tests_running_at_a_probe |= running;
        if !running && sync.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        tests_running_at_a_probe,
        "no probe overlapped the hostile tests"
    );
    let (sync, sync_took) = sync.await.expect("task");
    let sync = sync.expect("sync");
    assert_eq!(sync.status(), 200);
    let outcome: Value = sync.json().await.expect("json");
    assert_eq!(
        (outcome["status"].as_str(), outcome["created"].as_u64()),
        (Some("ok"), Some(1))
    );
    // Generous bounds for a loaded debug build; before, both stalled for 30 s and more.
    assert!(
        sync_took < std::time::Duration::from_secs(5),
        "the other room's sync took {sync_took:?}"
    );
    assert!(
        slowest < std::time::Duration::from_secs(2),
        "/healthz took {slowest:?} at worst over {probes} probes"
    );
    for test in tests {
        let response = test.await.expect("task").expect("response");
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.expect("json");
        let message = body["error"]["fields"]["url"].as_str().unwrap_or_default();
        assert!(message.contains("too much work"), "{message}");
    }
}

#[tokio::test]
async fn a_feed_over_its_budget_fails_and_keeps_every_stored_event() {
    let (app, feeds) = app().await;
    let room = app.room_with_feed("kept", &feeds.url("/feed/main")).await;
    let url = app.room_url("kept");
    let start = Utc::now() + Duration::hours(2);
    feeds.set(
        "main",
        ics(&[
            Ev {
                uid: "a",
                start,
                minutes: 30,
                summary: "Planning",
                location: &url,
            },
            Ev {
                uid: "b",
                start: start + Duration::hours(1),
                minutes: 30,
                summary: "Review",
                location: &url,
            },
        ]),
    );
    let first = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    assert_eq!(first.created, 2);
    feeds.set("main", hostile_feed(&app, "kept"));
    let second = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    assert_eq!(second.status, SyncStatus::Failed);
    assert!(
        second
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("too much work"),
        "{:?}",
        second.error
    );
    assert_eq!(app.live_events(room, Utc::now()).await.len(), 2);
}

#[tokio::test]
async fn a_series_over_its_budget_is_skipped_by_name_and_the_rest_of_the_feed_is_used() {
    let (app, feeds) = app().await;
    let room = app.room_with_feed("mixed", &feeds.url("/feed/main")).await;
    let url = app.room_url("mixed");
    let soon = basic(Utc::now() + Duration::hours(2));
    feeds.set(
        "main",
        calendar(&[
            vevent("weekly", "Weekly sync", &soon, &url, ""),
            vevent(
                "runaway",
                "Runaway rule",
                // Walked hourly from 2000: far over the series budget of 100,000 steps.
                "20000101T090000Z",
                &url,
                &format!("{NEVER}\r\n"),
            ),
        ]),
    );
    let outcome = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    assert_eq!(outcome.status, SyncStatus::Ok);
    assert_eq!(outcome.created, 1);
    let warning = outcome.warnings.join("\n");
    assert!(
        warning.contains("Runaway rule")
            && warning.contains("runaway")
            && warning.contains("skipped"),
        "{warning}"
    );
    let titles: Vec<_> = app
        .live_events(room, Utc::now())
        .await
        .into_iter()
        .filter_map(|e| e.title)
        .collect();
    assert_eq!(titles, ["Weekly sync"]);
}

#[tokio::test]
async fn a_misspelt_or_unreadable_rule_keeps_only_the_first_instance_and_says_which_event() {
    let (app, feeds) = app().await;
    let room = app.room_with_feed("strict", &feeds.url("/feed/main")).await;
    let url = app.room_url("strict");
    // Both series started in 2019 on a Thursday; read as if the bad part were absent they
    // would put a meeting in this room every Thursday from now on.
    feeds.set(
        "main",
        calendar(&[
            vevent(
                "ended",
                "Ended series",
                "20191003T090000Z",
                &url,
                "RRULE:FREQ=WEEKLY;UNTL=20191023;BYDAY=TH\r\n",
            ),
            vevent(
                "garbled",
                "Garbled until",
                "20191003T090000Z",
                &url,
                "RRULE:FREQ=DAILY;UNTIL=123456T123456\r\n",
            ),
            vevent(
                "ext",
                "Extension part",
                &basic(Utc::now() + Duration::hours(1)),
                &url,
                "RRULE:FREQ=HOURLY;COUNT=2;X-NAME=ok\r\n",
            ),
        ]),
    );
    let later = Utc::now() + Duration::days(8);
    let outcome = app
        .core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    assert_eq!(outcome.status, SyncStatus::Ok);
    let titles: Vec<_> = app
        .live_events(room, later - Duration::days(9))
        .await
        .into_iter()
        .filter_map(|e| e.title)
        .collect();
    assert_eq!(
        titles,
        ["Extension part", "Extension part"],
        "an X- part is ignored, the others expand nothing now"
    );
    let warnings = outcome.warnings.join("\n");
    assert!(
        warnings.contains("\"Ended series\" (UID ended)") && warnings.contains("UNTL"),
        "{warnings}"
    );
    assert!(
        warnings.contains("\"Garbled until\" (UID garbled)")
            && warnings.contains("UNTIL=123456T123456"),
        "{warnings}"
    );
}
