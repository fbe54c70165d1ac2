//! Prometheus metrics: the process's recorder (installed once), the HTTP middleware that
//! counts requests by route template and status with their latency, and `GET /metrics`.
//! The core records syncs, feed sizes, meetings created and closed, people present and the
//! lifecycle tick through the `metrics` facade; this module collects and renders them, and
//! registers every series it knows of at zero when the recorder is installed, so a scrape
//! right after start (and a dashboard's `rate()`) sees each one before its first event.

use axum::extract::{MatchedPath, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use roomcal::domain::ClosedBecause;
use roomcal::sync::SyncStatus;
use std::sync::OnceLock;
use std::time::Instant;

/// Latency buckets (seconds): from a cached page to a slow feed.
const SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Feed size buckets (bytes): 1 KB to 50 MB.
const BYTES: &[f64] = &[1e3, 1e4, 1e5, 1e6, 5e6, 1e7, 2.5e7, 5e7];

/// The process's recorder, installed on first use; `None` if another recorder was
/// installed first (metrics then go there, and `/metrics` says it is unavailable).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_bytes".into()), BYTES));
            match builder.map(PrometheusBuilder::install_recorder) {
                Ok(Ok(handle)) => {
                    register_known_series();
                    Some(handle)
                }
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "metrics recorder not installed");
                    None
                }
                Err(err) => {
                    tracing::warn!(error = %err, "metrics buckets rejected");
                    None
                }
            }
        })
        .as_ref()
}

/// The core's counters, each with the label values it can take.
fn known_counters() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    vec![
        (
            "roomcal_syncs_total",
            "outcome",
            SyncStatus::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        (
            "roomcal_meetings_closed_total",
            "reason",
            ClosedBecause::ALL.iter().map(|r| r.as_str()).collect(),
        ),
    ]
}

/// The core's counters without labels.
const UNLABELLED_COUNTERS: &[&str] = &["roomcal_meetings_created_total"];
/// The core's gauges.
const GAUGES: &[&str] = &["roomcal_active_meetings", "roomcal_people_present"];
/// The core's histograms.
const HISTOGRAMS: &[&str] = &[
    "roomcal_sync_seconds",
    "roomcal_feed_fetch_seconds",
    "roomcal_feed_bytes",
    "roomcal_feed_processing_seconds",
    "roomcal_lifecycle_tick_seconds",
];

/// Registers every series the core records, at zero (adding zero leaves a series that
/// already has a value as it is). HTTP series are not listed: their labels are the
/// routes actually requested.
pub fn register_known_series() {
    for (name, label, values) in known_counters() {
        for value in values {
            metrics::counter!(name, label => value).increment(0);
        }
    }
    for name in UNLABELLED_COUNTERS {
        metrics::counter!(*name).increment(0);
    }
    for name in GAUGES {
        metrics::gauge!(*name).increment(0.0);
    }
    for name in HISTOGRAMS {
        // Registering is enough: an empty histogram renders with zero counts.
        let _ = metrics::histogram!(*name);
    }
}

/// Counts each request by method, route template (`/v1/rooms/{room_name}/meetings`, never
/// the raw path, so a scanner cannot blow up the label set) and status, and records its
/// latency.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        "roomcal_http_requests_total",
        "method" => method,
        "route" => route.clone(),
        "status" => status
    )
    .increment(1);
    metrics::histogram!(
        "roomcal_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` in Prometheus' text format.
pub async fn render() -> Response {
    match handle() {
        Some(handle) => {
            handle.run_upkeep();
            (
                [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
                handle.render(),
            )
                .into_response()
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics are not available").into_response(),
    }
}

/// A router with `GET /metrics` only: merged into the site, or served on `--metrics-addr`.
pub fn router() -> Router {
    Router::new().route("/metrics", get(render))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of `series` (name and labels exactly as rendered) in `text`.
    fn value(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|v| v.parse().ok())
    }

    #[test]
    fn every_known_series_is_rendered_at_zero_before_anything_happened() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, register_known_series);
        let text = handle.render();
        let mut expected = vec![
            r#"roomcal_syncs_total{outcome="ok"}"#.to_string(),
            r#"roomcal_syncs_total{outcome="unchanged"}"#.to_string(),
            r#"roomcal_syncs_total{outcome="failed"}"#.to_string(),
            r#"roomcal_meetings_closed_total{reason="grace_period_over"}"#.to_string(),
            r#"roomcal_meetings_closed_total{reason="calendar_cancelled"}"#.to_string(),
            "roomcal_meetings_created_total".to_string(),
            "roomcal_active_meetings".to_string(),
            "roomcal_people_present".to_string(),
        ];
        expected.extend(ClosedBecause::ALL.iter().map(|r| {
            format!(
                r#"roomcal_meetings_closed_total{{reason="{}"}}"#,
                r.as_str()
            )
        }));
        expected.extend(HISTOGRAMS.iter().map(|h| format!("{h}_count")));
        for series in expected {
            assert_eq!(value(&text, &series), Some(0.0), "{series} in\n{text}");
        }
    }

    #[test]
    fn registering_again_keeps_the_counts_already_made() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            metrics::counter!("roomcal_syncs_total", "outcome" => "ok").increment(2);
            register_known_series();
        });
        let text = handle.render();
        assert_eq!(
            value(&text, r#"roomcal_syncs_total{outcome="ok"}"#),
            Some(2.0)
        );
    }
}
