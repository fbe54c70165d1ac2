//! Time source. Only the edges of the program read the clock; everything below takes
//! `now: DateTime<Utc>` so rules can be tested with a fixed instant.

use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// Where the current instant comes from.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; for tests of time-dependent behaviour.
#[derive(Debug)]
pub struct ManualClock {
    /// The instant `now()` returns until it is changed.
    current: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self {
            current: Mutex::new(at),
        }
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut current) = self.current.lock() {
            *current = at;
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut current) = self.current.lock() {
            *current += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        match self.current.lock() {
            Ok(current) => *current,
            // A poisoned lock still holds a valid instant.
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}
