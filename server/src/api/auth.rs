//! `/v1/auth/*` and `/v1/me`.

use super::error::{ApiError, ApiJson, ErrorBody};
use super::extract::{session_token, CurrentUser};
use crate::state::ServerState;
use app::dto::{convert, SignInOptionsDto, UserDto};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use roomcal::services::accounts::{self, SignedIn};
use roomcal::services::limits::ClientAddr;
use roomcal::services::session_cookie::SessionCookie;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(options))
}

/// `POST /v1/auth/signup` body.
#[derive(Debug, Deserialize, ToSchema)]
struct SignupBody {
    /// Email address.
    email: String,
    /// Display name.
    name: String,
    /// Password (8+ characters).
    password: String,
}

/// `POST /v1/auth/login` body.
#[derive(Debug, Deserialize, ToSchema)]
struct LoginBody {
    /// Email address.
    email: String,
    /// Password.
    password: String,
}

/// The request's `User-Agent`, naming the device a session signs in with.
pub(crate) fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

fn with_session_cookie(
    state: &ServerState,
    status: StatusCode,
    signed_in: SignedIn,
) -> impl IntoResponse {
    let cookie = SessionCookie::of(&state.core).set(
        signed_in.token.expose(),
        state.core.settings.session_lifetime,
    );
    (
        status,
        [(SET_COOKIE, cookie)],
        Json(UserDto::from(&signed_in.user)),
    )
}

/// Creates an account and signs it in (sets the session cookie).
#[utoipa::path(
    post,
    path = "/auth/signup",
    tag = "auth",
    request_body = SignupBody,
    responses(
        (status = 201, description = "Signed up and signed in", body = UserDto),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 403, description = "Sign-up is closed on this instance (`--signup closed`)", body = ErrorBody),
        (status = 409, description = "The email has an account already", body = ErrorBody),
        (status = 422, description = "Invalid fields, each with a message", body = ErrorBody),
        (status = 429, description = "Too many failed attempts, or too many accounts made, from this address", body = ErrorBody),
    )
)]
async fn signup(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignupBody>,
) -> Result<impl IntoResponse, ApiError> {
    let input = accounts::SignUp {
        email: body.email,
        name: body.name,
        password: body.password.into(),
    };
    let signed_in = accounts::sign_up(&state.core, &input, client).await?;
    accounts::note_device(&state.core, &signed_in, user_agent(&headers)).await;
    Ok(with_session_cookie(&state, StatusCode::CREATED, signed_in))
}

/// Signs in (sets the session cookie).
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = UserDto),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 429, description = "Too many failed attempts for this account or address", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<impl IntoResponse, ApiError> {
    let signed_in = accounts::sign_in(&state.core, &body.email, &body.password, client).await?;
    accounts::note_device(&state.core, &signed_in, user_agent(&headers)).await;
    Ok(with_session_cookie(&state, StatusCode::OK, signed_in))
}

/// Signs out (clears the session cookie).
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    responses((status = 204, description = "Signed out"))
)]
async fn logout(
    State(state): State<ServerState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(token) = session_token(&state.core, &headers) {
        accounts::sign_out(&state.core, token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, SessionCookie::of(&state.core).clear())],
    ))
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/me",
    tag = "auth",
    responses(
        (status = 200, description = "The signed-in user", body = UserDto),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
async fn me(CurrentUser(user): CurrentUser) -> Result<Json<UserDto>, ApiError> {
    Ok(Json(UserDto::from(&user)))
}

/// How people sign in here: the organization's provider (its button's label and where its
/// sign-in starts) and whether email-and-password accounts sign in and sign up.
#[utoipa::path(
    get,
    path = "/auth/options",
    tag = "auth",
    responses((status = 200, description = "The ways to sign in", body = SignInOptionsDto))
)]
async fn options(State(state): State<ServerState>) -> Json<SignInOptionsDto> {
    Json(convert::sign_in_options(&state.core))
}
