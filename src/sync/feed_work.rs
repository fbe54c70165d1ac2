//! The CPU-heavy part of a sync or an address test — parse, expand, match — run on the
//! blocking pool under the expansion budget, so a hostile feed never holds an async
//! worker (and with it `/healthz` and every other request) and costs at most about a
//! second of CPU.

use crate::calendar::{parse_feed, ExpandBudget, Feed, Occurrence, RoomMatcher};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What to read: a body to parse, or a feed parsed before (unchanged body, 304).
pub(super) enum FeedInput {
    /// A body fetched now, with its `Content-Type` charset.
    Body(Vec<u8>, Option<String>),
    /// The feed parsed from the same body earlier.
    Parsed(Arc<Feed>),
}

/// Which occurrences to look for.
pub(super) struct FeedQuery {
    /// Window start.
    pub from: DateTime<Utc>,
    /// Window end.
    pub to: DateTime<Utc>,
    /// Zone for floating times and all-day dates.
    pub tz: chrono_tz::Tz,
    /// Recurrence steps the expansion may take.
    pub budget: ExpandBudget,
    /// Base URLs whose `/room/<name>` marks an event as the room's.
    pub base_urls: Vec<String>,
    /// The room.
    pub room_name: String,
}

/// What the work found.
pub(super) struct FeedRead {
    /// The parsed feed (to cache).
    pub feed: Arc<Feed>,
    /// Whether it was parsed now (false: it came from the cache).
    pub parsed_now: bool,
    /// Occurrences in the window, all rooms.
    pub in_window: usize,
    /// The room's occurrences in the window.
    pub matching: Vec<Occurrence>,
    /// Warnings for the sync log: series over budget first, then the parser's (20 at most).
    pub warnings: Vec<String>,
}

/// Parses (when needed), expands and matches on the blocking pool. `Err` is a message for
/// the owner: an unreadable body, or a feed over its budget (then nothing of it is used).
pub(super) async fn read_feed(input: FeedInput, query: FeedQuery) -> Result<FeedRead, String> {
    tokio::task::spawn_blocking(move || read_feed_now(input, &query))
        .await
        .map_err(|e| format!("reading the calendar failed: {e}"))?
}

/// [`read_feed`] on the current thread.
fn read_feed_now(input: FeedInput, query: &FeedQuery) -> Result<FeedRead, String> {
    let (feed, parsed_now) = match input {
        FeedInput::Parsed(feed) => (feed, false),
        FeedInput::Body(bytes, charset) => (
            Arc::new(parse_feed(&bytes, charset.as_deref()).map_err(|e| e.to_string())?),
            true,
        ),
    };
    let expansion = feed
        .expand_within(query.from, query.to, query.tz, query.budget)
        .map_err(|e| e.to_string())?;
    let matcher = RoomMatcher::new(&query.base_urls, &query.room_name);
    let in_window = expansion.occurrences.len();
    let matching: Vec<Occurrence> = expansion
        .occurrences
        .into_iter()
        .filter(|o| matcher.matches(o))
        .collect();
    let mut warnings: Vec<String> = expansion
        .over_budget
        .iter()
        .take(10)
        .map(|name| {
            format!("event {name}: its recurrence needs too much work to expand; it was skipped")
        })
        .collect();
    warnings.extend(
        feed.warnings
            .iter()
            .take(20)
            .map(|w| format!("line {}: {}", w.line, w.reason)),
    );
    Ok(FeedRead {
        feed,
        parsed_now,
        in_window,
        matching,
        warnings,
    })
}
