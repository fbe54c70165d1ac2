//! The webhook delivery worker's step: claim due deliveries with a lease, send each signed
//! attempt, record how it went, and schedule the next one or give up. The server's loop
//! ([`deliver`] per claimed row, each in its own task) keeps one slow receiver from holding
//! up the others; [`run_webhook_step`] runs one whole round for tests.

use crate::domain::{AttemptRecord, DeliveryState, WebhookDelivery, WebhookEndpoint};
use crate::sync::webhook_sender::{Attempt, Message};
use crate::webhooks::retry::{next_attempt, should_disable};
use crate::webhooks::sign::signature_header;
use crate::Core;
use crate::CoreError;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;

/// How long a claim holds: longer than an attempt may take, so an attempt in flight is
/// never claimed again by another instance; a crashed instance's claims free up after it.
pub const CLAIM_LEASE: Duration = Duration::seconds(60);

/// Claims up to `limit` due deliveries for this instance at `now`.
pub async fn claim_due(
    core: &Core,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<WebhookDelivery>, CoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(core
        .store
        .claim_webhook_deliveries(now, core.sync.instance(), now + CLAIM_LEASE, limit)
        .await?)
}

/// The plain secrets an endpoint signs with at `now`: its own, and the one before a
/// rotation while that still holds.
fn signing_secrets(
    core: &Core,
    endpoint: &WebhookEndpoint,
    now: DateTime<Utc>,
) -> Result<Vec<String>, String> {
    let mut secrets = vec![core.secrets.open(endpoint.secret.expose())?];
    if let (Some(previous), Some(until)) =
        (&endpoint.previous_secret, endpoint.previous_secret_until)
    {
        if now < until {
            secrets.push(core.secrets.open(previous.expose())?);
        }
    }
    Ok(secrets)
}

/// Sends one claimed delivery and records the attempt (and, after a day of failures, turns
/// the endpoint off with the reason). Returns what was recorded; `None` when the endpoint
/// is gone.
pub async fn deliver(
    core: &Core,
    delivery: &WebhookDelivery,
) -> Result<Option<AttemptRecord>, CoreError> {
    let Some(endpoint) = core.store.webhook_endpoint(delivery.endpoint_id).await? else {
        return Ok(None);
    };
    let sent_at = core.clock.now();
    let attempt = match (
        core.secrets.open(endpoint.url.expose()),
        signing_secrets(core, &endpoint, sent_at),
    ) {
        (Ok(url), Ok(secrets)) => {
            let timestamp = sent_at.timestamp();
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            let signature = signature_header(&secrets, &delivery.id, timestamp, &delivery.payload);
            core.webhooks
                .send(&Message {
                    url: &url,
                    id: &delivery.id,
                    timestamp,
                    signature: &signature,
                    body: &delivery.payload,
                })
                .await
        }
        _ => Attempt {
            error: Some(
                "the endpoint's address or secret cannot be decrypted (was the server key changed?); delete it and add it again".into(),
            ),
            ..Attempt::default()
        },
    };
    let at = core.clock.now();
    let record = settle(delivery, attempt, at, rand::thread_rng().gen::<f64>());
    metrics::counter!(
        "roomcal_webhook_attempts_total",
        "outcome" => if record.attempt.succeeded() { "delivered" } else { "failed" }
    )
    .increment(1);
    metrics::histogram!("roomcal_webhook_attempt_seconds")
        .record(f64::from(record.attempt.latency_ms) / 1000.0);
    let failing_since = core
        .store
        .finish_webhook_attempt(delivery.seq, endpoint.id, core.sync.instance(), &record)
        .await?;
    if let Some(since) = failing_since.filter(|since| should_disable(*since, at)) {
        let reason = format!(
            "roomcal turned this endpoint off on {}: every delivery since {} failed (the last: {}). Fix the receiver, then switch the endpoint on and redeliver what it missed.",
            at.format("%Y-%m-%d %H:%M UTC"),
            since.format("%Y-%m-%d %H:%M UTC"),
            record.attempt.error.as_deref().unwrap_or("no answer"),
        );
        core.store
            .disable_webhook_endpoint(endpoint.id, &reason)
            .await?;
        tracing::warn!(endpoint = %endpoint.id, "webhook endpoint disabled after a day of failures");
    }
    Ok(Some(record))
}

/// Where a delivery stands after `attempt` at `at`: delivered, pending again (with the
/// retry's instant, spread by `jitter` in `[0, 1)`), or failed for good.
pub fn settle(
    delivery: &WebhookDelivery,
    attempt: Attempt,
    at: DateTime<Utc>,
    jitter: f64,
) -> AttemptRecord {
    let attempts = u32::try_from(delivery.attempts)
        .unwrap_or(0)
        .saturating_add(1);
    let (state, next_attempt_at) = if attempt.succeeded() {
        (DeliveryState::Delivered, at)
    } else {
        match next_attempt(attempts, delivery.created_at, at, jitter) {
            Some(next) => (DeliveryState::Pending, next),
            None => (DeliveryState::Failed, at),
        }
    };
    AttemptRecord {
        at,
        attempt,
        state,
        next_attempt_at,
    }
}

/// One round for tests and tools: claims what is due at `now` (up to `limit`) and
/// delivers it all at once; returns how many attempts were made.
pub async fn run_webhook_step(
    core: &Core,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<usize, CoreError> {
    let claimed = claim_due(core, now, limit).await?;
    let attempts = claimed.iter().map(|d| deliver(core, d));
    let results = futures_util::future::join_all(attempts).await;
    let mut made = 0;
    for result in results {
        if result?.is_some() {
            made += 1;
        }
    }
    Ok(made)
}
