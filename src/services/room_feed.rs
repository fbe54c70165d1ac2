//! A room's schedule as an ICS feed people subscribe to, the owner's own feed with the
//! details at a secret address, and one meeting as an "add to calendar" file.
//!
//! Privacy as everywhere: the public feed has titles and times only ("Private meeting"
//! for private events); the owner's feed (`?key=…`, the key sealed at rest and reset from
//! the settings page) carries what the owner sees on the room page.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use uuid::Uuid;

use crate::domain::{CalendarEvent, Meeting, Room, User};
pub use crate::ics_out::IcsFile;
use crate::ics_out::{write_calendar, FeedEvent};
use crate::services::joining::{named, Named};
use crate::services::privacy::{visible_details, Audience};
use crate::services::room_lookup::find_room;
use crate::services::room_lookup::owned_room;
use crate::services::room_meetings::title_of;
use crate::Core;
use crate::CoreError;

/// How far back a feed reaches: yesterday's meetings stay in subscribers' calendars.
pub const FEED_PAST: Duration = Duration::days(1);

/// Most occurrences one feed holds (the soonest ones), whatever the sync window: what one
/// request builds stays bounded even for a room whose calendar is one long series.
pub const FEED_MAX_EVENTS: i64 = 2_000;

/// The room's feed: its meetings from [`FEED_PAST`] ago to the end of the sync window, at
/// most [`FEED_MAX_EVENTS`] occurrences. With the owner's `key` it carries the details; a
/// wrong or reset key is `NotFound`, never the public feed in disguise (a calendar app
/// would silently show less). The public feed comes from the memo
/// ([`crate::sync::feed_memo`]) when it holds one.
pub async fn room_feed(
    core: &Core,
    room_name: &str,
    key: Option<&str>,
) -> Result<IcsFile, CoreError> {
    let memo = core.sync.feed_memo();
    let now = core.clock.now();
    if key.is_none() {
        if let Some(file) = memo.get(room_name, now) {
            return Ok(file);
        }
    }
    let room = find_room(core, room_name).await?;
    let site = Site::of(core, &room);
    // The private feed's secret address is the owner's: it shows what the owner sees.
    let audience = match key {
        None => Audience::Guest,
        Some(given) => {
            let stored = core.store.room_feed_key(room.id).await?;
            let current = stored.and_then(|sealed| core.secrets.open(&sealed).ok());
            if !current.is_some_and(|k| constant_time_eq(k.as_bytes(), given.as_bytes())) {
                return Err(CoreError::NotFound(
                    "this calendar address is not valid any more; copy the current one from the room's settings".into(),
                ));
            }
            Audience::Owner
        }
    };
    let from = now - FEED_PAST;
    let to = now + core.sync.settings().window_after;
    let ticket = memo.start_build();
    let mut events: Vec<FeedEvent> = core
        .store
        .upcoming_calendar_events(room.id, from, FEED_MAX_EVENTS)
        .await?
        .iter()
        .filter(|e| listed(e, to))
        .map(|e| occurrence_event(&site, e, audience))
        .collect();
    let unscheduled = core.store.active_meetings_in_room(room.id).await?;
    events.extend(
        unscheduled
            .iter()
            .filter(|m| m.calendar_event_id.is_none() && m.end_time > now)
            .map(|m| unscheduled_event(&site, m)),
    );
    events.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    let name = format!("{} · roomcal", room.name);
    let file = IcsFile::new(write_calendar(&name, &events), format!("{}.ics", room.name));
    if !audience.is_owner() {
        memo.put(ticket, room_name, room.id, &file, now);
    }
    Ok(file)
}

/// One meeting or occurrence of the room (by either id) as a one-event calendar, as
/// `viewer` may see it.
pub async fn meeting_file(
    core: &Core,
    viewer: Option<&User>,
    room_name: &str,
    id: Uuid,
) -> Result<IcsFile, CoreError> {
    let room = find_room(core, room_name).await?;
    let site = Site::of(core, &room);
    let audience = Audience::of(viewer, &room);
    let not_found = || CoreError::NotFound("there is no such meeting in this room".into());
    let event = match named(core, &room, id).await? {
        Named::Meeting(m) => match m.calendar_event_id {
            Some(event_id) => {
                let e = core
                    .store
                    .calendar_event_by_id(event_id)
                    .await?
                    .ok_or_else(not_found)?;
                occurrence_event(&site, &e, audience)
            }
            None => unscheduled_event(&site, &m),
        },
        Named::Occurrence(e) if !e.is_deleted => occurrence_event(&site, &e, audience),
        Named::Occurrence(_) => return Err(not_found()),
    };
    let filename = format!("{}-{}.ics", room.name, event.start.format("%Y%m%d-%H%M"));
    Ok(IcsFile::new(
        write_calendar(&format!("{} · roomcal", room.name), &[event]),
        filename,
    ))
}

