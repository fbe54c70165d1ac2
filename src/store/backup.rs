//! `roomcal backup PATH`: a consistent copy of the SQLite database while roomcal runs.
//!
//! `VACUUM INTO` reads the database in one transaction and writes a compact, complete copy
//! (WAL content included) to a new file, so the copy is never torn by concurrent writes.
//! PostgreSQL has its own tool for this (`pg_dump`), which the error says.

use super::{mask_database_url, SqliteStore, StoreError};
use std::path::Path;

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target exists: a backup never overwrites a file.
    #[error("{0} exists already; choose a new file name (a backup never overwrites one)")]
    TargetExists(String),
    /// The database is PostgreSQL.
    #[error(
        "{0} is PostgreSQL: back it up with `pg_dump --format=custom --file=roomcal.dump \"$ROOMCAL_DATABASE_URL\"` \
         and restore with `pg_restore --clean --dbname=…`"
    )]
    Postgres(String),
    /// The database failed.
    #[error("the backup failed: {0}")]
    Store(#[from] StoreError),
}

/// Copies the SQLite database at `url` into the new file `target`.
pub async fn backup(url: &str, target: &Path) -> Result<(), BackupError> {
    if !url.starts_with("sqlite:") {
        return Err(BackupError::Postgres(mask_database_url(url)));
    }
    if target.exists() {
        return Err(BackupError::TargetExists(target.display().to_string()));
    }
    let store = SqliteStore::open(url).await?;
    sqlx::query("VACUUM INTO ?1")
        .bind(target.display().to_string())
        .execute(store.pool())
        .await
        .map_err(StoreError::from)?;
    store.pool().close().await;
    Ok(())
}
