//! Co-owners: the room's owner names other accounts (by email) that see what the owner
//! sees and change the room's settings. Only the owner deletes the room or changes this
//! list; a co-owner may leave it. At most [`MAX_CO_OWNERS`] per room.

use uuid::Uuid;

use crate::domain::{Email, User};
use crate::services::limits::too_many;
use crate::services::room_lookup::{owned_room, room_of_owner};
use crate::store::{CoOwnerRow, StoreError};
use crate::{Core, CoreError};

/// The most co-owners one room has.
pub const MAX_CO_OWNERS: usize = 20;

/// How long adding a co-owner waits for another change of the same room's list.
const SERIAL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The co-owners of `room_name`, for its owner and co-owners.
pub async fn co_owners(
    core: &Core,
    user: &User,
    room_name: &str,
) -> Result<Vec<CoOwnerRow>, CoreError> {
    let room = owned_room(core, user, room_name).await?;
    Ok(core.store.co_owners_of(room.id).await?)
}

/// Makes the account with `email` a co-owner of `room_name`; `owner` must own the room.
pub async fn add_co_owner(
    core: &Core,
    owner: &User,
    room_name: &str,
    email: &str,
) -> Result<CoOwnerRow, CoreError> {
    let room = room_of_owner(core, owner, room_name, "change its co-owners").await?;
    let email = Email::parse(email).map_err(|m| CoreError::field("email", m))?;
    let Some(account) = core.store.user_credentials_by_email(email.as_str()).await? else {
        return Err(CoreError::field(
            "email",
            format!(
                "no account uses {}; ask them to sign up (or sign in once with your organization's sign-in), then add them again",
                email.as_str()
            ),
        ));
    };
    if room.is_owned_by(account.id) {
        return Err(CoreError::field(
            "email",
            "that is the room's owner; name someone else",
        ));
    }
    // One change of a room's list at a time (across instances), so the cap holds.
    let _serial = core
        .limits
        .serial
        .lock_within(
            core.store.as_ref(),
            room.id,
            SERIAL_WAIT,
            "the room's co-owners are being changed",
        )
        .await?;
    let current = core.store.co_owners_of(room.id).await?;
    if current.len() >= MAX_CO_OWNERS {
        return Err(too_many(
            60,
            format!("the room has {MAX_CO_OWNERS} co-owners, the most allowed; remove one first"),
        ));
    }
    match core
        .store
        .add_co_owner(room.id, account.id, core.clock.now())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(CoreError::Taken {
                field: "email".into(),
                message: format!("{} is a co-owner already", email.as_str()),
            })
        }
        Err(e) => return Err(e.into()),
    }
    core.listings.forget_room(room.id);
    tracing::info!(room = %room.id, co_owner = %account.id, "co-owner added");
    core.store
        .co_owners_of(room.id)
        .await?
        .into_iter()
        .find(|c| c.user_id == account.id)
        .ok_or_else(|| CoreError::Internal("the co-owner just added is missing".into()))
}

/// Removes co-owner `user_id` from `room_name`: the owner removes anyone, a co-owner only
/// itself (leaving the room).
pub async fn remove_co_owner(
    core: &Core,
    user: &User,
    room_name: &str,
    user_id: Uuid,
) -> Result<(), CoreError> {
    let room = if user.id == user_id {
        owned_room(core, user, room_name).await?
    } else {
        room_of_owner(core, user, room_name, "change its co-owners").await?
    };
    if !core.store.remove_co_owner(room.id, user_id).await? {
        return Err(CoreError::NotFound(
            "that account is not a co-owner of this room".into(),
        ));
    }
    core.listings.forget_room(room.id);
    tracing::info!(room = %room.id, co_owner = %user_id, "co-owner removed");
    Ok(())
}
