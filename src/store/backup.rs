//! `roomcal backup PATH`: a consistent copy of the SQLite database while roomcal runs.
//!
//! `VACUUM INTO` reads the database in one transaction and writes a compact, complete copy
//! (WAL content included) to a new file, so the copy is never torn by concurrent writes.
//! The copy holds what the database holds, so it is the owner's alone (0600), created
//! exclusively (an existing file is never touched), and only from a database that is
//! roomcal's: a mistyped data directory is an error, not an empty backup.
//! PostgreSQL has its own tool for this (`pg_dump`), which the error says.

use super::{mask_database_url, SqliteStore, StoreError};
use crate::secret::create_private_file;
use sqlx::sqlite::SqliteConnectOptions;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target exists: a backup never overwrites a file.
    #[error("{0} exists already; choose a new file name (a backup never overwrites one)")]
    TargetExists(String),
    /// No database file where the URL points: probably the wrong `--data-dir`.
    #[error(
        "there is no database at {0}: pass the same --data-dir (or --database-url) as \
         `roomcal serve` uses; nothing was written"
    )]
    NoDatabase(String),
    /// A file is there, but it holds no roomcal data (empty, or another program's).
    #[error(
        "{0} is not a roomcal database (no roomcal tables in it): pass the same --data-dir \
         (or --database-url) as `roomcal serve` uses; nothing was written"
    )]
    NotRoomcal(String),
    /// The database is PostgreSQL.
    #[error(
        "{0} is PostgreSQL: back it up with `pg_dump --format=custom --file=roomcal.dump \"$ROOMCAL_DATABASE_URL\"` \
         and restore with `pg_restore --clean --dbname=…`"
    )]
    Postgres(String),
    /// The target file could not be created.
    #[error("cannot create {path}: {source}")]
    Target {
        /// The target.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("the backup failed: {0}")]
    Store(#[from] StoreError),
}

/// Copies the SQLite database at `url` into the new file `target` (mode 0600).
pub async fn backup(url: &str, target: &Path) -> Result<(), BackupError> {
    if !url.starts_with("sqlite:") {
        return Err(BackupError::Postgres(mask_database_url(url)));
    }
    let source = database_file(url)?;
    if !source.is_file() {
        return Err(BackupError::NoDatabase(source.display().to_string()));
    }
    let store = SqliteStore::open_existing(url).await?;
    let copied = copy_into(&store, &source, target).await;
    store.pool().close().await;
    copied
}

async fn copy_into(store: &SqliteStore, source: &Path, target: &Path) -> Result<(), BackupError> {
    let (tables,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'rooms')",
    )
    .fetch_one(store.pool())
    .await
    .map_err(StoreError::from)?;
    if tables < 2 {
        return Err(BackupError::NotRoomcal(source.display().to_string()));
    }
    // Created here, exclusively and 0600: SQLite writes into an empty file and keeps its
    // mode. Checking for the file first and letting SQLite create it would leave a window
    // in which another file could appear there (and SQLite would make it 0644).
    create_private_file(target).map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => {
            BackupError::TargetExists(target.display().to_string())
        }
        _ => BackupError::Target {
            path: target.display().to_string(),
            source,
        },
    })?;
    let vacuum = sqlx::query("VACUUM INTO ?1")
        .bind(target.display().to_string())
        .execute(store.pool())
        .await;
    if let Err(err) = vacuum {
        // The file is ours (created above): do not leave a torn copy behind.
        let _ = std::fs::remove_file(target);
        return Err(StoreError::from(err).into());
    }
    Ok(())
}

/// The database file a `sqlite:` URL names.
fn database_file(url: &str) -> Result<PathBuf, BackupError> {
    let options = SqliteConnectOptions::from_str(url).map_err(StoreError::from)?;
    Ok(options.get_filename().to_path_buf())
}
