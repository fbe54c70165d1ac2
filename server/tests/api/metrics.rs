//! `GET /metrics`: what an operator's Prometheus scrapes.

use crate::feed_server;
use crate::helpers::{spawn_app, spawn_app_with};
use crate::sync::two_events;
use chrono::Utc;

/// The value of the first sample line of `metric` whose labels contain all of `labels`.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(metric) && !l.starts_with('#'))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_report_syncs_and_meetings() {
    let app = spawn_app_with(&[
        "--allow-private-feeds",
        "--allow-http-feeds",
        "--metrics-public",
    ])
    .await;
    let feeds = feed_server::start_on("127.0.0.1").await;
    let room = app
        .room_with_feed("metered", &feeds.url("/feed/main"))
        .await;
    feeds.set("main", two_events(&app, "metered"));
    app.core
        .sync
        .sync_room(room, Utc::now())
        .await
        .expect("sync");
    roomcal::services::lifecycle_step::run_lifecycle_step(&app.core, Utc::now(), 100)
        .await
        .expect("tick");
    for _ in 0..3 {
        let response = app
            .client
            .get(app.url("/v1/rooms/metered/meetings"))
            .send()
            .await
            .expect("list");
        assert_eq!(response.status(), 200);
    }
    let missing = app
        .client
        .get(app.url("/v1/rooms/no-such-room/meetings"))
        .send()
        .await
        .expect("list");
    assert_eq!(missing.status(), 404);

    let response = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain")));
    let text = response.text().await.expect("text");
    // Route templates, not raw paths: one series for every room.
    let route = r#"route="/v1/rooms/{room_name}/meetings""#;
    let ok = sample(
        &text,
        "roomcal_http_requests_total",
        &[route, r#"status="200""#],
    );
    assert!(ok.is_some_and(|n| n >= 3.0), "{ok:?} in\n{text}");
    let not_found = sample(
        &text,
        "roomcal_http_requests_total",
        &[route, r#"status="404""#],
    );
    assert!(not_found.is_some_and(|n| n >= 1.0), "{not_found:?}");
    assert!(
        !text.contains("no-such-room"),
        "raw paths must not become labels"
    );
    assert!(sample(
        &text,
        "roomcal_http_request_duration_seconds_bucket",
        &[route, r#"le="+Inf""#]
    )
    .is_some_and(|n| n >= 4.0));
    // The core's own: syncs by outcome, feed sizes and fetch times, the lifecycle tick.
    assert!(sample(&text, "roomcal_syncs_total", &[r#"outcome="ok""#]).is_some_and(|n| n >= 1.0));
    for metric in [
        "roomcal_feed_bytes_count",
        "roomcal_feed_fetch_seconds_count",
        "roomcal_feed_processing_seconds_count",
        "roomcal_lifecycle_tick_seconds_count",
        "roomcal_active_meetings",
        "roomcal_people_present",
        "roomcal_meetings_created_total",
    ] {
        assert!(
            sample(&text, metric, &[]).is_some(),
            "{metric} missing in\n{text}"
        );
    }
}

#[tokio::test]
async fn metrics_are_not_served_on_the_main_address_without_metrics_public() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), 404);
    let text = response.text().await.expect("text");
    assert!(!text.contains("roomcal_syncs_total"), "{text}");
}

#[tokio::test]
async fn a_fresh_app_lists_every_known_series_before_any_sync_or_tick() {
    // The recorder is one per process, so other tests' counts may be in it: this checks
    // that each series is there; the metrics module's unit test checks they start at 0.
    let app = spawn_app_with(&["--metrics-public"]).await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    for (metric, labels) in [
        ("roomcal_syncs_total", &[r#"outcome="ok""#][..]),
        ("roomcal_syncs_total", &[r#"outcome="unchanged""#]),
        ("roomcal_syncs_total", &[r#"outcome="failed""#]),
        (
            "roomcal_meetings_closed_total",
            &[r#"reason="nobody_joined""#],
        ),
        (
            "roomcal_meetings_closed_total",
            &[r#"reason="calendar_cancelled""#],
        ),
        ("roomcal_meetings_created_total", &[]),
        ("roomcal_active_meetings", &[]),
        ("roomcal_people_present", &[]),
        ("roomcal_sync_seconds_count", &[]),
        ("roomcal_feed_bytes_count", &[]),
        ("roomcal_lifecycle_tick_seconds_count", &[]),
    ] {
        assert!(
            sample(&text, metric, labels).is_some(),
            "{metric} {labels:?} missing in\n{text}"
        );
    }
}
