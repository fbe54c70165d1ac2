//! The records the store keeps: one struct per row kind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ClosedBecause, DisplayName, Email, EmailDomains, RoomAccess, RoomName};
use crate::lifecycle::PrivacyClass;
use crate::secret::Secret;

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    /// Stable identifier.
    pub id: Uuid,
    /// Lower-cased email, unique.
    pub email: Email,
    /// Name shown to others.
    pub display_name: DisplayName,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}

/// A user together with the password hash, only for signing in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserCredentials {
    /// Stable identifier.
    pub id: Uuid,
    /// Argon2 PHC string.
    pub password_hash: Secret,
}

/// A room: a stable address that meetings happen in.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Room {
    /// Stable identifier (used by `PATCH /v1/rooms/{room_id}`).
    pub id: Uuid,
    /// The slug in `/room/<name>`.
    pub name: RoomName,
    /// The user who made the room and controls its settings.
    pub owner_id: Uuid,
    /// When the room was made.
    pub created_at: DateTime<Utc>,
    /// Whether the calendar feed is synced.
    pub ics_enabled: bool,
    /// How often the feed is fetched, in minutes.
    pub ics_fetch_interval_minutes: i32,
    /// When the feed was last synced.
    pub ics_last_sync: Option<DateTime<Utc>>,
    /// Who may enter the room's calls.
    pub access: RoomAccess,
    /// For [`RoomAccess::Members`]: the email domains admitted (`None`: any).
    pub access_email_domains: Option<EmailDomains>,
    /// The room's co-owners (from `room_co_owners`, oldest first): they see what the owner
    /// sees and change settings; only the owner deletes the room or changes this list.
    #[sqlx(skip)]
    pub co_owners: Vec<Uuid>,
}

/// One stored occurrence of a calendar event in a room (a row of `calendar_events`).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CalendarEvent {
    /// Stable identifier (meetings link to it).
    pub id: Uuid,
    /// The room whose feed it came from.
    pub room_id: Uuid,
    /// The event's UID in the feed.
    pub ics_uid: String,
    /// The instance's original start; `None` for a single event.
    pub recurrence_id: Option<DateTime<Utc>>,
    /// SUMMARY.
    pub title: Option<String>,
    /// DESCRIPTION.
    pub description: Option<String>,
    /// Start of this occurrence.
    pub start_time: DateTime<Utc>,
    /// End of this occurrence.
    pub end_time: DateTime<Utc>,
    /// Whether it is an all-day event (stored, never made a meeting).
    pub all_day: bool,
    /// Attendees with RSVP state (JSON array).
    pub attendees: sqlx::types::Json<serde_json::Value>,
    /// The organizer (JSON object), if given.
    pub organizer: Option<sqlx::types::Json<serde_json::Value>>,
    /// LOCATION.
    pub location: Option<String>,
    /// STATUS (CONFIRMED, TENTATIVE, CANCELLED).
    pub status: Option<String>,
    /// SEQUENCE.
    pub sequence: Option<i64>,
    /// LAST-MODIFIED.
    pub last_modified: Option<DateTime<Utc>>,
    /// CLASS (PUBLIC, PRIVATE or CONFIDENTIAL; unknown values read as PRIVATE), if given.
    pub privacy_class: Option<PrivacyClass>,
    /// When a sync last saw it in the feed.
    pub last_synced: DateTime<Utc>,
    /// Soft-deleted: gone from the feed (rows are never hard-deleted).
    pub is_deleted: bool,
    /// The raw VEVENT text.
    pub ics_raw_data: String,
    /// Video-call links found in the event (JSON array of strings).
    pub conference_links: sqlx::types::Json<serde_json::Value>,
}

impl CalendarEvent {
    /// Whether the calendar marks this occurrence cancelled (STATUS:CANCELLED).
    pub fn is_cancelled(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
    }
}

/// One presence record of a meeting page (join, heartbeats, leave).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PresenceRecord {
    /// The meeting.
    pub meeting_id: Uuid,
    /// Random id of one open meeting page.
    pub participant_id: String,
    /// Name shown to others.
    pub display_name: String,
    /// The signed-in user, if any (guests have none).
    pub user_id: Option<Uuid>,
    /// Last heartbeat (or join).
    pub last_seen_at: DateTime<Utc>,
    /// When the page said it left, if it did since its last heartbeat.
    pub left_at: Option<DateTime<Utc>>,
}

