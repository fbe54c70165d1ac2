//! The numbering of delivered events and each room's recent ones, for `Last-Event-ID`.

use super::{EventId, Numbered, RoomEvent};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use uuid::Uuid;

/// Events kept per room for resuming streams.
pub(super) const PER_ROOM: usize = 32;

/// Rooms whose recent events are kept; past it everything is forgotten at once (resumes
/// from before then refetch), which keeps memory bounded without bookkeeping per room.
const ROOMS: usize = 10_000;

/// One room's recent events.
#[derive(Default)]
struct RoomRing {
    /// The newest [`PER_ROOM`] events, oldest first.
    events: VecDeque<Arc<Numbered>>,
    /// The highest sequence number dropped from `events` (0: none).
    dropped_up_to: u64,
}

/// The sequence and the rooms' recent events.
pub(super) struct Ring {
    pub(super) epoch: u32,
    /// The last number handed out.
    pub(super) seq: u64,
    /// Events up to this number may have been forgotten for every room.
    forgotten_up_to: u64,
    rooms: HashMap<Uuid, RoomRing>,
}

impl Ring {
    /// An empty ring whose ids carry `epoch`.
    pub(super) fn new(epoch: u32) -> Self {
        Self {
            epoch,
            seq: 0,
            forgotten_up_to: 0,
            rooms: HashMap::new(),
        }
    }

    /// Numbers `event` and keeps it.
    pub(super) fn push(&mut self, event: RoomEvent) -> Arc<Numbered> {
        self.seq += 1;
        let numbered = Arc::new(Numbered {
            id: EventId {
                epoch: self.epoch,
                seq: self.seq,
            },
            event,
        });
        if self.rooms.len() >= ROOMS && !self.rooms.contains_key(&numbered.event.room_id) {
            self.forget_all();
        }
        let room = self.rooms.entry(numbered.event.room_id).or_default();
        if room.events.len() >= PER_ROOM {
            if let Some(old) = room.events.pop_front() {
                room.dropped_up_to = old.id.seq;
            }
        }
        room.events.push_back(numbered.clone());
        numbered
    }

    /// Forgets every room's events (numbering goes on).
    pub(super) fn forget_all(&mut self) {
        self.rooms.clear();
        self.forgotten_up_to = self.seq;
    }

    /// Room `room_id`'s events after `id`, or `None` when `id` is not one of ours or what
    /// followed it is no longer all kept.
    pub(super) fn after(&self, room_id: Uuid, id: EventId) -> Option<Vec<Arc<Numbered>>> {
        if id.epoch != self.epoch || id.seq > self.seq || id.seq < self.forgotten_up_to {
            return None;
        }
        let Some(room) = self.rooms.get(&room_id) else {
            return Some(Vec::new());
        };
        if room.dropped_up_to > id.seq {
            return None;
        }
        Some(
            room.events
                .iter()
                .filter(|e| e.id.seq > id.seq)
                .cloned()
                .collect(),
        )
    }
}
