//! Presence announcements from meeting pages (and Whereby's webhooks): who is in a call.
//! Joining itself is [`crate::services::joining::join`]; what each viewer sees is
//! [`crate::services::privacy`].

use crate::domain::{Meeting, PresenceRecord, User};
use crate::services::limits::{too_many, wait_text, ClientAddr};
use crate::services::participants::present_participants;
use crate::services::webhook_events;
use crate::Core;
use crate::CoreError;
use uuid::Uuid;

/// What a page announces about one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceEvent {
    /// The page opened the call.
    Join,
    /// The page is still open.
    Heartbeat,
    /// The page closed or left.
    Leave,
}

impl PresenceEvent {
    /// Parses `join`, `heartbeat` or `leave`.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        match text {
            "join" => Ok(Self::Join),
            "heartbeat" => Ok(Self::Heartbeat),
            "leave" => Ok(Self::Leave),
            _ => Err(CoreError::field("event", "use join, heartbeat or leave")),
        }
    }
}

/// Records a presence announcement for an active meeting, and gives the meeting back.
///
/// A participant id the meeting has not seen is a new person: it is refused with a 429
/// when the meeting is full (`--max-participants-per-meeting`) or when this client
/// address has announced `--presence-ids-per-minute` new ids in this meeting within the
/// minute, so one script cannot inflate the head count or keep a meeting open with
/// made-up people. A `leave` for an unknown id records nothing. Joins and heartbeats are
/// taken only while the meeting can be joined (on time, not after its close is due), and
/// only from whoever the room's access rule lets in ([`crate::services::access`]).
pub async fn announce_presence(
    core: &Core,
    viewer: Option<&User>,
    knock_token: Option<&str>,
    meeting_id: Uuid,
    participant_id: &str,
    event: PresenceEvent,
    client: ClientAddr,
) -> Result<Meeting, CoreError> {
    let valid_id = (8..=64).contains(&participant_id.len())
        && participant_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid_id {
        return Err(CoreError::field(
            "participant_id",
            "use 8 to 64 letters, digits or dashes",
        ));
    }
    let meeting = core
        .store
        .meeting_by_id(meeting_id)
        .await?
        .ok_or_else(|| CoreError::NotFound("there is no such meeting".into()))?;
    if !meeting.is_active {
        return Err(CoreError::Gone(
            crate::lifecycle::MEETING_ENDED_MESSAGE.into(),
        ));
    }
    let now = core.clock.now();
    if event != PresenceEvent::Leave {
        // Join only on time, as everywhere: a pre-created meeting whose start is ahead, or
        // one whose close is due, takes no one in (and tells no one who is there).
        let answer = crate::lifecycle::join_decision(
            crate::lifecycle::JoinTarget::Meeting(&crate::lifecycle::MeetingState::from(&meeting)),
            &core.settings.lifecycle,
            now,
        );
        if !matches!(answer, crate::lifecycle::JoinAnswer::Join { .. }) {
            return Err(CoreError::Gone(
                crate::lifecycle::MEETING_ENDED_MESSAGE.into(),
            ));
        }
        if meeting.start_time > now {
            return Err(CoreError::Forbidden(format!(
                "this meeting opens at {} UTC; the waiting page moves you in on time",
                meeting.start_time.format("%H:%M")
            )));
        }
        // Only who may enter the call counts as in it: a guest still knocking (or kept
        // out of a members room) announces nothing and learns nothing of who is there.
        let room = core
            .store
            .room_by_id(meeting.room_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("there is no such meeting".into()))?;
        crate::services::access::entry(core, viewer, knock_token, &room, &meeting)
            .await?
            .into_result()?;
    }
    let known =
        |records: &[PresenceRecord]| records.iter().any(|r| r.participant_id == participant_id);
    let records = core.store.presence_of_meeting(meeting_id).await?;
    // Heartbeats of people already in go straight through; a newcomer is decided one at
    // a time per meeting, so the head count read below still holds when the row is
    // written.
    let _serial = if known(&records) {
        None
    } else {
        if event == PresenceEvent::Leave {
            return Ok(meeting);
        }
        let guard = core
            .limits
            .serial
            .lock_within(
                core.store.as_ref(),
                meeting_id,
                std::time::Duration::from_secs(5),
                "many people are joining this meeting",
            )
            .await?;
        let records = core.store.presence_of_meeting(meeting_id).await?;
        if !known(&records) {
            admit_new_participant(core, meeting_id, &records, client, now).await?;
        }
        Some(guard)
    };
    let record = PresenceRecord {
        meeting_id,
        participant_id: participant_id.to_string(),
        display_name: viewer
            .map(|u| u.display_name.to_string())
            .unwrap_or_else(|| "Guest".into()),
        user_id: viewer.map(|u| u.id),
        last_seen_at: now,
        left_at: (event == PresenceEvent::Leave).then_some(now),
    };
    let outbox = if event == PresenceEvent::Heartbeat {
        Vec::new()
    } else {
        let before = core.store.presence_of_meeting(meeting_id).await?;
        webhook_events::participant_events(core, &meeting, &before, &record, now).await?
    };
    core.store.record_presence(&record, now, &outbox).await?;
    if !outbox.is_empty() {
        webhook_events::written(core);
    }
    crate::services::room_events::presence_changed(
        core,
        &meeting,
        event == PresenceEvent::Heartbeat,
    )
    .await;
    Ok(meeting)
}

