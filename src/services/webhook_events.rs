//! The webhook events of the use cases: one builder per kind of change, each applying
//! [`crate::services::privacy`] to what the receivers get (titles as non-owners see them;
//! the owner's own systems get what the owner sees, and participants' names). The store
//! writes them with the change ([`crate::store::Outbox`]); [`written`] wakes the worker.

use crate::domain::{Meeting, Room};
use crate::services::privacy::{visible_details, Audience};
use crate::webhooks::payload::{self, MeetingExtras, RoomRef};
use crate::webhooks::{WebhookEvent, WebhookEventType};
use crate::Core;
use chrono::{DateTime, Utc};

/// The title `audience` sees of `meeting`, if it has one.
fn title_for(meeting: &Meeting, audience: Audience) -> Option<String> {
    let metadata = meeting.calendar_metadata.as_ref()?;
    visible_details(&metadata.0, audience)
        .get("title")
        .and_then(|t| t.as_str())
        .map(str::to_string)
}

/// Event `kind` about `meeting` of `room` at `at`.
pub fn meeting_event(
    core: &Core,
    room: &Room,
    meeting: &Meeting,
    kind: WebhookEventType,
    at: DateTime<Utc>,
    extras: &MeetingExtras<'_>,
) -> WebhookEvent {
    let url = core.room_url(room.name.as_str());
    let room_ref = RoomRef {
        id: room.id,
        name: room.name.as_str(),
        url: &url,
    };
    payload::meeting_event(
        kind,
        at,
        &room_ref,
        meeting,
        title_for(meeting, Audience::Guest).as_deref(),
        title_for(meeting, Audience::Owner).as_deref(),
        extras,
    )
}

/// `meeting.ended` of `meeting`, closed at `at` for `reason`.
pub fn meeting_ended(
    core: &Core,
    room: &Room,
    meeting: &Meeting,
    at: DateTime<Utc>,
    reason: crate::domain::ClosedBecause,
) -> WebhookEvent {
    let closed = Meeting {
        is_active: false,
        closed_at: Some(at),
        close_reason: Some(reason),
        ..meeting.clone()
    };
    meeting_event(
        core,
        room,
        &closed,
        WebhookEventType::MeetingEnded,
        at,
        &MeetingExtras::default(),
    )
}

/// A change wrote deliveries: wake this instance's delivery worker (the others poll).
pub fn written(core: &Core) {
    core.webhooks.wake();
}

/// `participant.joined` or `participant.left` when `record` (about to be written) takes
/// someone into or out of `meeting`, whose records were `before`; none for a heartbeat
/// or a repeated announcement. The count is the head count once `record` is written.
pub async fn participant_events(
    core: &Core,
    meeting: &Meeting,
    before: &[crate::domain::PresenceRecord],
    record: &crate::domain::PresenceRecord,
    now: DateTime<Utc>,
) -> Result<Vec<WebhookEvent>, crate::CoreError> {
    let prior = before
        .iter()
        .find(|r| r.participant_id == record.participant_id);
    let was_in = prior.is_some_and(|p| p.left_at.is_none());
    let kind = match (was_in, record.left_at.is_none()) {
        (false, true) => WebhookEventType::ParticipantJoined,
        (true, false) => WebhookEventType::ParticipantLeft,
        _ => return Ok(Vec::new()),
    };
    let Some(room) = core.store.room_by_id(meeting.room_id).await? else {
        return Ok(Vec::new());
    };
    let mut after: Vec<crate::domain::PresenceRecord> = before
        .iter()
        .filter(|r| r.participant_id != record.participant_id)
        .cloned()
        .collect();
    after.push(record.clone());
    let count =
        crate::services::participants::present_participants(&after, &core.settings.lifecycle, now)
            .len();
    let extras = MeetingExtras {
        participants: Some(u32::try_from(count).unwrap_or(u32::MAX)),
        participant_name: Some(&record.display_name),
        ..MeetingExtras::default()
    };
    Ok(vec![meeting_event(
        core, &room, meeting, kind, now, &extras,
    )])
}
