//! Stored calendar occurrences and the sync that keeps them: the queries of [`CalendarStore`].

use super::webhooks::write_outbox;
use super::*;
use crate::store::Outbox;

#[async_trait]
impl CalendarStore for DbStore {
    async fn insert_calendar_event(&self, e: &CalendarEvent) -> Result<(), StoreError> {
        insert_event(e)
            .build()
            .execute(&self.pool)
            .await
            .map_err(|err| on_unique_violation(err, "calendar occurrence"))?;
        Ok(())
    }

    async fn calendar_event_by_id(&self, id: Uuid) -> Result<Option<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events WHERE id = $1"
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
            "SELECT {EVENT_COLUMNS} FROM calendar_events WHERE room_id = $1 AND end_time >= $2"
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
             WHERE room_id = $1 AND end_time > $2 AND NOT is_deleted \
             ORDER BY start_time, ics_uid LIMIT $3"
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
        outbox: Outbox<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for e in &plan.inserts {
            insert_event(e).build().execute(&mut *tx).await?;
        }
        for e in &plan.updates {
            update_event(e).build().execute(&mut *tx).await?;
        }
        for id in &plan.soft_deletes {
            sqlx::query(
                "UPDATE calendar_events SET is_deleted = TRUE, last_synced = $1 WHERE id = $2",
            )
            .bind(started_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        // Only the sync state: settings the owner changed meanwhile must not be overwritten.
        sqlx::query(
            "UPDATE rooms SET ics_last_sync = $1, ics_last_attempt = $2, ics_next_sync_at = $3, \
             ics_etag = $4, ics_last_modified = $5, ics_content_hash = $6, ics_last_outcome = $7 \
             WHERE id = $8",
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
            "INSERT INTO ics_sync_log (id, room_id, started_at, outcome) VALUES ($1, $2, $3, $4)",
        )
        .bind(Uuid::new_v4())
        .bind(calendar.id)
        .bind(started_at)
        .bind(sqlx::types::Json(outcome))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM ics_sync_log WHERE room_id = $1 AND id NOT IN \
             (SELECT id FROM ics_sync_log WHERE room_id = $2 ORDER BY started_at DESC LIMIT 50)",
        )
        .bind(calendar.id)
        .bind(calendar.id)
        .execute(&mut *tx)
        .await?;
        write_outbox(&mut tx, outbox).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn purge_occurrences_ended_before(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<u64, StoreError> {
        // NOT EXISTS, not NOT IN: meetings without an occurrence have a NULL there.
        let done = sqlx::query(
            "DELETE FROM calendar_events WHERE id IN (SELECT e.id FROM calendar_events e \
             WHERE e.end_time < $1 AND NOT EXISTS \
             (SELECT 1 FROM meetings m WHERE m.calendar_event_id = e.id) LIMIT $2)",
        )
        .bind(before)
        .bind(limit)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn sync_log(
        &self,
        room_id: Uuid,
        limit: i64,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let rows: Vec<(sqlx::types::Json<serde_json::Value>,)> = sqlx::query_as(
            "SELECT outcome FROM ics_sync_log WHERE room_id = $1 ORDER BY started_at DESC LIMIT $2",
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
        // The one statement that differs per database (see each backend).
        let rows: Vec<(Uuid,)> = sqlx::query_as(CLAIM_DUE_ROOMS)
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
            "UPDATE rooms SET ics_lease_owner = $1, ics_lease_until = $2 WHERE id = $3 \
             AND (ics_lease_until IS NULL OR ics_lease_until < $4 OR ics_lease_owner = $5)",
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
             WHERE id = $1 AND ics_lease_owner = $2",
        )
        .bind(room_id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