/// A room's calendar settings and sync state (the `ics_*` columns of `rooms`).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RoomCalendar {
    /// The room.
    pub id: Uuid,
    /// Fernet token of the feed URL; `None` when no calendar is attached.
    pub ics_url: Option<Secret>,
    /// Whether the feed is synced.
    pub ics_enabled: bool,
    /// Minutes between syncs (1, 5, 10, 30 or 60).
    pub ics_fetch_interval_minutes: i32,
    /// When a sync last succeeded.
    pub ics_last_sync: Option<DateTime<Utc>>,
    /// When a sync was last attempted (success or not).
    pub ics_last_attempt: Option<DateTime<Utc>>,
    /// When the scheduler syncs next; `None` = as soon as possible.
    pub ics_next_sync_at: Option<DateTime<Utc>>,
    /// `ETag` from the last successful fetch.
    pub ics_etag: Option<String>,
    /// `Last-Modified` from the last successful fetch.
    pub ics_last_modified: Option<String>,
    /// SHA-256 of the last fetched body.
    pub ics_content_hash: Option<String>,
    /// The last attempt's outcome (JSON), success or failure.
    pub ics_last_outcome: Option<sqlx::types::Json<serde_json::Value>>,
    /// Seconds added to the interval for this room, so rooms spread out.
    pub ics_jitter_seconds: i32,
}

impl RoomCalendar {
    /// Forgets everything learned from the old feed (after the URL changes).
    pub fn reset_sync_state(&mut self) {
        self.ics_etag = None;
        self.ics_last_modified = None;
        self.ics_content_hash = None;
        self.ics_last_outcome = None;
        self.ics_next_sync_at = None;
    }
}

/// Where a meeting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// Started by hand from the room page or the API.
    Unscheduled,
    /// Created from a calendar occurrence.
    Calendar,
}

/// A call in a room: one video-platform room with a start and an end.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Meeting {
    /// Stable identifier, part of `/room/<name>/<meeting-id>`.
    pub id: Uuid,
    /// The room it happens in.
    pub room_id: Uuid,
    /// The calendar occurrence it was made for; `None` for unscheduled meetings.
    pub calendar_event_id: Option<Uuid>,
    /// Title, attendees and other calendar details (JSON), if any.
    pub calendar_metadata: Option<sqlx::types::Json<serde_json::Value>>,
    /// Scheduled (or actual, for unscheduled) start.
    pub start_time: DateTime<Utc>,
    /// When it is due to close at the latest.
    pub end_time: DateTime<Utc>,
    /// Whether people can still join.
    pub is_active: bool,
    /// Which video platform hosts the call (e.g. `jitsi`).
    pub platform: String,
    /// The URL participants open.
    pub participant_url: String,
    /// The URL the host opens (may equal the participant URL).
    pub host_url: Option<String>,
    /// The platform's own identifier for the call.
    pub platform_meeting_id: Option<String>,
    /// When the last participant left, if everybody has.
    pub last_participant_left_at: Option<DateTime<Utc>>,
    /// When the row was made.
    pub created_at: DateTime<Utc>,
    /// Whether anyone has ever been present.
    pub ever_had_participants: bool,
    /// Participants present at the last lifecycle tick.
    pub participants_now: i32,
    /// When it closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it closed (`grace_period_over`, `calendar_overrun`, …).
    pub close_reason: Option<ClosedBecause>,
    /// Who started it, for unscheduled meetings (they get it back instead of a new one).
    pub started_by: Option<Uuid>,
    /// How many minutes longer its hosts kept it open ("Keep open 30 minutes longer"):
    /// the force-close time moves by this much (see [`crate::lifecycle::close`]).
    pub extended_minutes: i32,
}

impl Meeting {
    /// A new, active meeting on the call room `call`, made at `now`.
    pub fn open(
        room_id: Uuid,
        calendar_event_id: Option<Uuid>,
        (start_time, end_time): (DateTime<Utc>, DateTime<Utc>),
        platform: &str,
        call: CallRoom,
        now: DateTime<Utc>,
    ) -> Self {
        Meeting {
            id: Uuid::new_v4(),
            room_id,
            calendar_event_id,
            calendar_metadata: None,
            start_time,
            end_time,
            is_active: true,
            platform: platform.to_string(),
            participant_url: call.participant_url,
            host_url: call.host_url,
            platform_meeting_id: call.platform_meeting_id,
            last_participant_left_at: None,
            created_at: now,
            ever_had_participants: false,
            participants_now: 0,
            closed_at: None,
            close_reason: None,
            started_by: None,
            extended_minutes: 0,
        }
    }

    /// Whether this meeting came from a calendar.
    pub fn kind(&self) -> MeetingKind {
        if self.calendar_event_id.is_some() {
            MeetingKind::Calendar
        } else {
            MeetingKind::Unscheduled
        }
    }
}

/// A call room created on a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRoom {
    /// The URL participants open.
    pub participant_url: String,
    /// The URL the host opens, when the platform has a separate one.
    pub host_url: Option<String>,
    /// The platform's identifier, for ending the call later.
    pub platform_meeting_id: Option<String>,
}

impl From<&Meeting> for CallRoom {
    /// The call a stored meeting holds (to end it).
    fn from(meeting: &Meeting) -> Self {
        CallRoom {
            participant_url: meeting.participant_url.clone(),
            host_url: meeting.host_url.clone(),
            platform_meeting_id: meeting.platform_meeting_id.clone(),
        }
    }
}
