//! A room's co-owners on its settings page: thin shells over `roomcal::services::co_owners`.

use crate::dto::{AppError, CoOwnerDto};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;

/// The settings page's co-owners section: the list, and whether the viewer is the owner
/// (who alone changes it and deletes the room).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoOwnersView {
    /// Whether the viewer is the room's owner (not a co-owner).
    pub viewer_is_owner: bool,
    /// The viewer's own account id (a co-owner may remove itself).
    pub viewer_id: String,
    /// The co-owners, oldest first.
    pub co_owners: Vec<CoOwnerDto>,
}

/// The co-owners of `room_name`, for its owner and co-owners.
#[server]
pub async fn list_co_owners(room_name: String) -> Result<CoOwnersView, AppError> {
    ssr::run(async move {
        use roomcal::services::{co_owners, room_lookup};
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let room = room_lookup::owned_room(&core, &user, &room_name).await?;
        let list = co_owners::co_owners(&core, &user, &room_name).await?;
        Ok(CoOwnersView {
            viewer_is_owner: room.is_owned_by(user.id),
            viewer_id: user.id.to_string(),
            co_owners: list.into_iter().map(CoOwnerDto::from).collect(),
        })
    })
    .await
}

/// Adds the account with `email` as a co-owner of `room_name` (its owner only).
#[server]
pub async fn add_co_owner(room_name: String, email: String) -> Result<CoOwnerDto, AppError> {
    ssr::run(async move {
        use roomcal::services::co_owners;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let added = co_owners::add_co_owner(&core, &user, &room_name, &email).await?;
        Ok(added.into())
    })
    .await
}

/// Removes co-owner `user_id` from `room_name` (the owner, or the co-owner itself, who
/// then goes to "my rooms").
#[server]
pub async fn remove_co_owner(room_name: String, user_id: String) -> Result<(), AppError> {
    ssr::run(async move {
        use roomcal::services::co_owners;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let id = roomcal::CoreError::parse_id(&user_id, "that account is not a co-owner")?;
        co_owners::remove_co_owner(&core, &user, &room_name, id).await?;
        if id == user.id {
            leptos_axum::redirect("/rooms");
        }
        Ok(())
    })
    .await
}
