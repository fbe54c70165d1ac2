//! Who is asking, as extractors: a handler names [`CurrentUser`] (signed in, else 401) or
//! [`Viewer`] (signed in or not) in its arguments instead of reading the session cookie and
//! fetching the user by hand.

use super::error::ApiError;
use crate::state::ServerState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use roomcal::domain::User;
use roomcal::services::accounts;
use roomcal::services::session_cookie::SessionCookie;
use roomcal::Core;

/// The signed-in user; a request without a valid session is answered 401.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// The signed-in user, if any; anonymous requests pass with `None`.
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<User>);

impl FromRequestParts<ServerState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(&state.core, &parts.headers);
        Ok(Self(accounts::require_user(&state.core, token).await?))
    }
}

impl FromRequestParts<ServerState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(&state.core, &parts.headers);
        Ok(Self(accounts::current_user(&state.core, token).await?))
    }
}

/// The session token in the request's cookies ([`SessionCookie`]: the `__Host-` name over
/// https).
pub fn session_token<'h>(core: &Core, headers: &'h HeaderMap) -> Option<&'h str> {
    SessionCookie::of(core).token_from(headers)
}
