//! PostgreSQL implementation of [`Store`]: for several instances sharing one database. Its
//! queries are the shared ones of `src/store/sql/`; only connecting and claiming due rooms
//! are PostgreSQL's own.

use super::{Store, StoreError};
use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

/// The database the shared queries are compiled for here.
type Db = sqlx::Postgres;
/// The store the shared queries implement the store traits for here.
type DbStore = PostgresStore;

/// Claims up to `$5` rooms due at `$3` whose lease ran out by `$4`, for owner `$1` until
/// `$2`. SKIP LOCKED: concurrent instances each claim different rooms without waiting.
const CLAIM_DUE_ROOMS: &str = "UPDATE rooms SET ics_lease_owner = $1, ics_lease_until = $2 \
    WHERE id IN (SELECT id FROM rooms WHERE ics_enabled AND ics_url IS NOT NULL \
    AND (ics_next_sync_at IS NULL OR ics_next_sync_at <= $3) \
    AND (ics_lease_until IS NULL OR ics_lease_until < $4) \
    ORDER BY ics_next_sync_at NULLS FIRST LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING id";

/// Claims up to `$4` deliveries due at `$3` for owner `$1` until `$2` (the caller adds
/// `RETURNING`): pending, lease free, endpoint enabled, and none of the same endpoint and
/// meeting pending before it. SKIP LOCKED: concurrent instances each claim different deliveries without waiting; the
/// earlier-pending check keeps a meeting's later events back while an earlier one is out.
const CLAIM_WEBHOOK_DELIVERIES: &str =
    "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 \
    WHERE seq IN (SELECT d.seq FROM webhook_deliveries d \
    JOIN webhook_endpoints e ON e.id = d.endpoint_id \
    WHERE d.state = 'pending' AND d.next_attempt_at <= $3 \
    AND (d.lease_until IS NULL OR d.lease_until < $3) AND e.enabled \
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id \
    AND p.meeting_id = d.meeting_id AND p.seq < d.seq AND p.state = 'pending') \
    ORDER BY d.seq LIMIT $4 FOR UPDATE OF d SKIP LOCKED)";

/// Takes `scope`'s advisory lock in a transaction held by the returned guard: every
/// instance on this database waits for it, at most `wait` (`lock_timeout`), after which
/// the lock is not had (`None`). Dropping the guard rolls the transaction back, which
/// releases the lock.
async fn lock_scope(
    pool: &PgPool,
    scope: uuid::Uuid,
    wait: Duration,
) -> Result<Option<super::ScopeLock>, StoreError> {
    let mut tx = pool.begin().await?;
    // SET does not take parameters; the number is ours, not input.
    sqlx::query(&format!(
        "SET LOCAL lock_timeout = '{}ms'",
        wait.as_millis().max(1)
    ))
    .execute(&mut *tx)
    .await?;
    match sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(super::advisory_key(scope))
        .execute(&mut *tx)
        .await
    {
        Ok(_) => Ok(Some(super::ScopeLock::held_by(Box::new(tx)))),
        // 55P03 lock_not_available: someone else held it past `wait`.
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("55P03") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

// Loaded by both backends on purpose: one source of queries, compiled for each database.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

/// A pool of PostgreSQL connections.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    /// The connection pool; cloning shares it.
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    /// The underlying pool (for tests and the sync engine's transactions).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
