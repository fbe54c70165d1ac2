//! The sync's tunables and their defaults, each defined once (the `serve` flags show them).

use crate::calendar::ExpandBudget;
use chrono::Duration;

/// How far back each sync reads the calendar by default (`--sync-window-before`).
pub const DEFAULT_WINDOW_BEFORE: Duration = Duration::hours(1);
/// How far ahead each sync reads the calendar by default (`--sync-window-after`).
pub const DEFAULT_WINDOW_AFTER: Duration = Duration::hours(24);
/// How long a claimed room stays leased by default (`--sync-lease`).
pub const DEFAULT_LEASE: Duration = Duration::minutes(2);
/// Minimum time between two requests to one calendar host by default
/// (`--feed-host-interval-ms`).
pub const DEFAULT_PER_HOST_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);
/// Feed syncs running at once by default (`--sync-concurrency`).
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Address tests running at once by default (`--feed-test-concurrency`).
pub const DEFAULT_TEST_CONCURRENCY: usize = 2;
/// How long an address test waits for a slot by default (`--feed-test-wait`).
pub const DEFAULT_TEST_SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// Bytes of parsed feeds kept in memory by default (`--feed-cache-bytes`).
pub const DEFAULT_CACHE_BYTES: usize = 256 * 1024 * 1024;

/// Zone for floating times and all-day dates by default (`--timezone`).
pub const DEFAULT_TIMEZONE: chrono_tz::Tz = chrono_tz::UTC;

/// Tunables of the sync.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// How far back the window reaches (occurrences that just started).
    pub window_before: Duration,
    /// How far ahead the window reaches.
    pub window_after: Duration,
    /// Base URLs whose `/room/<name>` marks an event as the room's: the public URL and aliases.
    pub base_urls: Vec<String>,
    /// Zone for floating times and all-day dates.
    pub default_tz: chrono_tz::Tz,
    /// How long a claimed room stays leased to this instance at most.
    pub lease: Duration,
    /// Minimum time between two manual syncs of one room.
    pub manual_cooldown: Duration,
    /// Minimum time between two requests to one calendar host.
    pub per_host_interval: std::time::Duration,
    /// Feed syncs (scheduled and manual) running at once in this process.
    pub concurrency: usize,
    /// Address tests ("test connection") running at once in this process: a pool of their
    /// own, so owners testing slow servers never hold the slots calendar sync needs.
    pub test_concurrency: usize,
    /// How long an address test waits for one of its slots before the owner is told to
    /// retry (429).
    pub test_slot_wait: std::time::Duration,
    /// Recurrence steps one expansion may take, per series and per feed.
    pub budget: ExpandBudget,
    /// Bytes of parsed feeds kept in memory at most (estimated from their text).
    pub cache_bytes: usize,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            window_before: DEFAULT_WINDOW_BEFORE,
            window_after: DEFAULT_WINDOW_AFTER,
            base_urls: vec!["http://127.0.0.1:3000".into()],
            default_tz: DEFAULT_TIMEZONE,
            lease: DEFAULT_LEASE,
            manual_cooldown: Duration::seconds(10),
            per_host_interval: DEFAULT_PER_HOST_INTERVAL,
            concurrency: DEFAULT_CONCURRENCY,
            test_concurrency: DEFAULT_TEST_CONCURRENCY,
            test_slot_wait: DEFAULT_TEST_SLOT_WAIT,
            budget: ExpandBudget::default(),
            cache_bytes: DEFAULT_CACHE_BYTES,
        }
    }
}
