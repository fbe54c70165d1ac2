//! Announcing changes to live pages: one call per place a room changes, each publishing on
//! [`crate::events::RoomEvents`] (see there for what an event may carry: ids and counts,
//! never names or titles). Publishing never fails the use case that calls it.

use crate::domain::Meeting;
use crate::events::{RoomEvent, RoomEventKind};
use crate::services::participants::present_participants;
use crate::Core;

/// An unscheduled meeting opened and can be joined now.
pub async fn meeting_started(core: &Core, meeting: &Meeting) {
    let event = RoomEvent::of_meeting(RoomEventKind::MeetingStarted, meeting);
    core.events.publish(event).await;
}

/// A calendar meeting was created ahead of its start.
pub async fn meeting_created(core: &Core, meeting: &Meeting) {
    let event = RoomEvent::of_meeting(RoomEventKind::MeetingCreated, meeting);
    core.events.publish(event).await;
}

/// A meeting's times followed its calendar event.
pub async fn meeting_changed(core: &Core, meeting: &Meeting) {
    let event = RoomEvent::of_meeting(RoomEventKind::MeetingChanged, meeting);
    core.events.publish(event).await;
}

/// A meeting closed.
pub async fn meeting_ended(core: &Core, meeting: &Meeting) {
    let event = RoomEvent::of_meeting(RoomEventKind::MeetingEnded, meeting);
    core.events.publish(event).await;
}

/// The head count of `meeting` is now `participants` (as the lifecycle counted it).
pub async fn participants(core: &Core, meeting: &Meeting, participants: i32) {
    let count = u32::try_from(participants).unwrap_or(0);
    core.events
        .publish(RoomEvent::participants(meeting, count))
        .await;
}

/// Someone joined or left `meeting` (a `heartbeat` changes nothing and announces nothing):
/// announces the head count read back from the store.
pub async fn presence_changed(core: &Core, meeting: &Meeting, heartbeat: bool) {
    if heartbeat {
        return;
    }
    let records = match core.store.presence_of_meeting(meeting.id).await {
        Ok(records) => records,
        Err(err) => {
            tracing::warn!(meeting = %meeting.id, error = %err, "could not count the people present to announce it");
            return;
        }
    };
    let now = core.clock.now();
    let count = present_participants(&records, &core.settings.lifecycle, now).len();
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    core.events
        .publish(RoomEvent::participants(meeting, count))
        .await;
}

/// A knock on `meeting` came, or was admitted or declined.
pub async fn knock_changed(core: &Core, meeting: &Meeting) {
    let event = RoomEvent::of_meeting(RoomEventKind::KnockChanged, meeting);
    core.events.publish(event).await;
}
