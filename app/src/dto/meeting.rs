//! A room's meetings on the wire, one shape for everyone: [`MeetingItem`] is what anyone
//! allowed in the room sees (title as the event's privacy class allows, times, head
//! count, how to join), and its `owner` part, [`OwnerView`], is there for the room's
//! owner only. The server decides which ([`roomcal::services::privacy`]); the `/v1` API,
//! the room board and the meeting page all use these types.

use super::people::{AttendanceDto, EventDetails};
use serde::{Deserialize, Serialize};

/// Which list an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// An open meeting.
    Active,
    /// An occurrence starting within the upcoming window, with no meeting yet.
    Upcoming,
    /// The rest of the sync window (owners only).
    Later,
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Open and started.
    Running,
    /// Open for a start moments ahead.
    Opening,
    /// No meeting yet.
    Scheduled,
}

/// What the viewer should do with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JoinAction {
    /// Open the meeting page now.
    JoinNow,
    /// Open the waiting page; it moves on at `starts_at`.
    WaitUntil,
}

/// What the viewer can do with an item now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JoinHintDto {
    /// `join_now` or `wait_until`.
    pub action: JoinAction,
    /// The page to open: the meeting page, or the waiting page.
    pub page_path: String,
    /// For `wait_until`: the start (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub starts_at: Option<String>,
}

/// One meeting or occurrence of a room, as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeetingItem {
    /// `active` (open now), `upcoming` (starts within the upcoming window, no meeting yet)
    /// or `later` (the rest of the sync window; owners only).
    pub kind: ItemKind,
    /// The meeting's id (active) or the occurrence's id (upcoming, later): what
    /// `POST …/meetings/{meeting_id}/join` takes.
    pub id: String,
    /// The title; "Private meeting" for private events seen by others.
    pub title: String,
    /// `running` (open and started), `opening` (open for a start moments ahead) or
    /// `scheduled` (no meeting yet).
    pub status: ItemStatus,
    /// Scheduled start (RFC 3339, UTC).
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub start: String,
    /// Scheduled end (RFC 3339, UTC).
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub end: String,
    /// Scheduled length in minutes.
    pub duration_minutes: i64,
    /// People present now.
    pub participants_now: usize,
    /// Active meetings: when it started (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub started_at: Option<String>,
    /// Active meetings: seconds since it started (0 before its start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_for_seconds: Option<i64>,
    /// Calendar meetings and occurrences: the stored occurrence's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_event_id: Option<String>,
    /// What the viewer can do now.
    pub join: JoinHintDto,
    /// The room's owner only: the event's details and who is in the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerView>,
}

impl MeetingItem {
    /// Whether `join.page_path` is the meeting itself (else the waiting page).
    pub fn join_now(&self) -> bool {
        self.join.action == JoinAction::JoinNow
    }
}

/// What only the room's owner sees of a meeting or occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OwnerView {
    /// The event's calendar details (empty for unscheduled meetings).
    pub details: EventDetails,
    /// The names of the people in the call now.
    pub present: Vec<String>,
    /// The meeting page only: who of the invited came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<AttendanceDto>,
}

/// A meeting with its call, for the person going in (its page, or the answer to
/// starting one): the item as the viewer may see it, and the call's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeetingCall {
    /// The meeting as the viewer may see it.
    pub meeting: MeetingItem,
    /// Video platform name.
    pub platform: String,
    /// The call URL participants open.
    pub participant_url: String,
}

/// What opening a meeting or an occurrence now does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinStatus {
    /// Go in now: `meeting_path` is the meeting page.
    Join,
    /// Wait on the waiting page until `starts_at`.
    Waiting,
    /// It is over (`message` says so).
    Ended,
}

/// The waiting page's answer to "can I join this now?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinDto {
    /// What opening it now does.
    pub status: JoinStatus,
    /// For `join`: the meeting page.
    pub meeting_path: Option<String>,
    /// For `waiting`: the start (RFC 3339, UTC).
    pub starts_at: Option<String>,
    /// For `waiting`: the server's clock (RFC 3339, UTC), so a countdown is right even
    /// when the browser's clock is off.
    pub server_now: Option<String>,
    /// For `ended`: what to tell the person.
    pub message: Option<String>,
    /// For `waiting`: the title as the viewer may see it.
    pub title: Option<String>,
}
