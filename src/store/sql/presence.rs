//! Who announced themselves on meeting pages: the queries of [`PresenceStore`].

use super::webhooks::write_outbox;
use super::*;
use crate::store::Outbox;

#[async_trait]
impl PresenceStore for DbStore {
    async fn presence_of_active_meetings(
        &self,
        room_id: Option<Uuid>,
    ) -> Result<Vec<PresenceRecord>, StoreError> {
        Ok(sqlx::query_as::<_, PresenceRecord>(
            "SELECT meeting_id, participant_id, display_name, user_id, last_seen_at, left_at \
             FROM meeting_participants WHERE meeting_id IN \
             (SELECT id FROM meetings WHERE is_active AND ($1 IS NULL OR room_id = $1)) \
             ORDER BY display_name, participant_id",
        )
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn presence_of_meeting(
        &self,
        meeting_id: Uuid,
    ) -> Result<Vec<PresenceRecord>, StoreError> {
        Ok(sqlx::query_as::<_, PresenceRecord>(
            "SELECT meeting_id, participant_id, display_name, user_id, last_seen_at, left_at \
             FROM meeting_participants WHERE meeting_id = $1 \
             ORDER BY display_name, participant_id",
        )
        .bind(meeting_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn record_presence(
        &self,
        record: &PresenceRecord,
        at: DateTime<Utc>,
        outbox: Outbox<'_>,
    ) -> Result<(), StoreError> {
        let upsert = sqlx::query(
            "INSERT INTO meeting_participants (meeting_id, participant_id, display_name, user_id, \
             first_seen_at, last_seen_at, left_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (meeting_id, participant_id) DO UPDATE SET \
             display_name = excluded.display_name, last_seen_at = excluded.last_seen_at, \
             left_at = excluded.left_at",
        )
        .bind(record.meeting_id)
        .bind(&record.participant_id)
        .bind(&record.display_name)
        .bind(record.user_id)
        .bind(at)
        .bind(record.last_seen_at)
        .bind(record.left_at);
        // Heartbeats tell no one: they skip the transaction's round trips.
        if outbox.is_empty() {
            upsert.execute(&self.pool).await?;
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        upsert.execute(&mut *tx).await?;
        write_outbox(&mut tx, outbox).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn prune_presence(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM meeting_participants WHERE last_seen_at < $1 OR left_at < $1 \
             OR meeting_id IN (SELECT id FROM meetings WHERE NOT is_active)",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
