//! Room owners' webhook endpoints: add (the secret is shown this once), change, remove,
//! rotate the secret, send a test event, read the delivery log, redeliver. The room's
//! owner and co-owners manage them; at most [`MAX_ENDPOINTS_PER_ROOM`] per room. Endpoint
//! URLs are sealed at rest and shown masked, like feed URLs.

use crate::domain::{DeliveryState, Room, User, WebhookDelivery, WebhookEndpoint};
use crate::services::limits::{too_many, wait_text};
use crate::services::room_lookup::owned_room;
use crate::sync::webhook_sender::check_target;
use crate::webhooks::payload::{envelope, RoomRef};
use crate::webhooks::sign::generate_secret;
use crate::webhooks::{EventSelection, WebhookEvent, WebhookEventType, MAX_ENDPOINTS_PER_ROOM};
use crate::{Core, CoreError};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// How long the secret before a rotation keeps signing.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);
/// How many deliveries the log shows at most.
pub const LOG_LENGTH: i64 = 50;
/// How long adding an endpoint waits for another change of the same room's endpoints.
const SERIAL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// An endpoint as its room's owners see it: the URL masked, the secret never.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointView {
    /// The stored endpoint (sealed URL and secret: not for display).
    pub endpoint: WebhookEndpoint,
    /// The URL with its path tokens masked.
    pub url_masked: String,
    /// The event types it gets.
    pub events: EventSelection,
}

/// An endpoint just made (or re-keyed), with its secret, shown this once.
#[derive(Debug, Clone)]
pub struct EndpointWithSecret {
    /// The endpoint.
    pub view: EndpointView,
    /// The plain `whsec_…` secret.
    pub secret: String,
}

/// What an owner asks to add.
#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    /// Where to send.
    pub url: String,
    /// Which events (empty: all but the participant ones).
    pub events: Vec<String>,
    /// Whether to send at once (default on).
    pub enabled: Option<bool>,
    /// The owner's own system (participant names included).
    pub owners_system: bool,
}

/// What an owner asks to change; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    /// A new URL.
    pub url: Option<String>,
    /// New events.
    pub events: Option<Vec<String>>,
    /// On or off (on again clears why roomcal turned it off).
    pub enabled: Option<bool>,
    /// The owner's own system or not.
    pub owners_system: Option<bool>,
}

