//! The shared counters and scope locks: the queries of [`LimitStore`].

use super::*;
use crate::store::{LimitStore, ScopeLock};

#[async_trait]
impl LimitStore for DbStore {
    async fn count_event(
        &self,
        key: &str,
        window_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let (count,): (i64,) = sqlx::query_as(
            "INSERT INTO rate_counters (key, window_start, expires_at, count) \
             VALUES ($1, $2, $3, 1) ON CONFLICT (key, window_start) \
             DO UPDATE SET count = rate_counters.count + 1 RETURNING count",
        )
        .bind(key)
        .bind(window_start)
        .bind(expires_at)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn uncount_event(
        &self,
        key: &str,
        window_start: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE rate_counters SET count = count - 1 \
             WHERE key = $1 AND window_start = $2 AND count > 0",
        )
        .bind(key)
        .bind(window_start)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn forget_events(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM rate_counters WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn prune_event_windows(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM rate_counters WHERE expires_at <= $1")
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    async fn lock_scope(
        &self,
        scope: Uuid,
        wait: std::time::Duration,
    ) -> Result<Option<ScopeLock>, StoreError> {
        super::lock_scope(&self.pool, scope, wait).await
    }
}
