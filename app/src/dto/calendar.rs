//! A room's calendar on the wire, for its owner.

use serde::{Deserialize, Serialize};

/// A room's calendar settings and sync state, for its owner (the URL only masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CalendarStatusDto {
    /// Room name.
    pub room_name: String,
    /// Whether syncing is on.
    pub enabled: bool,
    /// The feed URL with its secret parts hidden.
    pub masked_url: Option<String>,
    /// Minutes between fetches.
    pub interval_minutes: i32,
    /// Last successful sync (RFC 3339).
    pub last_sync: Option<String>,
    /// Next scheduled sync (RFC 3339).
    pub next_sync: Option<String>,
    /// Last attempt's error.
    pub last_error: Option<String>,
    /// Stored occurrences not ended yet.
    pub upcoming_occurrences: usize,
    /// Last attempt's outcome (counts, warnings).
    pub last_outcome: Option<serde_json::Value>,
    /// Meetings the video platform failed to create (retried every tick).
    pub meeting_errors: Vec<String>,
    /// The room's address, which events put in their location or description.
    #[serde(default)]
    pub room_url: String,
    /// The server's clock when it answered (RFC 3339), for "in 4 min".
    #[serde(default)]
    pub server_now: String,
    /// The owner's own feed of this room's schedule with every detail (a secret address).
    #[serde(default)]
    pub private_feed_url: Option<String>,
}

/// What "Test connection" found, without saving anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedTestDto {
    /// VEVENTs in the calendar.
    pub events_in_feed: usize,
    /// Occurrences in the sync window that name this room.
    pub events_matching: usize,
    /// The next of them: title and start (RFC 3339).
    pub next: Option<(String, String)>,
    /// What the parser skipped, in plain words (at most 20).
    pub warnings: Vec<String>,
}
