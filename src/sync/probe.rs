//! "Test this address": fetch and parse a feed for a room and say what it holds, saving
//! nothing (the owner checks an address before attaching it).

use super::feed_work::{read_feed, FeedInput};
use super::fetch::{Fetched, Validators};
use super::Syncer;
use chrono::{DateTime, Utc};

/// Why an address test gave no report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestFeedError {
    /// The address or its content is unusable: a message for the owner.
    #[error("{0}")]
    Feed(String),
    /// Every address-test slot of this instance stayed busy: try again shortly.
    #[error("other calendar addresses are being tested right now; try again in a few seconds")]
    Busy,
}

/// What a test fetch found (nothing is saved).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedTestReport {
    /// Events (VEVENTs) in the calendar.
    pub events_in_feed: usize,
    /// Occurrences in the sync window carrying this room's URL.
    pub events_matching: usize,
    /// The next few matching occurrences.
    pub next_occurrences: Vec<OccurrencePreview>,
    /// Parser warnings (at most 20).
    pub warnings: Vec<String>,
}

/// One occurrence, as previewed to the owner.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OccurrencePreview {
    /// SUMMARY.
    pub title: Option<String>,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// End (UTC).
    pub end: DateTime<Utc>,
    /// Whether it is all-day.
    pub all_day: bool,
}

impl Syncer {
    /// Fetches and parses `url` for room `room_name` without saving anything.
    pub async fn test_feed(
        &self,
        url: &url::Url,
        room_name: &str,
        now: DateTime<Utc>,
    ) -> Result<FeedTestReport, TestFeedError> {
        // A pool of its own, never the sync slots: waiting here delays no room's sync.
        let _slot = tokio::time::timeout(self.settings.test_slot_wait, self.test_slots.acquire())
            .await
            .map_err(|_| TestFeedError::Busy)?;
        self.hosts.wait_turn(url.host_str().unwrap_or("")).await;
        let (bytes, charset) = match self
            .fetcher
            .fetch(url, &Validators::default())
            .await
            .map_err(|e| TestFeedError::Feed(e.message))?
        {
            Fetched::Body { bytes, charset, .. } => (bytes, charset),
            Fetched::NotModified => {
                return Err(TestFeedError::Feed(
                    "the server answered 304 to an unconditional request".into(),
                ))
            }
        };
        let read = read_feed(
            FeedInput::Body(bytes, charset),
            self.feed_query(room_name, now),
        )
        .await
        .map_err(TestFeedError::Feed)?;
        let (feed, matching) = (read.feed, read.matching);
        Ok(FeedTestReport {
            events_in_feed: feed.events.len(),
            events_matching: matching.len(),
            next_occurrences: matching
                .iter()
                .filter(|o| o.end > now)
                .take(5)
                .map(|o| OccurrencePreview {
                    title: o.summary.clone(),
                    start: o.start,
                    end: o.end,
                    all_day: o.all_day,
                })
                .collect(),
            warnings: read.warnings,
        })
    }
}
