//! `/v1/rooms/{room_name}/meetings/{meeting_id}/knock…`: a guest asks to join a meeting
//! of a knock room and follows the answer; the room's owners list the knocks and admit
//! or decline them. Thin shells over `roomcal::services::knocking`; whether a knock lets
//! its holder into the call is decided by the join route (`meetings`).

use super::error::{ApiError, ApiJson, ErrorBody};
use super::extract::CurrentUser;
use crate::state::ServerState;
use app::dto::{convert, KnockDto, KnockStatusDto};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use roomcal::services::knocking;
use roomcal::services::limits::ClientAddr;
use roomcal::services::session_cookie::SessionCookie;
use roomcal::{Core, CoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(knock))
        .routes(routes!(knock_state))
        .routes(routes!(list_knocks))
        .routes(routes!(admit))
        .routes(routes!(decline))
}

/// The header a guest's knock token travels in on `/v1`.
pub const KNOCK_TOKEN_HEADER: &str = "x-knock-token";

/// The caller's knock token for meeting `meeting_id`: the `X-Knock-Token` header, else
/// the pages' knock cookie for that meeting.
pub fn knock_token<'h>(core: &Core, meeting_id: Uuid, headers: &'h HeaderMap) -> Option<&'h str> {
    headers
        .get(KNOCK_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .or_else(|| SessionCookie::of(core).knock_from(meeting_id, headers))
}

/// `POST …/knock` body.
#[derive(Debug, Deserialize, ToSchema)]
struct KnockBody {
    /// The name the room's owners see (1–100 characters, no control characters).
    name: String,
}

/// A knock just made.
#[derive(Debug, Serialize, ToSchema)]
struct KnockCreated {
    /// The knock.
    knock_id: String,
    /// The token that proves the knock is the caller's: send it as `X-Knock-Token` to
    /// follow the knock and to join once admitted. Shown once; only its hash is kept.
    token: String,
    /// `pending`.
    state: String,
}

/// Parses the ids of a knock route.
fn ids(meeting_id: &str, knock_id: Option<&str>) -> Result<(Uuid, Option<Uuid>), CoreError> {
    let not_found = "there is no such request to join this meeting";
    let meeting = CoreError::parse_id(meeting_id, "there is no such meeting in this room")?;
    let knock = knock_id
        .map(|k| CoreError::parse_id(k, not_found))
        .transpose()?;
    Ok((meeting, knock))
}

/// Asks to join a meeting of a knock room (anyone; no account needed).
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/meetings/{meeting_id}/knock",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The meeting's id"),
    ),
    request_body = KnockBody,
    responses(
        (status = 201, description = "Knocked: follow it with the token", body = KnockCreated),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 403, description = "The room does not take knocks", body = ErrorBody),
        (status = 404, description = "No such room or meeting", body = ErrorBody),
        (status = 410, description = "The meeting has ended", body = ErrorBody),
        (status = 422, description = "The name is not usable", body = ErrorBody),
        (status = 429, description = "Too many knocks from this address, or too many waiting", body = ErrorBody),
    )
)]
async fn knock(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    Path((room_name, meeting_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<KnockBody>,
) -> Result<(StatusCode, Json<KnockCreated>), ApiError> {
    let (meeting, _) = ids(&meeting_id, None)?;
    let made = knocking::knock(&state.core, &room_name, meeting, &body.name, client).await?;
    Ok((
        StatusCode::CREATED,
        Json(KnockCreated {
            knock_id: made.knock.id.to_string(),
            token: made.token,
            state: made.knock.state.as_str().to_string(),
        }),
    ))
}

/// Where the caller's knock stands (the token in `X-Knock-Token`).
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/meetings/{meeting_id}/knocks/{knock_id}",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The meeting's id"),
        ("knock_id" = String, Path, description = "The knock's id"),
        ("X-Knock-Token" = Option<String>, Header, description = "The knock's token"),
    ),
    responses(
        (status = 200, description = "`pending`, `admitted` (join now) or `declined`", body = KnockStatusDto),
        (status = 404, description = "No such knock, or not the caller's", body = ErrorBody),
    )
)]
async fn knock_state(
    State(state): State<ServerState>,
    Path((room_name, meeting_id, knock_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Json<KnockStatusDto>, ApiError> {
    let (meeting, knock_id) = ids(&meeting_id, Some(&knock_id))?;
    let token = knock_token(&state.core, meeting, &headers);
    let knock = knocking::knock_state(
        &state.core,
        &room_name,
        meeting,
        knock_id.unwrap_or_default(),
        token,
    )
    .await?;
    Ok(Json(convert::knock_status(&knock)))
}

/// The knocks on a meeting, oldest first (the room's owners only).
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/meetings/{meeting_id}/knocks",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The meeting's id"),
    ),
    responses(
        (status = 200, description = "Every knock on the meeting, with the names typed", body = Vec<KnockDto>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of the room's owners", body = ErrorBody),
        (status = 404, description = "No such room or meeting", body = ErrorBody),
    )
)]
async fn list_knocks(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, meeting_id)): Path<(String, String)>,
) -> Result<Json<Vec<KnockDto>>, ApiError> {
    let (meeting, _) = ids(&meeting_id, None)?;
    let knocks = knocking::knocks_for_owner(&state.core, &user, &room_name, meeting).await?;
    Ok(Json(knocks.iter().map(convert::knock).collect()))
}

/// Admits or declines, for the two routes below.
async fn answer(
    state: &ServerState,
    user: &roomcal::domain::User,
    (room_name, meeting_id, knock_id): (String, String, String),
    admit: bool,
) -> Result<Json<KnockDto>, ApiError> {
    let (meeting, knock_id) = ids(&meeting_id, Some(&knock_id))?;
    let knock = knocking::decide(
        &state.core,
        user,
        &room_name,
        meeting,
        knock_id.unwrap_or_default(),
        admit,
    )
    .await?;
    Ok(Json(convert::knock(&knock)))
}

/// Lets a guest in (the room's owners only); a knock decided already stays as it was.
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/meetings/{meeting_id}/knocks/{knock_id}/admit",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The meeting's id"),
        ("knock_id" = String, Path, description = "The knock's id"),
    ),
    responses(
        (status = 200, description = "The knock as it stands now", body = KnockDto),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of the room's owners", body = ErrorBody),
        (status = 404, description = "No such room, meeting or knock", body = ErrorBody),
    )
)]
async fn admit(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(path): Path<(String, String, String)>,
) -> Result<Json<KnockDto>, ApiError> {
    answer(&state, &user, path, true).await
}

/// Turns a guest away (the room's owners only); a knock decided already stays as it was.
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/meetings/{meeting_id}/knocks/{knock_id}/decline",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The meeting's id"),
        ("knock_id" = String, Path, description = "The knock's id"),
    ),
    responses(
        (status = 200, description = "The knock as it stands now", body = KnockDto),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of the room's owners", body = ErrorBody),
        (status = 404, description = "No such room, meeting or knock", body = ErrorBody),
    )
)]
async fn decline(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(path): Path<(String, String, String)>,
) -> Result<Json<KnockDto>, ApiError> {
    answer(&state, &user, path, false).await
}
