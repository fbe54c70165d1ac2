//! Room settings (`PATCH /v1/rooms/{room_name}`) and the owner's calendar endpoints
//! (`/v1/rooms/{room_name}/ics/*`). Owner only: others get 403, unknown rooms 404.

use super::error::{ApiError, ApiJson, ErrorBody};
use super::extract::CurrentUser;
use crate::state::ServerState;
use app::dto::convert;
use axum::extract::{Path, State};
use axum::Json;
use roomcal::services::room_access::{self, AccessInput};
use roomcal::services::room_calendar::{self, CalendarSettingsInput, CalendarStatus};
use roomcal::sync::{FeedTestReport, SyncOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes of this module (its `PATCH /rooms/{room_name}` joins `rooms`' `GET` of that path
/// when the routers merge).
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(update_settings))
        .routes(routes!(sync_now))
        .routes(routes!(status))
        .routes(routes!(log))
        .routes(routes!(test_url))
}

/// `PATCH /v1/rooms/{room_name}` body: any subset of the settings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomSettingsBody {
    /// Calendar feed URL (`""` removes it).
    ics_url: Option<String>,
    /// Sync on or off.
    ics_enabled: Option<bool>,
    /// Minutes between fetches: 1, 5, 10, 30 or 60.
    ics_fetch_interval_minutes: Option<i64>,
    /// Who may enter the room's calls: `open`, `members` or `knock`.
    access: Option<String>,
    /// For `members`: the email domains admitted, separated by commas (`""`: any).
    access_email_domains: Option<String>,
}

/// A room's settings as the owner sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomSettingsDto {
    /// Room id.
    id: String,
    /// Room name.
    name: String,
    /// Calendar settings and sync state (URL masked).
    ics: CalendarStatus,
    /// Who may enter the room's calls: `open`, `members` or `knock`.
    access: String,
    /// For `members`: the email domains admitted (empty: any).
    access_email_domains: Vec<String>,
}

/// Changes a room's calendar settings (owner only); the room by name or id.
#[utoipa::path(
    patch,
    path = "/rooms/{room_name}",
    tag = "calendar",
    params(("room_name" = String, Path, description = "The room's name or id", example = "standup")),
    request_body = RoomSettingsBody,
    responses(
        (status = 200, description = "The settings now (the address masked)", body = RoomSettingsDto),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "Invalid settings, each field with a message", body = ErrorBody),
    )
)]
async fn update_settings(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room): Path<String>,
    ApiJson(body): ApiJson<RoomSettingsBody>,
) -> Result<Json<RoomSettingsDto>, ApiError> {
    let room = roomcal::services::room_lookup::room_by_id_or_name(&state.core, &room).await?;
    let access = AccessInput {
        access: body.access,
        access_email_domains: body.access_email_domains,
    };
    // Checked before anything is saved, so a bad access field changes nothing.
    let change = room_access::prepare(&room, &user, &access)?;
    let input = CalendarSettingsInput {
        ics_url: body.ics_url.map(Into::into),
        ics_enabled: body.ics_enabled,
        ics_fetch_interval_minutes: body.ics_fetch_interval_minutes,
    };
    let ics = room_calendar::update_settings(&state.core, &user, &room, &input).await?;
    let room = if access.is_empty() {
        room
    } else {
        room_access::apply(&state.core, &room, change).await?
    };
    let access = convert::room_access(&room);
    Ok(Json(RoomSettingsDto {
        id: room.id.to_string(),
        name: room.name.to_string(),
        ics,
        access: access.access,
        access_email_domains: access.access_email_domains,
    }))
}

/// Syncs the room's calendar now (owner only; once per 10 s).
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/ics/sync",
    tag = "calendar",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    responses(
        (status = 200, description = "What the sync did (a failed fetch changes nothing)", body = SyncOutcome),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "No calendar address is set", body = ErrorBody),
        (status = 429, description = "Synced moments ago, or a sync is running", body = ErrorBody),
    )
)]
async fn sync_now(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room): Path<String>,
) -> Result<Json<SyncOutcome>, ApiError> {
    Ok(Json(
        room_calendar::sync_now(&state.core, &user, &room).await?,
    ))
}

/// The room's calendar settings and sync state (owner only).
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/ics/status",
    tag = "calendar",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    responses(
        (status = 200, description = "Settings (address masked) and sync state", body = CalendarStatus),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    )
)]
async fn status(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room): Path<String>,
) -> Result<Json<CalendarStatus>, ApiError> {
    Ok(Json(
        room_calendar::status(&state.core, &user, &room).await?,
    ))
}

/// The room's last 50 sync outcomes, newest first (owner only).
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/ics/log",
    tag = "calendar",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    responses(
        (status = 200, description = "Sync outcomes, newest first", body = Vec<SyncOutcome>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    )
)]
async fn log(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room): Path<String>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    Ok(Json(room_calendar::log(&state.core, &user, &room).await?))
}

/// `POST /v1/rooms/{room_name}/ics/test` body.
#[derive(Debug, Deserialize, ToSchema)]
struct TestBody {
    /// The feed URL to try.
    url: String,
}

/// Fetches and reads a calendar address for this room without saving anything (owner only).
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/ics/test",
    tag = "calendar",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    request_body = TestBody,
    responses(
        (status = 200, description = "What the calendar holds for this room", body = FeedTestReport),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "The address or its content is unusable: `fields.url` says why", body = ErrorBody),
        (status = 429, description = "Too many tests in the last minute, or all test slots busy", body = ErrorBody),
    )
)]
async fn test_url(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room): Path<String>,
    ApiJson(body): ApiJson<TestBody>,
) -> Result<Json<FeedTestReport>, ApiError> {
    Ok(Json(
        room_calendar::test_url(&state.core, &user, &room, &body.url).await?,
    ))
}
