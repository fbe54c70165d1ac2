//! SQLite implementation of [`Store`]: the single-machine default (WAL mode). Its queries
//! are the shared ones of `src/store/sql/`; only opening the file and claiming due rooms
//! are SQLite's own.

use super::{Store, StoreError};
use crate::secret::{create_private_file, make_private};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The database the shared queries are compiled for here.
type Db = sqlx::Sqlite;
/// The store the shared queries implement the store traits for here.
type DbStore = SqliteStore;

/// Claims up to `$5` rooms due at `$3` whose lease ran out by `$4`, for owner `$1` until
/// `$2`. SQLite has one writer at a time: the `UPDATE … RETURNING` is the claim.
const CLAIM_DUE_ROOMS: &str = "UPDATE rooms SET ics_lease_owner = $1, ics_lease_until = $2 \
    WHERE id IN (SELECT id FROM rooms WHERE ics_enabled AND ics_url IS NOT NULL \
    AND (ics_next_sync_at IS NULL OR ics_next_sync_at <= $3) \
    AND (ics_lease_until IS NULL OR ics_lease_until < $4) \
    ORDER BY ics_next_sync_at LIMIT $5) RETURNING id";

/// Claims up to `$4` deliveries due at `$3` for owner `$1` until `$2` (the caller adds
/// `RETURNING`): pending, lease free, endpoint enabled, and none of the same endpoint and
/// meeting pending before it. SQLite has one writer at a time: the `UPDATE` is the claim.
const CLAIM_WEBHOOK_DELIVERIES: &str =
    "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 \
    WHERE seq IN (SELECT d.seq FROM webhook_deliveries d \
    JOIN webhook_endpoints e ON e.id = d.endpoint_id \
    WHERE d.state = 'pending' AND d.next_attempt_at <= $3 \
    AND (d.lease_until IS NULL OR d.lease_until < $3) AND e.enabled \
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id \
    AND p.meeting_id = d.meeting_id AND p.seq < d.seq AND p.state = 'pending') \
    ORDER BY d.seq LIMIT $4)";

/// Scope locks on SQLite: the database file belongs to one server process, whose
/// in-process lock per scope already serializes (and SQLite has one writer at a time).
async fn lock_scope(
    _pool: &SqlitePool,
    _scope: uuid::Uuid,
    _wait: Duration,
) -> Result<Option<super::ScopeLock>, StoreError> {
    Ok(Some(super::ScopeLock::held_in_process()))
}

// Loaded by both backends on purpose: one source of queries, compiled for each database.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

/// A pool of SQLite connections.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// The connection pool; cloning shares it.
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (and creates when missing) the database file in WAL mode with foreign keys on.
    /// The file is the owner's alone (0600), and so are its `-wal` and `-shm` files:
    /// SQLite gives those the main file's mode.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?;
        if !(url.contains(":memory:") || url.contains("mode=memory")) {
            private_database_file(options.get_filename())?;
        }
        Self::connect(options.create_if_missing(true)).await
    }

    /// Opens the database file only if it exists (a backup of a mistyped path must not
    /// make an empty database).
    pub async fn open_existing(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?.create_if_missing(false);
        Self::connect(options).await
    }

    async fn connect(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            // Writers wait for each other instead of failing with SQLITE_BUSY.
            .busy_timeout(Duration::from_secs(10))
            // In WAL mode NORMAL is durable against corruption and skips an fsync per commit.
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// The underlying pool (for tests and the sync engine's transactions).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Creates the database file empty with mode 0600 before SQLite opens it (SQLite would make
/// it 0644), or sets an existing one and its `-wal` / `-shm` files to 0600.
fn private_database_file(path: &Path) -> Result<(), StoreError> {
    let failed = |source| StoreError::File {
        path: path.display().to_string(),
        source,
    };
    match create_private_file(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            make_private(path).map_err(failed)?;
            for suffix in ["-wal", "-shm"] {
                let mut side = path.as_os_str().to_owned();
                side.push(suffix);
                let side = Path::new(&side);
                if side.exists() {
                    make_private(side).map_err(failed)?;
                }
            }
            Ok(())
        }
        Err(e) => Err(failed(e)),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
