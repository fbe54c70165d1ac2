//! The `/v1` JSON API for scripts and API clients. Cookie-session auth: a client with a
//! cookie jar signs in once and is recognised afterwards.
//!
//! Every route is registered through [`OpenApiRouter`] from a handler carrying its
//! `#[utoipa::path]`, so the OpenAPI document served at `/v1/openapi.json` is generated
//! from the very code that answers, and a route cannot exist without being documented.

mod auth;
mod calendar;
mod co_owners;
pub mod error;
pub mod events;
pub mod extract;
mod host_controls;
mod knocks;
mod manage;
mod meetings;
mod rooms;
mod webhooks;

use crate::state::ServerState;
pub(crate) use auth::user_agent;
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
        (name = "webhooks", description = "A room's outbound webhooks (owner and co-owners); what they send is in `webhooks`"),
    )
)]
struct ApiDoc;

/// The `/v1` routes, in the parts that document them.
fn parts() -> [OpenApiRouter<ServerState>; 11] {
    [
        auth::router(),
        manage::router(),
        rooms::router(),
        meetings::router(),
        knocks::router(),
        host_controls::router(),
        calendar::router(),
        co_owners::router(),
        webhooks::router(),
        events::router(),
        OpenApiRouter::new().routes(routes!(openapi_json)),
    ]
}

/// All `/v1` routes, and the OpenAPI document describing exactly them.
pub fn router() -> (Router<ServerState>, utoipa::openapi::OpenApi) {
    let v1 = parts()
        .into_iter()
        .fold(OpenApiRouter::new(), OpenApiRouter::merge);
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/v1", v1)
        .split_for_parts();
    if let Some(components) = doc.components.as_mut() {
        components.schemas.extend(webhooks::webhook_schemas());
    }
    (router, doc)
}

/// This document (OpenAPI 3.1).
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "rooms",
    responses((status = 200, description = "The OpenAPI 3.1 document of /v1", content_type = "application/json"))
)]
async fn openapi_json() -> Json<serde_json::Value> {
    Json(document_json())
}

/// The OpenAPI document as served: [`document`] with the `webhooks` section (OpenAPI 3.1)
/// describing what roomcal sends to the rooms' endpoints.
pub fn document_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(document()).unwrap_or_default();
    if let Some(object) = doc.as_object_mut() {
        object.insert("webhooks".into(), webhooks::webhooks_section());
    }
    doc
}

/// The OpenAPI document, built once.
pub fn document() -> utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| router().1).clone()
}

/// Schema names that two parts of the API give different schemas. utoipa keys the
/// document's schemas by name alone, so when two types share a name the merge keeps one
/// and every reference to the other silently describes the wrong type. (Within one part
/// the same happens before anything can see it; the parts are the modules.)
pub fn schema_name_clashes() -> Vec<String> {
    let mut seen = std::collections::BTreeMap::<String, String>::new();
    let mut clashes = std::collections::BTreeSet::new();
    for part in parts() {
        let schemas = part
            .into_openapi()
            .components
            .map(|c| c.schemas)
            .unwrap_or_default();
        for (name, schema) in schemas {
            let text = serde_json::to_string(&schema).unwrap_or_default();
            match seen.get(&name) {
                Some(first) if *first != text => {
                    clashes.insert(name);
                }
                Some(_) => {}
                None => {
                    seen.insert(name, text);
                }
            }
        }
    }
    clashes.into_iter().collect()
}
