//! `/v1/rooms/{room_name}/meetings/{meeting_id}/end|extend|reopen`: the room's owners end
//! a meeting now or keep it open longer; anyone the room lets in reopens a calendar
//! meeting that ended before its scheduled time. Thin shells over
//! `roomcal::services::host_controls`.

use super::error::{ApiError, ApiJson, ErrorBody};
use super::extract::{CurrentUser, Viewer};
use crate::state::ServerState;
use app::dto::{convert, HostControlsDto, ReopenedDto};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use roomcal::services::host_controls::{self, reopen, EXTEND_STEP_MINUTES};
use roomcal::services::limits::ClientAddr;
use roomcal::CoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(end_meeting_now))
        .routes(routes!(extend_meeting))
        .routes(routes!(reopen_meeting))
}

/// The meeting id of a route.
fn meeting_id(text: &str) -> Result<Uuid, CoreError> {
    CoreError::parse_id(text, "there is no such meeting in this room")
}

/// A meeting a host ended.
#[derive(Debug, Serialize, ToSchema)]
struct EndedByHost {
    /// The meeting.
    meeting_id: String,
    /// When it closed (RFC 3339).
    closed_at: String,
    /// `ended_by_host`.
    close_reason: String,
}

/// Ends a running meeting now, for everyone (the room's owner and co-owners only): its
/// call is ended on the video platform and the pages switch to "ended".
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/meetings/{meeting_id}/end",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The meeting's id"),
    ),
    responses(
        (status = 200, description = "Ended", body = EndedByHost),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of the room's owners", body = ErrorBody),
        (status = 404, description = "No such room or meeting", body = ErrorBody),
        (status = 410, description = "The meeting has ended already", body = ErrorBody),
    )
)]
async fn end_meeting_now(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, id)): Path<(String, String)>,
) -> Result<Json<EndedByHost>, ApiError> {
    let id = meeting_id(&id)?;
    let ended = host_controls::end_meeting_now(&state.core, &user, &room_name, id).await?;
    Ok(Json(EndedByHost {
        meeting_id: ended.id.to_string(),
        closed_at: ended.closed_at.map(convert::instant).unwrap_or_default(),
        close_reason: ended
            .close_reason
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
    }))
}

/// `POST …/extend` body.
#[derive(Debug, Deserialize, ToSchema)]
struct ExtendBody {
    /// Minutes to keep the meeting open longer (default 30); all extensions of one
    /// meeting together stay within `--max-extend-minutes`.
    #[serde(default)]
    #[schema(value_type = Option<i64>, example = 30)]
    minutes: Option<serde_json::Value>,
}

/// Keeps a running meeting open `minutes` longer (the room's owner and co-owners only):
/// its force-close time moves by as much. Repeatable, up to `--max-extend-minutes` in all.
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/meetings/{meeting_id}/extend",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The meeting's id"),
    ),
    request_body = ExtendBody,
    responses(
        (status = 200, description = "Kept open longer: the new force-close time", body = HostControlsDto),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of the room's owners", body = ErrorBody),
        (status = 404, description = "No such room or meeting", body = ErrorBody),
        (status = 410, description = "The meeting has ended", body = ErrorBody),
        (status = 422, description = "`minutes` is not a whole number of minutes, or passes what is left of `--max-extend-minutes` (the message says how many are left)", body = ErrorBody),
    )
)]
async fn extend_meeting(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ExtendBody>,
) -> Result<Json<HostControlsDto>, ApiError> {
    let id = meeting_id(&id)?;
    let minutes = match body.minutes {
        None => i64::from(EXTEND_STEP_MINUTES),
        Some(value) => value.as_i64().ok_or_else(|| {
            CoreError::field("minutes", "give a whole number of minutes, like 30")
        })?,
    };
    let controls =
        host_controls::extend_meeting(&state.core, &user, &room_name, id, minutes).await?;
    Ok(Json(convert::host_controls(&controls)))
}

/// Reopens a calendar meeting that ended while its scheduled time is still on: a new
/// meeting with a new call for the same occurrence (201), or the one someone reopened
/// already (200). Anyone the room's access rule lets in may (`X-Knock-Token` in knock
/// rooms); a meeting a host ended only the room's owners reopen.
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/meetings/{meeting_id}/reopen",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The ended meeting's id"),
        ("X-Knock-Token" = Option<String>, Header, description = "Knock rooms: the token of the caller's admitted knock"),
    ),
    responses(
        (status = 201, description = "Reopened: a new meeting", body = ReopenedDto),
        (status = 200, description = "Reopened already: the open meeting", body = ReopenedDto),
        (status = 401, description = "A members room: sign in first", body = ErrorBody),
        (status = 403, description = "Not let in by the room, or a host ended it and the caller is not one of the room's owners", body = ErrorBody),
        (status = 404, description = "No such room or meeting", body = ErrorBody),
        (status = 410, description = "Its scheduled time is over (or it was cancelled, or is unscheduled): it cannot be reopened", body = ErrorBody),
        (status = 429, description = "Too many reopenings from this address (`--reopens-per-hour`)", body = ErrorBody),
        (status = 502, description = "The video platform could not make the call", body = ErrorBody),
    )
)]
async fn reopen_meeting(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Extension(client): Extension<ClientAddr>,
    Path((room_name, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<ReopenedDto>), ApiError> {
    let id = meeting_id(&id)?;
    let token = super::knocks::knock_token(&state.core, id, &headers);
    let reopened =
        reopen::reopen(&state.core, viewer.as_ref(), token, &room_name, id, client).await?;
    let status = if reopened.is_new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(convert::reopened(&room_name, &reopened))))
}
