//! Guests' requests to enter a meeting of a knock room: the [`KnockStore`] part of the
//! store, and the room's access setting.

use super::StoreError;
use crate::domain::{EmailDomains, Knock, KnockState, RoomAccess};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Room access and knocks.
#[async_trait]
pub trait KnockStore: Send + Sync {
    /// Sets who may enter the room's calls.
    async fn set_room_access(
        &self,
        room_id: Uuid,
        access: RoomAccess,
        domains: Option<&EmailDomains>,
    ) -> Result<(), StoreError>;

    /// Inserts a knock as given.
    async fn insert_knock(&self, knock: &Knock) -> Result<(), StoreError>;

    /// The knock with this id.
    async fn knock_by_id(&self, id: Uuid) -> Result<Option<Knock>, StoreError>;

    /// The knock on `meeting_id` whose token hashes to `token_hash`.
    async fn knock_by_token(
        &self,
        meeting_id: Uuid,
        token_hash: &str,
    ) -> Result<Option<Knock>, StoreError>;

    /// The knocks on a meeting, oldest first.
    async fn knocks_of_meeting(&self, meeting_id: Uuid) -> Result<Vec<Knock>, StoreError>;

    /// Decides a pending knock (`Admitted` or `Declined`) at `at` by `by`; false when it
    /// was decided already (by another owner, another instance) and is left as it was.
    async fn decide_knock(
        &self,
        id: Uuid,
        state: KnockState,
        at: DateTime<Utc>,
        by: Uuid,
    ) -> Result<bool, StoreError>;

    /// How many pending knocks made from `client_key` wait on meetings that are still
    /// active (the per-address cap).
    async fn count_pending_knocks_from(&self, client_key: &str) -> Result<u64, StoreError>;
}
