//! Outbound webhooks: the [`WebhookStore`] part of the store — endpoints, and the outbox
//! of deliveries the delivery worker claims. Deliveries of a change are written by the
//! change's own store method (its `outbox` argument), in its transaction.

use super::StoreError;
use crate::domain::{AttemptRecord, WebhookDelivery, WebhookEndpoint};
use crate::webhooks::WebhookEvent;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The webhook events a change writes with it (usually none or one).
pub type Outbox<'a> = &'a [WebhookEvent];

/// Webhook endpoints and deliveries.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Inserts an endpoint as given.
    async fn insert_webhook_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<(), StoreError>;

    /// The room's endpoints, oldest first.
    async fn webhook_endpoints_of_room(
        &self,
        room_id: Uuid,
    ) -> Result<Vec<WebhookEndpoint>, StoreError>;

    /// The endpoint with this id.
    async fn webhook_endpoint(&self, id: Uuid) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// Saves an owner's change: URL, events, enabled, owner's system, secrets and the
    /// disabled reason (cleared when it is enabled again). False when it is gone.
    async fn update_webhook_endpoint(&self, endpoint: &WebhookEndpoint)
        -> Result<bool, StoreError>;

    /// Deletes an endpoint with its deliveries; false when it was gone.
    async fn delete_webhook_endpoint(&self, id: Uuid) -> Result<bool, StoreError>;

    /// Writes one delivery of `event` to endpoint `endpoint_id` whatever it subscribed
    /// to (the test event), due at `now`; returns its `webhook-id`.
    async fn enqueue_webhook(
        &self,
        endpoint_id: Uuid,
        event: &WebhookEvent,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError>;

    /// The endpoint's deliveries, newest first.
    async fn webhook_deliveries(
        &self,
        endpoint_id: Uuid,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>, StoreError>;

    /// The delivery with this `webhook-id`.
    async fn webhook_delivery(&self, id: &str) -> Result<Option<WebhookDelivery>, StoreError>;

    /// Claims up to `limit` due deliveries for `owner` until `lease_until`: pending, due
    /// at `now`, lease free, endpoint enabled, and no earlier pending delivery about the
    /// same meeting for the same endpoint (so each meeting's events arrive in order).
    /// Several instances never claim the same delivery at once. Oldest first.
    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>, StoreError>;

    /// Records an attempt of delivery `seq` and frees its lease, if `owner` still holds
    /// it; and notes the endpoint's failing streak (started, or ended by a success).
    /// Returns since when the endpoint has been failing (`None`: it is not).
    async fn finish_webhook_attempt(
        &self,
        seq: i64,
        endpoint_id: Uuid,
        owner: &str,
        record: &AttemptRecord,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Turns an endpoint off with a reason the owner sees.
    async fn disable_webhook_endpoint(&self, id: Uuid, reason: &str) -> Result<(), StoreError>;

    /// Makes a delivery due again at `now` (same `webhook-id`), whatever its state.
    async fn redeliver_webhook(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Deletes up to `limit` delivered or failed deliveries written before `before`.
    async fn purge_webhook_deliveries(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<u64, StoreError>;
}
