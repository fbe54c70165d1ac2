//! Meetings: a meeting's page (its call, and the owner's view next to it), starting an
//! unscheduled one, the waiting page's question, and presence.

use crate::dto::{AppError, HereNowDto, JoinDto, MeetingCall, MeetingItem};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
#[cfg(feature = "ssr")]
use crate::dto::convert;

/// The owner's view of a meeting: the item with its details, who is here and who of the
/// invited came; `None` for everyone else (the privacy rule's answer, asked once).
#[server]
pub async fn get_meeting_host_view(
    room_name: String,
    meeting_id: String,
) -> Result<Option<MeetingItem>, AppError> {
    ssr::run(async move {
        use roomcal::services::joining::{self, Named};
        use roomcal::services::room_meetings;
        use roomcal::services::{participants, privacy::Audience, room_lookup};
        let core = ssr::core()?;
        let Some(user) = ssr::viewer(&core).await? else {
            return Ok(None);
        };
        let room = room_lookup::find_room(&core, &room_name).await?;
        if !Audience::of(Some(&user), &room).is_owner() {
            return Ok(None);
        }
        let id =
            roomcal::CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
        let Named::Meeting(meeting) = joining::named(&core, &room, id).await? else {
            return Err(roomcal::CoreError::NotFound(
                "there is no such meeting in this room".into(),
            )
            .into());
        };
        let listed = room_meetings::meeting_item(&core, Some(&user), &room, &meeting).await?;
        let came = participants::attendance_for_owner(&core, &user, &room_name, id).await?;
        let mut item = convert::item(listed);
        if let Some(owner) = item.owner.as_mut() {
            owner.attendance = Some(convert::attendance(came));
        }
        Ok(Some(item))
    })
    .await
}

/// Starts an unscheduled meeting in a room (signed-in users only).
#[server]
pub async fn start_meeting(room_name: String) -> Result<MeetingCall, AppError> {
    ssr::run(async move {
        use roomcal::services::{room_lookup, room_meetings, rooms};
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let started = rooms::start_unscheduled_meeting(&core, &user, &room_name).await?;
        let room = room_lookup::find_room(&core, &room_name).await?;
        let item = room_meetings::meeting_item(&core, Some(&user), &room, &started.meeting).await?;
        Ok(convert::call(
            convert::item(item),
            &started.meeting,
            &started.call,
        ))
    })
    .await
}

/// A meeting, for its page: the item as the viewer may see it, and its call — when the
/// room's access rule lets the viewer in (else its error: sign in, knock, waiting,
/// declined; the page shows each).
#[server]
pub async fn get_meeting(room_name: String, meeting_id: String) -> Result<MeetingCall, AppError> {
    ssr::run(async move {
        use roomcal::services::{room_meetings, rooms};
        let core = ssr::core()?;
        let id =
            roomcal::CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
        let viewer = ssr::viewer(&core).await?;
        let token = ssr::knock_token(&core, id).await;
        let (room, meeting, call) =
            rooms::open_meeting(&core, viewer.as_ref(), token.as_deref(), &room_name, id).await?;
        let item = room_meetings::meeting_item(&core, viewer.as_ref(), &room, &meeting).await?;
        Ok(convert::call(convert::item(item), &meeting, &call))
    })
    .await
}

/// What opening an upcoming occurrence does now (the waiting page polls this): the same
/// answer as `POST /v1/rooms/{room}/meetings/{id}/join`, an ended or cancelled one as a
/// status with its message.
#[server]
pub async fn join_event(room_name: String, event_id: String) -> Result<JoinDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let id = roomcal::CoreError::parse_id(&event_id, "there is no such meeting in this room")?;
        let viewer = ssr::viewer(&core).await?;
        // The join rule only: the meeting page asks the access rule when it opens.
        let outcome =
            roomcal::services::joining::decide(&core, viewer.as_ref(), &room_name, id).await;
        match outcome {
            Err(roomcal::CoreError::Gone(message)) => Ok(convert::join_ended(message)),
            other => Ok(convert::join_outcome(&other?)),
        }
    })
    .await
}

/// A meeting page announces itself: `join`, `heartbeat` or `leave`. The answer says who
/// is in the call: names for the room's owner, the count for everyone else (anyone can
/// announce a page id, so being "in the call" proves nothing).
#[server]
pub async fn announce_presence(
    meeting_id: String,
    participant_id: String,
    event: String,
) -> Result<HereNowDto, AppError> {
    ssr::run(async move {
        use roomcal::services::{participants, presence};
        let core = ssr::core()?;
        let viewer = ssr::viewer(&core).await?;
        let id = roomcal::CoreError::parse_id(&meeting_id, "there is no such meeting")?;
        let event = presence::PresenceEvent::parse(&event)?;
        let client = ssr::client_addr().await;
        let token = ssr::knock_token(&core, id).await;
        let meeting = presence::announce_presence(
            &core,
            viewer.as_ref(),
            token.as_deref(),
            id,
            &participant_id,
            event,
            client,
        )
        .await?;
        if event == presence::PresenceEvent::Leave {
            return Ok(HereNowDto::default());
        }
        let here = participants::here_now(&core, viewer.as_ref(), &meeting).await?;
        Ok(convert::here_now(&here))
    })
    .await
}