/// The owner's private feed address (made on first use).
pub async fn private_feed_url(
    core: &Core,
    owner: &User,
    room_name: &str,
) -> Result<String, CoreError> {
    let room = owned_room(core, owner, room_name).await?;
    let stored = core.store.room_feed_key(room.id).await?;
    let key = match stored.and_then(|sealed| core.secrets.open(&sealed).ok()) {
        Some(key) => key,
        None => new_key(core, room.id).await?,
    };
    Ok(feed_url(core, &room, &key))
}

/// Makes a new private feed key; the old address stops working at once.
pub async fn reset_private_feed(
    core: &Core,
    owner: &User,
    room_name: &str,
) -> Result<String, CoreError> {
    let room = owned_room(core, owner, room_name).await?;
    let key = new_key(core, room.id).await?;
    Ok(feed_url(core, &room, &key))
}

async fn new_key(core: &Core, room_id: Uuid) -> Result<String, CoreError> {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    core.store
        .set_room_feed_key(room_id, Some(core.secrets.seal(&key).expose()))
        .await?;
    Ok(key)
}

fn feed_url(core: &Core, room: &Room, key: &str) -> String {
    format!("{}/calendar.ics?key={key}", core.room_url(&room.name))
}

/// Whether a stored occurrence belongs in the feed: live, timed (all-day entries never
/// become meetings), not cancelled, starting before the window's end.
fn listed(event: &CalendarEvent, to: DateTime<Utc>) -> bool {
    !event.is_deleted && !event.all_day && event.start_time < to && !event.is_cancelled()
}

/// What every VEVENT of one room's file is built from, worked out once per request.
struct Site {
    /// The host of the public URL, for UIDs (`<id>@<host>`: stable for as long as the
    /// occurrence or meeting lives).
    host: String,
    /// The room page's full URL.
    room_url: String,
}

impl Site {
    fn of(core: &Core, room: &Room) -> Site {
        Site {
            host: url::Url::parse(&core.settings.public_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "roomcal".into()),
            room_url: core.room_url(&room.name),
        }
    }

    fn uid(&self, id: Uuid) -> String {
        format!("{id}@{}", self.host)
    }
}

fn occurrence_event(site: &Site, e: &CalendarEvent, audience: Audience) -> FeedEvent {
    let metadata = e.metadata();
    let visible = visible_details(&metadata, audience);
    FeedEvent {
        uid: site.uid(e.id),
        title: title_of(&visible, false),
        start: e.start_time,
        end: e.end_time,
        // The waiting page: it moves people into the meeting when it opens, so the link
        // stays the same before and after the meeting exists.
        page_url: format!("{}/event/{}", site.room_url, e.id),
        changed_at: e.last_synced,
        description: audience.is_owner().then(|| owner_description(&metadata)),
    }
}

fn unscheduled_event(site: &Site, m: &Meeting) -> FeedEvent {
    FeedEvent {
        uid: site.uid(m.id),
        title: title_of(&serde_json::Value::Null, true),
        start: m.start_time,
        end: m.end_time,
        page_url: format!("{}/{}", site.room_url, m.id),
        changed_at: m.created_at,
        description: None,
    }
}

/// The details the owner sees, as plain text: description, location, organizer,
/// attendees with their answers, conference links.
fn owner_description(metadata: &serde_json::Value) -> String {
    let text = |key: &str| {
        metadata
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let person = |p: &serde_json::Value| {
        let name = p.get("name").and_then(|v| v.as_str());
        let email = p.get("email").and_then(|v| v.as_str());
        let answer = p
            .get("partstat")
            .and_then(|v| v.as_str())
            .unwrap_or("NEEDS-ACTION");
        match (name, email) {
            (Some(n), Some(e)) => format!("{n} <{e}> ({})", answer.to_lowercase()),
            (Some(n), None) => format!("{n} ({})", answer.to_lowercase()),
            (None, Some(e)) => format!("{e} ({})", answer.to_lowercase()),
            (None, None) => String::new(),
        }
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(description) = text("description") {
        parts.push(description);
    }
    if let Some(location) = text("location") {
        parts.push(format!("Location: {location}"));
    }
    if let Some(organizer) = metadata.get("organizer").filter(|o| !o.is_null()) {
        parts.push(format!("Organizer: {}", person(organizer)));
    }
    if let Some(attendees) = metadata.get("attendees").and_then(|a| a.as_array()) {
        let list: Vec<String> = attendees
            .iter()
            .map(person)
            .filter(|p| !p.is_empty())
            .collect();
        if !list.is_empty() {
            parts.push(format!("Attendees: {}", list.join(", ")));
        }
    }
    if let Some(links) = metadata.get("conference_links").and_then(|l| l.as_array()) {
        let list: Vec<&str> = links.iter().filter_map(|l| l.as_str()).collect();
        if !list.is_empty() {
            parts.push(format!("Links: {}", list.join(" ")));
        }
    }
    parts.join("\n\n")
}

/// Compares secrets without an early exit that would time how much matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
