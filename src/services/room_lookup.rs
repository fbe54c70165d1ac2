//! The one home of room look-ups: by name, by id or name, and "the room, if you own it".

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

/// The room `name`, if `user` owns it: 404 when missing, 403 when someone else's.
pub async fn owned_room(core: &Core, user: &User, name: &str) -> Result<Room, CoreError> {
    let room = find_room(core, name).await?;
    ensure_owner(&room, user)?;
    Ok(room)
}

/// `Forbidden` unless `user` owns `room`.
pub fn ensure_owner(room: &Room, user: &User) -> Result<(), CoreError> {
    if Audience::of(Some(user), room).is_owner() {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only the room's owner can see or change its calendar".into(),
        ))
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
