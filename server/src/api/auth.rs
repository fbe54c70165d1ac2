//! `/v1/auth/*` and `/v1/me`.

use super::error::{ApiError, ApiJson};
use super::{require_user, session_token};
use crate::startup::ServerState;
use app::dto::UserDto;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use roomcal::accounts::{self, SignedIn};
use roomcal::limits::ClientAddr;
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/auth/signup", post(signup))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

/// `POST /v1/auth/signup` body.
#[derive(Debug, Deserialize)]
struct SignupBody {
    /// Email address.
    email: String,
    /// Display name.
    name: String,
    /// Password (8+ characters).
    password: String,
}

/// `POST /v1/auth/login` body.
#[derive(Debug, Deserialize)]
struct LoginBody {
    /// Email address.
    email: String,
    /// Password.
    password: String,
}

fn with_session_cookie(
    state: &ServerState,
    status: StatusCode,
    signed_in: SignedIn,
) -> impl IntoResponse {
    let cookie = accounts::session_cookie(
        &signed_in.token,
        state.core.settings.session_lifetime,
        state.core.settings.public_url.starts_with("https://"),
    );
    (
        status,
        [(SET_COOKIE, cookie)],
        Json(UserDto::from(&signed_in.user)),
    )
}

async fn signup(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    ApiJson(body): ApiJson<SignupBody>,
) -> Result<impl IntoResponse, ApiError> {
    let input = accounts::SignUp {
        email: body.email,
        name: body.name,
        password: body.password,
    };
    let signed_in = accounts::sign_up(&state.core, &input, client).await?;
    Ok(with_session_cookie(&state, StatusCode::CREATED, signed_in))
}

async fn login(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<impl IntoResponse, ApiError> {
    let signed_in = accounts::sign_in(&state.core, &body.email, &body.password, client).await?;
    Ok(with_session_cookie(&state, StatusCode::OK, signed_in))
}

async fn logout(
    State(state): State<ServerState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(token) = session_token(&headers) {
        accounts::sign_out(&state.core, token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, accounts::clear_session_cookie())],
    ))
}

async fn me(
    State(state): State<ServerState>,
    headers: HeaderMap,
) -> Result<Json<UserDto>, ApiError> {
    let user = require_user(&state.core, &headers).await?;
    Ok(Json(UserDto::from(&user)))
}
