//! `/v1/rooms/*`: rooms and their unscheduled meetings.

use super::error::{ApiError, ApiJson, ErrorBody};
use super::extract::{CurrentUser, Viewer};
use crate::state::ServerState;
use app::dto::{convert, MeetingCall, ParticipantDto, RoomDto, RoomSummaryDto};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use roomcal::secret::Secret;
use roomcal::services::limits::ClientAddr;
use roomcal::services::{rooms, CoreError};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(create_room, list_rooms))
        // `PATCH` of this path is `calendar`'s (the room's settings); axum joins the two
        // methods when the routers merge, as both name the parameter `room_name`.
        .routes(routes!(get_room))
        .routes(routes!(start_meeting))
        .routes(routes!(participants))
        .routes(routes!(presence))
        .routes(routes!(whereby_webhook))
}

/// `POST /v1/rooms` body.
#[derive(Debug, Deserialize, ToSchema)]
struct CreateRoomBody {
    /// The slug for `/room/<name>`.
    name: String,
}

/// Creates a room owned by the caller.
#[utoipa::path(
    post,
    path = "/rooms",
    tag = "rooms",
    request_body = CreateRoomBody,
    responses(
        (status = 201, description = "The new room", body = RoomSummaryDto),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "The name is not usable", body = ErrorBody),
        (status = 429, description = "The caller owns the most rooms one account may have", body = ErrorBody),
    )
)]
async fn create_room(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<CreateRoomBody>,
) -> Result<(StatusCode, Json<RoomSummaryDto>), ApiError> {
    let room = rooms::create_room(&state.core, &user, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(convert::room_summary(&state.core, &room, &user)),
    ))
}

/// The caller's rooms.
#[utoipa::path(
    get,
    path = "/rooms",
    tag = "rooms",
    responses(
        (status = 200, description = "The rooms the caller owns or co-owns, by name (`role` says which)", body = Vec<RoomSummaryDto>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
async fn list_rooms(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<RoomSummaryDto>>, ApiError> {
    let list = rooms::my_rooms(&state.core, &user).await?;
    Ok(Json(
        list.iter()
            .map(|r| convert::room_summary(&state.core, r, &user))
            .collect(),
    ))
}

/// A room as the caller may see it (owners: every detail; others: title, times, count).
#[utoipa::path(
    get,
    path = "/rooms/{room_name}",
    tag = "rooms",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    responses(
        (status = 200, description = "The room page's content for the caller", body = RoomDto),
        (status = 404, description = "No such room", body = ErrorBody),
    )
)]
async fn get_room(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Path(room_name): Path<String>,
) -> Result<Json<RoomDto>, ApiError> {
    let view = rooms::view_room(&state.core, viewer.as_ref(), &room_name).await?;
    Ok(Json(convert::room(&state.core, view, viewer.is_some())))
}

/// Starts an unscheduled meeting (signed-in users); yours back if it still runs.
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/meeting",
    tag = "rooms",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    responses(
        (status = 201, description = "A new meeting", body = MeetingCall),
        (status = 200, description = "The caller's meeting in this room, still running", body = MeetingCall),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The room's access keeps the caller out (another email domain; a knock room, where only the owners start meetings)", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 429, description = "The room runs the most unscheduled meetings allowed", body = ErrorBody),
        (status = 502, description = "The video platform failed", body = ErrorBody),
    )
)]
async fn start_meeting(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room_name): Path<String>,
) -> Result<(StatusCode, Json<MeetingCall>), ApiError> {
    let started = rooms::start_unscheduled_meeting(&state.core, &user, &room_name).await?;
    let room = roomcal::services::room_lookup::find_room(&state.core, &room_name).await?;
    let item = roomcal::services::room_meetings::meeting_item(
        &state.core,
        Some(&user),
        &room,
        &started.meeting,
    )
    .await?;
    // 200 with the meeting this user started earlier and is still open; 201 for a new one.
    let status = if started.is_new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(convert::call(
            convert::item(item),
            &started.meeting,
            &started.call,
        )),
    ))
}

/// Who is in the call now (the room's owner only; others see `participants_now`).
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/meetings/{meeting_id}/participants",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "The meeting's id"),
    ),
    responses(
        (status = 200, description = "The people present", body = Vec<ParticipantDto>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner", body = ErrorBody),
        (status = 404, description = "No such room or meeting", body = ErrorBody),
    )
)]
async fn participants(
    State(state): State<ServerState>,
    CurrentUser(owner): CurrentUser,
    Path((room_name, meeting_id)): Path<(String, String)>,
) -> Result<Json<Vec<ParticipantDto>>, ApiError> {
    let id = CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
    let list = roomcal::services::participants::participants_for_owner(
        &state.core,
        &owner,
        &room_name,
        id,
    )
    .await?;
    Ok(Json(convert::participants(&list)))
}

/// `POST /v1/meetings/{id}/presence` body. Read from raw bytes: `navigator.sendBeacon`
/// sends JSON as `text/plain`.
#[derive(Debug, Deserialize, ToSchema)]
struct PresenceBody {
    /// Random id of one open meeting page.
    participant_id: String,
    /// `join`, `heartbeat` or `leave`.
    event: String,
}

/// A meeting page announces itself (`join`, `heartbeat` every 15 s, `leave`).
#[utoipa::path(
    post,
    path = "/meetings/{meeting_id}/presence",
    tag = "rooms",
    params(("meeting_id" = String, Path, description = "The meeting's id")),
    request_body = PresenceBody,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "A members room: sign in first", body = ErrorBody),
        (status = 403, description = "The room's access keeps the caller out of the call (knock first, or another email domain)", body = ErrorBody),
        (status = 404, description = "No such meeting", body = ErrorBody),
        (status = 410, description = "The meeting has ended", body = ErrorBody),
        (status = 422, description = "A bad participant id or event", body = ErrorBody),
        (status = 429, description = "The meeting is full, or too many new ids from this client", body = ErrorBody),
    )
)]
async fn presence(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddr>,
    Viewer(viewer): Viewer,
    Path(meeting_id): Path<String>,
    headers: HeaderMap,
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
    let event = roomcal::services::presence::PresenceEvent::parse(&body.event)?;
    roomcal::services::presence::announce_presence(
        &state.core,
        viewer.as_ref(),
        super::knocks::knock_token(&state.core, id, &headers),
        id,
        &body.participant_id,
        event,
        client,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Presence from Whereby (`room.client.joined` / `left`), signature verified.
#[utoipa::path(
    post,
    path = "/webhooks/whereby",
    tag = "rooms",
    request_body(content = Object, description = "A Whereby webhook event"),
    responses(
        (status = 204, description = "Applied (or ignored: not a presence event)"),
        (status = 400, description = "Not a Whereby event", body = ErrorBody),
        (status = 401, description = "The signature does not verify", body = ErrorBody),
        (status = 404, description = "Webhooks are not configured", body = ErrorBody),
    )
)]
async fn whereby_webhook(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let Some(secret) = state
        .core
        .settings
        .whereby_webhook_secret
        .as_ref()
        .map(Secret::expose)
    else {
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
    roomcal::services::presence::whereby_webhook(&state.core, &event).await?;
    Ok(StatusCode::NO_CONTENT)
}
