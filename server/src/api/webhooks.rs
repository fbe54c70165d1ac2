//! `/v1/rooms/{room_name}/webhooks`: the room's outbound webhook endpoints, their delivery
//! logs, test events and redeliveries — for the room's owner and co-owners. What is sent
//! is described in the document's `webhooks` section ([`webhooks_section`]).

use super::error::{ApiError, ApiJson, ErrorBody};
use super::extract::CurrentUser;
use crate::state::ServerState;
use app::dto::{WebhookDeliveryDto, WebhookEndpointDto};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use roomcal::services::webhooks::{self, EndpointChange, NewEndpoint};
use roomcal::webhooks::payload::Envelope;
use roomcal::webhooks::WebhookEventType;
use roomcal::CoreError;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes of this module.
pub fn router() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, add_webhook))
        .routes(routes!(change_webhook, remove_webhook))
        .routes(routes!(webhook_deliveries))
        .routes(routes!(send_test_webhook))
        .routes(routes!(rotate_webhook_secret))
        .routes(routes!(redeliver_webhook))
}

/// `POST /v1/rooms/{room_name}/webhooks` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AddWebhookBody {
    /// Where to send (`https://…`; private and loopback addresses only with
    /// `--allow-private-webhooks`).
    url: String,
    /// The event types to send; empty or missing: all but `participant.*`.
    #[serde(default)]
    events: Vec<String>,
    /// Whether to send at once (default true).
    #[serde(default)]
    enabled: Option<bool>,
    /// The owner's own system: participant events name the person (default false).
    #[serde(default)]
    owners_system: bool,
}

/// `PATCH /v1/rooms/{room_name}/webhooks/{id}` body: what to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ChangeWebhookBody {
    /// A new URL.
    url: Option<String>,
    /// New event types.
    events: Option<Vec<String>>,
    /// On or off (on again clears why roomcal turned it off).
    enabled: Option<bool>,
    /// The owner's own system or not.
    owners_system: Option<bool>,
}

fn endpoint_id(text: &str) -> Result<uuid::Uuid, CoreError> {
    CoreError::parse_id(text, "this room has no such webhook endpoint")
}

/// The room's webhook endpoints (URLs masked, no secrets).
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/webhooks",
    tag = "webhooks",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    responses(
        (status = 200, description = "The endpoints", body = Vec<WebhookEndpointDto>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    )
)]
async fn list_webhooks(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room_name): Path<String>,
) -> Result<Json<Vec<WebhookEndpointDto>>, ApiError> {
    let list = webhooks::endpoints(&state.core, &user, &room_name).await?;
    Ok(Json(
        list.into_iter().map(WebhookEndpointDto::from).collect(),
    ))
}

/// Adds an endpoint; the answer carries its `secret`, this once.
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/webhooks",
    tag = "webhooks",
    params(("room_name" = String, Path, description = "The room's name", example = "standup")),
    request_body = AddWebhookBody,
    responses(
        (status = 201, description = "The new endpoint, with its secret", body = WebhookEndpointDto),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 422, description = "A bad URL (or a private one) or an unknown event", body = ErrorBody),
        (status = 429, description = "The room has the most endpoints allowed (5)", body = ErrorBody),
    )
)]
async fn add_webhook(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(room_name): Path<String>,
    ApiJson(body): ApiJson<AddWebhookBody>,
) -> Result<(StatusCode, Json<WebhookEndpointDto>), ApiError> {
    let new = NewEndpoint {
        url: body.url,
        events: body.events,
        enabled: body.enabled,
        owners_system: body.owners_system,
    };
    let made = webhooks::add_endpoint(&state.core, &user, &room_name, &new).await?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

/// Changes an endpoint.
#[utoipa::path(
    patch,
    path = "/rooms/{room_name}/webhooks/{id}",
    tag = "webhooks",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("id" = String, Path, description = "The endpoint's id"),
    ),
    request_body = ChangeWebhookBody,
    responses(
        (status = 200, description = "The endpoint as changed", body = WebhookEndpointDto),
        (status = 400, description = "Not the JSON this endpoint expects", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room or endpoint", body = ErrorBody),
        (status = 422, description = "A bad URL (or a private one) or an unknown event", body = ErrorBody),
    )
)]
async fn change_webhook(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ChangeWebhookBody>,
) -> Result<Json<WebhookEndpointDto>, ApiError> {
    let change = EndpointChange {
        url: body.url,
        events: body.events,
        enabled: body.enabled,
        owners_system: body.owners_system,
    };
    let id = endpoint_id(&id)?;
    let changed = webhooks::change_endpoint(&state.core, &user, &room_name, id, &change).await?;
    Ok(Json(changed.into()))
}

