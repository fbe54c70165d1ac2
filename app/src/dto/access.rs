//! Room access on the wire: a room's access setting, a guest's knock as the guest sees
//! it, and the knocks as the room's owners see them.

use serde::{Deserialize, Serialize};

/// A room's access setting, as its owners see and change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoomAccessDto {
    /// `open` (anyone with the link), `members` (signed-in accounts) or `knock` (guests
    /// ask to join; the owners admit or decline).
    pub access: String,
    /// For `members`: the email domains admitted (empty: any).
    pub access_email_domains: Vec<String>,
}

/// A guest's knock, as the guest holding its token sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KnockStatusDto {
    /// The knock.
    pub knock_id: String,
    /// `pending`, `admitted` or `declined`.
    pub state: String,
}

/// A knock, as the room's owners see it (with the name the guest typed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KnockDto {
    /// The knock.
    pub id: String,
    /// The name the guest typed.
    pub name: String,
    /// `pending`, `admitted` or `declined`.
    pub state: String,
    /// When the guest knocked (RFC 3339, UTC).
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub created_at: String,
}