/// The URL with every path segment that may be a token masked and the query dropped:
/// `https://hooks.slack.com/services/…/…/…`.
pub fn mask_webhook_url(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return "(invalid address)".into();
    };
    let host = parsed.host_str().unwrap_or("");
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path: Vec<&str> = parsed
        .path_segments()
        .map(|segments| {
            segments
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let plain = s.len() <= 16
                        && s.chars()
                            .all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_'));
                    if plain {
                        s
                    } else {
                        "…"
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let query = if parsed.query().is_some() { "?…" } else { "" };
    format!(
        "{}://{host}{port}/{}{query}",
        parsed.scheme(),
        path.join("/")
    )
}

fn view(core: &Core, endpoint: WebhookEndpoint) -> EndpointView {
    let url_masked = core
        .secrets
        .open(endpoint.url.expose())
        .map(|url| mask_webhook_url(&url))
        .unwrap_or_else(|_| "(cannot be decrypted)".into());
    EndpointView {
        events: EventSelection::from_stored(&endpoint.events),
        url_masked,
        endpoint,
    }
}

/// The URL if it may be sent to, as a field-level error otherwise.
fn checked_url(core: &Core, url: &str) -> Result<String, CoreError> {
    check_target(url, core.webhooks.policy())
        .map(|u| u.to_string())
        .map_err(|m| CoreError::field("url", m))
}

fn selection(events: &[String]) -> Result<EventSelection, CoreError> {
    EventSelection::parse(events).map_err(|m| CoreError::field("events", m))
}

/// The endpoint `id` of `room`, or `NotFound`.
async fn endpoint_of(core: &Core, room: &Room, id: Uuid) -> Result<WebhookEndpoint, CoreError> {
    core.store
        .webhook_endpoint(id)
        .await?
        .filter(|e| e.room_id == room.id)
        .ok_or_else(|| CoreError::NotFound("this room has no such webhook endpoint".into()))
}

/// The endpoints of `room_name`, for its owners.
pub async fn endpoints(
    core: &Core,
    user: &User,
    room_name: &str,
) -> Result<Vec<EndpointView>, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let endpoints = core.store.webhook_endpoints_of_room(room.id).await?;
    Ok(endpoints.into_iter().map(|e| view(core, e)).collect())
}

/// Adds an endpoint to `room_name`; answers it with its secret (shown this once).
pub async fn add_endpoint(
    core: &Core,
    user: &User,
    room_name: &str,
    new: &NewEndpoint,
) -> Result<EndpointWithSecret, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let url = checked_url(core, &new.url)?;
    let events = selection(&new.events)?;
    // One change of a room's endpoints at a time (across instances), so the cap holds.
    let _serial = core
        .limits
        .serial
        .lock_within(
            core.store.as_ref(),
            room.id,
            SERIAL_WAIT,
            "the room's webhooks are being changed",
        )
        .await?;
    let existing = core.store.webhook_endpoints_of_room(room.id).await?;
    if existing.len() >= MAX_ENDPOINTS_PER_ROOM {
        return Err(too_many(
            60,
            format!(
                "the room has {MAX_ENDPOINTS_PER_ROOM} webhook endpoints, the most allowed; remove one first"
            ),
        ));
    }
    let secret = generate_secret();
    let endpoint = WebhookEndpoint {
        id: Uuid::new_v4(),
        room_id: room.id,
        url: core.secrets.seal(&url),
        events: events.to_stored(),
        enabled: new.enabled.unwrap_or(true),
        owners_system: new.owners_system,
        secret: core.secrets.seal(&secret),
        previous_secret: None,
        previous_secret_until: None,
        created_at: core.clock.now(),
        failing_since: None,
        disabled_reason: None,
    };
    core.store.insert_webhook_endpoint(&endpoint).await?;
    tracing::info!(room = %room.id, endpoint = %endpoint.id, "webhook endpoint added");
    Ok(EndpointWithSecret {
        view: view(core, endpoint),
        secret,
    })
}

/// Changes endpoint `id` of `room_name`.
pub async fn change_endpoint(
    core: &Core,
    user: &User,
    room_name: &str,
    id: Uuid,
    change: &EndpointChange,
) -> Result<EndpointView, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let mut endpoint = endpoint_of(core, &room, id).await?;
    if let Some(url) = &change.url {
        endpoint.url = core.secrets.seal(&checked_url(core, url)?);
    }
    if let Some(events) = &change.events {
        endpoint.events = selection(events)?.to_stored();
    }
    if let Some(enabled) = change.enabled {
        if enabled && !endpoint.enabled {
            // Switched on again: a fresh start, the reason it was off is history.
            endpoint.disabled_reason = None;
            endpoint.failing_since = None;
        }
        endpoint.enabled = enabled;
    }
    if let Some(owners_system) = change.owners_system {
        endpoint.owners_system = owners_system;
    }
    if !core.store.update_webhook_endpoint(&endpoint).await? {
        return Err(CoreError::NotFound(
            "this room has no such webhook endpoint".into(),
        ));
    }
    core.webhooks.wake();
    Ok(view(core, endpoint))
}

/// Removes endpoint `id` of `room_name` with its delivery log.
pub async fn remove_endpoint(
    core: &Core,
    user: &User,
    room_name: &str,
    id: Uuid,
) -> Result<(), CoreError> {
    let room = owned_room(core, user, room_name).await?;
    endpoint_of(core, &room, id).await?;
    core.store.delete_webhook_endpoint(id).await?;
    Ok(())
}

