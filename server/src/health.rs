//! `/healthz` (the process answers) and `/readyz` (the database answers too).

use crate::state::ServerState;
use axum::extract::State;
use axum::http::StatusCode;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database is reachable; 503 otherwise, so load balancers stop sending traffic.
pub async fn readyz(State(state): State<ServerState>) -> (StatusCode, &'static str) {
    match state.core.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
