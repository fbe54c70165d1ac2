//! Sign-in with the organization's OpenID provider over HTTP: `GET /auth/oidc/login`
//! sends the browser to the provider (with `?return_to=` a local path to come back to),
//! `GET /auth/oidc/callback` is where the provider sends it back. Browsers follow these,
//! so a failure is a short page that says what happened and what to do, never JSON or a
//! bare 500.

use crate::state::ServerState;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use roomcal::services::limits::ClientAddr;
use roomcal::services::oidc::{self, CallbackQuery, OidcError};
use roomcal::services::session_cookie::SessionCookie;
use roomcal::CoreError;
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/auth/oidc/login", get(login))
        .route("/auth/oidc/callback", get(callback))
}

/// `?return_to=` of the login route.
#[derive(Debug, Deserialize)]
struct LoginQuery {
    /// Where to go once signed in (a path of this site); "my rooms" when absent.
    return_to: Option<String>,
}

/// Where people go after signing in when they did not say.
const DEFAULT_RETURN_TO: &str = "/rooms";

async fn login(State(state): State<ServerState>, Query(query): Query<LoginQuery>) -> Response {
    let core = &state.core;
    let Some(provider) = core.oidc.as_deref() else {
        return page(
            StatusCode::NOT_FOUND,
            "This roomcal does not sign in with an organization's account; sign in with your email and password.",
        );
    };
    let wanted = query.return_to.as_deref().unwrap_or(DEFAULT_RETURN_TO);
    let Some(return_to) = oidc::local_return_to(wanted) else {
        return page(
            StatusCode::BAD_REQUEST,
            "The page to return to after signing in must be a page of this site; start signing in from roomcal's own sign-in page.",
        );
    };
    match oidc::begin(core, provider, return_to).await {
        Ok(started) => {
            let cookie =
                SessionCookie::of(core).set_pending_login(&started.pending, oidc::LOGIN_TIMEOUT);
            let mut response = StatusCode::FOUND.into_response();
            let headers = response.headers_mut();
            if let (Ok(to), Ok(cookie)) = (
                HeaderValue::from_str(&started.auth_url),
                HeaderValue::from_str(&cookie),
            ) {
                headers.insert(LOCATION, to);
                headers.insert(SET_COOKIE, cookie);
            }
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(err) => failure(&err),
    }
}

async fn callback(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Response {
    let core = &state.core;
    let Some(provider) = core.oidc.as_deref() else {
        return page(
            StatusCode::NOT_FOUND,
            "This roomcal does not sign in with an organization's account.",
        );
    };
    let cookie = SessionCookie::of(core);
    let pending = cookie.pending_login_from(&headers);
    let outcome = oidc::finish(core, provider, pending, &query, client).await;
    // The pending sign-in is used once, whatever came of it.
    let mut response = match outcome {
        Ok((signed_in, return_to)) => {
            let mut response = StatusCode::FOUND.into_response();
            if let (Ok(to), Ok(session)) = (
                HeaderValue::from_str(&return_to),
                HeaderValue::from_str(
                    &cookie.set(signed_in.token.expose(), core.settings.session_lifetime),
                ),
            ) {
                response.headers_mut().insert(LOCATION, to);
                response.headers_mut().append(SET_COOKIE, session);
            }
            tracing::info!(user = %signed_in.user.id, "signed in with the OpenID provider");
            response
        }
        Err(err) => failure(&err),
    };
    if let Ok(clear) = HeaderValue::from_str(&cookie.clear_pending_login()) {
        response.headers_mut().append(SET_COOKIE, clear);
    }
    response
}

/// The page for a failed sign-in: its status and the error's own words.
fn failure(err: &OidcError) -> Response {
    let status = match err {
        OidcError::ProviderDown(_) => StatusCode::BAD_GATEWAY,
        OidcError::StateMismatch | OidcError::Exchange(_) | OidcError::BadToken(_) => {
            StatusCode::BAD_REQUEST
        }
        OidcError::Refused(_)
        | OidcError::DomainNotAllowed(_)
        | OidcError::NotInGroup
        | OidcError::NoVerifiedEmail => StatusCode::FORBIDDEN,
        OidcError::LinkNeeded => StatusCode::CONFLICT,
        OidcError::Core(CoreError::TooManyRequests { .. }) => StatusCode::TOO_MANY_REQUESTS,
        OidcError::Core(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if status.is_server_error() && status != StatusCode::BAD_GATEWAY {
        tracing::error!(error = %err, "sign-in with the OpenID provider failed");
    } else {
        tracing::info!(error = %err, "sign-in with the OpenID provider refused");
    }
    let mut response = page(status, &err.to_string());
    if let OidcError::Core(CoreError::TooManyRequests {
        retry_after_secs, ..
    }) = err
    {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from(*retry_after_secs),
        );
    }
    response
}

/// A small page saying `message`, with the way back to signing in.
fn page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sign-in · roomcal</title><link rel=\"stylesheet\" href=\"/pkg/roomcal.css\"></head>\
         <body class=\"p-8 max-w-xl mx-auto\"><main><h1 class=\"text-xl font-semibold\">Sign-in did not work</h1>\
         <p data-testid=\"sign-in-problem\" role=\"alert\" class=\"my-4\">{}</p>\
         <p><a class=\"underline\" href=\"/login\">Back to signing in</a></p></main></body></html>",
        escape(message)
    );
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `text` safe inside HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
