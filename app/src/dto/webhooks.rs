//! A room's webhook endpoints and their delivery logs, as the room's owner and co-owners
//! see them: URLs masked, secrets only in the answer that makes one.

use serde::{Deserialize, Serialize};

/// One webhook endpoint of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookEndpointDto {
    /// Its id.
    pub id: String,
    /// Its URL, with the path segments that may be tokens masked.
    pub url: String,
    /// The event types it gets (`meeting.created`, …).
    pub events: Vec<String>,
    /// Whether deliveries are sent.
    pub enabled: bool,
    /// The owner's own system: participant events name the person.
    pub owners_system: bool,
    /// `ok`, `failing` (since `failing_since`) or `disabled` (see `disabled_reason`).
    pub status: String,
    /// Since when every attempt failed (RFC 3339, UTC).
    pub failing_since: Option<String>,
    /// Why roomcal turned it off, and what to do.
    pub disabled_reason: Option<String>,
    /// When it was added (RFC 3339, UTC).
    pub created_at: String,
    /// The `whsec_…` signing secret: only in the answer that creates the endpoint or
    /// rotates its secret. Keep it; it is not shown again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// One delivery of one event to one endpoint, with its last attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryDto {
    /// The `webhook-id` (`msg_…`), the same on every attempt.
    pub id: String,
    /// The event type.
    pub event_type: String,
    /// `pending`, `delivered` or `failed` (given up after a day of retries).
    pub state: String,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the event happened (RFC 3339, UTC).
    pub created_at: String,
    /// When it will be tried next, while pending.
    pub next_attempt_at: Option<String>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<String>,
    /// The receiver's HTTP status at the last attempt.
    pub response_status: Option<i32>,
    /// How long the last attempt took, in milliseconds.
    pub latency_ms: Option<i32>,
    /// The first 1 KB of the receiver's last answer.
    pub response_body: Option<String>,
    /// What went wrong at the last attempt.
    pub error: Option<String>,
}
