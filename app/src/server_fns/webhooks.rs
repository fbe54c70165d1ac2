//! A room's webhooks on its settings page: thin shells over `roomcal::services::webhooks`.

use crate::dto::{AppError, WebhookDeliveryDto, WebhookEndpointDto};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// The webhook endpoints of `room_name`, for its owner and co-owners.
#[server]
pub async fn list_webhooks(room_name: String) -> Result<Vec<WebhookEndpointDto>, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let list = roomcal::services::webhooks::endpoints(&core, &user, &room_name).await?;
        Ok(list.into_iter().map(WebhookEndpointDto::from).collect())
    })
    .await
}

/// Adds an endpoint at `url`: the meeting and calendar events, with the participant ones
/// when `participants` is ticked; answers it with its secret (shown this once).
#[server]
pub async fn add_webhook(
    room_name: String,
    url: String,
    participants: Option<String>,
    owners_system: Option<String>,
) -> Result<WebhookEndpointDto, AppError> {
    ssr::run(async move {
        use roomcal::services::webhooks::{add_endpoint, NewEndpoint};
        use roomcal::webhooks::WebhookEventType;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let mut events: Vec<String> = WebhookEventType::DEFAULT
            .iter()
            .map(|t| t.as_str().to_string())
            .collect();
        if participants.is_some() {
            events.push(WebhookEventType::ParticipantJoined.as_str().into());
            events.push(WebhookEventType::ParticipantLeft.as_str().into());
        }
        let new = NewEndpoint {
            url,
            events,
            enabled: None,
            owners_system: owners_system.is_some(),
        };
        Ok(add_endpoint(&core, &user, &room_name, &new).await?.into())
    })
    .await
}

/// Switches endpoint `id` on or off.
#[server]
pub async fn set_webhook_enabled(
    room_name: String,
    id: String,
    enabled: bool,
) -> Result<WebhookEndpointDto, AppError> {
    ssr::run(async move {
        use roomcal::services::webhooks::{change_endpoint, EndpointChange};
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let id = roomcal::CoreError::parse_id(&id, "this room has no such webhook endpoint")?;
        let change = EndpointChange {
            enabled: Some(enabled),
            ..EndpointChange::default()
        };
        Ok(change_endpoint(&core, &user, &room_name, id, &change)
            .await?
            .into())
    })
    .await
}

/// Removes endpoint `id`.
#[server]
pub async fn remove_webhook(room_name: String, id: String) -> Result<(), AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let id = roomcal::CoreError::parse_id(&id, "this room has no such webhook endpoint")?;
        roomcal::services::webhooks::remove_endpoint(&core, &user, &room_name, id).await?;
        Ok(())
    })
    .await
}

/// Gives endpoint `id` a new secret (answered this once; the old one signs for 24 h more).
#[server]
pub async fn rotate_webhook_secret(
    room_name: String,
    id: String,
) -> Result<WebhookEndpointDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let id = roomcal::CoreError::parse_id(&id, "this room has no such webhook endpoint")?;
        let rotated =
            roomcal::services::webhooks::rotate_secret(&core, &user, &room_name, id).await?;
        Ok(rotated.into())
    })
    .await
}

/// Sends a test event to endpoint `id`.
#[server]
pub async fn test_webhook(room_name: String, id: String) -> Result<WebhookDeliveryDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let id = roomcal::CoreError::parse_id(&id, "this room has no such webhook endpoint")?;
        let queued =
            roomcal::services::webhooks::send_test_event(&core, &user, &room_name, id).await?;
        Ok(queued.into())
    })
    .await
}

/// The delivery log of endpoint `id`, newest first.
#[server]
pub async fn webhook_log(
    room_name: String,
    id: String,
) -> Result<Vec<WebhookDeliveryDto>, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let id = roomcal::CoreError::parse_id(&id, "this room has no such webhook endpoint")?;
        let log = roomcal::services::webhooks::deliveries(&core, &user, &room_name, id).await?;
        Ok(log.into_iter().map(WebhookDeliveryDto::from).collect())
    })
    .await
}

/// Sends delivery `delivery` again (same `webhook-id`).
#[server]
pub async fn redeliver_webhook(
    room_name: String,
    delivery: String,
) -> Result<WebhookDeliveryDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let again =
            roomcal::services::webhooks::redeliver(&core, &user, &room_name, &delivery).await?;
        Ok(again.into())
    })
    .await
}
