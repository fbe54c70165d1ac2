//! "Test this address": fetch and parse a feed for a room and say what it holds, saving
//! nothing (the owner checks an address before attaching it).

use super::fetch::{Fetched, Validators};
use super::Syncer;
use crate::calendar::{parse_feed, Occurrence, RoomMatcher};
use chrono::{DateTime, Utc};

/// What a test fetch found (nothing is saved).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
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
    ) -> Result<FeedTestReport, String> {
        let _slot = self.sync_slots.acquire().await;
        self.hosts.wait_turn(url.host_str().unwrap_or("")).await;
        let (bytes, charset) = match self
            .fetcher
            .fetch(url, &Validators::default())
            .await
            .map_err(|e| e.message)?
        {
            Fetched::Body { bytes, charset, .. } => (bytes, charset),
            Fetched::NotModified => {
                return Err("the server answered 304 to an unconditional request".into())
            }
        };
        let feed = parse_feed(&bytes, charset.as_deref()).map_err(|e| e.to_string())?;
        let occurrences = feed.expand(
            now - self.settings.window_before,
            now + self.settings.window_after,
            self.settings.default_tz,
        );
        let matcher = RoomMatcher::new(&self.settings.base_urls, room_name);
        let matching: Vec<&Occurrence> =
            occurrences.iter().filter(|o| matcher.matches(o)).collect();
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
            warnings: feed
                .warnings
                .iter()
                .take(20)
                .map(|w| format!("line {}: {}", w.line, w.reason))
                .collect(),
        })
    }
}
