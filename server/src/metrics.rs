//! Prometheus metrics: the process's recorder (installed once), the HTTP middleware that
//! counts requests by route template and status with their latency, and `GET /metrics`.
//! The core records syncs, feed sizes, meetings created and closed, people present and the
//! lifecycle tick through the `metrics` facade; this module only collects and renders.

use axum::extract::{MatchedPath, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
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
                Ok(Ok(handle)) => Some(handle),
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
