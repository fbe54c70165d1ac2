//! Reopening: someone opens a calendar meeting's link after it ended. While the
//! occurrence's scheduled time has not passed, anyone the room's access rule lets in may
//! reopen it — a new meeting with a new call for the same occurrence (the lifecycle never
//! does this by itself). After the scheduled time the page says "This meeting has
//! ended" and shows the room's next meeting. The rule is
//! [`crate::lifecycle::reopen_decision`]; reopening is limited per client address
//! (`--reopens-per-hour`), since each one makes a call on the video platform.

use crate::domain::{ClosedBecause, Meeting, Room, User};
use crate::lifecycle::{
    reopen_decision, MeetingState, Occurrence, ReopenAnswer, MEETING_CANCELLED_MESSAGE,
};
use crate::services::access::{self, Entry};
use crate::services::joining::{named, Named};
use crate::services::lifecycle_step::{open_event_meeting, Opened};
use crate::services::limits::{wait_text, ClientAddr};
use crate::services::privacy::Audience;
use crate::services::room_events;
use crate::services::room_lookup::find_room;
use crate::services::room_meetings::{list_meetings, ListQuery, ListedMeeting};
use crate::{Core, CoreError};
use uuid::Uuid;

/// "This meeting has ended." (its scheduled time is over, or it cannot be reopened).
pub const ENDED_MESSAGE: &str = "This meeting has ended.";

/// Said to guests of a meeting a host ended.
pub const ENDED_BY_HOST_MESSAGE: &str =
    "The host ended this meeting. Only the room's owners can reopen it.";

/// Said of a meeting a host ended that nobody can reopen (an unscheduled one, or one
/// whose time is over), or to the hosts themselves.
pub const HOST_ENDED_MESSAGE: &str = "The host ended this meeting.";

/// How long a reopening waits for another of the same occurrence to finish.
const SERIAL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What the page of an ended meeting shows.
#[derive(Debug, Clone)]
pub struct EndedMeeting {
    /// What to say: [`ENDED_MESSAGE`], [`ENDED_BY_HOST_MESSAGE`] or "cancelled".
    pub message: String,
    /// Whether this viewer may reopen it now (its scheduled time is still on).
    pub can_reopen: bool,
    /// A meeting of the same occurrence that is open (reopened by someone): go there.
    pub open_meeting_id: Option<Uuid>,
    /// The room's next meeting as this viewer may see it (running or upcoming), if any.
    pub next: Option<ListedMeeting>,
}

/// A reopened meeting.
#[derive(Debug, Clone)]
pub struct Reopened {
    /// The meeting of the occurrence that is open now.
    pub meeting: Meeting,
    /// Whether it was made now (false: someone reopened it already).
    pub is_new: bool,
}

