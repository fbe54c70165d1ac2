//! One lock per key (a room, an owner, a meeting) for the check-then-write rules of caps,
//! held across every instance of one database.

use super::rate::SWEEP_AT;
use super::too_many;
use crate::store::{ScopeLock, Store};
use crate::CoreError;
use std::collections::HashMap;
use std::sync::Mutex;

/// What is checked and then written under a cap — "is the meeting full?", "does this
/// user have a meeting running?" — is done by one request at a time per key, across
/// instances: the database's scope lock ([`crate::store::LimitStore::lock_scope`], an
/// advisory lock on PostgreSQL) decides. In front of it, one async lock per key in this
/// process, so a crowd on one instance waits here and holds one database connection, not
/// one each. Entries nobody holds are dropped as the map grows.
#[derive(Default)]
pub struct KeyedLocks {
    /// The in-process lock of each key.
    locks: Mutex<HashMap<uuid::Uuid, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

/// A key's lock, held in this process and in the database until it drops.
#[derive(Debug)]
pub struct KeyGuard {
    /// The database's scope lock (released first: fields drop in order).
    _shared: ScopeLock,
    /// This process's lock.
    _local: tokio::sync::OwnedMutexGuard<()>,
}

impl KeyedLocks {
    /// Waits up to `wait` (in all) for `key`'s lock here and in the database; past that,
    /// a 429 that says what is busy (a slow video platform must not queue requests
    /// without end).
    pub async fn lock_within(
        &self,
        store: &dyn Store,
        key: uuid::Uuid,
        wait: std::time::Duration,
        busy: &str,
    ) -> Result<KeyGuard, CoreError> {
        let busy_error = || {
            too_many(
                wait.as_secs().max(1),
                format!("{busy}; try again in a few seconds"),
            )
        };
        let started = tokio::time::Instant::now();
        let local = tokio::time::timeout(wait, self.lock(key))
            .await
            .map_err(|_| busy_error())?;
        let left = wait.saturating_sub(started.elapsed());
        match store.lock_scope(key, left).await? {
            Some(shared) => Ok(KeyGuard {
                _shared: shared,
                _local: local,
            }),
            None => Err(busy_error()),
        }
    }

    /// Waits for `key`'s lock in this process.
    async fn lock(&self, key: uuid::Uuid) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = match self.locks.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            if locks.len() >= SWEEP_AT {
                locks.retain(|_, l| std::sync::Arc::strong_count(l) > 1);
            }
            locks.entry(key).or_default().clone()
        };
        lock.lock_owned().await
    }
}
