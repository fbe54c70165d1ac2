//! Room settings (`PATCH /v1/rooms/{room_id}`) and the owner's calendar endpoints
//! (`/v1/rooms/{room_name}/ics/*`). Owner only: others get 403, unknown rooms 404.

use super::error::{ApiError, ApiJson};
use super::require_user;
use crate::startup::ServerState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use roomcal::room_calendar::{self, CalendarSettingsInput, CalendarStatus};
use roomcal::sync::{FeedTestReport, SyncOutcome};
use serde::{Deserialize, Serialize};

/// Routes of this module.
pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/rooms/{room}/ics/sync", post(sync_now))
        .route("/rooms/{room}/ics/status", get(status))
        .route("/rooms/{room}/ics/log", get(log))
        .route("/rooms/{room}/ics/test", post(test_url))
}

/// `PATCH /v1/rooms/{room_id}` body: any subset of the settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomSettingsBody {
    /// Calendar feed URL (`""` removes it).
    ics_url: Option<String>,
    /// Sync on or off.
    ics_enabled: Option<bool>,
    /// Minutes between fetches: 1, 5, 10, 30 or 60.
    ics_fetch_interval_minutes: Option<i64>,
}

/// A room's settings as the owner sees them.
#[derive(Debug, Serialize)]
pub struct RoomSettingsDto {
    /// Room id.
    id: String,
    /// Room name.
    name: String,
    /// Calendar settings and sync state (URL masked).
    ics: CalendarStatus,
}

/// `PATCH /v1/rooms/{room_id}` (the room may also be named).
pub async fn update_settings(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(room): Path<String>,
    ApiJson(body): ApiJson<RoomSettingsBody>,
) -> Result<Json<RoomSettingsDto>, ApiError> {
    let user = require_user(&state.core, &headers).await?;
    let room = room_calendar::room_by_id_or_name(&state.core, &room).await?;
    let input = CalendarSettingsInput {
        ics_url: body.ics_url,
        ics_enabled: body.ics_enabled,
        ics_fetch_interval_minutes: body.ics_fetch_interval_minutes,
    };
    let ics = room_calendar::update_settings(&state.core, &user, &room, &input).await?;
    Ok(Json(RoomSettingsDto {
        id: room.id.to_string(),
        name: room.name,
        ics,
    }))
}

async fn sync_now(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(room): Path<String>,
) -> Result<Json<SyncOutcome>, ApiError> {
    let user = require_user(&state.core, &headers).await?;
    Ok(Json(
        room_calendar::sync_now(&state.core, &user, &room).await?,
    ))
}

async fn status(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(room): Path<String>,
) -> Result<Json<CalendarStatus>, ApiError> {
    let user = require_user(&state.core, &headers).await?;
    Ok(Json(
        room_calendar::status(&state.core, &user, &room).await?,
    ))
}

async fn log(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(room): Path<String>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let user = require_user(&state.core, &headers).await?;
    Ok(Json(room_calendar::log(&state.core, &user, &room).await?))
}

/// `POST /v1/rooms/{room_name}/ics/test` body.
#[derive(Debug, Deserialize)]
struct TestBody {
    /// The feed URL to try.
    url: String,
}

async fn test_url(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(room): Path<String>,
    ApiJson(body): ApiJson<TestBody>,
) -> Result<Json<FeedTestReport>, ApiError> {
    let user = require_user(&state.core, &headers).await?;
    Ok(Json(
        room_calendar::test_url(&state.core, &user, &room, &body.url).await?,
    ))
}
