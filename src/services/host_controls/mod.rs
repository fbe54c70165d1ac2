//! Host controls: a room's owners (the owner and its co-owners) end a meeting at once
//! ("End meeting now") or keep it open longer ("Keep open 30 minutes longer"); and
//! anyone the room lets in reopens a calendar meeting that ended before its scheduled
//! time ([`reopen`]). The pages' server functions and `/v1` both call these.
//!
//! - Ending closes the meeting with [`ClosedBecause::Host`] through the lifecycle's own
//!   close (the store decides who wins against a tick closing it too), which tells the
//!   pages (`meeting_ended`) and ends the call on the platform.
//! - Extending adds minutes to the meeting's `extended_minutes`, which moves the
//!   force-close time the lifecycle's close rule reads ([`crate::lifecycle::close`]), at
//!   most `--max-extend-minutes` in all; the pages hear `meeting_changed`, and
//!   `meeting.extended` is written to the webhook outbox with the change.

pub mod reopen;

use crate::domain::{ClosedBecause, Meeting, Room, User};
use crate::lifecycle::{close_decision, force_close_at, MeetingState, MEETING_ENDED_MESSAGE};
use crate::services::joining::owned_meeting;
use crate::services::lifecycle_step;
use crate::services::privacy::Audience;
use crate::services::room_events;
use crate::services::webhook_events;
use crate::webhooks::payload::MeetingExtras;
use crate::webhooks::{WebhookEvent, WebhookEventType};
use crate::{Core, CoreError};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The step of the pages' "Keep open 30 minutes longer".
pub const EXTEND_STEP_MINUTES: u32 = 30;

/// What a room's owner sees of a running meeting's controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostControls {
    /// The meeting.
    pub meeting_id: Uuid,
    /// When it will be closed even with people in it (extensions included).
    pub closes_at: DateTime<Utc>,
    /// Minutes it has been kept open longer so far.
    pub extended_minutes: u32,
    /// The most it may be kept open longer in all (`--max-extend-minutes`).
    pub max_extend_minutes: u32,
}

impl HostControls {
    /// The controls of `meeting` under the core's settings.
    pub fn of(core: &Core, meeting: &Meeting) -> Self {
        let settings = &core.settings.lifecycle;
        HostControls {
            meeting_id: meeting.id,
            closes_at: force_close_at(&MeetingState::from(meeting), settings),
            extended_minutes: u32::try_from(meeting.extended_minutes).unwrap_or(0),
            max_extend_minutes: settings.max_extend_minutes,
        }
    }

    /// Minutes it may still be kept open longer.
    pub fn extend_minutes_left(&self) -> u32 {
        self.max_extend_minutes
            .saturating_sub(self.extended_minutes)
    }
}

