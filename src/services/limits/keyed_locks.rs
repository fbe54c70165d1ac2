//! One async lock per key, for check-then-write rules of this process.

use super::rate::SWEEP_AT;
use super::too_many;
use crate::CoreError;
use std::collections::HashMap;
use std::sync::Mutex;

/// One async lock per key (a meeting, a room, an owner): what is checked and then
/// written — "is the meeting full?", "does this user have a meeting running?" — is done
/// by one request of this process at a time. Entries nobody holds are dropped as the map
/// grows.
#[derive(Default)]
pub struct KeyedLocks {
    /// The lock of each key.
    locks: Mutex<HashMap<uuid::Uuid, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl KeyedLocks {
    /// Waits up to `wait` for `key`'s lock; past that, a 429 that says what is busy (a
    /// slow video platform must not queue requests without end).
    pub async fn lock_within(
        &self,
        key: uuid::Uuid,
        wait: std::time::Duration,
        busy: &str,
    ) -> Result<tokio::sync::OwnedMutexGuard<()>, CoreError> {
        tokio::time::timeout(wait, self.lock(key))
            .await
            .map_err(|_| {
                too_many(
                    wait.as_secs().max(1),
                    format!("{busy}; try again in a few seconds"),
                )
            })
    }

    /// Waits for `key`'s lock.
    pub async fn lock(&self, key: uuid::Uuid) -> tokio::sync::OwnedMutexGuard<()> {
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
