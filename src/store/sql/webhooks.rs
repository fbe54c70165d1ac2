//! Webhook endpoints and the outbox of deliveries, and [`write_outbox`], which the change
//! methods call inside their own transactions.

use super::*;
use crate::domain::{AttemptRecord, DeliveryState, WebhookDelivery, WebhookEndpoint};
use crate::store::{Outbox, WebhookStore};
use crate::webhooks::WebhookEvent;

/// Columns of `webhook_endpoints` that make a [`WebhookEndpoint`].
const ENDPOINT_COLUMNS: &str = "id, room_id, url, events, enabled, owners_system, secret, \
    previous_secret, previous_secret_until, created_at, failing_since, disabled_reason";
/// Columns of `webhook_deliveries` that make a [`WebhookDelivery`].
pub(super) const DELIVERY_COLUMNS: &str = "seq, id, endpoint_id, event_type, meeting_id, \
    payload, created_at, state, attempts, next_attempt_at, last_attempt_at, last_status, \
    last_latency_ms, last_response, last_error";

/// A new `webhook-id`.
fn message_id() -> String {
    format!("msg_{}", Uuid::new_v4().simple())
}

/// Writes one pending delivery.
async fn insert_delivery(
    conn: &mut <Db as sqlx::Database>::Connection,
    endpoint_id: Uuid,
    event: &WebhookEvent,
    body: &str,
) -> Result<String, StoreError> {
    let id = message_id();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_type, meeting_id, payload, \
         created_at, state, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(&id)
    .bind(endpoint_id)
    .bind(event.kind.as_str())
    .bind(event.meeting_id)
    .bind(body)
    .bind(event.at)
    .bind(DeliveryState::Pending)
    .bind(event.at)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Writes the deliveries of `outbox` (one per enabled endpoint of the event's room that
/// subscribed to its type) on `conn`, the change's transaction.
pub(super) async fn write_outbox(
    conn: &mut <Db as sqlx::Database>::Connection,
    outbox: Outbox<'_>,
) -> Result<(), StoreError> {
    for event in outbox {
        let endpoints: Vec<(Uuid, bool)> = sqlx::query_as(
            "SELECT id, owners_system FROM webhook_endpoints \
             WHERE room_id = $1 AND enabled AND events LIKE $2 ORDER BY created_at",
        )
        .bind(event.room_id)
        .bind(format!("% {} %", event.kind.as_str()))
        .fetch_all(&mut *conn)
        .await?;
        for (endpoint_id, owners_system) in endpoints {
            insert_delivery(
                &mut *conn,
                endpoint_id,
                event,
                event.body_for(owners_system),
            )
            .await?;
        }
    }
    Ok(())
}

#[async_trait]
impl WebhookStore for DbStore {
    async fn insert_webhook_endpoint(&self, e: &WebhookEndpoint) -> Result<(), StoreError> {
        insert_row!(
            "webhook_endpoints",
            e,
            [
                id,
                room_id,
                url,
                events,
                enabled,
                owners_system,
                secret,
                previous_secret,
                previous_secret_until,
                created_at,
                failing_since,
                disabled_reason,
            ]
        )
        .build()
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn webhook_endpoints_of_room(
        &self,
        room_id: Uuid,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE room_id = $1 \
             ORDER BY created_at, id"
        ))
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn webhook_endpoint(&self, id: Uuid) -> Result<Option<WebhookEndpoint>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn update_webhook_endpoint(&self, e: &WebhookEndpoint) -> Result<bool, StoreError> {
        let done = update_row!(
            "webhook_endpoints",
            e,
            id,
            [
                url,
                events,
                enabled,
                owners_system,
                secret,
                previous_secret,
                previous_secret_until,
                failing_since,
                disabled_reason,
            ]
        )
        .build()
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_webhook_endpoint(&self, id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn enqueue_webhook(
        &self,
        endpoint_id: Uuid,
        event: &WebhookEvent,
        _now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_delivery(&mut conn, endpoint_id, event, event.body_for(false)).await
    }

    async fn webhook_deliveries(
        &self,
        endpoint_id: Uuid,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = $1 \
             ORDER BY seq DESC LIMIT $2"
        ))
        .bind(endpoint_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn webhook_delivery(&self, id: &str) -> Result<Option<WebhookDelivery>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let mut claimed: Vec<WebhookDelivery> = sqlx::query_as(&format!(
            "{CLAIM_WEBHOOK_DELIVERIES} RETURNING {DELIVERY_COLUMNS}"
        ))
        .bind(owner)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        claimed.sort_by_key(|d| d.seq);
        Ok(claimed)
    }

    async fn finish_webhook_attempt(
        &self,
        seq: i64,
        endpoint_id: Uuid,
        owner: &str,
        r: &AttemptRecord,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, \
             next_attempt_at = $2, lease_owner = NULL, lease_until = NULL, last_attempt_at = $3, \
             last_status = $4, last_latency_ms = $5, last_response = $6, last_error = $7 \
             WHERE seq = $8 AND lease_owner = $9",
        )
        .bind(r.state)
        .bind(r.next_attempt_at)
        .bind(r.at)
        .bind(r.attempt.status.map(i32::from))
        .bind(i32::try_from(r.attempt.latency_ms).unwrap_or(i32::MAX))
        .bind(&r.attempt.response)
        .bind(&r.attempt.error)
        .bind(seq)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        // A success ends the failing streak; a failure starts one unless it runs already.
        let failing_from = (!r.attempt.succeeded()).then_some(r.at);
        let failing: Option<(Option<DateTime<Utc>>,)> = sqlx::query_as(
            "UPDATE webhook_endpoints SET failing_since = CASE WHEN $1 IS NULL THEN NULL \
             ELSE COALESCE(failing_since, $2) END WHERE id = $3 RETURNING failing_since",
        )
        .bind(failing_from)
        .bind(failing_from)
        .bind(endpoint_id)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(failing.and_then(|(since,)| since))
    }

    async fn disable_webhook_endpoint(&self, id: Uuid, reason: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $1 WHERE id = $2",
        )
        .bind(reason)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn redeliver_webhook(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, next_attempt_at = $2 WHERE id = $3",
        )
        .bind(DeliveryState::Pending)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_webhook_deliveries(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries \
             WHERE state <> 'pending' AND created_at < $1 ORDER BY seq LIMIT $2)",
        )
        .bind(before)
        .bind(limit)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
