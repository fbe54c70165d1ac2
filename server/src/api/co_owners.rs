//! `/v1/rooms/{room_name}/co-owners`: the accounts that host a room with its owner. The
//! owner and co-owners see the list; only the owner adds or removes co-owners, and a
//! co-owner may remove itself (leave the room).

use super::error::{ApiError, ApiJson, ErrorBody};
use super::extract::CurrentUser;
use crate::state::ServerState;
use app::dto::CoOwnerDto;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use roomcal::services::co_owners;
use roomcal::CoreError;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list_co_owners, add_co_owner))
        .routes(routes!(remove_co_owner))
}

/// `POST /v1/rooms/{room_name}/co-owners` body.
#[derive(Debug, Deserialize, ToSchema)]
struct AddBody {
    /// The email of the account to add (it must exist: the person signs up or signs in
    /// once first).
    email: String,
}

/// The room's co-owners, oldest first.
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/co-owners",
    tag = "rooms",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    responses(
        (status = 200, description = "The co-owners", body = Vec<CoOwnerDto>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    )
)]
async fn list_co_owners(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room_name): Path<String>,
) -> Result<Json<Vec<CoOwnerDto>>, ApiError> {
    let list = co_owners::co_owners(&state.core, &user, &room_name).await?;
    Ok(Json(list.into_iter().map(CoOwnerDto::from).collect()))
}

/// Adds a co-owner by email (the room's owner only).
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/co-owners",
    tag = "rooms",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    request_body = AddBody,
    responses(
        (status = 201, description = "The new co-owner", body = CoOwnerDto),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "Already a co-owner", body = ErrorBody),
        (status = 422, description = "Not an email, no account with it, or the owner's own", body = ErrorBody),
        (status = 429, description = "The room has the most co-owners allowed", body = ErrorBody),
    )
)]
async fn add_co_owner(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room_name): Path<String>,
    ApiJson(body): ApiJson<AddBody>,
) -> Result<(StatusCode, Json<CoOwnerDto>), ApiError> {
    let added = co_owners::add_co_owner(&state.core, &user, &room_name, &body.email).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Removes a co-owner (the owner removes anyone; a co-owner only itself).
#[utoipa::path(
    delete,
    path = "/rooms/{room_name}/co-owners/{user_id}",
    tag = "rooms",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("user_id" = String, Path, description = "The co-owner's account id"),
    ),
    responses(
        (status = 204, description = "No longer a co-owner"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner (nor the co-owner itself)", body = ErrorBody),
        (status = 404, description = "No such room, or not a co-owner of it", body = ErrorBody),
    )
)]
async fn remove_co_owner(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let user_id = CoreError::parse_id(&user_id, "that account is not a co-owner of this room")?;
    co_owners::remove_co_owner(&state.core, &user, &room_name, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
