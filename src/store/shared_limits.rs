//! What makes limits hold across instances: windowed counters every instance counts in
//! (one row per key and window), and a lock per scope (a room, an owner, a meeting) that
//! serializes a cap's check and the write it guards across every instance of one
//! database.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The shared counters and scope locks.
#[async_trait]
pub trait LimitStore: Send + Sync {
    /// Counts one event of `key` in its window starting at `window_start` (kept until
    /// `expires_at`) and returns the window's count with it: one upsert, one round trip.
    async fn count_event(
        &self,
        key: &str,
        window_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u32, StoreError>;

    /// Takes one counted event of `key`'s window back (an attempt that turned out not to
    /// count, or was refused).
    async fn uncount_event(&self, key: &str, window_start: DateTime<Utc>)
        -> Result<(), StoreError>;

    /// Forgets every window of `key` (a right password clears its account's failures).
    async fn forget_events(&self, key: &str) -> Result<(), StoreError>;

    /// Deletes windows that ended by `now`; returns how many went.
    async fn prune_event_windows(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Holds `scope`'s lock until the returned guard drops, waiting at most `wait`
    /// (`Ok(None)` when it could not be had in time). On PostgreSQL a transaction-scoped
    /// advisory lock, so instances on one database take turns; on SQLite, whose file
    /// belongs to one server process, the caller's in-process lock is the whole
    /// serialization and this returns at once.
    async fn lock_scope(
        &self,
        scope: Uuid,
        wait: std::time::Duration,
    ) -> Result<Option<ScopeLock>, StoreError>;
}

/// A held scope lock; dropping it releases the lock.
pub struct ScopeLock(
    /// What holds the lock (on PostgreSQL the open transaction); nothing on SQLite.
    #[allow(dead_code)]
    Option<Box<dyn Send>>,
);

impl ScopeLock {
    /// A lock with nothing to hold (SQLite).
    pub fn held_in_process() -> Self {
        ScopeLock(None)
    }

    /// A lock held by `holder` until it drops.
    pub fn held_by(holder: Box<dyn Send>) -> Self {
        ScopeLock(Some(holder))
    }
}

impl std::fmt::Debug for ScopeLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ScopeLock").finish_non_exhaustive()
    }
}

/// The advisory lock key of `scope`: its 128 bits folded to 64. Two scopes sharing a key
/// only take turns needlessly.
pub fn advisory_key(scope: Uuid) -> i64 {
    let (high, low) = scope.as_u64_pair();
    i64::from_ne_bytes((high ^ low).to_ne_bytes())
}
