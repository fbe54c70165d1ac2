//! Meetings and the lifecycle that opens and closes them: the queries of [`MeetingStore`].

use super::webhooks::write_outbox;
use super::*;
use crate::store::Outbox;

#[async_trait]
impl MeetingStore for DbStore {
    async fn insert_meeting(&self, m: &Meeting, outbox: Outbox<'_>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        insert_row!(
            "meetings",
            m,
            [
                id,
                room_id,
                calendar_event_id,
                calendar_metadata,
                start_time,
                end_time,
                is_active,
                platform,
                participant_url,
                host_url,
                platform_meeting_id,
                last_participant_left_at,
                created_at,
                ever_had_participants,
                participants_now,
                closed_at,
                close_reason,
                started_by,
                extended_minutes,
            ]
        )
        .build()
        .execute(&mut *tx)
        .await
        .map_err(|e| on_unique_violation(e, "meeting for this occurrence"))?;
        write_outbox(&mut tx, outbox).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn meeting_by_id(&self, id: Uuid) -> Result<Option<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn active_meetings_in_room(&self, room_id: Uuid) -> Result<Vec<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE room_id = $1 AND is_active \
             ORDER BY start_time, created_at"
        ))
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn count_guest_unscheduled(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM meetings m JOIN rooms r ON r.id = m.room_id \
             WHERE m.started_by = $1 AND m.is_active AND m.calendar_event_id IS NULL \
             AND m.end_time > $2 AND r.owner_id <> $1 AND NOT EXISTS \
             (SELECT 1 FROM room_co_owners c WHERE c.room_id = r.id AND c.user_id = $1)",
        )
        .bind(user_id)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn meeting_for_event(&self, event_id: Uuid) -> Result<Option<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE calendar_event_id = $1 \
             ORDER BY is_active DESC, created_at DESC LIMIT 1"
        ))
        .bind(event_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn extend_meeting(
        &self,
        id: Uuid,
        from: i32,
        minutes: i32,
        max_total: i32,
        outbox: Outbox<'_>,
    ) -> Result<Option<i32>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let total: Option<i32> = sqlx::query_scalar(
            "UPDATE meetings SET extended_minutes = extended_minutes + $1 \
             WHERE id = $2 AND is_active AND extended_minutes = $3 AND $4 + $5 <= $6 \
             RETURNING extended_minutes",
        )
        .bind(minutes)
        .bind(id)
        .bind(from)
        .bind(from)
        .bind(minutes)
        .bind(max_total)
        .fetch_optional(&mut *tx)
        .await?;
        if total.is_none() {
            return Ok(None);
        }
        write_outbox(&mut tx, outbox).await?;
        tx.commit().await?;
        Ok(total)
    }

    async fn meeting_by_platform_id(
        &self,
        platform_meeting_id: &str,
    ) -> Result<Option<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE platform_meeting_id = $1 \
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(platform_meeting_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    // Occurrences with a running meeting sort first: one cut off by the limit would look
    // removed from the calendar and its meeting would be deactivated.
    async fn lifecycle_events(
        &self,
        horizon: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CalendarEvent>, StoreError> {
        Ok(sqlx::query_as::<_, CalendarEvent>(&format!(
            "SELECT {EVENT_COLUMNS} FROM calendar_events \
             WHERE (start_time <= $1 AND end_time > $2 AND NOT all_day) \
             OR id IN (SELECT calendar_event_id FROM meetings \
                       WHERE is_active AND calendar_event_id IS NOT NULL) \
             ORDER BY CASE WHEN id IN (SELECT calendar_event_id FROM meetings \
                       WHERE is_active AND calendar_event_id IS NOT NULL) THEN 0 ELSE 1 END, \
             start_time LIMIT $3"
        ))
        .bind(horizon)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn lifecycle_meetings(
        &self,
        horizon: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Meeting>, StoreError> {
        Ok(sqlx::query_as::<_, Meeting>(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE is_active \
             OR calendar_event_id IN (SELECT id FROM calendar_events \
                                      WHERE start_time <= $1 AND end_time > $2)"
        ))
        .bind(horizon)
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn save_meeting_state(&self, m: &Meeting, outbox: Outbox<'_>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE meetings SET start_time = $1, end_time = $2, calendar_metadata = $3, \
             ever_had_participants = $4, participants_now = $5, last_participant_left_at = $6 \
             WHERE id = $7",
        )
        .bind(m.start_time)
        .bind(m.end_time)
        .bind(&m.calendar_metadata)
        .bind(m.ever_had_participants)
        .bind(m.participants_now)
        .bind(m.last_participant_left_at)
        .bind(m.id)
        .execute(&mut *tx)
        .await?;
        write_outbox(&mut tx, outbox).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn close_meeting(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        reason: ClosedBecause,
        outbox: Outbox<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let result = sqlx::query(
            "UPDATE meetings SET is_active = FALSE, closed_at = $1, close_reason = $2 \
             WHERE id = $3 AND is_active",
        )
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if result.rows_affected() != 1 {
            return Ok(false);
        }
        write_outbox(&mut tx, outbox).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn purge_meetings_closed_before(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<u64, StoreError> {
        // Meetings closed before `closed_at` existed have only their end to go by.
        let done = sqlx::query(
            "DELETE FROM meetings WHERE id IN (SELECT m.id FROM meetings m WHERE NOT m.is_active \
             AND (m.closed_at < $1 OR (m.closed_at IS NULL AND m.end_time < $2)) \
             AND (m.calendar_event_id IS NULL OR m.calendar_event_id IN \
                  (SELECT e.id FROM calendar_events e WHERE e.end_time < $3)) \
             LIMIT $4)",
        )
        .bind(before)
        .bind(before)
        .bind(before)
        .bind(limit)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn set_meeting_error(
        &self,
        event_id: Uuid,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE calendar_events SET meeting_error = $1 WHERE id = $2")
            .bind(error)
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn meeting_errors(
        &self,
        room_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Option<String>, DateTime<Utc>, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT title, start_time, meeting_error FROM calendar_events \
             WHERE room_id = $1 AND meeting_error IS NOT NULL AND end_time > $2 AND NOT is_deleted \
             ORDER BY start_time",
        )
        .bind(room_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn claim_worker_lease(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO worker_leases (name, owner, until) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until \
             WHERE worker_leases.until < $4 OR worker_leases.owner = $5",
        )
        .bind(name)
        .bind(owner)
        .bind(until)
        .bind(now)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn release_worker_lease(&self, name: &str, owner: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM worker_leases WHERE name = $1 AND owner = $2")
            .bind(name)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
