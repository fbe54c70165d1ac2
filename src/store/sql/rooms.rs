//! Rooms and their calendar settings: the queries of [`RoomStore`].

use super::*;

#[async_trait]
impl RoomStore for DbStore {
    async fn insert_room(&self, room: &NewRoom) -> Result<Room, StoreError> {
        sqlx::query_as::<_, Room>(&format!(
            "INSERT INTO rooms (id, name, owner_id, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING {ROOM_COLUMNS}"
        ))
        .bind(room.id)
        .bind(&room.name)
        .bind(room.owner_id)
        .bind(room.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| on_unique_violation(e, "room name"))
    }

    async fn delete_room(&self, room_id: Uuid) -> Result<(), StoreError> {
        // Meetings first: they name the occurrences the room's cascade deletes.
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM meetings WHERE room_id = $1")
            .bind(room_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM rooms WHERE id = $1")
            .bind(room_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn room_by_name(&self, name: &str) -> Result<Option<Room>, StoreError> {
        Ok(with_co_owners(
            sqlx::query_as::<_, RoomRow>(&format!("{ROOM_SELECT} WHERE name = $1 {ROOM_ORDER}"))
                .bind(name)
                .fetch_all(&self.pool)
                .await?,
        )
        .pop())
    }

    async fn room_by_id(&self, id: Uuid) -> Result<Option<Room>, StoreError> {
        Ok(with_co_owners(
            sqlx::query_as::<_, RoomRow>(&format!("{ROOM_SELECT} WHERE id = $1 {ROOM_ORDER}"))
                .bind(id)
                .fetch_all(&self.pool)
                .await?,
        )
        .pop())
    }

    async fn rooms_owned_by(&self, owner_id: Uuid) -> Result<Vec<Room>, StoreError> {
        Ok(with_co_owners(
            sqlx::query_as::<_, RoomRow>(&format!(
                "{ROOM_SELECT} WHERE owner_id = $1 {ROOM_ORDER}"
            ))
            .bind(owner_id)
            .fetch_all(&self.pool)
            .await?,
        ))
    }

    async fn count_rooms_owned_by(&self, owner_id: Uuid) -> Result<u64, StoreError> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rooms WHERE owner_id = $1")
            .bind(owner_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn room_calendar(&self, room_id: Uuid) -> Result<Option<RoomCalendar>, StoreError> {
        Ok(sqlx::query_as::<_, RoomCalendar>(&format!(
            "SELECT {CALENDAR_COLUMNS} FROM rooms WHERE id = $1"
        ))
        .bind(room_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn save_room_calendar(&self, c: &RoomCalendar) -> Result<(), StoreError> {
        save_calendar(c).build().execute(&self.pool).await?;
        Ok(())
    }

    async fn room_feed_key(&self, room_id: Uuid) -> Result<Option<String>, StoreError> {
        let key: Option<(Option<String>,)> =
            sqlx::query_as("SELECT feed_key FROM rooms WHERE id = $1")
                .bind(room_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(key.and_then(|(k,)| k))
    }

    async fn set_room_feed_key(
        &self,
        room_id: Uuid,
        sealed: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE rooms SET feed_key = $1 WHERE id = $2")
            .bind(sealed)
            .bind(room_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
