//! `/v1/rooms/*`: rooms and their unscheduled meetings.

use super::error::{ApiError, ApiJson};
use super::{require_user, viewer};
use crate::startup::ServerState;
use app::dto::{convert, MeetingDto, ParticipantDto, RoomDto, RoomSummaryDto};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use roomcal::limits::ClientAddr;
use roomcal::{rooms, CoreError};
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/rooms", post(create_room).get(list_rooms))
        // One path for both: axum refuses two parameter names at one position.
        .route(
            "/rooms/{room}",
            get(get_room).patch(super::calendar::update_settings),
        )
        .route("/rooms/{room}/meeting", post(start_meeting))
        .route("/rooms/{room}/events/{event_id}/join", get(join_event))
        .route(
            "/rooms/{room}/meetings/{meeting_id}/participants",
            get(participants),
        )
        .route("/meetings/{meeting_id}/presence", post(presence))
        .route("/webhooks/whereby", post(whereby_webhook))
}

/// `POST /v1/rooms` body.
#[derive(Debug, Deserialize)]
struct CreateRoomBody {
    /// The slug for `/room/<name>`.
    name: String,
}

async fn create_room(
    State(state): State<ServerState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateRoomBody>,
) -> Result<(StatusCode, Json<RoomSummaryDto>), ApiError> {
    let user = require_user(&state.core, &headers).await?;
    let room = rooms::create_room(&state.core, &user, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(convert::room_summary(&state.core, &room)),
    ))
}

async fn list_rooms(
    State(state): State<ServerState>,
    headers: HeaderMap,
) -> Result<Json<Vec<RoomSummaryDto>>, ApiError> {
    let user = require_user(&state.core, &headers).await?;
    let list = rooms::my_rooms(&state.core, &user).await?;
    Ok(Json(
        list.iter()
            .map(|r| convert::room_summary(&state.core, r))
            .collect(),
    ))
}

async fn get_room(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(room_name): Path<String>,
) -> Result<Json<RoomDto>, ApiError> {
    let viewer = viewer(&state.core, &headers).await?;
    let view = rooms::view_room(&state.core, viewer.as_ref(), &room_name).await?;
    Ok(Json(convert::room(&state.core, &view, viewer.is_some())))
}

async fn start_meeting(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(room_name): Path<String>,
) -> Result<(StatusCode, Json<MeetingDto>), ApiError> {
    let user = require_user(&state.core, &headers).await?;
    let started = rooms::start_unscheduled_meeting(&state.core, &user, &room_name).await?;
    // 200 with the meeting this user started earlier and is still open; 201 for a new one.
    let status = if started.is_new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(convert::meeting(&room_name, &started.meeting, false)),
    ))
}

async fn join_event(
    State(state): State<ServerState>,
    Path((room_name, event_id)): Path<(String, String)>,
) -> Result<Json<app::dto::JoinDto>, ApiError> {
    let id = CoreError::parse_id(&event_id, "there is no such meeting in this room")?;
    let (answer, _) = roomcal::joining::join_occurrence(&state.core, &room_name, id).await?;
    Ok(Json(convert::join(&room_name, &answer)))
}

/// `GET /v1/rooms/{room}/meetings/{id}/participants`: who is in the call now (owner only).
async fn participants(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path((room_name, meeting_id)): Path<(String, String)>,
) -> Result<Json<Vec<ParticipantDto>>, ApiError> {
    let owner = require_user(&state.core, &headers).await?;
    let id = CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
    let list =
        roomcal::participants::participants_for_owner(&state.core, &owner, &room_name, id).await?;
    Ok(Json(convert::participants(&list)))
}

/// `POST /v1/meetings/{id}/presence` body. Read from raw bytes: `navigator.sendBeacon`
/// sends JSON as `text/plain`.
#[derive(Debug, Deserialize)]
struct PresenceBody {
    /// Random id of one open meeting page.
    participant_id: String,
    /// `join`, `heartbeat` or `leave`.
    event: String,
}

async fn presence(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    Path(meeting_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let body: PresenceBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            400,
            "bad_request",
            format!("send {{\"participant_id\", \"event\"}} as JSON: {e}"),
        )
    })?;
    let id = CoreError::parse_id(&meeting_id, "there is no such meeting")?;
    let viewer = viewer(&state.core, &headers).await?;
    let event = roomcal::joining::PresenceEvent::parse(&body.event)?;
    roomcal::joining::announce_presence(
        &state.core,
        viewer.as_ref(),
        id,
        &body.participant_id,
        event,
        client,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/webhooks/whereby`: presence from Whereby, signature verified.
async fn whereby_webhook(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let Some(secret) = state.core.settings.whereby_webhook_secret.as_deref() else {
        return Err(ApiError::new(
            404,
            "not_found",
            "Whereby webhooks are not configured",
        ));
    };
    let signature = headers
        .get("whereby-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    roomcal::platform::verify_webhook_signature(secret, signature, &body, state.core.clock.now())
        .map_err(|m| ApiError::new(401, "bad_signature", m))?;
    let event: roomcal::platform::WebhookEvent = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(400, "bad_request", format!("not a Whereby event: {e}")))?;
    roomcal::joining::whereby_webhook(&state.core, &event).await?;
    Ok(StatusCode::NO_CONTENT)
}
