//! Rooms on the wire: the owner's list, and a room page's content for one viewer.

use serde::{Deserialize, Serialize};

use super::meeting::MeetingItem;

/// A room as listed on "my rooms".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoomSummaryDto {
    /// Stable identifier.
    pub id: String,
    /// The slug in `/room/<name>`.
    pub name: String,
    /// Full public URL of the room page.
    pub url: String,
    /// `owner` or `co_owner`: what the caller is to the room.
    pub role: String,
}

/// A room page's content for one viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoomDto {
    /// Stable identifier.
    pub id: String,
    /// The slug in `/room/<name>`.
    pub name: String,
    /// Full public URL of the room page.
    pub url: String,
    /// Whether the viewer owns the room.
    pub is_owner: bool,
    /// Whether the viewer is signed in (only signed-in people start meetings).
    pub viewer_signed_in: bool,
    /// Who may enter the room's calls: `open`, `members` (signed-in accounts) or
    /// `knock` (guests ask, the owners let them in).
    pub access: String,
    /// For `members`: the email domains admitted (empty: any).
    pub access_email_domains: Vec<String>,
    /// The room's board as the viewer may see it (what `GET …/meetings?later=true` lists).
    pub board: RoomBoardDto,
}

/// A room's board: its meetings and the server's clock, polled by the room page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoomBoardDto {
    /// The server's clock when it answered (RFC 3339, UTC).
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub server_now: String,
    /// Active meetings, then upcoming occurrences, then (owners) later ones, each by start.
    pub meetings: Vec<MeetingItem>,
}

/// A co-owner of a room, as the room's owner and co-owners see the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CoOwnerDto {
    /// The co-owner's account.
    pub user_id: String,
    /// Its email.
    pub email: String,
    /// Its display name.
    pub name: String,
    /// When it became a co-owner (RFC 3339, UTC).
    pub added_at: String,
}
