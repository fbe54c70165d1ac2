//! The `/v1` JSON API for scripts and API clients. Cookie-session auth: a client with a
//! cookie jar signs in once and is recognised afterwards.

mod auth;
mod calendar;
pub mod error;
mod rooms;

use crate::startup::ServerState;
use axum::http::header::COOKIE;
use axum::http::HeaderMap;
use axum::Router;
use error::ApiError;
use roomcal::accounts;
use roomcal::domain::User;
use roomcal::Core;

/// All `/v1` routes.
pub fn router() -> Router<ServerState> {
    Router::new()
        .merge(auth::router())
        .merge(rooms::router())
        .merge(calendar::router())
}

/// The session token in the request's cookies.
fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(accounts::token_from_cookie_header)
}

/// The signed-in user, if any.
async fn viewer(core: &Core, headers: &HeaderMap) -> Result<Option<User>, ApiError> {
    Ok(accounts::current_user(core, session_token(headers)).await?)
}

/// The signed-in user, or 401.
async fn require_user(core: &Core, headers: &HeaderMap) -> Result<User, ApiError> {
    Ok(accounts::require_user(core, session_token(headers)).await?)
}
