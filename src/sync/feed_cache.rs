//! Parsed feeds kept in memory, so an unchanged body (or a 304) is not parsed again.

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
}

/// The last parsed feed per room, at most [`MAX_CACHED_FEEDS`] rooms (oldest evicted).
#[derive(Default)]
pub(super) struct FeedCache {
    /// Cached feeds by room.
    entries: Mutex<HashMap<Uuid, CachedFeed>>,
    /// Counter stamping entries, for evicting the oldest.
    clock: AtomicU64,
}

impl FeedCache {
    /// The room's cached feed: (body hash, feed, whether the body was complete).
    pub(super) fn get(&self, room_id: Uuid) -> Option<(String, Arc<Feed>, bool)> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&room_id)
            .map(|c| (c.hash.clone(), c.feed.clone(), c.complete))
    }

    /// Keeps the room's newly parsed feed, evicting the oldest entry when full.
    pub(super) fn remember(&self, room_id: Uuid, hash: String, feed: Arc<Feed>, complete: bool) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_CACHED_FEEDS && !entries.contains_key(&room_id) {
                let oldest = entries
                    .iter()
                    .min_by_key(|(_, c)| c.stored)
                    .map(|(id, _)| *id);
                if let Some(oldest) = oldest {
                    entries.remove(&oldest);
                }
            }
            let stored = self.clock.fetch_add(1, Ordering::Relaxed);
            let cached = CachedFeed {
                hash,
                feed,
                complete,
                stored,
            };
            entries.insert(room_id, cached);
        }
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
        let cache = FeedCache::default();
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
        let cache = FeedCache::default();
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
}
