//! Host controls on the wire: what a room's owners see of a running meeting's controls
//! ("End meeting now", "Keep open 30 minutes longer"), and what the page of an ended
//! meeting offers (reopen, or "This meeting has ended" with the room's next meeting).
//! The server decides who gets which ([`roomcal::services::host_controls`]).

use super::meeting::MeetingItem;
use serde::{Deserialize, Serialize};

/// A running meeting's controls, for the room's owners only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HostControlsDto {
    /// The meeting.
    pub meeting_id: String,
    /// When it will be closed even with people in it (RFC 3339), extensions included.
    pub closes_at: String,
    /// Minutes it has been kept open longer so far.
    pub extended_minutes: u32,
    /// The most it may be kept open longer in all (`--max-extend-minutes`).
    pub max_extend_minutes: u32,
    /// Minutes it may still be kept open longer.
    pub extend_minutes_left: u32,
}

/// What the page of an ended meeting shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EndedMeetingDto {
    /// "This meeting has ended.", "The host ended this meeting. …" or "cancelled".
    pub message: String,
    /// Whether the viewer may reopen it now (its scheduled time is still on).
    pub can_reopen: bool,
    /// The page of the meeting of the same occurrence someone reopened, if one is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_meeting_path: Option<String>,
    /// The room's next meeting (running or upcoming) as the viewer may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<MeetingItem>,
}

/// A reopened meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReopenedDto {
    /// The new (or already reopened) meeting.
    pub meeting_id: String,
    /// Its page.
    pub page_path: String,
    /// Whether it was made by this request (false: someone reopened it first).
    pub is_new: bool,
}
