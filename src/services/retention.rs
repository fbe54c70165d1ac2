//! Retention: what the lifecycle tick deletes for good, so what is kept at rest stops
//! growing. Meetings closed longer ago than `--retention` go (their presence rows with
//! them), then occurrences that ended that long ago and that no meeting names; expired
//! sessions go as soon as they expire; webhook deliveries that were delivered or given up
//! go after `--retention` too (pending ones never). Each of those purges deletes a bounded batch per
//! tick, so one tick never holds the database long; a backlog shrinks tick by tick. The
//! shared rate limits' windows go as soon as they end, all at once: there is at most one
//! row per key that was counted in the last window.
//!
//! What the product still needs is never purged: active meetings; a closed meeting whose
//! occurrence has not ended that long ago (it keeps the occurrence from a second meeting);
//! an occurrence a meeting names; an occurrence the sync still compares with the feed
//! ([`crate::sync::Syncer::reads_stored_from`]), whatever the retention.

use crate::{Core, CoreError};
use chrono::{DateTime, Utc};

/// Rows each purge deletes at most per tick (per table).
pub const PURGE_BATCH: i64 = 500;

/// What one purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Closed meetings.
    pub meetings: u64,
    /// Ended occurrences.
    pub occurrences: u64,
    /// Expired sessions.
    pub sessions: u64,
    /// Ended windows of the shared rate limits.
    pub limit_windows: u64,
    /// Webhook deliveries done with (delivered or failed) longer ago than the retention.
    pub webhook_deliveries: u64,
}

/// Deletes up to `batch` rows of each kind that are past their keeping at `now`.
pub async fn purge_expired(
    core: &Core,
    now: DateTime<Utc>,
    batch: i64,
) -> Result<Purged, CoreError> {
    let before = now - core.settings.retention;
    // Meetings first: an occurrence goes once its meeting has gone (a tick later at most).
    let meetings = core
        .store
        .purge_meetings_closed_before(before, batch)
        .await?;
    let occurrences_before = before.min(core.sync.reads_stored_from(now));
    let occurrences = core
        .store
        .purge_occurrences_ended_before(occurrences_before, batch)
        .await?;
    let sessions = core.store.prune_expired_sessions(now, batch).await?;
    let limit_windows = core.store.prune_event_windows(now).await?;
    let webhook_deliveries = core.store.purge_webhook_deliveries(before, batch).await?;
    Ok(Purged {
        meetings,
        occurrences,
        sessions,
        limit_windows,
        webhook_deliveries,
    })
}
