//! Request helpers for server functions: the core, who is asking, cookies, and the
//! error status.
use crate::dto::AppError;
use http::header::{HeaderValue, SET_COOKIE};
use leptos::prelude::*;
use roomcal::domain::User;
use roomcal::services::accounts;
use roomcal::services::session_cookie::SessionCookie;
use roomcal::Core;

/// The core services, provided as context by the server.
pub fn core() -> Result<Core, AppError> {
    use_context::<Core>().ok_or_else(|| AppError {
        status: 500,
        code: "internal".into(),
        message: "internal error".into(),
        fields: Default::default(),
        retry_after_secs: None,
    })
}

/// The session token from the request's cookies.
pub async fn session_token() -> Option<String> {
    let cookie = core().map_or(SessionCookie::for_site(""), |core| SessionCookie::of(&core));
    let headers: http::HeaderMap = leptos_axum::extract().await.ok()?;
    cookie.token_from(&headers).map(str::to_string)
}

/// The signed-in user, or "sign in first" (401): the one way server functions that
/// need an account find out who is asking.
pub async fn current_user(core: &Core) -> Result<User, AppError> {
    let token = session_token().await;
    Ok(accounts::require_user(core, token.as_deref()).await?)
}

/// The signed-in user, if any.
pub async fn viewer(core: &Core) -> Result<Option<User>, AppError> {
    let token = session_token().await;
    Ok(accounts::current_user(core, token.as_deref()).await?)
}

/// The guest's knock token for meeting `meeting_id`, from its cookie.
pub async fn knock_token(core: &Core, meeting_id: uuid::Uuid) -> Option<String> {
    let headers: http::HeaderMap = leptos_axum::extract().await.ok()?;
    SessionCookie::of(core)
        .knock_from(meeting_id, &headers)
        .map(str::to_string)
}

/// The client address the server recorded for this request (for per-client limits).
pub async fn client_addr() -> roomcal::services::limits::ClientAddr {
    let extensions: Option<http::Extensions> = leptos_axum::extract().await.ok();
    extensions
        .and_then(|e| e.get::<roomcal::services::limits::ClientAddr>().copied())
        .unwrap_or_default()
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// Runs a server function's body; on error, answers with the error's HTTP status
/// (422, 401, 404, …) instead of the generic 500.
pub async fn run<T>(
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let result = body.await;
    if let Err(err) = &result {
        crate::response::set_status(err.status);
        // A limit's 429 says when to come back, as on /v1.
        if let (Some(secs), Some(response)) = (
            err.retry_after_secs,
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            response.insert_header(http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    result
}

/// After the session ended (signing out, everywhere, or the account deleted): the
/// browser drops the session cookie.
pub fn signed_out(core: &Core) {
    set_cookie(&SessionCookie::of(core).clear());
}

/// After signing up or in: note the device, set the session cookie and go to
/// `return_to` when it is a page of this site (the room that asked the person to sign
/// in), else to "my rooms".
pub async fn signed_in(core: &Core, signed_in: &accounts::SignedIn, return_to: Option<&str>) {
    let headers: Option<http::HeaderMap> = leptos_axum::extract().await.ok();
    let agent = headers
        .as_ref()
        .and_then(|h| h.get(http::header::USER_AGENT))
        .and_then(|v| v.to_str().ok());
    accounts::note_device(core, signed_in, agent).await;
    set_cookie(
        &SessionCookie::of(core).set(signed_in.token.expose(), core.settings.session_lifetime),
    );
    let next = return_to
        .and_then(roomcal::services::oidc::local_return_to)
        .unwrap_or("/rooms");
    leptos_axum::redirect(next);
}