/// Removes an endpoint with its delivery log.
#[utoipa::path(
    delete,
    path = "/rooms/{room_name}/webhooks/{id}",
    tag = "webhooks",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("id" = String, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room or endpoint", body = ErrorBody),
    )
)]
async fn remove_webhook(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = endpoint_id(&id)?;
    webhooks::remove_endpoint(&state.core, &user, &room_name, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The endpoint's last 50 deliveries, newest first, with their last attempt.
#[utoipa::path(
    get,
    path = "/rooms/{room_name}/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("id" = String, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 200, description = "The delivery log", body = Vec<WebhookDeliveryDto>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room or endpoint", body = ErrorBody),
    )
)]
async fn webhook_deliveries(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, id)): Path<(String, String)>,
) -> Result<Json<Vec<WebhookDeliveryDto>>, ApiError> {
    let id = endpoint_id(&id)?;
    let log = webhooks::deliveries(&state.core, &user, &room_name, id).await?;
    Ok(Json(
        log.into_iter().map(WebhookDeliveryDto::from).collect(),
    ))
}

/// Sends a `webhook.test` event to the endpoint (within a second; its log shows how it went).
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/webhooks/{id}/test",
    tag = "webhooks",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("id" = String, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 202, description = "The test delivery, queued", body = WebhookDeliveryDto),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room or endpoint", body = ErrorBody),
    )
)]
async fn send_test_webhook(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<WebhookDeliveryDto>), ApiError> {
    let id = endpoint_id(&id)?;
    let queued = webhooks::send_test_event(&state.core, &user, &room_name, id).await?;
    Ok((StatusCode::ACCEPTED, Json(queued.into())))
}

/// Gives the endpoint a new secret (in the answer, this once); for 24 h the old one
/// signs too, as a second signature in `webhook-signature`.
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/webhooks/{id}/rotate-secret",
    tag = "webhooks",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("id" = String, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 200, description = "The endpoint with its new secret", body = WebhookEndpointDto),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room or endpoint", body = ErrorBody),
    )
)]
async fn rotate_webhook_secret(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, id)): Path<(String, String)>,
) -> Result<Json<WebhookEndpointDto>, ApiError> {
    let id = endpoint_id(&id)?;
    let rotated = webhooks::rotate_secret(&state.core, &user, &room_name, id).await?;
    Ok(Json(rotated.into()))
}

/// Sends a delivery again, with the same `webhook-id`.
#[utoipa::path(
    post,
    path = "/rooms/{room_name}/webhooks/deliveries/{delivery}/redeliver",
    tag = "webhooks",
    params(
        ("room_name" = String, Path, description = "The room's name", example = "standup"),
        ("delivery" = String, Path, description = "The delivery's `webhook-id` (`msg_…`)"),
    ),
    responses(
        (status = 202, description = "Queued again", body = WebhookDeliveryDto),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the room's owner or a co-owner", body = ErrorBody),
        (status = 404, description = "No such room or delivery", body = ErrorBody),
    )
)]
async fn redeliver_webhook(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path((room_name, delivery)): Path<(String, String)>,
) -> Result<(StatusCode, Json<WebhookDeliveryDto>), ApiError> {
    let again = webhooks::redeliver(&state.core, &user, &room_name, &delivery).await?;
    Ok((StatusCode::ACCEPTED, Json(again.into())))
}

/// The document's `webhooks` section (OpenAPI 3.1): one entry per event type, each a
/// signed `POST` of an [`Envelope`] to the endpoint's URL.
pub fn webhooks_section() -> serde_json::Value {
    let mut section = serde_json::Map::new();
    for kind in WebhookEventType::SUBSCRIBABLE
        .into_iter()
        .chain([WebhookEventType::Test])
    {
        section.insert(
            kind.as_str().to_string(),
            serde_json::json!({
                "post": {
                    "summary": kind.as_str(),
                    "description": "Sent to each enabled endpoint of the room that subscribed to this type. Standard Webhooks headers: `webhook-id` (the same on every retry), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the secret's bytes; during a rotation two, space-separated). Retried with backoff for 24 h until a 2xx answer; redirects are not followed; 10 s per attempt.",
                    "operationId": format!("webhook_{}", kind.as_str().replace('.', "_")),
                    "tags": ["webhooks"],
                    "parameters": [
                        {"name": "webhook-id", "in": "header", "required": true, "schema": {"type": "string"}},
                        {"name": "webhook-timestamp", "in": "header", "required": true, "schema": {"type": "string"}},
                        {"name": "webhook-signature", "in": "header", "required": true, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}
                    },
                    "responses": {
                        "2XX": {"description": "Received; any other answer is retried"}
                    }
                }
            }),
        );
    }
    serde_json::Value::Object(section)
}

/// The schemas the `webhooks` section refers to, for the document's components.
pub fn webhook_schemas() -> Vec<(
    String,
    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
)> {
    let mut schemas = vec![(
        <Envelope as utoipa::ToSchema>::name().to_string(),
        <Envelope as utoipa::PartialSchema>::schema(),
    )];
    <Envelope as utoipa::ToSchema>::schemas(&mut schemas);
    schemas
}
