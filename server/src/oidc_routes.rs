//! Sign-in with the organization's OpenID provider over HTTP: `GET /auth/oidc/login`
//! sends the browser to the provider (with `?return_to=` a local path to come back to),
//! `GET /auth/oidc/callback` is where the provider sends it back, and `GET`/`POST
//! /auth/oidc/link` asks once for the password of a local account whose verified email the
//! provider gave, to link the two. Browsers follow these,
//! so a failure is a short page that says what happened and what to do, never JSON or a
//! bare 500.

use crate::api::user_agent;
use crate::state::ServerState;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Form;
use axum::{Extension, Router};
use roomcal::services::limits::ClientAddr;
use roomcal::services::oidc::{self, CallbackQuery, Finished, OidcError, PendingLink, Sealed};
use roomcal::services::session_cookie::{SessionCookie, SideCookie};
use roomcal::CoreError;
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<ServerState> {
    Router::new()
        .route(roomcal::services::oidc::LOGIN_PATH, get(login))
        .route("/auth/oidc/callback", get(callback))
        .route("/auth/oidc/link", get(link_form).post(link))
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
            let mut response = redirect(&started.auth_url);
            append_cookie(
                &mut response,
                &SessionCookie::of(core).set_side(
                    SideCookie::PendingLogin,
                    &started.pending,
                    oidc::LOGIN_TIMEOUT,
                ),
            );
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
    let pending = cookie.side_from(SideCookie::PendingLogin, &headers);
    let outcome = oidc::finish(core, provider, pending, &query, client).await;
    // The pending sign-in is used once, whatever came of it.
    let mut response = match outcome {
        Ok(Finished::SignedIn(signed_in, return_to)) => {
            tracing::info!(user = %signed_in.user.id, "signed in with the OpenID provider");
            roomcal::services::accounts::note_device(core, &signed_in, user_agent(&headers)).await;
            signed_in_redirect(core, &signed_in, &return_to)
        }
        Ok(Finished::LinkOffered(offer)) => {
            let mut response = redirect("/auth/oidc/link");
            append_cookie(
                &mut response,
                &cookie.set_side(SideCookie::PendingLink, &offer, oidc::LOGIN_TIMEOUT),
            );
            response
        }
        Err(err) => failure(&err),
    };
    append_cookie(&mut response, &cookie.clear_side(SideCookie::PendingLogin));
    response
}

/// The password form of a link offer.
async fn link_form(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let core = &state.core;
    let offer = SessionCookie::of(core)
        .side_from(SideCookie::PendingLink, &headers)
        .and_then(|sealed| PendingLink::open(sealed, &core.secrets, core.clock.now()));
    match offer {
        Some(offer) => link_page(StatusCode::OK, &offer.email, None),
        None => failure(&OidcError::LinkExpired),
    }
}

/// The link form's field.
#[derive(Debug, Deserialize)]
struct LinkForm {
    /// The local account's password.
    password: String,
}

/// Links the offered identity when the password is the local account's, and signs in.
async fn link(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    Form(form): Form<LinkForm>,
) -> Response {
    let core = &state.core;
    let cookie = SessionCookie::of(core);
    let sealed = cookie.side_from(SideCookie::PendingLink, &headers);
    match oidc::link(core, sealed, &form.password, client).await {
        Ok((signed_in, return_to)) => {
            roomcal::services::accounts::note_device(core, &signed_in, user_agent(&headers)).await;
            let mut response = signed_in_redirect(core, &signed_in, &return_to);
            append_cookie(&mut response, &cookie.clear_side(SideCookie::PendingLink));
            response
        }
        Err(OidcError::Core(CoreError::BadCredentials)) => {
            let email = sealed
                .and_then(|s| PendingLink::open(s, &core.secrets, core.clock.now()))
                .map(|offer| offer.email)
                .unwrap_or_default();
            link_page(
                StatusCode::UNAUTHORIZED,
                &email,
                Some("That is not this account's password; try again."),
            )
        }
        Err(err) => failure(&err),
    }
}

/// 302 to `to` with the new session's cookie.
fn signed_in_redirect(
    core: &roomcal::Core,
    signed_in: &roomcal::services::accounts::SignedIn,
    to: &str,
) -> Response {
    let mut response = redirect(to);
    append_cookie(
        &mut response,
        &SessionCookie::of(core).set(signed_in.token.expose(), core.settings.session_lifetime),
    );
    response
}

/// 302 to `to`.
fn redirect(to: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(to) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, to);
    }
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Adds a `Set-Cookie` to `response`.
fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The form asking for the password of the account with `email`.
fn link_page(status: StatusCode, email: &str, problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| {
            format!(
                "<p role=\"alert\" data-testid=\"link-problem\" class=\"text-red-700 my-2\">{}</p>",
                escape(p)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Link your account · roomcal</title><link rel=\"stylesheet\" href=\"/pkg/roomcal.css\"></head>\
         <body class=\"p-8 max-w-xl mx-auto\"><main><h1 class=\"text-xl font-semibold\">Link your account</h1>\
         <p class=\"my-4\">You already have a roomcal account as <strong>{}</strong>. Enter its password once; \
         from then on you sign in with your organization's account.</p>{problem}\
         <form method=\"post\" action=\"/auth/oidc/link\"><label class=\"block my-2\">Password \
         <input class=\"border rounded px-2 py-1\" type=\"password\" name=\"password\" required autocomplete=\"current-password\"></label>\
         <button type=\"submit\" class=\"rounded bg-indigo-600 text-white px-4 py-2\">Link and sign in</button></form>\
         </main></body></html>",
        escape(email)
    );
    html(status, body)
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
        OidcError::LinkUnverified => StatusCode::CONFLICT,
        OidcError::LinkExpired => StatusCode::BAD_REQUEST,
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
    html(status, body)
}

/// An HTML answer that no cache keeps.
fn html(status: StatusCode, body: String) -> Response {
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