/// The ended meeting `meeting_id` of `room_name`, the rule's answer for `viewer` (with
/// knock token `knock_token`), and whether the access rule lets the viewer in.
async fn decide(
    core: &Core,
    viewer: Option<&User>,
    knock_token: Option<&str>,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<(Room, Meeting, ReopenAnswer, Entry), CoreError> {
    let room = find_room(core, room_name).await?;
    let Named::Meeting(ended) = named(core, &room, meeting_id).await? else {
        return Err(CoreError::NotFound(
            "there is no such meeting in this room".into(),
        ));
    };
    let entry = access::entry(core, viewer, knock_token, &room, &ended).await?;
    let occurrence = match ended.calendar_event_id {
        Some(id) => core.store.calendar_event_by_id(id).await?,
        None => None,
    };
    let open = match ended.calendar_event_id {
        Some(id) => core
            .store
            .meeting_for_event(id)
            .await?
            .filter(|m| m.is_active),
        None => None,
    };
    let answer = reopen_decision(
        &MeetingState::from(&ended),
        occurrence.as_ref().map(Occurrence::from).as_ref(),
        open.as_ref().map(MeetingState::from).as_ref(),
        (
            ended.close_reason == Some(ClosedBecause::Host),
            Audience::of(viewer, &room).is_owner(),
        ),
        &core.settings.lifecycle,
        core.clock.now(),
    );
    Ok((room, ended, answer, entry))
}

/// What the page of ended meeting `meeting_id` of `room_name` shows `viewer`: reopen
/// (if the room lets the viewer in and the occurrence is still on), the open meeting of
/// the occurrence, or "This meeting has ended" with the room's next meeting.
pub async fn ended_meeting(
    core: &Core,
    viewer: Option<&User>,
    knock_token: Option<&str>,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<EndedMeeting, CoreError> {
    let (room, ended, answer, entry) =
        decide(core, viewer, knock_token, room_name, meeting_id).await?;
    let cancelled = ended
        .close_reason
        .is_some_and(ClosedBecause::is_cancellation);
    let message = match &answer {
        ReopenAnswer::EndedByHost => ENDED_BY_HOST_MESSAGE,
        _ if ended.close_reason == Some(ClosedBecause::Host) => HOST_ENDED_MESSAGE,
        _ if cancelled => MEETING_CANCELLED_MESSAGE,
        _ => ENDED_MESSAGE,
    };
    let query = ListQuery {
        active: true,
        upcoming_within: core.settings.lifecycle.upcoming_window,
        later: true,
    };
    let next = list_meetings(core, viewer, &room.name, query)
        .await?
        .into_iter()
        .find(|item| item.id != ended.id && Some(item.id) != ended.calendar_event_id);
    Ok(EndedMeeting {
        message: message.to_string(),
        can_reopen: matches!(answer, ReopenAnswer::Reopen { .. }) && entry == Entry::Allowed,
        open_meeting_id: match answer {
            ReopenAnswer::Open { meeting_id } if meeting_id != ended.id => Some(meeting_id),
            _ => None,
        },
        next,
    })
}

/// Reopens ended meeting `meeting_id` of `room_name` for `viewer` (knock token
/// `knock_token`) at `client`: a new meeting with a new call for its occurrence, or the
/// one someone reopened already. Refused as the access rule refuses entering (401/403),
/// 410 once the occurrence's scheduled time is over, 403 for a guest when a host ended
/// it, 429 past `--reopens-per-hour`.
pub async fn reopen(
    core: &Core,
    viewer: Option<&User>,
    knock_token: Option<&str>,
    room_name: &str,
    meeting_id: Uuid,
    client: ClientAddr,
) -> Result<Reopened, CoreError> {
    let (room, ended, answer, entry) =
        decide(core, viewer, knock_token, room_name, meeting_id).await?;
    entry.into_result()?;
    let (event_id, start, end) = match answer {
        ReopenAnswer::Reopen {
            event_id,
            start,
            end,
        } => (event_id, start, end),
        ReopenAnswer::Open { meeting_id } => return open_one(core, meeting_id).await,
        ReopenAnswer::EndedByHost => {
            return Err(CoreError::Forbidden(ENDED_BY_HOST_MESSAGE.into()));
        }
        ReopenAnswer::Over => {
            return Err(CoreError::Gone(format!(
                "{ENDED_MESSAGE} Its scheduled time is over, so it cannot be reopened."
            )));
        }
        ReopenAnswer::NotReopenable if ended.calendar_event_id.is_none() => {
            return Err(CoreError::Gone(format!(
                "{ENDED_MESSAGE} Start a new meeting in the room instead."
            )));
        }
        ReopenAnswer::NotReopenable => {
            return Err(CoreError::Gone(MEETING_CANCELLED_MESSAGE.into()));
        }
    };
    // One reopening per occurrence at a time: the second asker gets the first's meeting
    // instead of a call made only to be given back.
    let _serial = core
        .limits
        .serial
        .lock_within(
            core.store.as_ref(),
            event_id,
            SERIAL_WAIT,
            "this meeting is being reopened",
        )
        .await?;
    if let Some(open) = core
        .store
        .meeting_for_event(event_id)
        .await?
        .filter(|m| m.is_active)
    {
        return Ok(Reopened {
            meeting: open,
            is_new: false,
        });
    }
    let now = core.clock.now();
    let place = core
        .limits
        .reopens
        .take(core.store.as_ref(), &client.key(), now)
        .await
        .map_err(|refused| {
            refused.into_error(|wait| {
                format!(
                    "too many meetings were reopened from your address in the last hour; \
                     try again in {}, or ask the room's owner to start one",
                    wait_text(wait)
                )
            })
        })?;
    let Some(event) = core.store.calendar_event_by_id(event_id).await? else {
        return Err(CoreError::Gone(MEETING_CANCELLED_MESSAGE.into()));
    };
    match open_event_meeting(core, &event, (start, end), now).await? {
        Opened::Created(meeting) => {
            tracing::info!(meeting = %meeting.id, ended = %ended.id, room = %room.id, "meeting reopened");
            room_events::meeting_created(core, &meeting).await;
            Ok(Reopened {
                meeting: *meeting,
                is_new: true,
            })
        }
        Opened::Lost => {
            let open = core.store.meeting_for_event(event_id).await?;
            match open.filter(|m| m.is_active) {
                Some(meeting) => Ok(Reopened {
                    meeting,
                    is_new: false,
                }),
                None => Err(CoreError::Internal(
                    "a reopened meeting closed at once".into(),
                )),
            }
        }
        Opened::RoomGone => {
            core.limits
                .reopens
                .give_back(core.store.as_ref(), place)
                .await;
            Err(CoreError::NotFound("there is no such room".into()))
        }
        Opened::PlatformFailed(err) => {
            // No call was made: the attempt does not count against the address.
            core.limits
                .reopens
                .give_back(core.store.as_ref(), place)
                .await;
            Err(CoreError::Platform(err))
        }
    }
}

/// The open meeting `id`, as a reopening that found it.
async fn open_one(core: &Core, id: Uuid) -> Result<Reopened, CoreError> {
    let meeting = core
        .store
        .meeting_by_id(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("there is no such meeting in this room".into()))?;
    Ok(Reopened {
        meeting,
        is_new: false,
    })
}
