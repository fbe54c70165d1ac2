//! A short memo of rooms' meeting lists as non-owners see them.
//!
//! Why: a room page is polled by everyone looking at it (every 3 s per open page), and
//! every non-owner gets the same list — the view is decided by "owner or not" only. Serving
//! that list from memory for a second turns a thousand polls a second into one set of
//! queries a second per room, and keeps one busy room from occupying the database. A list
//! is at most `ttl` old (a head count a second late), never shared with the owner (whose
//! view is always read fresh), and never kept for a room that was not found.
//! A change announced on the room's live stream ([`crate::events`]) forgets the room's
//! lists at once on every instance, so the pages that heard of it read it fresh.

use super::room_meetings::{ListQuery, ListedMeeting};
use crate::domain::Room;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

/// Most rooms remembered at once; past it the expired go, then everything (a flood of
/// distinct room names cannot grow memory).
const CAPACITY: usize = 10_000;

/// Which list: the room name as asked, whether active meetings are included, and the
/// upcoming window. (`later` is honoured for owners only, so it does not split the
/// non-owners' list.)
type Key = (String, bool, i64);

/// One remembered list.
struct Entry {
    /// The room, so a change announced for it forgets its lists ([`ListingCache::forget_room`]).
    room_id: Uuid,
    /// The room's owner and co-owners, who are never served from here.
    hosts: Vec<Uuid>,
    /// When the list was read.
    at: DateTime<Utc>,
    /// The non-owner view.
    items: Vec<ListedMeeting>,
}

/// Non-owner meeting lists, each kept for `ttl`.
pub struct ListingCache {
    ttl: Duration,
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Default for ListingCache {
    /// Off: every list is read fresh (what tests with a fixed clock expect).
    fn default() -> Self {
        Self::new(Duration::zero())
    }
}

impl ListingCache {
    /// Lists are served from memory for `ttl`; zero turns the memo off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn key(room_name: &str, query: &ListQuery) -> Key {
        (
            room_name.to_owned(),
            query.active,
            query.upcoming_within.num_seconds(),
        )
    }

