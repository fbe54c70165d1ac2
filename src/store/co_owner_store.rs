//! Co-owners of rooms and handing a room to one: the [`CoOwnerStore`] part of the store.
//! A room's co-owners also come with the room itself ([`crate::domain::Room::co_owners`]).

use super::StoreError;
use crate::domain::Room;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A co-owner of a room, as the room's hosts see the list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CoOwnerRow {
    /// The co-owner's account.
    pub user_id: Uuid,
    /// Its email (how the owner named it).
    pub email: String,
    /// Its display name.
    pub display_name: String,
    /// When it became a co-owner.
    pub added_at: DateTime<Utc>,
}

/// Co-owners of rooms.
#[async_trait]
pub trait CoOwnerStore: Send + Sync {
    /// Makes `user_id` a co-owner of `room_id`; `Conflict("co-owner")` when it is one.
    async fn add_co_owner(
        &self,
        room_id: Uuid,
        user_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Removes `user_id` from `room_id`'s co-owners; whether it was one.
    async fn remove_co_owner(&self, room_id: Uuid, user_id: Uuid) -> Result<bool, StoreError>;

    /// The co-owners of `room_id`, oldest first.
    async fn co_owners_of(&self, room_id: Uuid) -> Result<Vec<CoOwnerRow>, StoreError>;

    /// The rooms `user_id` co-owns, by name.
    async fn rooms_co_owned_by(&self, user_id: Uuid) -> Result<Vec<Room>, StoreError>;

    /// Makes co-owner `to` the owner of `room_id` in one transaction: `to` leaves the
    /// co-owners, the old owner is not kept as one. `false` (and nothing changed) when
    /// `to` is not a co-owner of the room.
    async fn hand_over_room(&self, room_id: Uuid, to: Uuid) -> Result<bool, StoreError>;
}
