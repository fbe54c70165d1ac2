//! The JSON bodies of webhook events: [`Envelope`] `{"type", "timestamp", "data"}`, where
//! `data` names the room (id, name, page) and the meeting (id, page, kind, times, title as
//! the receiver may see it) or the calendar's state. Written once when the event happens,
//! so every retry sends the same bytes. The OpenAPI document's `webhooks` section is
//! generated from these types.

use super::{WebhookEvent, WebhookEventType};
use crate::domain::Meeting;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;

/// The room an event is about, as its receivers see it.
#[derive(Debug, Clone, Copy)]
pub struct RoomRef<'a> {
    /// The room's id.
    pub id: Uuid,
    /// The room's name (`standup`).
    pub name: &'a str,
    /// The room page's public URL.
    pub url: &'a str,
}

/// Every webhook body.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Envelope {
    /// The event type (`meeting.created`, …); the same as the endpoint subscribed to.
    #[serde(rename = "type")]
    pub kind: WebhookEventType,
    /// When it happened (RFC 3339, UTC).
    pub timestamp: String,
    /// What it is about.
    pub data: EventData,
}

/// The `data` of a webhook body: the room, and what the event type is about.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventData {
    /// The room.
    pub room: RoomData,
    /// The meeting (meeting and participant events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting: Option<MeetingData>,
    /// How many people are in the meeting now (participant events, `meeting.started`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<u32>,
    /// Who joined or left: only for endpoints marked as the owner's own system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<ParticipantData>,
    /// By how many minutes a host kept the meeting open longer (`meeting.extended`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_by_minutes: Option<u32>,
    /// When the meeting closes at the latest now (`meeting.extended`; RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
    /// The calendar's state (`calendar.*` events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarData>,
}

/// A room in a webhook body.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomData {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its page.
    pub url: String,
}

/// A meeting in a webhook body.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingData {
    /// Its id.
    pub id: String,
    /// Its page.
    pub url: String,
    /// `calendar` or `unscheduled`.
    pub kind: &'static str,
    /// Its title as non-owners see it (owners' own systems: as the owner sees it).
    pub title: Option<String>,
    /// Its start (RFC 3339, UTC).
    pub starts_at: String,
    /// Its scheduled end (RFC 3339, UTC).
    pub ends_at: String,
    /// When it closed (`meeting.ended`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// Why it closed (`ended_by_host`, `grace_period_over`, `calendar_overrun`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_reason: Option<&'static str>,
}

/// Who joined or left, in the owner's own system's body.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParticipantData {
    /// The name they gave.
    pub name: String,
}

/// A calendar's state in a webhook body.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarData {
    /// The last sync's status: `failed`, `ok` or `unchanged`.
    pub status: String,
    /// Why it failed, in words, and what to do.
    pub message: Option<String>,
}

impl RoomRef<'_> {
    fn data(&self) -> RoomData {
        RoomData {
            id: self.id.to_string(),
            name: self.name.to_string(),
            url: self.url.to_string(),
        }
    }

    /// `data` about this room alone.
    pub fn only(&self) -> EventData {
        EventData {
            room: self.data(),
            meeting: None,
            participants: None,
            participant: None,
            extended_by_minutes: None,
            closes_at: None,
            calendar: None,
        }
    }
}

/// The body of a `kind` event at `at` with `data`.
pub fn envelope(kind: WebhookEventType, at: DateTime<Utc>, data: EventData) -> String {
    let envelope = Envelope {
        kind,
        timestamp: rfc3339(at),
        data,
    };
    // Plain structs of strings and numbers: serializing them cannot fail.
    serde_json::to_string(&envelope).unwrap_or_default()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What a meeting event says of the meeting, with `title` as the receiver may see it.
fn meeting_data(room: &RoomRef<'_>, meeting: &Meeting, title: Option<&str>) -> MeetingData {
    MeetingData {
        id: meeting.id.to_string(),
        url: format!("{}/{}", room.url, meeting.id),
        kind: if meeting.calendar_event_id.is_some() {
            "calendar"
        } else {
            "unscheduled"
        },
        title: title.map(str::to_string),
        starts_at: rfc3339(meeting.start_time),
        ends_at: rfc3339(meeting.end_time),
        closed_at: meeting.closed_at.map(rfc3339),
        close_reason: meeting
            .closed_at
            .and(meeting.close_reason)
            .map(|r| r.as_str()),
    }
}

/// Extra fields of a meeting event's `data` (the head count, who joined, the extension).
#[derive(Debug, Clone, Default)]
pub struct MeetingExtras<'a> {
    /// How many people are in the meeting now (participant events).
    pub participants: Option<u32>,
    /// Who joined or left: only in the owner's body.
    pub participant_name: Option<&'a str>,
    /// By how many minutes a host kept the meeting open longer (`meeting.extended`).
    pub extended_by_minutes: Option<u32>,
    /// When the meeting will close at the latest now (`meeting.extended`).
    pub closes_at: Option<DateTime<Utc>>,
}

