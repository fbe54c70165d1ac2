//! The `/v1` JSON API for scripts and API clients. Cookie-session auth: a client with a
//! cookie jar signs in once and is recognised afterwards.
//!
//! Every route is registered through [`OpenApiRouter`] from a handler carrying its
//! `#[utoipa::path]`, so the OpenAPI document served at `/v1/openapi.json` is generated
//! from the very code that answers, and a route cannot exist without being documented.

mod auth;
mod calendar;
pub mod error;
pub mod extract;
mod meetings;
mod rooms;

use crate::state::ServerState;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The document's fixed parts; the paths and schemas come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "roomcal",
        description = "Meeting rooms that follow their calendars. Cookie sessions: sign up or \
                       log in, then send the `roomcal_session` cookie (`__Host-roomcal_session` \
                       over https). Errors are `{\"error\": {\"code\", \"message\", \"fields\"?}}`; \
                       429 answers carry `Retry-After`."
    ),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "rooms", description = "Rooms, unscheduled meetings and presence"),
        (name = "meetings", description = "A room's meetings and joining them"),
        (name = "calendar", description = "A room's calendar feed (owner only)"),
    )
)]
struct ApiDoc;

/// All `/v1` routes, and the OpenAPI document describing exactly them.
pub fn router() -> (Router<ServerState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(auth::router())
        .merge(rooms::router())
        .merge(meetings::router())
        .merge(calendar::router())
        .routes(routes!(openapi_json));
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/v1", v1)
        .split_for_parts();
    (router, doc)
}

/// This document (OpenAPI 3.1).
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "rooms",
    responses((status = 200, description = "The OpenAPI 3.1 document of /v1", content_type = "application/json"))
)]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The OpenAPI document, built once.
pub fn document() -> utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| router().1).clone()
}
