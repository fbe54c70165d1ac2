//! A room's access setting, changed by its owners: who may enter its calls (`open`,
//! `members` with optional email domains, `knock`). The rule that applies it is
//! [`crate::services::access`].

use crate::domain::{EmailDomains, Room, RoomAccess, User};
use crate::services::room_lookup::ensure_owner;
use crate::{Core, CoreError};
use std::collections::BTreeMap;

/// A change someone asked for; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct AccessInput {
    /// `open`, `members` or `knock`.
    pub access: Option<String>,
    /// The email domains a members room admits, separated by commas (`""`: any).
    pub access_email_domains: Option<String>,
}

impl AccessInput {
    /// Whether anything is to change.
    pub fn is_empty(&self) -> bool {
        self.access.is_none() && self.access_email_domains.is_none()
    }
}

/// A validated change, ready to be saved by [`apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessChange {
    /// The mode after the change.
    pub access: RoomAccess,
    /// The domains after the change.
    pub domains: Option<EmailDomains>,
}

/// Checks that `user` may change `room`'s access (403 otherwise) and that every field of
/// `input` is valid (422 with a message per field); changes nothing.
pub fn prepare(room: &Room, user: &User, input: &AccessInput) -> Result<AccessChange, CoreError> {
    ensure_owner(room, user)?;
    let mut fields = BTreeMap::new();
    let access = match input.access.as_deref().map(RoomAccess::parse) {
        None => room.access,
        Some(Ok(access)) => access,
        Some(Err(message)) => {
            fields.insert("access".to_string(), message);
            room.access
        }
    };
    let domains = match input
        .access_email_domains
        .as_deref()
        .map(EmailDomains::parse)
    {
        None => room.access_email_domains.clone(),
        Some(Ok(domains)) => domains,
        Some(Err(message)) => {
            fields.insert("access_email_domains".to_string(), message);
            None
        }
    };
    if !fields.is_empty() {
        return Err(CoreError::Validation { fields });
    }
    Ok(AccessChange { access, domains })
}

/// Saves a change [`prepare`] allowed; the room as it is now.
pub async fn apply(core: &Core, room: &Room, change: AccessChange) -> Result<Room, CoreError> {
    core.store
        .set_room_access(room.id, change.access, change.domains.as_ref())
        .await?;
    tracing::info!(room = %room.name, access = change.access.as_str(), "room access changed");
    Ok(Room {
        access: change.access,
        access_email_domains: change.domains,
        ..room.clone()
    })
}

/// Changes `room`'s access as `user` asks: [`prepare`], then [`apply`].
pub async fn update_access(
    core: &Core,
    user: &User,
    room: &Room,
    input: &AccessInput,
) -> Result<Room, CoreError> {
    let change = prepare(room, user, input)?;
    apply(core, room, change).await
}
