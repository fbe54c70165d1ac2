//! The one home of room look-ups: by name, by id or name, "the room, if you host it"
//! (owner or co-owner) and "the room, if you are its owner".

use crate::domain::{Room, User};
use crate::services::privacy::Audience;
use crate::{Core, CoreError};
use uuid::Uuid;

/// The room called `name`, or `NotFound`.
pub async fn find_room(core: &Core, name: &str) -> Result<Room, CoreError> {
    core.store
        .room_by_name(name)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("there is no room called \"{name}\"")))
}

/// The room `name`, if `user` hosts it (its owner or a co-owner): 404 when missing, 403
/// when someone else's. For what co-owners may do: see everything, change settings.
pub async fn owned_room(core: &Core, user: &User, name: &str) -> Result<Room, CoreError> {
    let room = find_room(core, name).await?;
    ensure_owner(&room, user)?;
    Ok(room)
}

/// `Forbidden` unless `user` is `room`'s owner or one of its co-owners.
pub fn ensure_owner(room: &Room, user: &User) -> Result<(), CoreError> {
    if Audience::of(Some(user), room).is_owner() {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only the room's owner and co-owners can see or change its settings".into(),
        ))
    }
}

/// The room `name`, if `user` is its owner itself, not a co-owner: for what only the
/// owner does (`what`: "delete the room", "change its co-owners"). 404 when missing, 403
/// otherwise.
pub async fn room_of_owner(
    core: &Core,
    user: &User,
    name: &str,
    what: &str,
) -> Result<Room, CoreError> {
    let room = find_room(core, name).await?;
    if room.is_owned_by(user.id) {
        Ok(room)
    } else if room.is_hosted_by(user.id) {
        Err(CoreError::Forbidden(format!(
            "only the room's owner can {what}; co-owners cannot"
        )))
    } else {
        Err(CoreError::Forbidden(format!(
            "only the room's owner can {what}"
        )))
    }
}

/// The room addressed by id (or, for convenience, by name).
pub async fn room_by_id_or_name(core: &Core, key: &str) -> Result<Room, CoreError> {
    let room = match Uuid::parse_str(key) {
        Ok(id) => core.store.room_by_id(id).await?,
        Err(_) => core.store.room_by_name(key).await?,
    };
    room.ok_or_else(|| CoreError::NotFound(format!("there is no room \"{key}\"")))
}