/// The room and its running meeting `meeting_id`, if `user` is one of the room's owners:
/// 404 for no such room or meeting, 403 for anyone else, 410 once it ended (or its close
/// is due: the next tick tears it down).
async fn hosted_meeting(
    core: &Core,
    user: &User,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<(Room, Meeting), CoreError> {
    let (room, meeting) = owned_meeting(
        core,
        user,
        room_name,
        meeting_id,
        (
            "only the room's owner and co-owners can end a meeting or keep it open longer",
            "this meeting has not opened yet; there is nothing to end or keep open",
        ),
    )
    .await?;
    let state = MeetingState::from(&meeting);
    let now = core.clock.now();
    if !meeting.is_active || close_decision(&state, &core.settings.lifecycle, now).is_some() {
        return Err(CoreError::Gone(MEETING_ENDED_MESSAGE.into()));
    }
    Ok((room, meeting))
}

/// The controls `viewer` gets for `meeting` of `room`: `Some` only for the room's owners
/// and only while the meeting runs (decided here, so nobody else is ever shown them).
pub fn controls_for(
    core: &Core,
    viewer: Option<&User>,
    room: &Room,
    meeting: &Meeting,
) -> Option<HostControls> {
    let running = meeting.is_active
        && close_decision(
            &MeetingState::from(meeting),
            &core.settings.lifecycle,
            core.clock.now(),
        )
        .is_none();
    (running && Audience::of(viewer, room).is_owner()).then(|| HostControls::of(core, meeting))
}

/// "End meeting now": one of the room's owners closes meeting `meeting_id` of
/// `room_name` for everyone, at once. The call is ended on the platform and the pages
/// switch to "ended". Answers the meeting as it was closed.
pub async fn end_meeting_now(
    core: &Core,
    user: &User,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<Meeting, CoreError> {
    let (_, meeting) = hosted_meeting(core, user, room_name, meeting_id).await?;
    let now = core.clock.now();
    if !lifecycle_step::close(core, Some(&meeting), now, ClosedBecause::Host).await? {
        // A tick (or another owner) closed it a moment ago.
        return Err(CoreError::Gone(MEETING_ENDED_MESSAGE.into()));
    }
    tracing::info!(meeting = %meeting.id, by = %user.id, "meeting ended by a host");
    Ok(Meeting {
        is_active: false,
        closed_at: Some(now),
        close_reason: Some(ClosedBecause::Host),
        ..meeting
    })
}

/// The `meeting.extended` of `meeting` kept open `step` minutes longer.
fn extended_event(core: &Core, room: &Room, meeting: &Meeting, step: i32) -> WebhookEvent {
    let extended = Meeting {
        extended_minutes: meeting.extended_minutes.saturating_add(step),
        ..meeting.clone()
    };
    let extras = MeetingExtras {
        extended_by_minutes: u32::try_from(step).ok(),
        closes_at: Some(HostControls::of(core, &extended).closes_at),
        ..MeetingExtras::default()
    };
    webhook_events::meeting_event(
        core,
        room,
        &extended,
        WebhookEventType::MeetingExtended,
        core.clock.now(),
        &extras,
    )
}

/// The error for a `minutes` outside what may still be added.
fn minutes_error(controls: &HostControls, asked: i64) -> CoreError {
    let max = controls.max_extend_minutes;
    let left = controls.extend_minutes_left();
    let message = if max == 0 {
        "keeping meetings open longer is turned off on this server (--max-extend-minutes 0)"
            .to_string()
    } else if asked < 1 {
        format!("give a whole number of minutes from 1 to {left}")
    } else if left == 0 {
        format!(
            "this meeting has been kept open {max} minutes longer already, the most allowed; \
             start a new meeting to go on"
        )
    } else {
        format!(
            "this meeting may be kept open {left} more minutes at most ({max} in all); \
             ask for {left} or fewer"
        )
    };
    CoreError::field("minutes", message)
}

/// "Keep open 30 minutes longer": one of the room's owners moves the force-close time of
/// meeting `meeting_id` of `room_name` `minutes` later, at most `--max-extend-minutes`
/// in all (a 422 on `minutes` says how many are left). Answers the controls after it.
pub async fn extend_meeting(
    core: &Core,
    user: &User,
    room_name: &str,
    meeting_id: Uuid,
    minutes: i64,
) -> Result<HostControls, CoreError> {
    let (room, mut meeting) = hosted_meeting(core, user, room_name, meeting_id).await?;
    // Another owner pressing at the same moment changes the extension under us: read it
    // again and try once more from there (a few times at most).
    let mut tries = 0;
    let total = loop {
        let before = HostControls::of(core, &meeting);
        let left = i64::from(before.extend_minutes_left());
        if minutes < 1 || minutes > left {
            return Err(minutes_error(&before, minutes));
        }
        let max = i32::try_from(before.max_extend_minutes).unwrap_or(i32::MAX);
        let step = i32::try_from(minutes).unwrap_or(i32::MAX);
        let event = extended_event(core, &room, &meeting, step);
        if let Some(total) = core
            .store
            .extend_meeting(meeting.id, meeting.extended_minutes, step, max, &[event])
            .await?
        {
            break total;
        }
        tries += 1;
        match core.store.meeting_by_id(meeting.id).await? {
            Some(m) if m.is_active && tries < 3 => meeting = m,
            Some(m) if m.is_active => {
                return Err(minutes_error(&HostControls::of(core, &m), minutes))
            }
            _ => return Err(CoreError::Gone(MEETING_ENDED_MESSAGE.into())),
        }
    };
    webhook_events::written(core);
    let extended = Meeting {
        extended_minutes: total,
        ..meeting
    };
    core.sync.feed_memo().forget_room(extended.room_id);
    room_events::meeting_changed(core, &extended).await;
    let after = HostControls::of(core, &extended);
    tracing::info!(meeting = %extended.id, by = %user.id, minutes, closes_at = %after.closes_at, "meeting kept open longer");
    Ok(after)
}
