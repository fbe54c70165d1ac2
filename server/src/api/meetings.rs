//! `/v1/rooms/{room_name}/meetings…`: a room's meetings for the caller, and the one way to
//! join a meeting or an upcoming occurrence.

use super::error::{ApiError, ErrorBody};
use super::extract::Viewer;
use crate::state::ServerState;
use app::dto::{convert, MeetingItem};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use roomcal::domain::User;
use roomcal::services::joining::{self, JoinOutcome, Waiting};
use roomcal::services::room_meetings::{self, ListQuery};
use roomcal::CoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(upcoming))
        .routes(routes!(join))
}

/// The outcome of `POST …/join` (named apart from the pages' `JoinStatus`, which also has
/// `too_early`, `ended` and `unavailable`: one schema name, one type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinResponseStatus {
    /// Go in now.
    Join,
    /// Wait for the start.
    Waiting,
}

/// `GET …/meetings` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Owners only: also list the rest of the sync window as `kind: later`.
    #[serde(default)]
    pub later: bool,
}

/// The room's active meetings and upcoming occurrences, for the caller.
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/meetings",
    tag = "meetings",
    params(("room_name" = String, Path, description = "The room's name", example = "standup"), ListParams),
    responses(
        (status = 200, description = "Active meetings, then upcoming occurrences (owners: also later ones)", body = Vec<MeetingItem>),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "A bad query parameter", body = ErrorBody),
    )
)]
async fn list(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Path(room_name): Path<String>,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<MeetingItem>>, ApiError> {
    let Query(params) =
        params.map_err(|_| CoreError::field("later", "use later=true or later=false"))?;
    let query = ListQuery {
        active: true,
        upcoming_within: state.core.settings.lifecycle.upcoming_window,
        later: params.later,
    };
    listed(&state, viewer.as_ref(), &room_name, query).await
}

/// The room's items for the caller as JSON.
async fn listed(
    state: &ServerState,
    viewer: Option<&User>,
    room_name: &str,
    query: ListQuery,
) -> Result<Json<Vec<MeetingItem>>, ApiError> {
    let items = room_meetings::list_meetings(&state.core, viewer, room_name, query).await?;
    Ok(Json(items.into_iter().map(convert::item).collect()))
}

/// `GET …/meetings/upcoming` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpcomingParams {
    /// Minutes ahead, 1 to 120; the upcoming window (30) by default. For anyone but the
    /// room's owner it is held to `--guest-horizon`.
    pub minutes: Option<String>,
}

/// The room's occurrences starting within the next `minutes` that have no meeting yet.
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/meetings/upcoming",
    tag = "meetings",
    params(("room_name" = String, Path, description = "The room's name", example = "standup"), UpcomingParams),
    responses(
        (status = 200, description = "Upcoming occurrences, soonest first", body = Vec<MeetingItem>),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "`minutes` is not a whole number from 1 to 120", body = ErrorBody),
    )
)]
async fn upcoming(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Path(room_name): Path<String>,
    params: Result<Query<UpcomingParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<MeetingItem>>, ApiError> {
    let minutes = match params.map(|Query(p)| p.minutes) {
        Ok(None) => Some(state.core.settings.lifecycle.upcoming_window),
        Ok(Some(text)) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=120).contains(n))
            .map(Duration::minutes),
        Err(_) => None,
    }
    .ok_or_else(|| CoreError::field("minutes", "use a whole number of minutes from 1 to 120"))?;
    let query = ListQuery {
        active: false,
        upcoming_within: minutes,
        later: false,
    };
    listed(&state, viewer.as_ref(), &room_name, query).await
}

/// The answer to a join: go in now, or wait.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinResponse {
    /// `join` or `waiting`.
    pub status: JoinResponseStatus,
    /// `join`: the call URL (the host URL for the owner where the platform has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The page to open: the meeting page (`join`) or the waiting page (`waiting`).
    pub page_path: String,
    /// `join`: the meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<String>,
    /// `waiting`: the scheduled start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    /// `waiting`: the server's clock, so a client whose clock is off still counts right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_now: Option<DateTime<Utc>>,
}

/// Joins a meeting (by its id) or an upcoming occurrence (by the occurrence's id). In a
/// `members` room only signed-in accounts (of its domains) get the URL; in a `knock`
/// room only the owners and the holder of an admitted knock's token (`X-Knock-Token`,
/// or the pages' knock cookie).
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/meetings/{meeting_id}/join",
    tag = "meetings",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("meeting_id" = String, Path, description = "A meeting's id or an upcoming occurrence's id"),
        ("X-Knock-Token" = Option<String>, Header, description = "Knock rooms: the token of the caller's knock"),
    ),
    responses(
        (status = 200, description = "`join` with the call URL, or `waiting` with the start", body = JoinResponse),
        (status = 401, description = "A members room: sign in first (`sign_in_required`)", body = ErrorBody),
        (status = 403, description = "Not let in: `domain_not_allowed`, `knock_required`, `knock_pending` or `knock_declined`", body = ErrorBody),
        (status = 404, description = "No such room, meeting or occurrence", body = ErrorBody),
        (status = 410, description = "The meeting has ended or was cancelled (the message says which)", body = ErrorBody),
    )
)]
async fn join(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Path((room_name, meeting_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<JoinResponse>, ApiError> {
    let id = CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
    let token = super::knocks::knock_token(&state.core, id, &headers);
    let outcome = joining::join(&state.core, viewer.as_ref(), token, &room_name, id).await?;
    Ok(Json(match outcome {
        JoinOutcome::Join {
            url,
            page_path,
            meeting_id,
        } => JoinResponse {
            status: JoinResponseStatus::Join,
            url: Some(url),
            page_path,
            meeting_id: Some(meeting_id.to_string()),
            starts_at: None,
            server_now: None,
        },
        JoinOutcome::Waiting(Waiting {
            starts_at,
            server_now,
            page_path,
            ..
        }) => JoinResponse {
            status: JoinResponseStatus::Waiting,
            url: None,
            page_path,
            meeting_id: None,
            starts_at: Some(starts_at),
            server_now: Some(server_now),
        },
    }))
}
