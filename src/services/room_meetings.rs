//! A room's meetings as one list for one viewer (joining them is [`super::joining`]).
//!
//! The list holds the room's active meetings, then its upcoming occurrences (starting
//! within the upcoming window, no meeting yet) and the rest of the sync window as `later`.
//! What each viewer sees — how far ahead, which details, names or a head count — is
//! [`crate::services::privacy`]'s decision, applied here on the server.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{CalendarEvent, Meeting, Room, User};
use crate::lifecycle::MeetingState;
use crate::lifecycle::{join_decision, JoinAnswer, JoinTarget};
use crate::services::participants::{present_participants, Participant};
use crate::services::privacy::{occurrence_details, visible_details, Audience};
use crate::services::room_lookup::find_room;
use crate::Core;
use crate::CoreError;

/// Which part of the list an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListedKind {
    /// A meeting that is open now (or pre-created for a start moments ahead).
    Active,
    /// An occurrence starting within the upcoming window that has no meeting yet.
    Upcoming,
    /// An occurrence further ahead (owners: the sync window; others: up to the guest
    /// horizon).
    Later,
}

/// What this viewer can do with an item now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum JoinHint {
    /// Open the meeting page now.
    JoinNow {
        /// The meeting page: `/room/<name>/<meeting-id>`.
        page_path: String,
    },
    /// Wait for the start (the waiting page counts down and moves people in).
    WaitUntil {
        /// The scheduled start.
        starts_at: DateTime<Utc>,
        /// The waiting page.
        page_path: String,
    },
}

/// One item of a room's meeting list, as one viewer may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedMeeting {
    /// Active, upcoming or later.
    pub kind: ListedKind,
    /// The meeting's id (active) or the occurrence's id (upcoming, later).
    pub id: Uuid,
    /// Title as this viewer may see it.
    pub title: String,
    /// Scheduled start.
    pub start: DateTime<Utc>,
    /// Scheduled end.
    pub end: DateTime<Utc>,
    /// People present now.
    pub participants_now: usize,
    /// For an active meeting: when it started (its scheduled start).
    pub started_at: Option<DateTime<Utc>>,
    /// For an active meeting: seconds since it started (0 before its start).
    pub running_for_seconds: Option<i64>,
    /// The calendar occurrence, for calendar meetings and occurrences.
    pub calendar_event_id: Option<Uuid>,
    /// What the viewer can do now.
    pub join: JoinHint,
    /// The room's owner only: the event's details and who is in the call.
    pub owner: Option<OwnerPart>,
}

/// What only the room's owner is shown of an item.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerPart {
    /// The event's calendar details (the stored metadata: description, location,
    /// organizer, attendees with RSVP, conference links); `{}` for unscheduled meetings.
    pub details: serde_json::Value,
    /// Who is in the call now (nobody for occurrences without a meeting).
    pub present: Vec<Participant>,
}

/// Which kinds of items a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    /// Include active meetings.
    pub active: bool,
    /// Upcoming means starting before `now + upcoming_within`.
    pub upcoming_within: Duration,
    /// Include occurrences after the upcoming window as `later` (for non-owners only
    /// those before the guest horizon).
    pub later: bool,
}

/// The room's meetings for `viewer`, active first, then upcoming and later ones,
/// each group by start.
pub async fn list_meetings(
    core: &Core,
    viewer: Option<&User>,
    room_name: &str,
    query: ListQuery,
) -> Result<Vec<ListedMeeting>, CoreError> {
    let now = core.clock.now();
    if let Some(items) = core
        .listings
        .get(room_name, &query, viewer.map(|u| u.id), now)
    {
        return Ok(items);
    }
    let room = find_room(core, room_name).await?;
    let audience = Audience::of(viewer, &room);
    let owner = audience.is_owner();
    let settings = &core.settings.lifecycle;
    let active = core.store.active_meetings_in_room(room.id).await?;
    let presence = core
        .store
        .presence_of_active_meetings(Some(room.id))
        .await?;
    let mut items = Vec::new();
    if query.active {
        for meeting in active.iter().filter(|m| is_joinable(m, core, now)) {
            let records: Vec<_> = presence
                .iter()
                .filter(|r| r.meeting_id == meeting.id)
                .cloned()
                .collect();
            let present = present_participants(&records, settings, now);
            items.push(active_item(&room, meeting, present, audience, now));
        }
    }
    let events = core
        .store
        .upcoming_calendar_events(room.id, now, 500)
        .await?;
    let events = without_meeting(core, events, &active, now).await?;
    let horizon = core.settings.guest_horizon;
    let upcoming_end = now + audience.clamp_ahead(query.upcoming_within, horizon);
    for event in &events {
        if event.all_day || event.is_cancelled() {
            continue;
        }
        let kind = if event.start_time < upcoming_end {
            ListedKind::Upcoming
        } else if query.later && audience.sees_start(event.start_time, horizon, now) {
            ListedKind::Later
        } else {
            continue;
        };
        items.push(occurrence_item(&room, event, kind, audience, core, now));
    }
    if !owner {
        core.listings.put(room_name, &room, &query, &items, now);
    }
    Ok(items)
}

