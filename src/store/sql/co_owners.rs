//! Co-owners of rooms: the queries of [`CoOwnerStore`].

use super::*;

#[async_trait]
impl CoOwnerStore for DbStore {
    async fn add_co_owner(
        &self,
        room_id: Uuid,
        user_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO room_co_owners (room_id, user_id, added_at) VALUES ($1, $2, $3)")
            .bind(room_id)
            .bind(user_id)
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(|e| on_unique_violation(e, "co-owner"))?;
        Ok(())
    }

    async fn remove_co_owner(&self, room_id: Uuid, user_id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM room_co_owners WHERE room_id = $1 AND user_id = $2")
            .bind(room_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn co_owners_of(&self, room_id: Uuid) -> Result<Vec<CoOwnerRow>, StoreError> {
        Ok(sqlx::query_as::<_, CoOwnerRow>(
            "SELECT c.user_id, u.email, u.display_name, c.added_at FROM room_co_owners c \
             JOIN users u ON u.id = c.user_id WHERE c.room_id = $1 ORDER BY c.added_at",
        )
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn rooms_co_owned_by(&self, user_id: Uuid) -> Result<Vec<Room>, StoreError> {
        Ok(with_co_owners(
            sqlx::query_as::<_, RoomRow>(&format!(
                "{ROOM_SELECT} WHERE rooms.id IN \
                 (SELECT room_id FROM room_co_owners WHERE user_id = $1) {ROOM_ORDER}"
            ))
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?,
        ))
    }

    async fn hand_over_room(&self, room_id: Uuid, to: Uuid) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let left = sqlx::query("DELETE FROM room_co_owners WHERE room_id = $1 AND user_id = $2")
            .bind(room_id)
            .bind(to)
            .execute(&mut *tx)
            .await?;
        if left.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE rooms SET owner_id = $1 WHERE id = $2")
            .bind(to)
            .bind(room_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
