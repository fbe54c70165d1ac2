//! ICS out over HTTP: `/room/{name}/calendar.ics` (subscribe; `?key=` for the owner's
//! feed with details) and `/room/{name}/{meeting_id}/event.ics` ("add to calendar"), with
//! conditional GET so calendar apps polling an unchanged schedule get a 304.

use crate::api::error::ApiError;
use crate::api::extract::Viewer;
use crate::state::ServerState;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use roomcal::services::room_feed::{self, IcsFile};
use roomcal::CoreError;
use serde::Deserialize;

/// Routes of this module. Their parameter names are the pages' (`name`, `meeting_id`):
/// axum refuses two names at one position.
pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/room/{name}/calendar.ics", get(room_feed))
        .route("/room/{name}/{meeting_id}/event.ics", get(meeting_file))
}

/// `?key=` of the owner's feed.
#[derive(Debug, Deserialize)]
struct FeedQuery {
    /// The private feed's key.
    key: Option<String>,
}

async fn room_feed(
    State(state): State<ServerState>,
    Path(name): Path<String>,
    Query(query): Query<FeedQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let owner = query.key.is_some();
    let file = room_feed::room_feed(&state.core, &name, query.key.as_deref()).await?;
    // Calendar apps poll; five minutes of reuse is well inside their own intervals. The
    // owner's feed is nobody else's to cache.
    let cache = if owner {
        "private, max-age=300"
    } else {
        "public, max-age=300"
    };
    Ok(serve(&headers, file, cache, false))
}

async fn meeting_file(
    State(state): State<ServerState>,
    Viewer(viewer): Viewer,
    Path((name, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = CoreError::parse_id(&id, "there is no such meeting in this room")?;
    let file = room_feed::meeting_file(&state.core, viewer.as_ref(), &name, id).await?;
    // What it says depends on who asks (the owner gets the real title).
    Ok(serve(&headers, file, "private, no-store", true))
}

/// The file, or 304 when the client's copy (`If-None-Match`) is current.
fn serve(headers: &HeaderMap, file: IcsFile, cache: &'static str, download: bool) -> Response {
    let current = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == file.etag || t.trim() == "*")
        });
    let etag = HeaderValue::from_str(&file.etag).unwrap_or(HeaderValue::from_static("\"\""));
    let cache = HeaderValue::from_static(cache);
    if current {
        return (
            StatusCode::NOT_MODIFIED,
            [(ETAG, etag), (CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    let mut response = (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (ETAG, etag),
            (CACHE_CONTROL, cache),
        ],
        file.body,
    )
        .into_response();
    if download {
        let disposition = format!(
            "attachment; filename=\"{}\"",
            file.filename.replace('"', "")
        );
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            response.headers_mut().insert(CONTENT_DISPOSITION, value);
        }
    }
    response
}
