//! Open event streams per client address, so one client cannot hold every connection.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Open event streams one client address may hold by default (`--max-event-streams-per-address`):
/// a few tabs of room pages, waiting pages and meeting pages behind one address.
pub const DEFAULT_STREAMS_PER_ADDRESS: u32 = 20;

/// Open streams by client key ([`crate::services::limits::ClientAddr::key`]), and the cap.
pub(super) struct Slots {
    open: Arc<Mutex<HashMap<String, u32>>>,
    max: AtomicU32,
}

impl Default for Slots {
    fn default() -> Self {
        Self {
            open: Arc::default(),
            max: AtomicU32::new(DEFAULT_STREAMS_PER_ADDRESS),
        }
    }
}

impl Slots {
    /// Sets the cap (at least 1).
    pub(super) fn set_max(&self, max: u32) {
        self.max.store(max.max(1), Ordering::Relaxed);
    }

    /// The cap.
    pub(super) fn max(&self) -> u32 {
        self.max.load(Ordering::Relaxed)
    }

    /// One more stream for `key`, if it has fewer than the cap open.
    pub(super) fn take(&self, key: &str) -> Option<StreamSlot> {
        let max = self.max();
        let mut open = self.open.lock().ok()?;
        let count = open.entry(key.to_owned()).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            slots: self.open.clone(),
            key: key.to_owned(),
        })
    }
}

/// One open stream of one client; given back when dropped (the stream ended).
pub struct StreamSlot {
    slots: Arc<Mutex<HashMap<String, u32>>>,
    key: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.slots.lock() {
            if let Some(count) = open.get_mut(&self.key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.remove(&self.key);
                }
            }
        }
    }
}
