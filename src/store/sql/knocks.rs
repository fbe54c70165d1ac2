//! Room access and knocks: the queries of [`KnockStore`].

use super::*;

/// Columns of `knocks` that make a [`Knock`].
const KNOCK_COLUMNS: &str = "id, room_id, meeting_id, name, token_hash, client_key, state, \
    created_at, decided_at, decided_by";

#[async_trait]
impl KnockStore for DbStore {
    async fn set_room_access(
        &self,
        room_id: Uuid,
        access: RoomAccess,
        domains: Option<&EmailDomains>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE rooms SET access = $1, access_email_domains = $2 WHERE id = $3")
            .bind(access)
            .bind(domains)
            .bind(room_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn insert_knock(&self, knock: &Knock) -> Result<(), StoreError> {
        insert_row!(
            "knocks",
            knock,
            [
                id, room_id, meeting_id, name, token_hash, client_key, state, created_at,
                decided_at, decided_by,
            ]
        )
        .build()
        .execute(&self.pool)
        .await
        .map_err(|e| on_unique_violation(e, "knock token"))?;
        Ok(())
    }

    async fn knock_by_id(&self, id: Uuid) -> Result<Option<Knock>, StoreError> {
        Ok(
            sqlx::query_as::<_, Knock>(&format!(
                "SELECT {KNOCK_COLUMNS} FROM knocks WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    async fn knock_by_token(
        &self,
        meeting_id: Uuid,
        token_hash: &str,
    ) -> Result<Option<Knock>, StoreError> {
        Ok(sqlx::query_as::<_, Knock>(&format!(
            "SELECT {KNOCK_COLUMNS} FROM knocks WHERE meeting_id = $1 AND token_hash = $2"
        ))
        .bind(meeting_id)
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn knocks_of_meeting(&self, meeting_id: Uuid) -> Result<Vec<Knock>, StoreError> {
        Ok(sqlx::query_as::<_, Knock>(&format!(
            "SELECT {KNOCK_COLUMNS} FROM knocks WHERE meeting_id = $1 ORDER BY created_at, id"
        ))
        .bind(meeting_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn decide_knock(
        &self,
        id: Uuid,
        state: KnockState,
        at: DateTime<Utc>,
        by: Uuid,
    ) -> Result<bool, StoreError> {
        // Only a pending knock changes: two owners deciding at once, the first one counts.
        let done = sqlx::query(
            "UPDATE knocks SET state = $1, decided_at = $2, decided_by = $3 \
             WHERE id = $4 AND state = $5",
        )
        .bind(state)
        .bind(at)
        .bind(by)
        .bind(id)
        .bind(KnockState::Pending)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn count_pending_knocks_from(&self, client_key: &str) -> Result<u64, StoreError> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM knocks k JOIN meetings m ON m.id = k.meeting_id \
             WHERE k.client_key = $1 AND k.state = $2 AND m.is_active",
        )
        .bind(client_key)
        .bind(KnockState::Pending)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