/// One active meeting of `room` as an item of its list for `viewer`: what its page and
/// the answer to starting one show, under the same privacy rule as the list.
pub async fn meeting_item(
    core: &Core,
    viewer: Option<&User>,
    room: &Room,
    meeting: &Meeting,
) -> Result<ListedMeeting, CoreError> {
    let now = core.clock.now();
    let records = core.store.presence_of_meeting(meeting.id).await?;
    let present = present_participants(&records, &core.settings.lifecycle, now);
    Ok(active_item(
        room,
        meeting,
        present,
        Audience::of(viewer, room),
        now,
    ))
}

/// The occurrences that have no meeting at all — neither one of `active` (whose times
/// may have moved away from the occurrence's) nor one closed already (a meeting everyone
/// left closes before its scheduled end, and its occurrence is then over, not
/// "upcoming"). Only timed occurrences that started or start within the pre-creation
/// lead can have a closed one, so only those few are looked up.
pub async fn without_meeting(
    core: &Core,
    events: Vec<CalendarEvent>,
    active: &[Meeting],
    now: DateTime<Utc>,
) -> Result<Vec<CalendarEvent>, CoreError> {
    let lead_end = now + core.settings.lifecycle.precreate_lead;
    let mut kept = Vec::with_capacity(events.len());
    for event in events {
        if active.iter().any(|m| m.calendar_event_id == Some(event.id)) {
            continue;
        }
        let may_have_closed_one = !event.all_day && event.start_time <= lead_end;
        if may_have_closed_one && core.store.meeting_for_event(event.id).await?.is_some() {
            continue;
        }
        kept.push(event);
    }
    Ok(kept)
}

/// Whether an active meeting can still be joined (overrun included; not once its close
/// is due).
fn is_joinable(meeting: &Meeting, core: &Core, now: DateTime<Utc>) -> bool {
    matches!(
        join_decision(
            JoinTarget::Meeting(&MeetingState::from(meeting)),
            &core.settings.lifecycle,
            now
        ),
        JoinAnswer::Join { .. }
    )
}

/// A meeting's title as a viewer may see it.
pub(crate) fn meeting_title(meeting: &Meeting, audience: Audience) -> String {
    let details = meeting
        .calendar_metadata
        .as_ref()
        .map(|meta| visible_details(&meta.0, audience))
        .unwrap_or_else(|| serde_json::json!({}));
    title_of(&details, meeting.calendar_event_id.is_none())
}

/// The title a viewer sees, from the details as they may see them (the owner the event's
/// own, others the privacy view's), with a plain name where the calendar gave none.
pub(crate) fn title_of(details: &serde_json::Value, unscheduled: bool) -> String {
    details
        .get("title")
        .and_then(|t| t.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            if unscheduled {
                "Unscheduled meeting".into()
            } else {
                "Untitled meeting".into()
            }
        })
}

fn active_item(
    room: &Room,
    meeting: &Meeting,
    present: Vec<Participant>,
    audience: Audience,
    now: DateTime<Utc>,
) -> ListedMeeting {
    let owner = audience.is_owner();
    let details = meeting
        .calendar_metadata
        .as_ref()
        .map(|meta| visible_details(&meta.0, audience))
        .unwrap_or_else(|| serde_json::json!({}));
    let page_path = page_path(&room.name, meeting, now);
    let join = if meeting.start_time > now {
        JoinHint::WaitUntil {
            starts_at: meeting.start_time,
            page_path,
        }
    } else {
        JoinHint::JoinNow { page_path }
    };
    ListedMeeting {
        kind: ListedKind::Active,
        id: meeting.id,
        title: title_of(&details, meeting.calendar_event_id.is_none()),
        start: meeting.start_time,
        end: meeting.end_time,
        participants_now: present.len(),
        started_at: Some(meeting.start_time),
        running_for_seconds: Some((now - meeting.start_time).num_seconds().max(0)),
        calendar_event_id: meeting.calendar_event_id,
        join,
        owner: owner.then_some(OwnerPart { details, present }),
    }
}

fn occurrence_item(
    room: &Room,
    event: &CalendarEvent,
    kind: ListedKind,
    audience: Audience,
    core: &Core,
    now: DateTime<Utc>,
) -> ListedMeeting {
    let owner = audience.is_owner();
    let details = occurrence_details(event, audience, core.settings.guest_horizon, now);
    ListedMeeting {
        kind,
        id: event.id,
        title: title_of(&details, false),
        start: event.start_time,
        end: event.end_time,
        participants_now: 0,
        started_at: None,
        running_for_seconds: None,
        calendar_event_id: Some(event.id),
        join: JoinHint::WaitUntil {
            starts_at: event.start_time,
            page_path: format!("/room/{}/event/{}", room.name, event.id),
        },
        owner: owner.then_some(OwnerPart {
            details,
            present: Vec::new(),
        }),
    }
}

/// The page that leads into `meeting` at `now`: its own page once it has started; before
/// that its occurrence's waiting page, which moves people in on time (join only on time).
pub fn page_path(room_name: &str, meeting: &Meeting, now: DateTime<Utc>) -> String {
    match meeting.calendar_event_id {
        Some(event) if meeting.start_time > now => format!("/room/{room_name}/event/{event}"),
        _ => format!("/room/{room_name}/{}", meeting.id),
    }
}