/// The event `kind` about `meeting` at `at`. `public_title` is what non-owners see;
/// `owner_title` what the owner sees (the body for the owner's own systems carries it,
/// and the participant's name).
pub fn meeting_event(
    kind: WebhookEventType,
    at: DateTime<Utc>,
    room: &RoomRef<'_>,
    meeting: &Meeting,
    public_title: Option<&str>,
    owner_title: Option<&str>,
    extras: &MeetingExtras<'_>,
) -> WebhookEvent {
    let body = |title: Option<&str>, name: Option<&str>| {
        let data = EventData {
            meeting: Some(meeting_data(room, meeting, title)),
            participants: extras.participants,
            participant: name.map(|n| ParticipantData {
                name: n.to_string(),
            }),
            extended_by_minutes: extras.extended_by_minutes,
            closes_at: extras.closes_at.map(rfc3339),
            ..room.only()
        };
        envelope(kind, at, data)
    };
    let public = body(public_title, None);
    let owner = body(owner_title, extras.participant_name);
    WebhookEvent {
        room_id: room.id,
        meeting_id: Some(meeting.id),
        kind,
        at,
        owner_body: (owner != public).then_some(owner),
        body: public,
    }
}

/// `calendar.sync_failed` / `calendar.sync_recovered` of `room` at `at`, with the sync's
/// status and the message the owner sees on the settings page.
pub fn calendar_event(
    kind: WebhookEventType,
    at: DateTime<Utc>,
    room: &RoomRef<'_>,
    status: &str,
    message: Option<&str>,
) -> WebhookEvent {
    let data = EventData {
        calendar: Some(CalendarData {
            status: status.to_string(),
            message: message.map(str::to_string),
        }),
        ..room.only()
    };
    WebhookEvent {
        room_id: room.id,
        meeting_id: None,
        kind,
        at,
        body: envelope(kind, at, data),
        owner_body: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CallRoom;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    fn meeting(room_id: Uuid) -> Meeting {
        let call = CallRoom {
            participant_url: "https://call/x".into(),
            host_url: None,
            platform_meeting_id: None,
        };
        Meeting::open(
            room_id,
            Some(Uuid::new_v4()),
            (at(), at() + chrono::Duration::minutes(30)),
            "jitsi",
            call,
            at(),
        )
    }

    #[test]
    fn a_participant_event_names_the_person_only_in_the_owners_body() {
        let room_id = Uuid::new_v4();
        let room = RoomRef {
            id: room_id,
            name: "standup",
            url: "https://rc/room/standup",
        };
        let extras = MeetingExtras {
            participants: Some(3),
            participant_name: Some("Ada Lovelace"),
            ..MeetingExtras::default()
        };
        let event = meeting_event(
            WebhookEventType::ParticipantJoined,
            at(),
            &room,
            &meeting(room_id),
            Some("Private meeting"),
            Some("Board: layoffs"),
            &extras,
        );
        assert!(!event.body.contains("Ada"), "{}", event.body);
        assert!(!event.body.contains("layoffs"), "{}", event.body);
        let owner = event.owner_body.as_deref().unwrap();
        assert!(owner.contains("Ada Lovelace") && owner.contains("Board: layoffs"));
        let parsed: serde_json::Value = serde_json::from_str(&event.body).unwrap();
        assert_eq!(parsed["type"], "participant.joined");
        assert_eq!(parsed["timestamp"], "2026-12-07T10:00:00Z");
        assert_eq!(parsed["data"]["participants"], 3);
        assert_eq!(parsed["data"]["room"]["name"], "standup");
        assert_eq!(parsed["data"]["meeting"]["kind"], "calendar");
        assert_eq!(parsed["data"]["meeting"]["ends_at"], "2026-12-07T10:30:00Z");
        assert_eq!(event.body_for(false), event.body);
        assert_eq!(event.body_for(true), owner);
    }

    #[test]
    fn a_calendar_event_carries_the_sync_status_and_message() {
        let room = RoomRef {
            id: Uuid::new_v4(),
            name: "ops",
            url: "https://rc/room/ops",
        };
        let event = calendar_event(
            WebhookEventType::CalendarSyncFailed,
            at(),
            &room,
            "error",
            Some("the calendar server answered 404"),
        );
        let parsed: serde_json::Value = serde_json::from_str(&event.body).unwrap();
        assert_eq!(parsed["data"]["calendar"]["status"], "error");
        assert_eq!(event.meeting_id, None);
    }
}
