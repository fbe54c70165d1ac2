//! Parsed feeds kept in memory, so an unchanged body (or a 304) is not parsed again.
//! Bounded in count and in bytes: 512 feeds of 10 MiB would be gigabytes.

use crate::calendar::Feed;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Parsed feeds kept in memory at most: parsing is cheap, memory for 10,000 rooms is not.
/// Without a cached copy a room is fetched unconditionally, which is always correct.
const MAX_CACHED_FEEDS: usize = 512;

/// One room's last parsed feed.
struct CachedFeed {
    /// SHA-256 of the body it was parsed from.
    hash: String,
    /// The parsed feed.
    feed: Arc<Feed>,
    /// Whether the body ended with `END:VCALENDAR` (a cut-off body removes nothing).
    complete: bool,
    /// When it was stored (a counter), to evict the oldest when the cache is full.
    stored: u64,
    /// Estimated memory it holds ([`Feed::approx_bytes`]).
    bytes: usize,
}

/// The last parsed feed per room, at most [`MAX_CACHED_FEEDS`] rooms and `max_bytes`
/// estimated bytes (oldest evicted first).
pub(super) struct FeedCache {
    /// Cached feeds by room.
    entries: Mutex<HashMap<Uuid, CachedFeed>>,
    /// Counter stamping entries, for evicting the oldest.
    clock: AtomicU64,
    /// Estimated bytes all entries may hold together.
    max_bytes: usize,
}

impl FeedCache {
    /// The room's cached feed: (body hash, feed, whether the body was complete).
    pub(super) fn get(&self, room_id: Uuid) -> Option<(String, Arc<Feed>, bool)> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&room_id)
            .map(|c| (c.hash.clone(), c.feed.clone(), c.complete))
    }

    /// A cache holding at most `max_bytes` of parsed feeds.
    pub(super) fn new(max_bytes: usize) -> Self {
        FeedCache {
            entries: Mutex::new(HashMap::new()),
            clock: AtomicU64::new(0),
            max_bytes,
        }
    }

    /// Keeps the room's newly parsed feed, evicting the oldest entries until it fits. A
    /// feed larger than the whole cache is not kept (the room is fetched in full next time).
    pub(super) fn remember(&self, room_id: Uuid, hash: String, feed: Arc<Feed>, complete: bool) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.remove(&room_id);
        let bytes = feed.approx_bytes();
        if bytes > self.max_bytes {
            return;
        }
        let mut total: usize = entries.values().map(|c| c.bytes).sum();
        while !entries.is_empty()
            && (entries.len() >= MAX_CACHED_FEEDS || total + bytes > self.max_bytes)
        {
            let oldest = entries
                .iter()
                .min_by_key(|(_, c)| c.stored)
                .map(|(id, c)| (*id, c.bytes));
            let Some((oldest, freed)) = oldest else {
                break;
            };
            entries.remove(&oldest);
            total -= freed;
        }
        let stored = self.clock.fetch_add(1, Ordering::Relaxed);
        let cached = CachedFeed {
            hash,
            feed,
            complete,
            stored,
            bytes,
        };
        entries.insert(room_id, cached);
    }

    /// Estimated bytes held now.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.entries
            .lock()
            .map(|e| e.values().map(|c| c.bytes).sum())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed() -> Arc<Feed> {
        let body = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
        Arc::new(crate::calendar::parse_feed(body, None).expect("calendar"))
    }

    #[test]
    fn a_full_cache_forgets_the_room_stored_longest_ago() {
        let cache = FeedCache::new(usize::MAX);
        let rooms: Vec<Uuid> = (0..=MAX_CACHED_FEEDS).map(|_| Uuid::new_v4()).collect();
        for (i, room) in rooms.iter().enumerate() {
            cache.remember(*room, format!("hash-{i}"), feed(), true);
        }
        assert!(cache.get(rooms[0]).is_none());
        assert_eq!(cache.get(rooms[1]).map(|c| c.0), Some("hash-1".to_string()));
        let newest = rooms[MAX_CACHED_FEEDS];
        assert_eq!(
            cache.get(newest).map(|c| c.0),
            Some(format!("hash-{MAX_CACHED_FEEDS}"))
        );
    }

    #[test]
    fn a_room_stored_again_replaces_its_entry_without_evicting_others() {
        let cache = FeedCache::new(usize::MAX);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        cache.remember(a, "one".into(), feed(), false);
        cache.remember(b, "two".into(), feed(), true);
        cache.remember(a, "three".into(), feed(), true);
        assert_eq!(
            cache.get(a).map(|c| (c.0, c.2)),
            Some(("three".into(), true))
        );
        assert!(cache.get(b).is_some());
    }

    fn feed_of(events: usize) -> Arc<Feed> {
        let mut body = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
        for i in 0..events {
            body.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:{i}\r\nDTSTART:20260302T090000Z\r\nSUMMARY:{}\r\nEND:VEVENT\r\n",
                "x".repeat(1000)
            ));
        }
        body.push_str("END:VCALENDAR\r\n");
        Arc::new(crate::calendar::parse_feed(body.as_bytes(), None).expect("calendar"))
    }

    #[test]
    fn big_feeds_push_older_ones_out_so_the_cache_stays_within_its_bytes() {
        let one = feed_of(100).approx_bytes();
        assert!(
            one > 100_000,
            "a 100-event feed of 1 kB titles is {one} bytes"
        );
        let cache = FeedCache::new(one * 3 + one / 2);
        let rooms: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
        for room in &rooms {
            cache.remember(*room, "h".into(), feed_of(100), true);
        }
        assert!(cache.bytes() <= one * 3 + one / 2);
        let kept: Vec<bool> = rooms.iter().map(|r| cache.get(*r).is_some()).collect();
        assert_eq!(kept, [false, false, true, true, true]);
    }

    #[test]
    fn a_feed_bigger_than_the_whole_cache_is_not_kept() {
        let cache = FeedCache::new(1_000);
        let room = Uuid::new_v4();
        cache.remember(room, "h".into(), feed_of(10), true);
        assert!(cache.get(room).is_none());
        assert_eq!(cache.bytes(), 0);
    }
}
