//! Room events: "something changed in this room" signals for live pages.
//!
//! An event names a room, what kind of change happened and at most a meeting id and a head
//! count — **never a name or a title**. Pages that receive one refetch through the server
//! functions and `/v1`, which apply [`crate::services::privacy`]; so the stream cannot leak
//! what the viewer may not see, whoever listens.
//!
//! [`RoomEvents`] is the bus: in-process ([`tokio::sync::broadcast`]) on SQLite; on
//! PostgreSQL a publish is a `NOTIFY` and each instance's listener ([`postgres`]) feeds its
//! local broadcast, so every instance's streams see every instance's changes. Each
//! delivered event gets an id from this instance's sequence ([`EventId`]); the last few
//! events of each room are kept so a reconnecting client resumes with `Last-Event-ID`, and
//! one whose id is unknown or too old is told to refetch ([`Resume::Refetch`]).

pub mod postgres;
mod ring;
mod slots;

use crate::domain::Meeting;
use ring::Ring;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

pub use slots::{StreamSlot, DEFAULT_STREAMS_PER_ADDRESS};

/// How many deliveries a slow stream may fall behind before it is told to refetch.
const BROADCAST_CAPACITY: usize = 1024;

/// What changed in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomEventKind {
    /// A calendar meeting was created ahead of its start (its page may still wait).
    MeetingCreated,
    /// A meeting opened that can be joined now (an unscheduled one).
    MeetingStarted,
    /// A meeting's times followed its calendar event.
    MeetingChanged,
    /// A meeting closed.
    MeetingEnded,
    /// The number of people in a meeting changed.
    Participants,
    /// The room's calendar was synced (occurrences may have moved, come or gone).
    CalendarSynced,
    /// A guest knocked on a meeting, or an owner admitted or declined one (the meeting's
    /// id only: the owners' pages refetch their list, the guest's page its own knock).
    KnockChanged,
}

impl RoomEventKind {
    /// The SSE event name (`meeting_created`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MeetingCreated => "meeting_created",
            Self::MeetingStarted => "meeting_started",
            Self::MeetingChanged => "meeting_changed",
            Self::MeetingEnded => "meeting_ended",
            Self::Participants => "participants",
            Self::CalendarSynced => "calendar_synced",
            Self::KnockChanged => "knock_changed",
        }
    }
}

/// One change in one room: ids and counts only, no names and no titles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomEvent {
    /// The room that changed.
    pub room_id: Uuid,
    /// What changed.
    pub kind: RoomEventKind,
    /// The meeting concerned, for meeting and participant events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<Uuid>,
    /// How many people are in the meeting now, for participant events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<u32>,
}

impl RoomEvent {
    /// A `kind` event about `meeting`.
    pub fn of_meeting(kind: RoomEventKind, meeting: &Meeting) -> Self {
        Self {
            room_id: meeting.room_id,
            kind,
            meeting_id: Some(meeting.id),
            participants: None,
        }
    }

    /// The head count of `meeting` is now `participants`.
    pub fn participants(meeting: &Meeting, participants: u32) -> Self {
        Self {
            participants: Some(participants),
            ..Self::of_meeting(RoomEventKind::Participants, meeting)
        }
    }

    /// Room `room_id`'s calendar was synced.
    pub fn calendar_synced(room_id: Uuid) -> Self {
        Self {
            room_id,
            kind: RoomEventKind::CalendarSynced,
            meeting_id: None,
            participants: None,
        }
    }
}

/// An event's place in this instance's stream, written `<epoch>-<sequence>` in SSE ids.
/// The epoch is drawn when the process starts, so an id from another instance or an
/// earlier run is recognised as unknown instead of being mistaken for one of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventId {
    /// This bus's random epoch.
    pub epoch: u32,
    /// The position in this bus's sequence (from 1).
    pub seq: u64,
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:08x}-{}", self.epoch, self.seq)
    }
}

impl EventId {
    /// Reads an id written by [`Display`](std::fmt::Display); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let (epoch, seq) = text.trim().split_once('-')?;
        Some(Self {
            epoch: u32::from_str_radix(epoch, 16).ok()?,
            seq: seq.parse().ok()?,
        })
    }
}

/// An event as this instance numbered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    /// Its id in this instance's stream.
    pub id: EventId,
    /// The change.
    pub event: RoomEvent,
}

/// What the broadcast carries to every stream of this instance.
#[derive(Debug, Clone)]
enum Delivery {
    /// One room's event.
    Event(Arc<Numbered>),
    /// Events may have been lost (the PostgreSQL listener reconnected): refetch.
    Lost,
}

/// What a subscriber gets next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// An event of the subscribed room.
    Event(Arc<Numbered>),
    /// Something may have been missed: refetch everything.
    Refetch,
}

/// What a subscriber missed since the `Last-Event-ID` it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume {
    /// No id given: nothing to replay.
    Fresh,
    /// The room's events after the given id (possibly none).
    Replay(Vec<Arc<Numbered>>),
    /// The id is unknown or older than what is kept: refetch.
    Refetch,
}

/// One stream's view of one room.
pub struct Subscription {
    /// What was missed before subscribing (from `Last-Event-ID`).
    pub resume: Resume,
    room_id: Uuid,
    receiver: broadcast::Receiver<Delivery>,
}