/// Gives endpoint `id` a new secret; the old one keeps signing (a second signature) for
/// [`ROTATION_OVERLAP`], so the receiver can switch without losing a message.
pub async fn rotate_secret(
    core: &Core,
    user: &User,
    room_name: &str,
    id: Uuid,
) -> Result<EndpointWithSecret, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let mut endpoint = endpoint_of(core, &room, id).await?;
    let secret = generate_secret();
    endpoint.previous_secret = Some(endpoint.secret.clone());
    endpoint.previous_secret_until = Some(core.clock.now() + ROTATION_OVERLAP);
    endpoint.secret = core.secrets.seal(&secret);
    core.store.update_webhook_endpoint(&endpoint).await?;
    tracing::info!(endpoint = %endpoint.id, "webhook secret rotated");
    Ok(EndpointWithSecret {
        view: view(core, endpoint),
        secret,
    })
}

/// Queues a `webhook.test` event to endpoint `id` (sent within a second); answers the
/// pending delivery, whose log entry shows how it went.
pub async fn send_test_event(
    core: &Core,
    user: &User,
    room_name: &str,
    id: Uuid,
) -> Result<WebhookDelivery, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let endpoint = endpoint_of(core, &room, id).await?;
    let now = core.clock.now();
    count_send(core, &room, now).await?;
    let url = core.room_url(room.name.as_str());
    let room_ref = RoomRef {
        id: room.id,
        name: room.name.as_str(),
        url: &url,
    };
    let event = WebhookEvent {
        room_id: room.id,
        meeting_id: None,
        kind: WebhookEventType::Test,
        at: now,
        body: envelope(WebhookEventType::Test, now, room_ref.only()),
        owner_body: None,
    };
    let message_id = core.store.enqueue_webhook(endpoint.id, &event, now).await?;
    core.webhooks.wake();
    delivery_of(core, &room, &message_id).await
}

/// Counts one test event or redelivery against `room`'s `--webhook-sends-per-minute`
/// (shared by its owners and every instance): a 429 past it.
async fn count_send(core: &Core, room: &Room, now: DateTime<Utc>) -> Result<(), CoreError> {
    core.limits
        .webhook_sends
        .take(core.store.as_ref(), &format!("room:{}", room.id), now)
        .await
        .map(|_| ())
        .map_err(|refused| {
            refused.into_error(|wait| {
                format!(
                    "this room sent several test events or redeliveries in the last minute; \
                     try again in {}",
                    wait_text(wait)
                )
            })
        })
}

/// The delivery log of endpoint `id`, newest first.
pub async fn deliveries(
    core: &Core,
    user: &User,
    room_name: &str,
    id: Uuid,
) -> Result<Vec<WebhookDelivery>, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let endpoint = endpoint_of(core, &room, id).await?;
    Ok(core
        .store
        .webhook_deliveries(endpoint.id, LOG_LENGTH)
        .await?)
}

/// The delivery `message_id` if it went to an endpoint of `room`.
async fn delivery_of(
    core: &Core,
    room: &Room,
    message_id: &str,
) -> Result<WebhookDelivery, CoreError> {
    let missing = || CoreError::NotFound("this room has no such webhook delivery".into());
    let delivery = core
        .store
        .webhook_delivery(message_id)
        .await?
        .ok_or_else(missing)?;
    endpoint_of(core, room, delivery.endpoint_id)
        .await
        .map_err(|_| missing())?;
    Ok(delivery)
}

/// Sends delivery `message_id` again, with the same `webhook-id` (the receiver can tell
/// it has seen it), whatever became of it.
pub async fn redeliver(
    core: &Core,
    user: &User,
    room_name: &str,
    message_id: &str,
) -> Result<WebhookDelivery, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    let delivery = delivery_of(core, &room, message_id).await?;
    let now = core.clock.now();
    count_send(core, &room, now).await?;
    core.store.redeliver_webhook(&delivery.id, now).await?;
    core.webhooks.wake();
    Ok(WebhookDelivery {
        state: DeliveryState::Pending,
        ..delivery
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_webhook_addresses_are_masked() {
        assert_eq!(
            mask_webhook_url(
                "https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX"
            ),
            "https://hooks.slack.com/services/…/…/…"
        );
        assert_eq!(
            mask_webhook_url("http://127.0.0.1:9000/hook?token=abc"),
            "http://127.0.0.1:9000/hook?…"
        );
    }
}
