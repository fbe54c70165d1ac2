//! `/v1/me/*` and `DELETE /v1/rooms/{room_name}`: managing one's account and rooms — the
//! password, the sessions, deleting a room or the account (each behind a typed
//! confirmation).

use super::error::{ApiError, ApiJson, ErrorBody};
use super::extract::{session_token, CurrentUser};
use crate::state::ServerState;
use app::dto::SessionDto;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use roomcal::services::account_settings;
use roomcal::services::limits::ClientAddr;
use roomcal::services::session_cookie::SessionCookie;
use roomcal::CoreError;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(list_sessions, sign_out_everywhere))
        .routes(routes!(delete_account))
        // `GET` / `PATCH` of this path are `rooms`' and `calendar`'s; axum joins them.
        .routes(routes!(delete_room))
}

/// `POST /v1/me/password` body.
#[derive(Debug, Deserialize, ToSchema)]
struct PasswordBody {
    /// The password now.
    current_password: String,
    /// The new one (8+ characters).
    new_password: String,
}

/// A typed confirmation: the room's name, or the account's email.
#[derive(Debug, Deserialize, ToSchema)]
struct ConfirmBody {
    /// What must be typed to go ahead.
    confirm: String,
}

/// `DELETE /v1/me` body.
#[derive(Debug, Deserialize, ToSchema)]
struct DeleteAccountBody {
    /// The account's email, typed to go ahead.
    confirm: String,
    /// What becomes of the caller's rooms: `delete` (the default) deletes them all;
    /// `hand_over` gives each room that has a co-owner to its longest-standing co-owner and
    /// deletes the others.
    #[serde(default)]
    rooms: RoomsChoice,
}

/// What becomes of a leaving person's rooms.
#[derive(Debug, Default, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum RoomsChoice {
    /// Delete them with the account.
    #[default]
    Delete,
    /// Hand each to its longest-standing co-owner; delete those without one.
    HandOver,
}

impl From<RoomsChoice> for account_settings::LeavingRooms {
    fn from(choice: RoomsChoice) -> Self {
        match choice {
            RoomsChoice::Delete => Self::Delete,
            RoomsChoice::HandOver => Self::HandOver,
        }
    }
}

/// The token of the session asking (present: the extractor found it).
fn token<'h>(state: &ServerState, headers: &'h HeaderMap) -> Result<&'h str, ApiError> {
    session_token(&state.core, headers).ok_or_else(|| CoreError::Unauthenticated.into())
}

/// Changes the password; every other session of the account ends.
#[utoipa::path(
    post,
    path = "/me/password",
    tag = "auth",
    request_body = PasswordBody,
    responses(
        (status = 204, description = "Changed; other sessions ended"),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "The current password is wrong, or the new one too short", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody),
    )
)]
async fn change_password(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    let token = token(&state, &headers)?;
    account_settings::change_password(
        &state.core,
        &user,
        token,
        &body.current_password,
        &body.new_password,
        client,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's sessions, newest first.
#[utoipa::path(
    get,
    path = "/me/sessions",
    tag = "auth",
    responses(
        (status = 200, description = "The sessions", body = Vec<SessionDto>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
async fn list_sessions(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
) -> Result<Json<Vec<SessionDto>>, ApiError> {
    let token = token(&state, &headers)?;
    let sessions = account_settings::sessions(&state.core, &user, token).await?;
    Ok(Json(sessions.into_iter().map(SessionDto::from).collect()))
}

/// Signs out everywhere: every session of the account ends, this one too.
#[utoipa::path(
    delete,
    path = "/me/sessions",
    tag = "auth",
    responses(
        (status = 204, description = "Every session ended"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
async fn sign_out_everywhere(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
) -> Result<impl IntoResponse, ApiError> {
    account_settings::sign_out_everywhere(&state.core, &user).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, SessionCookie::of(&state.core).clear())],
    ))
}

/// Deletes the account and its sessions; its rooms are deleted or handed to co-owners
/// (`rooms`); `confirm` is its email.
#[utoipa::path(
    delete,
    path = "/me",
    tag = "auth",
    request_body = DeleteAccountBody,
    responses(
        (status = 204, description = "The account is gone"),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "The confirmation is not the account's email", body = ErrorBody),
    )
)]
async fn delete_account(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<DeleteAccountBody>,
) -> Result<impl IntoResponse, ApiError> {
    account_settings::delete_account(&state.core, &user, &body.confirm, body.rooms.into()).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, SessionCookie::of(&state.core).clear())],
    ))
}

/// Deletes one of the caller's rooms with everything in it; `confirm` is its name.
#[utoipa::path(
    delete,
    path = "/rooms/{room_name}",
    tag = "rooms",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    request_body = ConfirmBody,
    responses(
        (status = 204, description = "The room is gone"),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the caller's room (co-owners cannot delete it)", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "The confirmation is not the room's name", body = ErrorBody),
    )
)]
async fn delete_room(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room_name): Path<String>,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Result<StatusCode, ApiError> {
    account_settings::delete_room(&state.core, &user, &room_name, &body.confirm).await?;
    Ok(StatusCode::NO_CONTENT)
}
