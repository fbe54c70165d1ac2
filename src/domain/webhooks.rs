//! The records of outbound webhooks: a room's endpoints and the deliveries of the outbox
//! (see [`crate::webhooks`] for what is sent and how).

use crate::secret::Secret;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not delivered yet; tried again at `next_attempt_at`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Retried for a day without success; only "redeliver" sends it again.
    Failed,
}

impl DeliveryState {
    /// The stored (and wire) text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Reads the stored text back.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "pending" => Ok(Self::Pending),
            "delivered" => Ok(Self::Delivered),
            "failed" => Ok(Self::Failed),
            other => Err(format!("unknown delivery state \"{other}\"")),
        }
    }
}

/// One receiver a room's owner added (a row of `webhook_endpoints`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: Uuid,
    /// The room whose events it gets.
    pub room_id: Uuid,
    /// Its URL, sealed with the server key.
    pub url: Secret,
    /// The event types it gets, stored form ([`EventSelection::to_stored`]).
    pub events: String,
    /// Whether deliveries are sent (an owner's switch, or off after a day of failures).
    pub enabled: bool,
    /// The owner's own system: participant events name the person.
    pub owners_system: bool,
    /// The sealed `whsec_…` signing secret.
    pub secret: Secret,
    /// The sealed secret it had before the last rotation, still signing until
    /// `previous_secret_until`.
    pub previous_secret: Option<Secret>,
    /// When the previous secret stops signing.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Since when every attempt failed (none: the last one succeeded).
    pub failing_since: Option<DateTime<Utc>>,
    /// Why roomcal disabled it, for the settings page.
    pub disabled_reason: Option<String>,
}

/// One event for one endpoint (a row of `webhook_deliveries`): the message, and how its
/// attempts went.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookDelivery {
    /// The order it was written in.
    pub seq: i64,
    /// The `webhook-id` (`msg_…`), the same on every attempt.
    pub id: String,
    /// The endpoint it goes to.
    pub endpoint_id: Uuid,
    /// The event type's wire name.
    pub event_type: String,
    /// The meeting it is about, if any.
    pub meeting_id: Option<Uuid>,
    /// The JSON body.
    pub payload: String,
    /// When the event happened (and the delivery was written).
    pub created_at: DateTime<Utc>,
    /// Where it stands.
    pub state: DeliveryState,
    /// How many attempts were made.
    pub attempts: i32,
    /// When it is due next (pending ones).
    pub next_attempt_at: DateTime<Utc>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status at the last attempt.
    pub last_status: Option<i32>,
    /// How long the last attempt took.
    pub last_latency_ms: Option<i32>,
    /// The first 1 KB of the receiver's last answer.
    pub last_response: Option<String>,
    /// What went wrong at the last attempt.
    pub last_error: Option<String>,
}

/// What one attempt of a delivery came to, to record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// Its outcome.
    pub attempt: Attempt,
    /// Where the delivery stands after it.
    pub state: DeliveryState,
    /// When to try again (pending).
    pub next_attempt_at: DateTime<Utc>,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attempt {
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// How long the attempt took.
    pub latency_ms: u32,
    /// The first 1 KB of the answer (lossy UTF-8).
    pub response: Option<String>,
    /// What went wrong, in words, when it did not succeed.
    pub error: Option<String>,
}