/// Whether a participant id the meeting has not seen may join it now.
async fn admit_new_participant(
    core: &Core,
    meeting_id: Uuid,
    records: &[PresenceRecord],
    client: ClientAddr,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), CoreError> {
    let limits = &core.limits;
    let max = limits.settings.max_participants_per_meeting;
    let present = present_participants(records, &core.settings.lifecycle, now).len();
    if present >= max as usize {
        return Err(too_many(
            30,
            format!("this meeting is full ({max} people are in it); try again when someone leaves"),
        ));
    }
    // Per client address, signed in or not: accounts are free to make, addresses are not.
    let _counted = limits
        .presence_ids
        .take(core.store.as_ref(), &format!("{meeting_id}/{}", client.key()), now)
        .await
        .map_err(|refused| {
            refused.into_error(|wait| {
                format!(
                    "too many new participants from your address joined this meeting in the last minute; try again in {}",
                    wait_text(wait)
                )
            })
        })?;
    Ok(())
}

/// Applies a verified Whereby webhook: `room.client.joined` / `room.client.left` become
/// presence of participant `whereby-<id>` in the meeting with that Whereby meeting id.
/// Other events and unknown meetings are ignored (Whereby also reports rooms made by hand).
pub async fn whereby_webhook(
    core: &Core,
    event: &crate::platform::WebhookEvent,
) -> Result<(), CoreError> {
    let kind = match event.kind.as_str() {
        "room.client.joined" => PresenceEvent::Join,
        "room.client.left" => PresenceEvent::Leave,
        _ => return Ok(()),
    };
    let (Some(meeting_id), Some(participant)) =
        (&event.data.meeting_id, &event.data.participant_id)
    else {
        return Ok(());
    };
    let Some(meeting) = core.store.meeting_by_platform_id(meeting_id).await? else {
        return Ok(());
    };
    if !meeting.is_active {
        return Ok(());
    }
    let now = core.clock.now();
    let participant_id: String = format!("whereby-{participant}")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    let record = PresenceRecord {
        meeting_id: meeting.id,
        participant_id,
        display_name: event
            .data
            .display_name
            .clone()
            .unwrap_or_else(|| "Guest".into()),
        user_id: None,
        last_seen_at: now,
        left_at: (kind == PresenceEvent::Leave).then_some(now),
    };
    let before = core.store.presence_of_meeting(meeting.id).await?;
    let outbox = webhook_events::participant_events(core, &meeting, &before, &record, now).await?;
    core.store.record_presence(&record, now, &outbox).await?;
    if !outbox.is_empty() {
        webhook_events::written(core);
    }
    crate::services::room_events::presence_changed(core, &meeting, false).await;
    Ok(())
}
