//! Rooms and their unscheduled meetings: create a room, list mine, view a room, start and
//! open a meeting.

use crate::domain::{Meeting, Room, RoomName, User};
use crate::platform::CallRequest;
use crate::services::access::{self, Entered};
use crate::services::limits::too_many;
use crate::services::privacy::Audience;
use crate::services::room_lookup::find_room;
use crate::services::room_meetings::{self, ListQuery, ListedMeeting};
use crate::store::{NewRoom, StoreError};
use crate::Core;
use crate::CoreError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What the room page shows a visitor.
#[derive(Debug, Clone)]
pub struct RoomView {
    /// The room.
    pub room: Room,
    /// Who the visitor is to the room (owners see full details and settings).
    pub audience: Audience,
    /// The room's board for the visitor: its active meetings, the occurrences starting
    /// within the upcoming window and the rest of the sync window (for non-owners only
    /// up to the guest horizon), as [`room_meetings::list_meetings`] lists them.
    pub board: Vec<ListedMeeting>,
}

/// How long a request waits for another start in the same room (or room creation by the
/// same owner) to finish.
const SERIAL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Creates a room owned by `owner`, at most `--max-rooms-per-user` of them.
pub async fn create_room(core: &Core, owner: &User, name: &str) -> Result<Room, CoreError> {
    let name = RoomName::parse(name).map_err(|m| CoreError::field("name", m))?;
    // One room creation per owner at a time, so parallel requests cannot all pass the cap.
    let _serial = core
        .limits
        .serial
        .lock_within(
            core.store.as_ref(),
            owner.id,
            SERIAL_WAIT,
            "another room of yours is being created",
        )
        .await?;
    let max = core.limits.settings.max_rooms_per_user;
    if core.store.count_rooms_owned_by(owner.id).await? >= u64::from(max) {
        // Room names are a shared namespace: one account must not squat thousands.
        return Err(too_many(
            3600,
            format!(
                "you own {max} rooms, the most one account may have; delete or reuse one of them"
            ),
        ));
    }
    let new_room = NewRoom {
        id: Uuid::new_v4(),
        name: name.clone(),
        owner_id: owner.id,
        created_at: core.clock.now(),
    };
    match core.store.insert_room(&new_room).await {
        Ok(room) => Ok(room),
        Err(StoreError::Conflict(_)) => Err(CoreError::Taken {
            field: "name".into(),
            message: format!(
                "the room name \"{}\" is taken; pick another one",
                name.as_str()
            ),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The rooms `user` owns or co-owns, by name.
pub async fn my_rooms(core: &Core, user: &User) -> Result<Vec<Room>, CoreError> {
    let mut rooms = core.store.rooms_owned_by(user.id).await?;
    rooms.extend(core.store.rooms_co_owned_by(user.id).await?);
    rooms.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    Ok(rooms)
}

/// The room page as `viewer` (maybe nobody signed in) sees it.
pub async fn view_room(
    core: &Core,
    viewer: Option<&User>,
    name: &str,
) -> Result<RoomView, CoreError> {
    let room = find_room(core, name).await?;
    let board = room_meetings::list_meetings(core, viewer, name, board_query(core)).await?;
    Ok(RoomView {
        audience: Audience::of(viewer, &room),
        room,
        board,
    })
}

/// What a room's board lists: the active meetings, the upcoming window and the rest of
/// the sync window (the owner's "later"; held to the guest horizon for everyone else).
pub fn board_query(core: &Core) -> ListQuery {
    ListQuery {
        active: true,
        upcoming_within: core.settings.lifecycle.upcoming_window,
        later: true,
    }
}

/// An unscheduled meeting someone asked for.
#[derive(Debug, Clone)]
pub struct StartedMeeting {
    /// The meeting to join.
    pub meeting: Meeting,
    /// Whether it was created now (false: the one this user started earlier, still open).
    pub is_new: bool,
    /// Its call, as the access rule hands it to the starter.
    pub call: Entered,
}

/// Starts an unscheduled meeting in the room, open for the configured lifetime.
///
/// Any signed-in user may start one (people left in a room after a calendar meeting closed
/// need to carry on); anonymous visitors may not, so a public room URL cannot be used to
/// spawn calls by scripts. Someone whose earlier unscheduled meeting in this room is still
/// open gets that one back, and at most `--max-unscheduled-per-room` run at once: each is
/// a call held open for hours (and on Whereby, a paid API call).
pub async fn start_unscheduled_meeting(
    core: &Core,
    signed_in: &User,
    room_name: &str,
) -> Result<StartedMeeting, CoreError> {
    let room = find_room(core, room_name).await?;
    access::may_start(signed_in, &room)?;
    // One start per room at a time: parallel requests must see each other's meeting,
    // or thirty of them would make thirty calls.
    let _serial = core
        .limits
        .serial
        .lock_within(
            core.store.as_ref(),
            room.id,
            SERIAL_WAIT,
            "a meeting is being started in this room",
        )
        .await?;
    let now = core.clock.now();
    let running: Vec<Meeting> = core
        .store
        .active_meetings_in_room(room.id)
        .await?
        .into_iter()
        .filter(|m| m.calendar_event_id.is_none() && m.end_time > now)
        .collect();
    if let Some(mine) = running.iter().find(|m| m.started_by == Some(signed_in.id)) {
        return Ok(StartedMeeting {
            call: access::enter(core, Some(signed_in), None, &room, mine).await?,
            meeting: mine.clone(),
            is_new: false,
        });
    }
    // Across every room the caller does not own: one account cannot hold calls open in a
    // hundred strangers' rooms. One such start per account at a time.
    let _own = if Audience::of(Some(signed_in), &room).is_owner() {
        None
    } else {
        let guard = core
            .limits
            .serial
            .lock_within(
                core.store.as_ref(),
                signed_in.id,
                SERIAL_WAIT,
                "another meeting of yours is being started",
            )
            .await?;
        let max = core.limits.settings.max_guest_unscheduled_per_user;
        if core
            .store
            .count_guest_unscheduled(signed_in.id, now)
            .await?
            >= u64::from(max)
        {
            return Err(too_many(
                60,
                format!(
                    "you run {max} unscheduled meetings in other people's rooms already, the most allowed; end one or join a running meeting instead"
                ),
            ));
        }
        Some(guard)
    };
    start_new_unscheduled(core, &room, signed_in, running.len(), now).await
}

/// Creates the call and the meeting once the caps allowed it.
async fn start_new_unscheduled(
    core: &Core,
    room: &Room,
    signed_in: &User,
    running: usize,
    now: DateTime<Utc>,
) -> Result<StartedMeeting, CoreError> {
    let max = core.limits.settings.max_unscheduled_per_room;
    if running >= max as usize {
        return Err(too_many(
            60,
            format!(
                "{max} unscheduled meetings are running in this room already, the most allowed; join one of them or try again when one ends"
            ),
        ));
    }
    let end = crate::lifecycle::unscheduled_meeting_end(&core.settings.lifecycle, now);
    let call = core
        .platform
        .create_call(&CallRequest {
            room_name: room.name.to_string(),
            start: now,
            end,
        })
        .await
        .map_err(|e| CoreError::Platform(e.to_string()))?;
    let meeting = Meeting {
        started_by: Some(signed_in.id),
        ..Meeting::open(room.id, None, (now, end), core.platform.name(), call, now)
    };
    let created = crate::services::webhook_events::meeting_event(
        core,
        room,
        &meeting,
        crate::webhooks::WebhookEventType::MeetingCreated,
        now,
        &crate::webhooks::payload::MeetingExtras::default(),
    );
    core.store.insert_meeting(&meeting, &[created]).await?;
    crate::services::webhook_events::written(core);
    core.sync.feed_memo().forget_room(room.id);
    crate::services::room_events::meeting_started(core, &meeting).await;
    Ok(StartedMeeting {
        call: access::enter(core, Some(signed_in), None, room, &meeting).await?,
        meeting,
        is_new: true,
    })
}

/// The meeting `meeting_id` of room `room_name`, for its page, as `viewer` holding knock
/// token `knock_token` (if any): with its call when the room's access rule lets the
/// viewer in, else the rule's `NoEntry`. A closed meeting is `Gone`.
pub async fn open_meeting(
    core: &Core,
    viewer: Option<&User>,
    knock_token: Option<&str>,
    room_name: &str,
    meeting_id: Uuid,
) -> Result<(Room, Meeting, Entered), CoreError> {
    let room = find_room(core, room_name).await?;
    let meeting = core
        .store
        .meeting_by_id(meeting_id)
        .await?
        .filter(|m| m.room_id == room.id)
        .ok_or_else(|| CoreError::NotFound("there is no such meeting in this room".into()))?;
    // The lifecycle's join rule: a calendar meeting stays joinable through its overrun,
    // until its close is due, exactly as the room lists it.
    let answer = crate::lifecycle::join_decision(
        crate::lifecycle::JoinTarget::Meeting(&crate::lifecycle::MeetingState::from(&meeting)),
        &core.settings.lifecycle,
        core.clock.now(),
    );
    if !matches!(answer, crate::lifecycle::JoinAnswer::Join { .. }) {
        return Err(CoreError::Gone(
            crate::lifecycle::MEETING_ENDED_MESSAGE.into(),
        ));
    }
    // Join only on time: a meeting pre-created for a start still ahead shows no call yet.
    if meeting.start_time > core.clock.now() {
        return Err(CoreError::Forbidden(format!(
            "This meeting opens at {} UTC; its waiting page moves you in on time.",
            meeting.start_time.format("%H:%M")
        )));
    }
    let call = access::enter(core, viewer, knock_token, &room, &meeting).await?;
    Ok((room, meeting, call))
}