    /// The remembered list for `room_name` if it is younger than the ttl at `now` and
    /// `viewer` is not the room's owner.
    pub fn get(
        &self,
        room_name: &str,
        query: &ListQuery,
        viewer: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Option<Vec<ListedMeeting>> {
        if self.ttl <= Duration::zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(&Self::key(room_name, query))?;
        let fresh = entry.at <= now && now - entry.at < self.ttl;
        let guest = viewer.is_none_or(|id| !entry.hosts.contains(&id));
        (fresh && guest).then(|| entry.items.clone())
    }

    /// Forgets room `room_id`'s lists: something changed there (a room event), and the
    /// pages that heard of it ask again at once.
    pub fn forget_room(&self, room_id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.room_id != room_id);
        }
    }

    /// Remembers the non-owner view `items` of `room`, read at `now`.
    pub fn put(
        &self,
        room_name: &str,
        room: &Room,
        query: &ListQuery,
        items: &[ListedMeeting],
        now: DateTime<Utc>,
    ) {
        if self.ttl <= Duration::zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY {
            let ttl = self.ttl;
            entries.retain(|_, e| e.at <= now && now - e.at < ttl);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            Self::key(room_name, query),
            Entry {
                room_id: room.id,
                hosts: std::iter::once(room.owner_id)
                    .chain(room.co_owners.iter().copied())
                    .collect(),
                at: now,
                items: items.to_vec(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::room_meetings::{JoinHint, ListedKind};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    fn room(id: Uuid, owner_id: Uuid, co_owners: &[Uuid]) -> Room {
        Room {
            id,
            name: crate::domain::RoomName::parse("standup").unwrap(),
            owner_id,
            created_at: now(),
            ics_enabled: false,
            ics_fetch_interval_minutes: 5,
            ics_last_sync: None,
            access: crate::domain::RoomAccess::Open,
            access_email_domains: None,
            co_owners: co_owners.to_vec(),
        }
    }

    fn query() -> ListQuery {
        ListQuery {
            active: true,
            upcoming_within: Duration::minutes(30),
            later: false,
        }
    }

    fn item(title: &str) -> ListedMeeting {
        ListedMeeting {
            kind: ListedKind::Active,
            id: Uuid::nil(),
            title: title.into(),
            start: now(),
            end: now() + Duration::minutes(30),
            participants_now: 3,
            started_at: Some(now()),
            running_for_seconds: Some(0),
            calendar_event_id: None,
            join: JoinHint::JoinNow {
                page_path: "/room/standup/x".into(),
            },
            owner: None,
        }
    }

    #[test]
    fn a_list_is_served_for_one_ttl_and_then_read_again() {
        let cache = ListingCache::new(Duration::seconds(1));
        let owner = Uuid::new_v4();
        cache.put(
            "standup",
            &room(Uuid::nil(), owner, &[]),
            &query(),
            &[item("Planning")],
            now(),
        );
        let at = |ms| now() + Duration::milliseconds(ms);
        assert_eq!(
            cache
                .get("standup", &query(), None, at(999))
                .map(|l| l[0].title.clone()),
            Some("Planning".to_string())
        );
        assert!(cache.get("standup", &query(), None, at(1000)).is_none());
        // A clock that went back does not make an old list young.
        assert!(cache.get("standup", &query(), None, at(-1)).is_none());
    }

    #[test]
    fn the_owner_is_never_served_the_non_owner_list() {
        let cache = ListingCache::new(Duration::seconds(1));
        let owner = Uuid::new_v4();
        cache.put(
            "standup",
            &room(Uuid::nil(), owner, &[]),
            &query(),
            &[item("Private meeting")],
            now(),
        );
        assert!(cache.get("standup", &query(), Some(owner), now()).is_none());
        assert!(cache
            .get("standup", &query(), Some(Uuid::new_v4()), now())
            .is_some());
    }

    #[test]
    fn a_co_owner_is_never_served_the_non_owner_list_either() {
        let cache = ListingCache::new(Duration::seconds(1));
        let (owner, co_owner) = (Uuid::new_v4(), Uuid::new_v4());
        let room = room(Uuid::nil(), owner, &[co_owner]);
        cache.put(
            "standup",
            &room,
            &query(),
            &[item("Private meeting")],
            now(),
        );
        assert!(cache
            .get("standup", &query(), Some(co_owner), now())
            .is_none());
        assert!(cache.get("standup", &query(), None, now()).is_some());
    }

    #[test]
    fn other_rooms_and_windows_are_other_lists() {
        let cache = ListingCache::new(Duration::seconds(1));
        cache.put(
            "standup",
            &room(Uuid::nil(), Uuid::new_v4(), &[]),
            &query(),
            &[item("A")],
            now(),
        );
        assert!(cache.get("retro", &query(), None, now()).is_none());
        let wider = ListQuery {
            upcoming_within: Duration::minutes(60),
            ..query()
        };
        assert!(cache.get("standup", &wider, None, now()).is_none());
        let owners_later = ListQuery {
            later: true,
            ..query()
        };
        assert!(cache.get("standup", &owners_later, None, now()).is_some());
    }

    #[test]
    fn a_zero_ttl_remembers_nothing() {
        let cache = ListingCache::default();
        cache.put(
            "standup",
            &room(Uuid::nil(), Uuid::new_v4(), &[]),
            &query(),
            &[item("A")],
            now(),
        );
        assert!(cache.get("standup", &query(), None, now()).is_none());
    }

    #[test]
    fn a_flood_of_room_names_cannot_grow_it_past_its_capacity() {
        let cache = ListingCache::new(Duration::seconds(1));
        for i in 0..CAPACITY + 10 {
            cache.put(
                &format!("room-{i}"),
                &room(Uuid::nil(), Uuid::new_v4(), &[]),
                &query(),
                &[],
                now(),
            );
        }
        let len = cache.entries.lock().unwrap().len();
        assert!(len <= CAPACITY, "{len} entries");
        assert!(cache
            .get(&format!("room-{}", CAPACITY + 9), &query(), None, now())
            .is_some());
    }

    #[test]
    fn a_change_in_a_room_forgets_its_lists_and_only_its() {
        let cache = ListingCache::new(Duration::seconds(1));
        let (changed, other) = (Uuid::new_v4(), Uuid::new_v4());
        cache.put(
            "a",
            &room(changed, Uuid::new_v4(), &[]),
            &query(),
            &[item("A")],
            now(),
        );
        cache.put(
            "b",
            &room(other, Uuid::new_v4(), &[]),
            &query(),
            &[item("B")],
            now(),
        );
        cache.forget_room(changed);
        assert!(cache.get("a", &query(), None, now()).is_none());
        assert!(cache.get("b", &query(), None, now()).is_some());
    }
}
