//! The one way to join: a meeting's id or an upcoming occurrence's id gives "go in now"
//! or "wait until the start" (the waiting page, the `/v1` join route and the pages ask
//! here), under the lifecycle's join rule and the privacy rule for titles.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{CalendarEvent, ClosedBecause, Meeting, Room, User};
use crate::lifecycle::{
    join_decision, JoinAnswer, JoinTarget, MeetingState, Occurrence, MEETING_CANCELLED_MESSAGE,
    MEETING_ENDED_MESSAGE,
};
use crate::services::access;
use crate::services::privacy::{occurrence_details, Audience};
use crate::services::room_lookup::find_room;
use crate::services::room_meetings::{meeting_title, page_path, title_of};
use crate::Core;
use crate::CoreError;

/// What an id in a room's URL names: pages, the join route and "add to calendar" take a
/// meeting's id or an occurrence's id alike.
pub enum Named {
    /// A meeting of the room.
    Meeting(Meeting),
    /// A stored occurrence of the room (deleted ones too: the caller decides).
    Occurrence(CalendarEvent),
}

/// The meeting or occurrence `id` names in `room`; `NotFound` for anything else.
pub async fn named(core: &Core, room: &Room, id: Uuid) -> Result<Named, CoreError> {
    let not_found = || CoreError::NotFound("there is no such meeting in this room".into());
    if let Some(meeting) = core.store.meeting_by_id(id).await? {
        return match meeting.room_id == room.id {
            true => Ok(Named::Meeting(meeting)),
            false => Err(not_found()),
        };
    }
    core.store
        .calendar_event_by_id(id)
        .await?
        .filter(|e| e.room_id == room.id)
        .map(Named::Occurrence)
        .ok_or_else(not_found)
}

/// The room `room_name` and its meeting `meeting_id`, if `user` is one of the room's
/// owners: 403 with `forbidden` for anyone else; 404 with `not_open` when the id names an
/// occurrence whose meeting has not opened (or nothing in the room).
pub async fn owned_meeting(
    core: &Core,
    user: &User,
    room_name: &str,
    meeting_id: Uuid,
    (forbidden, not_open): (&str, &str),
) -> Result<(Room, Meeting), CoreError> {
    let room = find_room(core, room_name).await?;
    if !Audience::of(Some(user), &room).is_owner() {
        return Err(CoreError::Forbidden(forbidden.into()));
    }
    match named(core, &room, meeting_id).await? {
        Named::Meeting(meeting) => Ok((room, meeting)),
        Named::Occurrence(_) => Err(CoreError::NotFound(not_open.into())),
    }
}

/// The answer to "join this meeting or occurrence now".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    /// Go in now.
    Join {
        /// The call URL for this viewer (the host URL for the owner where there is one),
        /// given only when the room's access rule lets the viewer in.
        url: String,
        /// roomcal's page of the meeting.
        page_path: String,
        /// The meeting.
        meeting_id: Uuid,
    },
    /// Not yet: wait on the waiting page.
    Waiting(Waiting),
}

/// "Wait until the start", with what the waiting page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The scheduled start.
    pub starts_at: DateTime<Utc>,
    /// The server's clock now, so a client with a wrong clock still counts right.
    pub server_now: DateTime<Utc>,
    /// The waiting page.
    pub page_path: String,
    /// The title, as this viewer may see it ("Private meeting").
    pub title: String,
}

/// What the join rule says of an id before the room's access rule is asked: the meeting
/// can be entered now (by whoever the access rule lets in), or wait.
#[derive(Debug, Clone)]
pub enum Decision {
    /// The meeting is open now.
    Open {
        /// Its room.
        room: Box<Room>,
        /// The meeting.
        meeting: Box<Meeting>,
        /// roomcal's page of the meeting (where a knock room's guests knock).
        page_path: String,
    },
    /// Not yet.
    Waiting(Waiting),
}

/// Joins meeting or occurrence `id` of room `room_name` as `viewer`, holding knock token
/// `knock_token` if any: the URL only when [`access::enter`] lets the viewer in (else
/// its `NoEntry` error). Ended or cancelled is `Gone` with a message that says which; an
/// id that names nothing here is `NotFound`.
pub async fn join(
    core: &Core,
    viewer: Option<&User>,
    knock_token: Option<&str>,
    room_name: &str,
    id: Uuid,
) -> Result<JoinOutcome, CoreError> {
    match decide(core, viewer, room_name, id).await? {
        Decision::Waiting(waiting) => Ok(JoinOutcome::Waiting(waiting)),
        Decision::Open {
            room,
            meeting,
            page_path,
        } => {
            let entered = access::enter(core, viewer, knock_token, &room, &meeting).await?;
            Ok(JoinOutcome::Join {
                url: entered.url,
                page_path,
                meeting_id: meeting.id,
            })
        }
    }
}

/// The join rule for meeting or occurrence `id` of room `room_name` as `viewer` (titles
/// as the viewer may see them), without the call: the waiting page asks this.
pub async fn decide(
    core: &Core,
    viewer: Option<&User>,
    room_name: &str,
    id: Uuid,
) -> Result<Decision, CoreError> {
    let room = find_room(core, room_name).await?;
    let audience = Audience::of(viewer, &room);
    let now = core.clock.now();
    let settings = &core.settings.lifecycle;
    let horizon = core.settings.guest_horizon;
    let (meeting, event) = match named(core, &room, id).await? {
        Named::Meeting(m) => (Some(m), None),
        Named::Occurrence(e) => (core.store.meeting_for_event(e.id).await?, Some(e)),
    };
    let waiting = |starts_at, page_path, title| {
        Decision::Waiting(Waiting {
            starts_at,
            server_now: now,
            page_path,
            title,
        })
    };
    match (meeting, event) {
        (Some(meeting), _) => {
            let answer = join_decision(
                JoinTarget::Meeting(&MeetingState::from(&meeting)),
                settings,
                now,
            );
            match answer {
                JoinAnswer::Join { .. } if meeting.start_time > now => Ok(waiting(
                    meeting.start_time,
                    page_path(&room.name, &meeting, now),
                    meeting_title(&meeting, audience),
                )),
                JoinAnswer::Join { .. } => Ok(Decision::Open {
                    page_path: page_path(&room.name, &meeting, now),
                    room: Box::new(room),
                    meeting: Box::new(meeting),
                }),
                _ if meeting
                    .close_reason
                    .is_some_and(ClosedBecause::is_cancellation) =>
                {
                    Err(CoreError::Gone(MEETING_CANCELLED_MESSAGE.into()))
                }
                _ => Err(CoreError::Gone(MEETING_ENDED_MESSAGE.into())),
            }
        }
        (None, Some(event)) => {
            let title = || title_of(&occurrence_details(&event, audience, horizon, now), false);
            let path = format!("/room/{}/event/{}", room.name, event.id);
            match join_decision(
                JoinTarget::Occurrence(&Occurrence::from(&event)),
                settings,
                now,
            ) {
                JoinAnswer::Waiting { starts_at } | JoinAnswer::TooEarly { starts_at } => {
                    Ok(waiting(starts_at, path, title()))
                }
                JoinAnswer::Ended { message } | JoinAnswer::Unavailable { message } => {
                    Err(CoreError::Gone(message))
                }
                // No meeting exists for it, so the rule cannot say "join"; be safe.
                JoinAnswer::Join { .. } => Ok(waiting(event.start_time, path, title())),
            }
        }
        // `named` always gives one of the two.
        (None, None) => Err(CoreError::NotFound(
            "there is no such meeting in this room".into(),
        )),
    }
}
