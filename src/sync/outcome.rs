//! What one sync attempt did, as the owner sees it (status endpoint, log, settings page).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SyncStatus {
    /// Fetched, parsed and stored.
    Ok,
    /// 304 or the same content as last time; reprocessed from the cached feed.
    Unchanged,
    /// Nothing was changed; `error` says why.
    Failed,
}

impl SyncStatus {
    /// Every status (the metrics start each `outcome` series at zero from this list).
    pub const ALL: [Self; 3] = [Self::Ok, Self::Unchanged, Self::Failed];

    /// `ok`, `unchanged` or `failed` (the JSON and metric label).
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Ok => "ok",
            SyncStatus::Unchanged => "unchanged",
            SyncStatus::Failed => "failed",
        }
    }
}

/// The result of one sync attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncOutcome {
    /// When the attempt started.
    pub started_at: DateTime<Utc>,
    /// How it ended.
    pub status: SyncStatus,
    /// Why it failed, for the owner (never contains the feed URL).
    pub error: Option<String>,
    /// The HTTP status of the final response, if any.
    pub http_status: Option<u16>,
    /// Body size after decompression.
    pub bytes: usize,
    /// Wall time of the attempt in milliseconds.
    pub duration_ms: u64,
    /// VEVENT components in the feed.
    pub events_in_feed: usize,
    /// Occurrences overlapping the sync window.
    pub events_in_window: usize,
    /// Of those, the ones that carry this room's URL.
    pub events_matching: usize,
    /// Occurrences stored for the first time.
    pub created: usize,
    /// Occurrences whose details changed.
    pub updated: usize,
    /// Future occurrences gone from the feed, soft-deleted.
    pub deleted: usize,
    /// Soft-deleted occurrences that came back.
    pub restored: usize,
    /// Parser warnings (line and reason), at most 20.
    pub warnings: Vec<String>,
}

impl SyncOutcome {
    /// An attempt that failed before anything was stored.
    pub fn failed(started_at: DateTime<Utc>, error: String, http_status: Option<u16>) -> Self {
        Self {
            started_at,
            status: SyncStatus::Failed,
            error: Some(error),
            http_status,
            bytes: 0,
            duration_ms: 0,
            events_in_feed: 0,
            events_in_window: 0,
            events_matching: 0,
            created: 0,
            updated: 0,
            deleted: 0,
            restored: 0,
            warnings: Vec::new(),
        }
    }

    /// As JSON for the store.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// `calendar.sync_failed` when a sync fails after one that did not (or the first one
/// fails), `calendar.sync_recovered` when one succeeds after a failure; nothing while the
/// state holds, so a feed that is down for a day is told once, not every interval.
pub(super) fn health_change(
    room: &crate::domain::Room,
    room_url: &str,
    was_failing: bool,
    outcome: &SyncOutcome,
    now: DateTime<Utc>,
) -> Vec<crate::webhooks::WebhookEvent> {
    use crate::webhooks::{payload, WebhookEventType};
    let failing = outcome.status == SyncStatus::Failed;
    let kind = match (was_failing, failing) {
        (false, true) => WebhookEventType::CalendarSyncFailed,
        (true, false) => WebhookEventType::CalendarSyncRecovered,
        _ => return Vec::new(),
    };
    let room_ref = payload::RoomRef {
        id: room.id,
        name: room.name.as_str(),
        url: room_url,
    };
    vec![payload::calendar_event(
        kind,
        now,
        &room_ref,
        outcome.status.as_str(),
        outcome.error.as_deref(),
    )]
}
