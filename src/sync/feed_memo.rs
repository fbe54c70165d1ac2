//! A memo of rooms' public `calendar.ics` feeds (built by
//! `services::room_feed`; kept here because the syncer, which writes what they
//! are built from, owns it).
//!
//! Why: the public feed is anyone's to fetch, without signing in, and building it reads
//! the room, its occurrences and its meetings and writes the whole calendar. Serving it
//! from memory turns a flood of fetches into one build per room per [`FEED_MEMO_TTL`].
//! A remembered feed is forgotten as soon as this process changes what it is built from:
//! the syncer when it writes the room's occurrences, the lifecycle and the meeting start
//! when they open or close one of the room's meetings. A change another instance makes
//! shows within the ttl — well inside the five minutes (`max-age=300`) calendar apps are
//! told they may keep a feed anyway. The owner's feed (`?key=`) is never kept here.

use crate::ics_out::IcsFile;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use uuid::Uuid;

/// How long a public feed is served from memory unless its room changes first.
pub const FEED_MEMO_TTL: Duration = Duration::seconds(60);

/// Most rooms remembered at once; past it the expired go, then everything (a flood of
/// distinct room names cannot grow memory).
const CAPACITY: usize = 10_000;

/// One remembered feed.
struct Entry {
    /// The room it is of (what [`FeedMemo::forget_room`] is told).
    room_id: Uuid,
    /// When it was built.
    at: DateTime<Utc>,
    /// The feed as served.
    file: IcsFile,
}

/// Public room feeds by room name, each kept for the ttl or until its room changes.
pub struct FeedMemo {
    /// How long an entry is served; zero turns the memo off.
    ttl: Duration,
    /// The remembered feeds, by the room name as asked.
    entries: Mutex<HashMap<String, Entry>>,
    /// How many feeds were built because none was remembered (tests and benches read it).
    builds: AtomicU64,
    /// Moves on every forget: a feed whose build began before a change is not kept (it
    /// may have read the room before the change was written).
    changes: AtomicU64,
}

impl Default for FeedMemo {
    /// On, for [`FEED_MEMO_TTL`].
    fn default() -> Self {
        Self::new(FEED_MEMO_TTL)
    }
}

impl FeedMemo {
    /// Feeds are served from memory for `ttl`; zero turns the memo off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
            builds: AtomicU64::new(0),
            changes: AtomicU64::new(0),
        }
    }

    /// The remembered feed of `room_name` if it is younger than the ttl at `now`.
    pub fn get(&self, room_name: &str, now: DateTime<Utc>) -> Option<IcsFile> {
        if self.ttl <= Duration::zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(room_name)?;
        // A clock that went back does not make an old feed young.
        (entry.at <= now && now - entry.at < self.ttl).then(|| entry.file.clone())
    }

    /// Counts one build of a feed that was not remembered; the answer goes back to
    /// [`FeedMemo::put`] with the built feed.
    pub fn start_build(&self) -> BuildTicket {
        self.builds.fetch_add(1, Ordering::Relaxed);
        BuildTicket(self.changes.load(Ordering::Acquire))
    }

    /// How many feeds were built so far (each a set of store reads).
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    /// Remembers `file`, the public feed of room `room_id` asked for as `room_name`,
    /// built at `now` — unless some room changed since its build started (`ticket`).
    pub fn put(
        &self,
        ticket: BuildTicket,
        room_name: &str,
        room_id: Uuid,
        file: &IcsFile,
        now: DateTime<Utc>,
    ) {
        if self.ttl <= Duration::zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // Checked under the lock `forget_room` takes too: no change slips in between.
        if self.changes.load(Ordering::Acquire) != ticket.0 {
            return;
        }
        if entries.len() >= CAPACITY {
            let ttl = self.ttl;
            entries.retain(|_, e| e.at <= now && now - e.at < ttl);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            room_name.to_owned(),
            Entry {
                room_id,
                at: now,
                file: file.clone(),
            },
        );
    }

    /// Forgets the feed of room `room_id`: what it is built from just changed.
    pub fn forget_room(&self, room_id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            self.changes.fetch_add(1, Ordering::AcqRel);
            entries.retain(|_, e| e.room_id != room_id);
        }
    }
}

/// What [`FeedMemo::start_build`] saw: which changes the build may have missed.
#[derive(Debug, Clone, Copy)]
pub struct BuildTicket(u64);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    fn file(body: &str) -> IcsFile {
        IcsFile {
            body: body.into(),
            etag: "\"e\"".into(),
            filename: "standup.ics".into(),
        }
    }

    #[test]
    fn a_feed_is_served_for_one_ttl_and_then_built_again() {
        let memo = FeedMemo::new(Duration::seconds(60));
        memo.put(
            memo.start_build(),
            "standup",
            Uuid::new_v4(),
            &file("A"),
            now(),
        );
        let at = |s| now() + Duration::seconds(s);
        assert_eq!(
            memo.get("standup", at(59)).map(|f| f.body),
            Some("A".into())
        );
        assert!(memo.get("standup", at(60)).is_none());
        assert!(memo.get("standup", at(-1)).is_none());
        assert!(memo.get("retro", now()).is_none());
    }

    #[test]
    fn a_change_to_the_room_forgets_its_feed_and_only_its_feed() {
        let memo = FeedMemo::default();
        let (standup, retro) = (Uuid::new_v4(), Uuid::new_v4());
        memo.put(memo.start_build(), "standup", standup, &file("A"), now());
        memo.put(memo.start_build(), "retro", retro, &file("B"), now());
        memo.forget_room(standup);
        assert!(memo.get("standup", now()).is_none());
        assert!(memo.get("retro", now()).is_some());
    }

    #[test]
    fn a_feed_built_across_a_change_is_not_kept() {
        let memo = FeedMemo::default();
        let room = Uuid::new_v4();
        let ticket = memo.start_build();
        memo.forget_room(Uuid::new_v4());
        memo.put(ticket, "standup", room, &file("stale"), now());
        assert!(memo.get("standup", now()).is_none());
        assert_eq!(memo.builds(), 1);
    }

    #[test]
    fn a_zero_ttl_remembers_nothing() {
        let memo = FeedMemo::new(Duration::zero());
        memo.put(
            memo.start_build(),
            "standup",
            Uuid::new_v4(),
            &file("A"),
            now(),
        );
        assert!(memo.get("standup", now()).is_none());
    }

    #[test]
    fn a_flood_of_room_names_cannot_grow_it_past_its_capacity() {
        let memo = FeedMemo::default();
        for i in 0..CAPACITY + 10 {
            let ticket = memo.start_build();
            memo.put(
                ticket,
                &format!("room-{i}"),
                Uuid::new_v4(),
                &file(""),
                now(),
            );
        }
        let len = memo.entries.lock().unwrap().len();
        assert!(len <= CAPACITY, "{len} entries");
    }
}
