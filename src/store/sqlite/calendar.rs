//! Stored calendar occurrences and the sync that keeps them: the SQLite queries of [`CalendarStore`].

use super::*;

#[async_trait]
impl CalendarStore for SqliteStore {
    async fn insert_calendar_event(&self, e: &CalendarEvent) -> Result<(), StoreError> {
        event_query(INSERT_EVENT, e)
            .execute(&self.pool)
            .await
            .map_err(|err| on_unique_violation(err, "calendar occurrence"))?;
        Ok(())
    }

    async fn calendar_event_by_id(&self, id: Uuid) -> Result<Option<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn calendar_events_ending_after(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events WHERE room_id = ? AND end_time >= ?"
        ))
        .bind(room_id)
        .bind(from)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn upcoming_calendar_events(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events \
             WHERE room_id = ? AND end_time > ? AND NOT is_deleted \
             ORDER BY start_time, ics_uid LIMIT ?"
        ))
        .bind(room_id)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn apply_sync(
        &self,
        plan: &SyncPlan,
        calendar: &RoomCalendar,
        started_at: DateTime<Utc>,
        outcome: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for e in &plan.inserts {
            event_query(INSERT_EVENT, e).execute(&mut *tx).await?;
        }
        for e in &plan.updates {
            event_query(UPDATE_EVENT, e).execute(&mut *tx).await?;
        }
        for id in &plan.soft_deletes {
            sqlx::query(
                "UPDATE calendar_events SET is_deleted = TRUE, last_synced = ? WHERE id = ?",
            )
            .bind(started_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        // Only the sync state: settings the owner changed meanwhile must not be overwritten.
        sqlx::query(
            "UPDATE rooms SET ics_last_sync = ?, ics_last_attempt = ?, ics_next_sync_at = ?, \
             ics_etag = ?, ics_last_modified = ?, ics_content_hash = ?, ics_last_outcome = ? \
             WHERE id = ?",
        )
        .bind(calendar.ics_last_sync)
        .bind(calendar.ics_last_attempt)
        .bind(calendar.ics_next_sync_at)
        .bind(&calendar.ics_etag)
        .bind(&calendar.ics_last_modified)
        .bind(&calendar.ics_content_hash)
        .bind(&calendar.ics_last_outcome)
        .bind(calendar.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ics_sync_log (id, room_id, started_at, outcome) VALUES (?, ?, ?, ?)",
        )
        .bind(Uuid::new_v4())
        .bind(calendar.id)
        .bind(started_at)
        .bind(sqlx::types::Json(outcome))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM ics_sync_log WHERE room_id = ? AND id NOT IN \
             (SELECT id FROM ics_sync_log WHERE room_id = ? ORDER BY started_at DESC LIMIT 50)",
        )
        .bind(calendar.id)
        .bind(calendar.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sync_log(
        &self,
        room_id: Uuid,
        limit: i64,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let rows: Vec<(sqlx::types::Json<serde_json::Value>,)> = sqlx::query_as(
            "SELECT outcome FROM ics_sync_log WHERE room_id = ? ORDER BY started_at DESC LIMIT ?",
        )
        .bind(room_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(json,)| json.0).collect())
    }

    async fn claim_due_rooms(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Uuid>, StoreError> {
        // SQLite has one writer at a time: the UPDATE … RETURNING is the claim.
        let rows: Vec<(Uuid,)> = sqlx::query_as(
            "UPDATE rooms SET ics_lease_owner = ?, ics_lease_until = ? WHERE id IN ( \
               SELECT id FROM rooms WHERE ics_enabled AND ics_url IS NOT NULL \
               AND (ics_next_sync_at IS NULL OR ics_next_sync_at <= ?) \
               AND (ics_lease_until IS NULL OR ics_lease_until < ?) \
               ORDER BY ics_next_sync_at LIMIT ?) RETURNING id",
        )
        .bind(owner)
        .bind(lease_until)
        .bind(now)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn claim_room(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE rooms SET ics_lease_owner = ?, ics_lease_until = ? WHERE id = ? \
             AND (ics_lease_until IS NULL OR ics_lease_until < ? OR ics_lease_owner = ?)",
        )
        .bind(owner)
        .bind(lease_until)
        .bind(room_id)
        .bind(now)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn release_room(&self, room_id: Uuid, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE rooms SET ics_lease_owner = NULL, ics_lease_until = NULL \
             WHERE id = ? AND ics_lease_owner = ?",
        )
        .bind(room_id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