impl Subscription {
    /// The next event of the room, or `Refetch` when some may have been missed (this
    /// stream fell behind, or the instance lost its PostgreSQL listener for a moment).
    /// `None` once the bus is gone.
    pub async fn next(&mut self) -> Option<Next> {
        loop {
            match self.receiver.recv().await {
                Ok(Delivery::Event(e)) if e.event.room_id == self.room_id => {
                    return Some(Next::Event(e))
                }
                Ok(Delivery::Event(_)) => {}
                Ok(Delivery::Lost) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some(Next::Refetch)
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

/// What [`RoomEvents::on_deliver`] keeps.
type DeliveryHook = Box<dyn Fn(&RoomEvent) + Send + Sync>;

/// The room event bus of this instance; see the module documentation.
pub struct RoomEvents {
    /// Numbers deliveries and keeps each room's recent ones for resuming.
    ring: Mutex<Ring>,
    /// Every stream of this instance listens here.
    sender: broadcast::Sender<Delivery>,
    /// On PostgreSQL: where publishes go (every instance's listener hears them).
    notifier: Option<postgres::Notifier>,
    /// Set at shutdown; streams end when it turns true.
    closing: watch::Sender<bool>,
    /// Open streams per client address.
    slots: slots::Slots,
    /// Called with each event before any stream hears of it (see [`Self::on_deliver`]).
    hook: std::sync::OnceLock<DeliveryHook>,
}

impl Default for RoomEvents {
    /// In-process only (SQLite, tests).
    fn default() -> Self {
        Self::with_notifier(None)
    }
}

impl RoomEvents {
    fn with_notifier(notifier: Option<postgres::Notifier>) -> Self {
        Self {
            ring: Mutex::new(Ring::new(rand::random())),
            sender: broadcast::channel(BROADCAST_CAPACITY).0,
            notifier,
            closing: watch::channel(false).0,
            slots: slots::Slots::default(),
            hook: std::sync::OnceLock::new(),
        }
    }

    /// Runs `hook` with every event this instance delivers, before its streams get it: the
    /// services forget what they keep of that room, so the pages' refetch reads it fresh.
    /// Set once; a second hook is ignored.
    pub fn on_deliver(&self, hook: impl Fn(&RoomEvent) + Send + Sync + 'static) {
        let _ = self.hook.set(Box::new(hook));
    }

    /// Publishes `event` to every stream of every instance. Never fails: a change that
    /// could not be announced is logged, and pages still poll as a fallback.
    pub async fn publish(&self, event: RoomEvent) {
        match &self.notifier {
            None => self.deliver(event),
            Some(notifier) => {
                if let Err(err) = notifier.notify(&event).await {
                    tracing::warn!(error = %err, room = %event.room_id, kind = event.kind.as_str(),
                        "could not announce a room event to other instances; delivering it here only");
                    self.deliver(event);
                }
            }
        }
    }

    /// Numbers `event` and hands it to this instance's streams.
    pub(crate) fn deliver(&self, event: RoomEvent) {
        if let Some(hook) = self.hook.get() {
            hook(&event);
        }
        let Ok(mut ring) = self.ring.lock() else {
            return;
        };
        // Sent under the lock, so a subscriber reading the ring (under it too) sees each
        // event either in its replay or on its receiver, never in both or neither.
        let numbered = ring.push(event);
        let _ = self.sender.send(Delivery::Event(numbered));
    }

    /// Tells every stream that events may have been lost (and forgets what was kept, so
    /// a resume from before now refetches too).
    pub(crate) fn deliver_lost(&self) {
        let Ok(mut ring) = self.ring.lock() else {
            return;
        };
        ring.forget_all();
        let _ = self.sender.send(Delivery::Lost);
    }

    /// Subscribes to room `room_id`, resuming after `last_event_id` (a `Last-Event-ID`
    /// header) when given.
    pub fn subscribe(&self, room_id: Uuid, last_event_id: Option<&str>) -> Subscription {
        let (resume, receiver) = match self.ring.lock() {
            Ok(ring) => (
                match last_event_id {
                    None => Resume::Fresh,
                    Some(text) => EventId::parse(text)
                        .and_then(|id| ring.after(room_id, id))
                        .map_or(Resume::Refetch, Resume::Replay),
                },
                self.sender.subscribe(),
            ),
            Err(_) => (Resume::Refetch, self.sender.subscribe()),
        };
        Subscription {
            resume,
            room_id,
            receiver,
        }
    }

    /// A slot for one more open stream of client `key`, if it has fewer than
    /// [`streams_per_address`](Self::streams_per_address) open. Given back when dropped.
    pub fn open_stream(&self, key: &str) -> Option<StreamSlot> {
        self.slots.take(key)
    }

    /// How many streams one client address may hold open.
    pub fn streams_per_address(&self) -> u32 {
        self.slots.max()
    }

    /// Sets [`streams_per_address`](Self::streams_per_address) (at least 1).
    pub fn set_streams_per_address(&self, max: u32) {
        self.slots.set_max(max);
    }

    /// Ends every stream (at shutdown, so open streams do not hold the server up).
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }

    /// Resolves once [`close`](Self::close) was called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closed| *closed).await;
        }
    }
}

#[cfg(test)]
mod tests;
